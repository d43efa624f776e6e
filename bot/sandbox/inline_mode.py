"""The sandbox's inline mode, as strict as Telegram.

The control side sends a user's inline query ("@bot podium") as an update; the bot must answer
it with answerInlineQuery once, within 10 seconds, with at most 50 results whose ids are unique
and 1–64 bytes, whose fields are those of the Bot API's result types and whose message texts
pass the same checks as sendMessage. The answer is recorded; choosing a result posts its
message into a chat "via" the bot.

A part of the sandbox beside the method groups: it holds the queries, offers the users' side
to the control API and answerInlineQuery to the method table.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from .checks import START_PARAMETER, check_markup, check_text, check_web_app_url
from .errors import ApiError, bad
from .spec import OBJECTS, check_fields, matching_shape
from .world import World

ANSWER_SECONDS = 10.0  # Telegram drops an inline query the bot does not answer within 10 s
MAX_RESULTS = 50
MAX_RESULT_ID = 64  # bytes
MAX_OFFSET = 64  # bytes of next_offset
MAX_QUERY = 256  # characters a user can type after the bot's name
DEFAULT_CACHE_TIME = 300
CHAT_TYPES = ("sender", "private", "group", "supergroup", "channel")
TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


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
    def __init__(self, world: World, supports_inline_queries: bool = True):
        self.world = world
        world.bot["supports_inline_queries"] = supports_inline_queries
        self.queries: dict[str, InlineQuery] = {}
        self.answer_seconds = ANSWER_SECONDS

    def methods(self) -> dict:
        return {"answerInlineQuery": self.answer_inline_query}

    # --- the users' side: "@bot query", then a tap on a result ------------------------------

    def send_query(self, user_id: int, query: str, offset: str = "", chat_type: str | None = "sender") -> str:
        """Push an inline_query update as Telegram would; returns its id."""
        user = self.world.users.get(user_id)
        if user is None:
            raise bad(f"unknown user {user_id}")
        if not self.world.bot.get("supports_inline_queries"):
            raise bad("the bot has no inline mode (enable it with @BotFather /setinline)")
        _check_query(query, offset, chat_type)
        query_id = str(secrets.randbits(63))
        self.queries[query_id] = InlineQuery(query_id, user_id, query, offset, chat_type, time.monotonic())
        update: dict[str, Any] = {"id": query_id, "from": user.as_telegram(), "query": query, "offset": offset}
        if chat_type is not None:
            update["chat_type"] = chat_type
        self.world.push_update({"inline_query": update})
        return query_id

    async def wait_for_answer(self, query_id: str, timeout: float) -> dict | None:
        """The bot's answer; None if it gives none within `timeout` seconds."""
        query = self.queries[query_id]
        await self.world.until(lambda: query.answer is not None, timeout)
        return query.answer

    def choose_result(self, user_id: int, query_id: str, result_id: str, chat_id: int) -> dict:
        """The user picks a result: its message appears in `chat_id`, sent by the user "via" the
        bot. Bots receive messages sent via them, so the bot gets it as an update too."""
        result = self._answered_result(user_id, query_id, result_id)
        chat = self.world.chats.get(chat_id)
        if chat is None or not (chat.id == user_id or chat.type in ("group", "supergroup")):
            raise bad("the user can post only into their own chat with the bot or into a group the sandbox knows")
        content = result.get("input_message_content") or {}
        if "message_text" not in content:
            raise ApiError(501, "Not Implemented: the sandbox posts results with a text message only")
        text, entities = check_text(_as_text_params(content))
        message_content: dict[str, Any] = {"text": text, "via_bot": self.world.bot_sender()}
        if entities:
            message_content["entities"] = entities
        if result.get("reply_markup"):
            message_content["reply_markup"] = result["reply_markup"]
        message = self.world.new_message(chat, self.world.users[user_id].as_telegram(), **message_content)
        chat.messages[message["message_id"]] = message
        self.world.push_update({"message": message})
        return message

    def _answered_result(self, user_id: int, query_id: str, result_id: str) -> dict:
        query = self.queries.get(query_id)
        if query is None or query.user_id != user_id or query.answer is None:
            raise bad("no answered inline query with this id from this user")
        result = next((r for r in query.answer["results"] if r["id"] == result_id), None)
        if result is None:
            raise bad(f"the answer has no result {result_id!r}")
        return result

    # --- the Bot API side -------------------------------------------------------------------

    async def answer_inline_query(self, params, files) -> bool:
        query = self.queries.get(str(params.get("inline_query_id")))
        if query is None or query.answer is not None or time.monotonic() - query.at > self.answer_seconds:
            raise bad(TOO_OLD)
        results = _check_results(params.get("results"))
        cache_time = params.get("cache_time", DEFAULT_CACHE_TIME)
        if not isinstance(cache_time, int) or isinstance(cache_time, bool) or cache_time < 0:
            raise bad("invalid value for parameter 'cache_time'")
        next_offset = params.get("next_offset", "")
        if not isinstance(next_offset, str) or len(next_offset.encode("utf-8")) > MAX_OFFSET:
            raise bad("NEXT_OFFSET_INVALID")
        button = params.get("button")
        if button is not None:
            _check_results_button(button)
        query.answer = {"inline_query_id": query.id, "results": results, "cache_time": cache_time,
                        "is_personal": bool(params.get("is_personal", False)), "next_offset": next_offset,
                        "button": button}
        self.world.record("answerInlineQuery", None, user_id=query.user_id, query=query.query, offset=query.offset,
                          answer=query.answer)
        return True


