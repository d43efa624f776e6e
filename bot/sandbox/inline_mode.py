"""The sandbox's inline mode and menu buttons, as strict as Telegram.

Inline mode: the control side sends a user's inline query ("@bot podium") as an update; the
bot must answer it with answerInlineQuery once, within 10 seconds, with at most 50 results
whose ids are unique and 1–64 bytes, whose fields are those of the Bot API's result types and
whose message texts pass the same checks as sendMessage. The answer is recorded; choosing a
result posts its message into a chat "via" the bot, and a t.me link with a start parameter is
followed like Telegram does: "/start <parameter>" from the user's private chat.

Menu buttons: setChatMenuButton and getChatMenuButton per private chat and for everyone.
Web App URLs must be HTTPS; plain http is accepted for loopback hosts only, as Telegram's
test environment allows local development.

Mixed into `server.Sandbox`; imports nothing from the bot.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import ApiError, bad, is_loopback

ANSWER_SECONDS = 10.0  # Telegram drops an inline query the bot does not answer within 10 s
MAX_RESULTS = 50
MAX_RESULT_ID = 64  # bytes
MAX_OFFSET = 64  # bytes of next_offset
MAX_QUERY = 256  # characters a user can type after the bot's name
DEFAULT_CACHE_TIME = 300
START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CHAT_TYPES = ("sender", "private", "group", "supergroup", "channel")
MENU_TYPES = {"commands": "MenuButtonCommands", "default": "MenuButtonDefault", "web_app": "MenuButtonWebApp"}
TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def _load_objects() -> dict[str, dict[str, dict]]:
    data = json.loads(resources.files(__package__).joinpath("botapi_methods.json").read_text(encoding="utf-8"))
    return data["objects"]


OBJECTS = _load_objects()


def _result_type(name: str) -> str:
    """"InlineQueryResultCachedMpeg4Gif" → "mpeg4_gif", the value of its `type` field."""
    short = name.removeprefix("InlineQueryResult").removeprefix("Cached")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", short).lower()


# One result type may come in two shapes (a photo by URL or by file_id): every shape counts.
RESULT_SHAPES: dict[str, list[str]] = {}
for _name in sorted(OBJECTS):
    if _name.startswith("InlineQueryResult") and _name != "InlineQueryResultsButton":
        RESULT_SHAPES.setdefault(_result_type(_name), []).append(_name)
CONTENT_SHAPES = sorted(name for name in OBJECTS if name.startswith("Input") and name.endswith("MessageContent"))


def check_fields(value: Any, shape: str, where: str) -> dict:
    """`value` is an object of the Bot API type `shape`: no unknown fields, all required ones."""
    if not isinstance(value, dict):
        raise bad(f"can't parse {where}: an object expected")
    fields = OBJECTS[shape]
    for name in value:
        if name not in fields:
            raise bad(f"can't parse {where}: unknown field \"{name}\"")
    for name, info in fields.items():
        if info["required"] and name not in value:
            raise bad(f"can't parse {where}: field \"{name}\" must be present")
        if name in value and info["types"] == ["String"] and not isinstance(value[name], str):
            raise bad(f"can't parse {where}: field \"{name}\" must be a String")
    return value


def _matching_shape(value: dict, shapes: list[str], where: str) -> str:
    """The first shape `value` fits; the first shape's complaint if it fits none."""
    for shape in shapes:
        try:
            check_fields(value, shape, where)
            return shape
        except ApiError:
            continue
    check_fields(value, shapes[0], where)
    return shapes[0]


def check_web_app_url(url: Any, where: str) -> None:
    """HTTPS; plain http only to a loopback host (Telegram's test environment allows local
    development, so the sandbox does too, and nothing else)."""
    if not isinstance(url, str):
        raise bad(f"{where} Web App URL must be a String")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return
    raise bad(f"{where} Web App URL '{url}' is invalid: Only HTTPS links are allowed")


@dataclass
class InlineQuery:
    id: str
    user_id: int
    query: str
    offset: str
    chat_type: str | None
    at: float  # time.monotonic() when sent
    answer: dict | None = None