def _check_query(query: Any, offset: Any, chat_type: str | None) -> None:
    if not isinstance(query, str) or len(query) > MAX_QUERY:
        raise bad(f"an inline query has at most {MAX_QUERY} characters")
    if not isinstance(offset, str) or len(offset.encode("utf-8")) > MAX_OFFSET:
        raise bad("an offset is a string of at most 64 bytes")
    if chat_type is not None and chat_type not in CHAT_TYPES:
        raise bad(f"chat_type must be one of {', '.join(CHAT_TYPES)}")


def _as_text_params(content: dict) -> dict:
    """An InputTextMessageContent read as sendMessage's parameters, for the same checks."""
    return {"text": content["message_text"], "parse_mode": content.get("parse_mode"),
            "entities": content.get("entities")}


def _check_results(results: Any) -> list:
    if not isinstance(results, list):
        raise bad("can't parse inline query results JSON object: an Array expected")
    if len(results) > MAX_RESULTS:
        raise bad("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for index, result in enumerate(results):
        result_id = _check_result(result, index)
        if result_id in seen:
            raise bad("RESULT_ID_DUPLICATE")
        seen.add(result_id)
    return results


def _check_result(result: Any, index: int) -> str:
    where = f"inline query result #{index + 1}"
    if not isinstance(result, dict) or not isinstance(result.get("type"), str):
        raise bad(f"can't parse {where}: field \"type\" must be a String")
    shapes = RESULT_SHAPES.get(result["type"])
    if shapes is None:
        raise bad(f"RESULT_TYPE_INVALID: {result['type']!r}")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID:
        raise bad("RESULT_ID_INVALID")
    matching_shape(result, shapes, where)
    if "title" in result and not result["title"].strip():
        raise bad(f"{where}: the title must not be empty")
    if "input_message_content" in result:
        _check_content(result["input_message_content"], where)
    if "reply_markup" in result:
        markup = result["reply_markup"]
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            raise bad(f"{where}: reply_markup must be an inline keyboard")
        check_markup({"reply_markup": markup}, web_app_allowed=False)
    return result_id


def _check_content(content: Any, where: str) -> None:
    if not isinstance(content, dict):
        raise bad(f"can't parse {where}: input_message_content must be an object")
    shape = matching_shape(content, CONTENT_SHAPES, f"{where}'s input_message_content")
    if shape == "InputTextMessageContent":  # the same text checks as sendMessage
        check_text(_as_text_params(content))


def _check_results_button(button: Any) -> None:
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