class InlineMode:
    """State and methods for inline queries and menu buttons; see the module's docstring."""

    def _init_inline_mode(self, supports_inline_queries: bool = True) -> None:
        self.bot["supports_inline_queries"] = supports_inline_queries
        self.inline_queries: dict[str, InlineQuery] = {}
        self.inline_answer_seconds = ANSWER_SECONDS
        self.menu_buttons: dict[int | None, dict] = {}  # None: the default for all private chats

    # --- control side: a user types "@bot query" -------------------------------------------

    def send_inline_query(self, user_id: int, query: str, offset: str = "", chat_type: str | None = "sender") -> str:
        """Push an inline_query update as Telegram would; returns its id."""
        user = self.users.get(user_id)
        if user is None:
            raise bad(f"unknown user {user_id}")
        if not self.bot.get("supports_inline_queries"):
            raise bad("the bot has no inline mode (enable it with @BotFather /setinline)")
        if not isinstance(query, str) or len(query) > MAX_QUERY:
            raise bad(f"an inline query has at most {MAX_QUERY} characters")
        if not isinstance(offset, str) or len(offset.encode("utf-8")) > MAX_OFFSET:
            raise bad("an offset is a string of at most 64 bytes")
        if chat_type is not None and chat_type not in CHAT_TYPES:
            raise bad(f"chat_type must be one of {', '.join(CHAT_TYPES)}")
        query_id = str(secrets.randbits(63))
        self.inline_queries[query_id] = InlineQuery(query_id, user_id, query, offset, chat_type, time.monotonic())
        update: dict[str, Any] = {"id": query_id, "from": user.as_telegram(), "query": query, "offset": offset}
        if chat_type is not None:
            update["chat_type"] = chat_type
        self.push_update({"inline_query": update})
        return query_id

    async def wait_for_inline_answer(self, query_id: str, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        async with self.output_added:
            while self.inline_queries[query_id].answer is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                try:
                    await asyncio.wait_for(self.output_added.wait(), remaining)
                except asyncio.TimeoutError:
                    return None
        return self.inline_queries[query_id].answer

    def choose_inline_result(self, user_id: int, query_id: str, result_id: str, chat_id: int) -> dict:
        """The user picks a result: its message appears in `chat_id`, sent by the user "via" the
        bot. Bots receive messages sent via them, so the bot gets it as an update too."""
        query = self.inline_queries.get(query_id)
        if query is None or query.user_id != user_id or query.answer is None:
            raise bad("no answered inline query with this id from this user")
        result = next((r for r in query.answer["results"] if r["id"] == result_id), None)
        if result is None:
            raise bad(f"the answer has no result {result_id!r}")
        chat = self.chats.get(chat_id)
        if chat is None or not (chat.id == user_id or chat.type in ("group", "supergroup")):
            raise bad("the user can post only into their own chat with the bot or into a group the sandbox knows")
        content = result.get("input_message_content") or {}
        if "message_text" not in content:
            raise ApiError(501, "Not Implemented: the sandbox posts results with a text message only")
        text, entities = self._text({"text": content["message_text"], "parse_mode": content.get("parse_mode"),
                                     "entities": content.get("entities")})
        message_content: dict[str, Any] = {"text": text,
                                           "via_bot": {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")}}
        if entities:
            message_content["entities"] = entities
        if result.get("reply_markup"):
            message_content["reply_markup"] = result["reply_markup"]
        message = self._new_message(chat, self.users[user_id].as_telegram(), **message_content)
        chat.messages[message["message_id"]] = message
        self.push_update({"message": message})
        return message

    def open_link(self, user_id: int, url: str) -> tuple[int, int]:
        """Follow a t.me link to this bot: "/start <parameter>" from the user's private chat.
        Links to other bots or with a parameter Telegram would not pass on are refused."""
        if user_id not in self.users:
            raise bad(f"unknown user {user_id}")
        parts = urlsplit(str(url))
        username = parts.path.strip("/")
        if parts.scheme not in ("https", "http") or parts.hostname not in ("t.me", "telegram.me") \
                or username.lower() != str(self.bot["username"]).lower():
            raise bad(f"not a link to @{self.bot['username']}: {url}")
        values = parse_qs(parts.query, keep_blank_values=True).get("start")
        if values is None:
            return self.user_message(user_id, "/start")
        if len(values) != 1 or not START_PARAMETER.match(values[0]):
            raise bad("invalid start parameter: 1-64 characters A-Z, a-z, 0-9, _ and -")
        return self.user_message(user_id, f"/start {values[0]}")

    # --- the Bot API side ----------------------------------------------------------------

    async def m_answerInlineQuery(self, params, files):
        query = self.inline_queries.get(str(params.get("inline_query_id")))
        if query is None or query.answer is not None or time.monotonic() - query.at > self.inline_answer_seconds:
            raise bad(TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise bad("can't parse inline query results JSON object: an Array expected")
        if len(results) > MAX_RESULTS:
            raise bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for index, result in enumerate(results):
            result_id = self._check_result(result, index)
            if result_id in seen:
                raise bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
        cache_time = params.get("cache_time", DEFAULT_CACHE_TIME)
        if not isinstance(cache_time, int) or isinstance(cache_time, bool) or cache_time < 0:
            raise bad("invalid value for parameter 'cache_time'")
        next_offset = params.get("next_offset", "")
        if not isinstance(next_offset, str) or len(next_offset.encode("utf-8")) > MAX_OFFSET:
            raise bad("NEXT_OFFSET_INVALID")
        button = params.get("button")
        if button is not None:
            self._check_results_button(button)
        query.answer = {"inline_query_id": query.id, "results": results, "cache_time": cache_time,
                        "is_personal": bool(params.get("is_personal", False)), "next_offset": next_offset,
                        "button": button}
        await self._record("answerInlineQuery", None, user_id=query.user_id, query=query.query, offset=query.offset,
                           answer=query.answer)
        return True

    def _check_result(self, result: Any, index: int) -> str:
        where = f"inline query result #{index + 1}"
        if not isinstance(result, dict) or not isinstance(result.get("type"), str):
            raise bad(f"can't parse {where}: field \"type\" must be a String")
        shapes = RESULT_SHAPES.get(result["type"])
        if shapes is None:
            raise bad(f"RESULT_TYPE_INVALID: {result['type']!r}")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID:
            raise bad("RESULT_ID_INVALID")
        _matching_shape(result, shapes, where)
        if "title" in result and not result["title"].strip():
            raise bad(f"{where}: the title must not be empty")
        if "input_message_content" in result:
            self._check_content(result["input_message_content"], where)
        if "reply_markup" in result:
            markup = result["reply_markup"]
            if not isinstance(markup, dict) or "inline_keyboard" not in markup:
                raise bad(f"{where}: reply_markup must be an inline keyboard")
            self._markup({"reply_markup": markup}, inline=True)
        return result_id

    def _check_content(self, content: Any, where: str) -> None:
        if not isinstance(content, dict):
            raise bad(f"can't parse {where}: input_message_content must be an object")
        shape = _matching_shape(content, CONTENT_SHAPES, f"{where}'s input_message_content")
        if shape == "InputTextMessageContent":  # the same text checks as sendMessage
            self._text({"text": content["message_text"], "parse_mode": content.get("parse_mode"),
                        "entities": content.get("entities")})

    def _check_results_button(self, button: Any) -> None:
        check_fields(button, "InlineQueryResultsButton", "inline query results button")
        if not button["text"].strip():
            raise bad("inline query results button: the text must not be empty")
        actions = [name for name in ("web_app", "start_parameter") if name in button]
        if len(actions) != 1:
            raise bad("inline query results button: exactly one of web_app and start_parameter must be used")
        if "start_parameter" in button and not START_PARAMETER.match(str(button["start_parameter"])):
            raise bad("START_PARAM_INVALID")
        if "web_app" in button:
            check_fields(button["web_app"], "WebAppInfo", "web_app")
            check_web_app_url(button["web_app"]["url"], "inline query results button")

    async def m_setChatMenuButton(self, params, files):
        chat_id = self._menu_chat(params)
        button = params.get("menu_button", {"type": "default"})
        if not isinstance(button, dict) or button.get("type") not in MENU_TYPES:
            raise bad("can't parse menu button: type must be commands, default or web_app")
        check_fields(button, MENU_TYPES[button["type"]], "menu button")
        if button["type"] == "web_app":
            if not button["text"].strip():
                raise bad("menu button: the text must not be empty")
            check_fields(button["web_app"], "WebAppInfo", "menu button's web_app")
            check_web_app_url(button["web_app"]["url"], "menu button")
        if button["type"] == "default":
            self.menu_buttons.pop(chat_id, None)  # back to what applies when nothing is set
        else:
            self.menu_buttons[chat_id] = button
        return True

    async def m_getChatMenuButton(self, params, files):
        chat_id = self._menu_chat(params)
        # A chat without its own button reports "default" (the bot-wide one applies there);
        # the bot-wide button is the command list until one is set.
        return self.menu_buttons.get(chat_id, {"type": "default" if chat_id is not None else "commands"})

    def effective_menu_button(self, chat_id: int) -> dict:
        """What the user of a private chat sees: the chat's own button, else the bot-wide one."""
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    def _menu_chat(self, params: dict) -> int | None:
        if params.get("chat_id") is None:
            return None
        chat = self._chat(params)
        if chat.type != "private":
            raise bad("menu buttons can be set only for private chats")
        return chat.id
