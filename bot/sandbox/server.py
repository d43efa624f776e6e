"""A local stand-in for the Telegram Bot API, strict where Telegram is strict.

The unmodified bot talks to it through BOT_API_URL (http://HOST:PORT/bot). It keeps
users, chats, messages and an update queue; checks every call against the Bot API
10.1 method table (unknown method or parameter, missing required parameter, text and
button limits, HTML, unknown chat); can add latency, inject faults and enforce
Telegram's flood limits; and offers a control API under /sandbox/ to act as users
and read what the bot did. Inline mode and menu buttons are in inline_mode.py.

It imports nothing from the bot, so it cannot share the bot's mistakes.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import itertools
import json
import logging
import math
import random
import re
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aiohttp import web

from .errors import ApiError, bad
from .html import ParseError, parse_html, utf16_len
from .inline_mode import InlineMode, check_fields, check_web_app_url
from .webhook import CONFLICT, Delivery, WebhookRejected, check_webhook

log = logging.getLogger("sandbox")

DEFAULT_TOKEN = "123456789:SANDBOX-token-for-local-tests"
BOT_ID = 123456789
SEND_METHODS = {"sendmessage", "sendvenue", "sendlocation", "senddocument", "sendphoto", "copymessage",
                "forwardmessage", "sendcontact", "sendpoll", "sendaudio", "sendvideo", "sendvoice", "sendsticker"}
COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


def _load_methods() -> dict[str, dict[str, dict]]:
    data = json.loads(resources.files(__package__).joinpath("botapi_methods.json").read_text(encoding="utf-8"))
    return data["methods"]


METHODS = _load_methods()
METHODS_BY_LOWER = {name.lower(): name for name in METHODS}


@dataclass
class Faults:
    """Chances per Bot API call (0..1) of each fault; only for the listed methods (all if empty)."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_timeout: float = 0.0  # processed, then no answer for `timeout_seconds`: ambiguous to the bot
    rate_drop: float = 0.0  # connection closed before processing
    retry_after: int = 1
    timeout_seconds: float = 30.0
    methods: set[str] = field(default_factory=set)
    seed: int | None = None


@dataclass
class Limits:
    """Telegram's flood limits; 0 switches one off."""

    global_per_second: int = 0
    chat_per_second: int = 0
    chat_burst: int = 1
    group_per_minute: int = 0


@dataclass
class User:
    id: int
    first_name: str
    last_name: str = ""
    username: str | None = None
    language_code: str | None = None
    blocked: str | None = None  # "blocked" or "deactivated"

    def as_telegram(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    user: User | None = None
    migrated_to: int | None = None
    messages: dict[int, dict] = field(default_factory=dict)
    next_message_id: int = 1

    def as_telegram(self) -> dict:
        if self.type == "private" and self.user:
            data = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title or "Group"}


def _overfull(events: deque[float], moment: float, limit: int, span: float) -> float:
    """0 if one more event at `moment` leaves every `span`-long window that holds it within
    `limit` (events sorted); else the seconds until the fullest such window has passed."""
    times = list(events)[bisect.bisect_right(events, moment - span):bisect.bisect_right(events, moment + span)]
    inserted = sorted(times + [moment])
    for index, first in enumerate(inserted):
        if first > moment:
            break
        if bisect.bisect_left(inserted, first + span) - index > limit:
            return first + span - moment
    return 0.0


class Sandbox(InlineMode):
    def __init__(self, token: str = DEFAULT_TOKEN, bot_username: str = "KonferenzSandboxBot",
                 supports_inline_queries: bool = True):
        self.token = token
        self.bot = {"id": BOT_ID, "is_bot": True, "first_name": "Konferenz-Bot", "username": bot_username,
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
                    "can_connect_to_business": False, "has_main_web_app": False}
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict] = []
        self.next_update_id = 1
        self.new_update = asyncio.Event()
        self.callback_queries: dict[str, dict] = {}
        self.outputs: list[dict] = []  # everything the bot did that users see, in order
        self.output_added = asyncio.Condition()
        self.requests: list[dict] = []
        self.commands: dict[str, list] = {}
        self.files: dict[str, tuple[str, str, bytes]] = {}
        self.latency = 0.0
        self.faults = Faults()
        self.limits = Limits()
        self._random = random.Random()
        self._sent_times: deque[float] = deque()
        self._chat_times: dict[int, deque[float]] = defaultdict(deque)
        self._user_ids = itertools.count(10_000)
        self.getupdates_calls = 0
        self._init_inline_mode(supports_inline_queries)
        self.delivery = Delivery(take_updates=self._take_updates, give_back=self._give_back)

    # --- users and updates (control side) ------------------------------------------------

    def add_user(self, first_name: str = "Test", user_id: int | None = None, last_name: str = "",
                 username: str | None = None, language_code: str | None = "de") -> User:
        user_id = user_id if user_id is not None else next(self._user_ids)
        user = User(user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        self.chats.setdefault(user_id, Chat(user_id, "private", user=user))
        self.chats[user_id].user = user
        return user

    def add_group(self, chat_id: int, title: str = "Group", kind: str = "group") -> Chat:
        chat = Chat(chat_id, kind, title=title)
        self.chats[chat_id] = chat
        return chat

    def push_update(self, payload: dict) -> int:
        update = {"update_id": self.next_update_id, **payload}
        self.next_update_id += 1
        self.updates.append(update)
        self.new_update.set()
        self.delivery.wake()
        return update["update_id"]

    def _take_updates(self) -> list[dict]:
        """While a webhook is set, the delivery takes new updates from the getUpdates queue."""
        taken, self.updates = self.updates, []
        return taken

    def _give_back(self, updates: list[dict]) -> None:
        self.updates = sorted(self.updates + updates, key=lambda u: u["update_id"])

    def user_message(self, user_id: int, text: str, chat_id: int | None = None,
                     entities: list[dict] | None = None) -> tuple[int, int]:
        """A text from a user; formatting comes as entities, as Telegram's apps send it."""
        user = self.users[user_id]
        chat = self.chats[chat_id if chat_id is not None else user_id]
        message = self._new_message(chat, user.as_telegram(), text=text)
        found = list(entities or [])
        if text.startswith("/"):
            command = text.split()[0]
            found.insert(0, {"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        if found:
            self._check_entities(text, found)
            message["entities"] = found
        chat.messages[message["message_id"]] = message
        return self.push_update({"message": message}), message["message_id"]

    def user_photo(self, user_id: int, caption: str = "", entities: list[dict] | None = None,
                   data: bytes = b"\x89PNG sandbox photo") -> tuple[int, int]:
        """A photo from a user, optionally with a caption; the bot may send it on by its file_id."""
        user = self.users[user_id]
        chat = self.chats[user_id]
        file_id = "P" + secrets.token_hex(12)
        self.files[file_id] = ("photo.jpg", "image/jpeg", data)
        content: dict[str, Any] = {"photo": [{"file_id": file_id, "file_unique_id": file_id[:10], "width": 800,
                                              "height": 600, "file_size": len(data)}]}
        if caption:
            content["caption"] = caption
            if entities:
                self._check_entities(caption, entities)
                content["caption_entities"] = entities
        message = self._new_message(chat, user.as_telegram(), **content)
        chat.messages[message["message_id"]] = message
        return self.push_update({"message": message}), message["message_id"]

    def press(self, user_id: int, message_id: int, data: str, forge: bool = False, chat_id: int | None = None) -> tuple[int, str]:
        """A tap on an inline button of a bot message; `forge` allows data no button carries."""
        user = self.users[user_id]
        chat = self.chats[chat_id if chat_id is not None else user_id]
        message = chat.messages.get(message_id)
        if not forge:
            if message is None:
                raise ApiError(404, f"message {message_id} not found in chat {chat.id}")
            buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
            if not any(b.get("callback_data") == data for b in buttons):
                raise ApiError(404, f"message {message_id} has no button with data {data!r}")
        query_id = str(secrets.randbits(63))
        query: dict[str, Any] = {"id": query_id, "from": user.as_telegram(), "chat_instance": str(chat.id * 7 + 3), "data": data}
        if message is not None:
            query["message"] = message
        self.callback_queries[query_id] = {"answered": False, "user_id": user_id, "at": time.time()}
        return self.push_update({"callback_query": query}), query_id

    def _new_message(self, chat: Chat, sender: dict, **content) -> dict:
        message = {"message_id": chat.next_message_id, "from": sender, "chat": chat.as_telegram(),
                   "date": int(time.time()), **content}
        chat.next_message_id += 1
        return message

    async def _record(self, kind: str, chat_id: int | None, **data) -> dict:
        async with self.output_added:
            entry = {"seq": len(self.outputs) + 1, "kind": kind, "chat_id": chat_id, "time": time.time(), **data}
            self.outputs.append(entry)
            self.output_added.notify_all()
        return entry

    # --- the Bot API side ----------------------------------------------------------------

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        token, method_raw = request.match_info["token"], request.match_info["method"]
        started = time.time()
        arrived = time.monotonic()  # flood limits count arrivals, as Telegram does, not our processing
        entry: dict[str, Any] = {"method": method_raw, "time": started}
        self.requests.append(entry)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            method = METHODS_BY_LOWER.get(method_raw.lower())
            if method is None:
                raise ApiError(404, "Not Found")
            entry["method"] = method
            params, files = await self._read_params(request)
            entry["params"] = {k: v for k, v in params.items()}
            self._check_params(method, params, files)
            if method != "getUpdates" and self.latency:
                await asyncio.sleep(self.latency)
            fault = self._pick_fault(method)
            if fault:
                entry["fault"] = fault
            if fault == "drop":
                entry.update(status="dropped")
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
            if fault == "429":
                raise ApiError(429, f"Too Many Requests: retry after {self.faults.retry_after}",
                               {"retry_after": self.faults.retry_after})
            if fault == "500":
                raise ApiError(500, "Internal Server Error")
            if method.lower() in SEND_METHODS:
                self._check_flood(params, arrived)
            result = await getattr(self, "m_" + method)(params, files)
            if fault == "timeout":
                entry.update(status="timeout")
                await asyncio.sleep(self.faults.timeout_seconds)
            entry.update(status=200, arrived=arrived)
            return web.json_response({"ok": True, "result": result})
        except ApiError as error:
            entry.update(status=error.code, description=error.description, scope=getattr(error, "scope", None),
                         arrived=arrived)
            return web.json_response(error.body(), status=error.code)
        finally:
            entry["duration"] = time.time() - started

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, str, bytes]]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, str, bytes]] = {}
        content_type = request.content_type
        if request.body_exists:
            if content_type == "application/json":
                try:
                    body = await request.json()
                except (ValueError, UnicodeDecodeError):
                    raise bad("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad("can't parse JSON object")
                params.update(body)
            elif content_type == "multipart/form-data":
                reader = await request.multipart()
                async for part in reader:
                    if part.filename is not None:
                        files[part.name] = (part.filename, part.headers.get("Content-Type", "application/octet-stream"), await part.read())
                    else:
                        params[part.name] = await part.text()
            else:
                params.update(await request.post())
        return params, files

    def _check_params(self, method: str, params: dict, files: dict) -> None:
        spec = METHODS[method]
        for name in params:
            if name not in spec:
                raise bad(f"unknown parameter '{name}' for method {method}")
        for name in files:
            if name not in spec and not any(isinstance(v, str) and v == f"attach://{name}" for v in params.values()):
                raise bad(f"unexpected file '{name}' for method {method}")
        for name, info in spec.items():
            if info["required"] and name not in params and name not in files:
                if name == "text":
                    raise bad("message text is empty")
                raise bad(f"parameter '{name}' is required")
            if name in params:
                params[name] = self._coerce(name, params[name], info["types"])

    def _coerce(self, name: str, value: Any, types: list[str]) -> Any:
        """Form fields arrive as strings; objects and arrays as JSON, as Telegram reads them."""
        if isinstance(value, str):
            if types == ["String"] or "InputFile" in types:
                return value
            if "Integer" in types or "Float" in types:
                for number in (int, float) if "Float" in types else (int,):
                    try:
                        return number(value)
                    except ValueError:
                        pass
                if "String" in types:
                    return value
                raise bad(f"invalid value for parameter '{name}'")
            if types == ["Boolean"]:
                if value.lower() in ("true", "1"):
                    return True
                if value.lower() in ("false", "0"):
                    return False
                raise bad(f"invalid value for parameter '{name}'")
            if "String" in types:
                return value
            try:
                return json.loads(value)
            except ValueError:
                raise bad(f"can't parse {name} JSON object") from None
        return value

    def _pick_fault(self, method: str) -> str | None:
        f = self.faults
        if method == "getUpdates" or (f.methods and method not in f.methods):
            return None
        roll = self._random.random()
        for name, rate in (("429", f.rate_429), ("500", f.rate_500), ("timeout", f.rate_timeout), ("drop", f.rate_drop)):
            if roll < rate:
                return name
            roll -= rate
        return None

    def _check_flood(self, params: dict, now: float) -> None:
        limits = self.limits
        chat_id = params.get("chat_id")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if limits.global_per_second:
            window = self._sent_times
            while window and window[0] <= now - 2:
                window.popleft()
            # Requests are checked once their body is read, not always in the order they arrived:
            # every one-second span that would hold this arrival must stay within the limit.
            wait = _overfull(window, now, limits.global_per_second, 1.0)
            if wait:
                self._too_many(wait, "global")
        if chat is not None:
            per_chat = self._chat_times[chat.id]
            if chat.type == "private" and limits.chat_per_second:
                span = limits.chat_burst / limits.chat_per_second
                while per_chat and per_chat[0] <= now - span:
                    per_chat.popleft()
                if len(per_chat) >= limits.chat_burst:
                    self._too_many(per_chat[0] + span - now, "chat")
            elif chat.type != "private" and limits.group_per_minute:
                while per_chat and per_chat[0] <= now - 60:
                    per_chat.popleft()
                if len(per_chat) >= limits.group_per_minute:
                    self._too_many(per_chat[0] + 60 - now, "group")
            per_chat.append(now)
        bisect.insort(self._sent_times, now)

    def _too_many(self, wait: float, scope: str) -> None:
        retry = max(1, math.ceil(wait))
        error = ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        error.scope = scope  # for the request log only; Telegram does not say
        raise error

    # --- checks shared by the methods ------------------------------------------------------

    def _chat(self, params: dict, key: str = "chat_id") -> Chat:
        chat_id = params.get(key)
        if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
            chat_id = int(chat_id)
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": chat.migrated_to})
        if chat.user is not None and chat.user.blocked == "blocked":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.user is not None and chat.user.blocked == "deactivated":
            raise ApiError(403, "Forbidden: user is deactivated")
        return chat

    def _text(self, params: dict, key: str = "text", limit: int = 4096, required: bool = True) -> tuple[str, list]:
        raw = params.get(key)
        if raw is None:
            if required:
                raise bad("message text is empty")
            return "", []
        if not isinstance(raw, str):
            raise bad(f"invalid value for parameter '{key}'")
        mode = params.get("parse_mode")
        if mode is not None and mode not in ("HTML", "MarkdownV2", "Markdown"):
            raise bad(f"unsupported parse_mode {mode}")
        entities = params.get("entities" if key == "text" else "caption_entities") or []
        if mode == "HTML":
            try:
                text, entities = parse_html(raw)
            except ParseError as error:
                raise bad(f"can't parse entities: {error}") from None
        elif mode is not None:
            raise bad("the sandbox checks HTML only; send parse_mode HTML")
        else:
            text = raw
            self._check_entities(text, entities)
        if required and not text.strip():
            raise bad("message text is empty" if key == "text" else "message caption is empty")
        if utf16_len(text) > limit:
            raise bad("message is too long" if key == "text" else "message caption is too long")
        return text, entities

    def _check_entities(self, text: str, entities: Any) -> None:
        if not isinstance(entities, list):
            raise bad("can't parse entities JSON object")
        size = utf16_len(text)
        for entity in entities:
            if not isinstance(entity, dict) or not {"type", "offset", "length"} <= set(entity):
                raise bad("can't parse entities: entity must have type, offset and length")
            if entity["offset"] < 0 or entity["length"] <= 0 or entity["offset"] + entity["length"] > size:
                raise bad("can't parse entities: entity is out of range")

    def _markup(self, params: dict, chat: Chat | None = None, inline: bool = False) -> dict | None:
        """The reply_markup of a message to `chat`, or of an inline result (`inline`)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad("can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays")
            for row in rows:
                for button in row:
                    self._check_button(button, chat, inline)
        elif not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad("can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _check_button(button: Any, chat: Chat | None = None, inline: bool = False) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad("can't parse inline keyboard button: Text must be a String")
        if not button["text"].strip():
            raise bad("BUTTON_TEXT_EMPTY")
        actions = [k for k in ("url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat",
                               "web_app", "login_url", "pay", "callback_game", "copy_text",
                               "switch_inline_query_chosen_chat") if k in button]
        if len(actions) != 1:
            raise bad("can't parse inline keyboard button: exactly one of the optional fields must be used")
        data = button.get("callback_data")
        if data is not None and (not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64):
            raise bad("BUTTON_DATA_INVALID")
        url = button.get("url")
        if url is not None and not re.match(r"^(https?|tg)://", str(url)):
            raise bad("BUTTON_URL_INVALID")
        if "web_app" in button:
            # Web App buttons work only in the private chat of a user with the bot.
            if inline or chat is None or chat.type != "private":
                raise bad("BUTTON_TYPE_INVALID")
            check_fields(button["web_app"], "WebAppInfo", "inline keyboard button's web_app")
            check_web_app_url(button["web_app"]["url"], "inline keyboard button")

    async def _send(self, chat: Chat, method: str, params: dict, **content) -> dict:
        markup = self._markup(params, chat)
        if markup is not None and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        message = self._new_message(chat, {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")}, **content)
        chat.messages[message["message_id"]] = message
        await self._record(method, chat.id, message_id=message["message_id"], message=message)
        return message

    # --- methods -----------------------------------------------------------------------------

    async def m_getMe(self, params, files):
        return self.bot

    async def m_logOut(self, params, files):
        return True

    async def m_close(self, params, files):
        return True

    async def m_setWebhook(self, params, files):
        if not params.get("url"):  # an empty URL removes the webhook, as Telegram allows
            return await self.m_deleteWebhook({"drop_pending_updates": params.get("drop_pending_updates")}, files)
        try:
            webhook = check_webhook(params, certificate="certificate" in files or "certificate" in params)
        except WebhookRejected as error:
            raise ApiError(400, str(error)) from None
        self.delivery.set(webhook, drop_pending=bool(params.get("drop_pending_updates")))
        return True

    async def m_deleteWebhook(self, params, files):
        drop = bool(params.get("drop_pending_updates"))
        if self.delivery.webhook is not None:
            await self.delivery.delete(drop)
        if drop:
            self.updates.clear()
        return True

    async def m_getWebhookInfo(self, params, files):
        return self.delivery.info(len(self.updates))

    async def m_getUpdates(self, params, files):
        self.getupdates_calls += 1
        if self.delivery.webhook is not None:
            raise ApiError(409, CONFLICT)
        offset = params.get("offset")
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if isinstance(offset, int):
            if offset < 0:
                self.updates = self.updates[offset:]
            else:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
        allowed = params.get("allowed_updates")
        deadline = time.monotonic() + timeout
        while True:
            pending = [u for u in self.updates if not allowed or any(k in allowed for k in u if k != "update_id")]
            if pending:
                return pending[:limit]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self.new_update.clear()
            try:
                await asyncio.wait_for(self.new_update.wait(), remaining)
            except asyncio.TimeoutError:
                return []

    async def m_sendMessage(self, params, files):
        chat = self._chat(params)
        text, entities = self._text(params)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return await self._send(chat, "sendMessage", params, **content)

    async def m_sendVenue(self, params, files):
        chat = self._chat(params)
        lat, lon = self._coordinates(params)
        title, address = params.get("title"), params.get("address")
        if not title or not address:
            raise bad("venue title and address must be non-empty")
        venue = {"location": {"latitude": lat, "longitude": lon}, "title": title, "address": address}
        return await self._send(chat, "sendVenue", params, venue=venue, location=venue["location"])

    async def m_sendLocation(self, params, files):
        chat = self._chat(params)
        lat, lon = self._coordinates(params)
        return await self._send(chat, "sendLocation", params, location={"latitude": lat, "longitude": lon})

    @staticmethod
    def _coordinates(params: dict) -> tuple[float, float]:
        lat, lon = params.get("latitude"), params.get("longitude")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise bad("wrong latitude or longitude")
        return float(lat), float(lon)

    async def _file_message(self, params, files, field_name: str, method: str) -> dict:
        chat = self._chat(params)
        caption, entities = self._text(params, "caption", limit=1024, required=False)
        reference = params.get(field_name)
        upload = files.get(field_name)
        if upload is None and isinstance(reference, str) and reference.startswith("attach://"):
            upload = files.get(reference[len("attach://"):])
        if upload is None:
            if isinstance(reference, str) and reference in self.files:
                upload = self.files[reference]
            else:
                raise bad("wrong file identifier/HTTP URL specified")
        name, mime, data = upload
        if not data:
            raise bad("file must be non-empty")
        file_id = "F" + secrets.token_hex(12)
        self.files[file_id] = (name, mime, data)
        content: dict[str, Any] = {}
        if field_name == "document":
            content["document"] = {"file_id": file_id, "file_unique_id": file_id[:10], "file_name": name,
                                   "mime_type": mime, "file_size": len(data)}
        else:
            content["photo"] = [{"file_id": file_id, "file_unique_id": file_id[:10], "width": 800, "height": 600,
                                 "file_size": len(data)}]
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return await self._send(chat, method, params, **content)

    async def m_sendDocument(self, params, files):
        return await self._file_message(params, files, "document", "sendDocument")

    async def m_sendPhoto(self, params, files):
        return await self._file_message(params, files, "photo", "sendPhoto")

    def _bot_message(self, params: dict) -> tuple[Chat, dict]:
        if "inline_message_id" in params:
            raise bad("the sandbox has no inline messages")
        chat = self._chat(params)
        message = chat.messages.get(params.get("message_id"))
        if message is None:
            raise bad("message to edit not found")
        if message["from"]["id"] != self.bot["id"]:
            raise bad("message can't be edited")
        return chat, message

    async def m_editMessageText(self, params, files):
        chat, message = self._bot_message(params)
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        text, entities = self._text(params)
        markup = self._markup(params, chat)
        if text == message.get("text") and entities == message.get("entities", []) and markup == message.get("reply_markup"):
            raise bad("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
        message["text"] = text
        message["entities"] = entities
        if not entities:
            message.pop("entities")
        self._replace_markup(message, markup)
        message["edit_date"] = int(time.time())
        await self._record("editMessageText", chat.id, message_id=message["message_id"], message=dict(message))
        return message

    async def m_editMessageReplyMarkup(self, params, files):
        chat, message = self._bot_message(params)
        markup = self._markup(params, chat)
        if markup == message.get("reply_markup"):
            raise bad("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
        self._replace_markup(message, markup)
        message["edit_date"] = int(time.time())
        await self._record("editMessageReplyMarkup", chat.id, message_id=message["message_id"], message=dict(message))
        return message

    async def m_editMessageCaption(self, params, files):
        chat, message = self._bot_message(params)
        caption, entities = self._text(params, "caption", limit=1024, required=False)
        message["caption"] = caption
        self._replace_markup(message, self._markup(params, chat))
        await self._record("editMessageCaption", chat.id, message_id=message["message_id"], message=dict(message))
        return message

    @staticmethod
    def _replace_markup(message: dict, markup: dict | None) -> None:
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)

    async def m_deleteMessage(self, params, files):
        chat = self._chat(params)
        message = chat.messages.pop(params.get("message_id"), None)
        if message is None:
            raise bad("message to delete not found")
        await self._record("deleteMessage", chat.id, message_id=message["message_id"])
        return True

    async def m_answerCallbackQuery(self, params, files):
        query = self.callback_queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"] or time.time() - query["at"] > 15 * 60:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text") or ""
        if len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        query["answered"] = True
        await self._record("answerCallbackQuery", query["user_id"], text=text, show_alert=bool(params.get("show_alert")))
        return True

    async def m_setMyCommands(self, params, files):
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("commands must be a list of at most 100 commands")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND.match(str(command.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def m_getMyCommands(self, params, files):
        return self.commands.get(self._commands_key(params), [])

    async def m_deleteMyCommands(self, params, files):
        self.commands.pop(self._commands_key(params), None)
        return True

    COMMAND_SCOPES = {"default": (), "all_private_chats": (), "all_group_chats": (), "all_chat_administrators": (),
                      "chat": ("chat_id",), "chat_administrators": ("chat_id",), "chat_member": ("chat_id", "user_id")}

    def _commands_key(self, params) -> str:
        """Where a command list is kept: its language ("" for all) in the default scope, else
        "<scope>:<chat>:<language>" (e.g. "chat:42:"); a scope Telegram would refuse is refused."""
        language = str(params.get("language_code") or "")
        scope = params.get("scope")
        if scope is None:
            return language
        if not isinstance(scope, dict) or scope.get("type") not in self.COMMAND_SCOPES:
            raise bad("can't parse BotCommandScope JSON object")
        needed = self.COMMAND_SCOPES[scope["type"]]
        if scope["type"] == "default":
            return language
        if any(scope.get(field) is None for field in needed):
            raise bad("can't parse BotCommandScope JSON object")
        if "chat_id" in needed:
            self._chat(scope)  # "chat not found" for a chat the bot does not know
        return ":".join([scope["type"], *(str(scope.get(field)) for field in needed), language])

    async def m_sendChatAction(self, params, files):
        self._chat(params)
        return True

    def __getattr__(self, name: str):
        if name.startswith("m_"):
            async def not_implemented(params, files):
                raise ApiError(501, f"Not Implemented: the sandbox does not implement {name[2:]}")
            return not_implemented
        raise AttributeError(name)

    # --- control API -------------------------------------------------------------------------

    def routes(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_api)
        app.router.add_post("/sandbox/users", self.c_add_user)
        app.router.add_post("/sandbox/groups", self.c_add_group)
        app.router.add_post("/sandbox/message", self.c_message)
        app.router.add_post("/sandbox/press", self.c_press)
        app.router.add_post("/sandbox/bulk", self.c_bulk)
        app.router.add_post("/sandbox/update", self.c_update)
        app.router.add_post("/sandbox/block", self.c_block)
        app.router.add_post("/sandbox/migrate", self.c_migrate)
        app.router.add_post("/sandbox/config", self.c_config)
        app.router.add_get("/sandbox/outputs", self.c_outputs)
        app.router.add_get("/sandbox/requests", self.c_requests)
        app.router.add_get("/sandbox/chat/{chat_id}", self.c_chat)
        app.router.add_get("/sandbox/files/{file_id}", self.c_file)
        app.router.add_get("/sandbox/commands", self.c_commands)
        app.router.add_get("/sandbox/state", self.c_state)
        app.router.add_post("/sandbox/inline_query", self.c_inline_query)
        app.router.add_post("/sandbox/choose_inline_result", self.c_choose_inline_result)
        app.router.add_post("/sandbox/open_link", self.c_open_link)
        app.router.add_get("/sandbox/menu_button", self.c_menu_button)
        app.router.add_get("/sandbox/webhook", self.c_webhook_state)
        app.router.add_post("/sandbox/webhook", self.c_webhook_config)
        app.router.add_post("/sandbox/webhook/redeliver", self.c_redeliver)
        return app

    @staticmethod
    async def _json(request: web.Request) -> dict:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="JSON body expected") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="JSON object expected")
        return body

    async def c_add_user(self, request):
        body = await self._json(request)
        user = self.add_user(body.get("first_name", "Test"), body.get("id"), body.get("last_name", ""),
                             body.get("username"), body.get("language_code", "de"))
        return web.json_response(user.as_telegram())

    async def c_add_group(self, request):
        body = await self._json(request)
        chat = self.add_group(int(body["id"]), body.get("title", "Group"), body.get("type", "group"))
        return web.json_response(chat.as_telegram())

    async def c_message(self, request):
        body = await self._json(request)
        user_id = int(body["user_id"])
        if user_id not in self.users:
            raise web.HTTPNotFound(text=f"unknown user {user_id}")
        try:
            if body.get("photo"):
                update_id, message_id = self.user_photo(user_id, str(body.get("text") or ""), body.get("entities"))
            else:
                update_id, message_id = self.user_message(user_id, str(body["text"]), body.get("chat_id"), body.get("entities"))
        except ApiError as error:
            raise web.HTTPBadRequest(text=error.description) from None
        return web.json_response({"update_id": update_id, "message_id": message_id, "seq": len(self.outputs)})

    async def c_bulk(self, request):
        """Many users and messages at once, for load tests: {"users": [{id, first_name, language_code}],
        "messages": [{user_id, text}]}; all messages are queued in one step, in the given order."""
        body = await self._json(request)
        for user in body.get("users", []):
            self.add_user(user.get("first_name", "Test"), int(user["id"]), language_code=user.get("language_code", "de"))
        stamp = time.time()
        ids = [self.user_message(int(m["user_id"]), str(m["text"]))[0] for m in body.get("messages", [])]
        return web.json_response({"update_ids": ids, "time": stamp, "seq": len(self.outputs)})

    async def c_press(self, request):
        body = await self._json(request)
        try:
            update_id, query_id = self.press(int(body["user_id"]), int(body.get("message_id", 0)), str(body["data"]),
                                             bool(body.get("forge")), body.get("chat_id"))
        except ApiError as error:
            raise web.HTTPNotFound(text=error.description) from None
        return web.json_response({"update_id": update_id, "callback_query_id": query_id, "seq": len(self.outputs)})

    async def c_update(self, request):
        body = await self._json(request)
        body.pop("update_id", None)
        return web.json_response({"update_id": self.push_update(body), "seq": len(self.outputs)})

    async def c_block(self, request):
        body = await self._json(request)
        user = self.users[int(body["user_id"])]
        user.blocked = body.get("state", "blocked") or None
        return web.json_response({"ok": True})

    async def c_migrate(self, request):
        body = await self._json(request)
        old = self.chats[int(body["chat_id"])]
        new = self.add_group(int(body["to_chat_id"]), old.title or "Group", "supergroup")
        old.migrated_to = new.id
        return web.json_response({"ok": True})

    async def c_config(self, request):
        body = await self._json(request)
        if "latency_ms" in body:
            self.latency = float(body["latency_ms"]) / 1000
        if "faults" in body:
            faults = dict(body["faults"] or {})
            faults["methods"] = set(faults.get("methods") or ())
            self.faults = Faults(**faults)
            self._random = random.Random(self.faults.seed)
        if "limits" in body:
            self.limits = Limits(**(body["limits"] or {}))
        if "supports_inline_queries" in body:
            self.bot["supports_inline_queries"] = bool(body["supports_inline_queries"])
        if "inline_answer_seconds" in body:
            self.inline_answer_seconds = float(body["inline_answer_seconds"])
        return web.json_response({"ok": True})

    async def c_outputs(self, request):
        """What the bot did, after `after` (a seq), for one chat or all; with `wait`, long-polls
        until at least `min` entries exist, then waits `settle` seconds for stragglers."""
        query = request.query
        after = int(query.get("after", 0))
        chat_id = int(query["chat_id"]) if "chat_id" in query else None
        wait = float(query.get("wait", 0))
        minimum = int(query.get("min", 1))
        settle = float(query.get("settle", 0))

        def matching() -> list[dict]:
            return [o for o in self.outputs[after:] if chat_id is None or o["chat_id"] == chat_id]

        deadline = time.monotonic() + wait
        async with self.output_added:
            while len(matching()) < minimum and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self.output_added.wait(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    break
        if settle and matching():
            await asyncio.sleep(settle)
        return web.json_response({"outputs": matching(), "last_seq": len(self.outputs)})

    async def c_requests(self, request):
        after = int(request.query.get("after", 0))
        return web.json_response({"requests": self.requests[after:], "count": len(self.requests)})

    async def c_chat(self, request):
        chat = self.chats.get(int(request.match_info["chat_id"]))
        if chat is None:
            raise web.HTTPNotFound(text="unknown chat")
        return web.json_response({"chat": chat.as_telegram(), "messages": list(chat.messages.values())})

    async def c_file(self, request):
        found = self.files.get(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound(text="unknown file")
        name, mime, data = found
        return web.Response(body=data, content_type=mime.split(";")[0],
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def c_commands(self, request):
        return web.json_response(self.commands)

    async def c_inline_query(self, request):
        """A user types "@bot <query>": the update goes out, and the bot's answer comes back
        (null if it gave none within `timeout` seconds)."""
        body = await self._json(request)
        try:
            query_id = self.send_inline_query(int(body["user_id"]), body.get("query", ""), body.get("offset", ""),
                                              body.get("chat_type", "sender"))
        except ApiError as error:
            raise web.HTTPBadRequest(text=error.description) from None
        answer = await self.wait_for_inline_answer(query_id, float(body.get("timeout", self.inline_answer_seconds)))
        return web.json_response({"inline_query_id": query_id, "answer": answer, "seq": len(self.outputs)})

    async def c_choose_inline_result(self, request):
        body = await self._json(request)
        try:
            message = self.choose_inline_result(int(body["user_id"]), str(body["inline_query_id"]),
                                                str(body["result_id"]), int(body["chat_id"]))
        except ApiError as error:
            raise web.HTTPBadRequest(text=error.description) from None
        return web.json_response({"message": message, "seq": len(self.outputs)})

    async def c_open_link(self, request):
        body = await self._json(request)
        try:
            update_id, message_id = self.open_link(int(body["user_id"]), str(body["url"]))
        except ApiError as error:
            raise web.HTTPBadRequest(text=error.description) from None
        return web.json_response({"update_id": update_id, "message_id": message_id, "seq": len(self.outputs)})

    async def c_menu_button(self, request):
        chat_id = request.query.get("chat_id")
        if chat_id is None:
            return web.json_response(self.menu_buttons.get(None) or {"type": "commands"})
        return web.json_response(self.effective_menu_button(int(chat_id)))

    async def c_state(self, request):
        return web.json_response({"pending_updates": len(self.updates), "getupdates_calls": self.getupdates_calls,
                                  "outputs": len(self.outputs), "requests": len(self.requests)})


    async def c_webhook_config(self, request):
        """{"targets": [base URLs]} spreads deliveries round-robin over instances (empty: the
        registered URL); "duplicate": deliver every new update twice; "retry_base"/"retry_max"
        (seconds): the backoff after a failed delivery."""
        body = await self._json(request)
        delivery = self.delivery
        if "targets" in body:
            targets = body["targets"] or []
            if not isinstance(targets, list) or not all(isinstance(t, str) and t.startswith(("http://", "https://"))
                                                        for t in targets):
                raise web.HTTPBadRequest(text="targets must be a list of http(s) base URLs")
            delivery.targets = [t.rstrip("/") for t in targets]
        for name in ("retry_base", "retry_max", "timeout"):
            if name in body:
                try:
                    setattr(delivery, name, max(0.0, float(body[name])))
                except (TypeError, ValueError):
                    raise web.HTTPBadRequest(text=f"{name} must be a number of seconds") from None
        if "duplicate" in body:
            delivery.duplicate = bool(body["duplicate"])
        delivery.wake()
        return web.json_response({"ok": True})

    async def c_webhook_state(self, request):
        return web.json_response(self.delivery.state())

    async def c_redeliver(self, request):
        body = await self._json(request)
        if not self.delivery.redeliver(int(body["update_id"])):
            raise web.HTTPNotFound(text=f"update {body['update_id']} was not delivered by webhook")
        return web.json_response({"ok": True})


class SandboxServer:
    """Runs a Sandbox on a loopback port inside the current event loop."""

    def __init__(self, sandbox: Sandbox | None = None, host: str = "127.0.0.1", port: int = 0):
        self.sandbox = sandbox or Sandbox()
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> "SandboxServer":
        # Long polls of a bot that was killed would otherwise hold the shutdown for their full timeout.
        self._runner = web.AppRunner(self.sandbox.routes(), access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for BOT_API_URL."""
        return f"{self.url}/bot"

    async def stop(self) -> None:
        await self.sandbox.delivery.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve_forever(host: str, port: int, token: str) -> None:
    server = await SandboxServer(Sandbox(token), host, port).start()
    print(f"Bot API sandbox on {server.url}  (BOT_API_URL={server.api_url}, BOT_TOKEN={token})", flush=True)
    keeper = asyncio.create_task(_keep_collections_short())
    try:
        await asyncio.Event().wait()
    finally:
        keeper.cancel()
        await server.stop()


async def _keep_collections_short(every: float = 5.0) -> None:
    """Arrival times are read in the event loop, so a pause of the loop makes the requests read
    after it look bunched: a full garbage collection over the growing request log took 44 ms
    280 s into a 10,000-message broadcast, and two sends 35 ms apart got stamps 3 ms apart, a
    429 that Telegram would not have given (bench/cluster.py). What has survived a while is kept
    for the process's life anyway (the log, the chats): frozen, full collections stay short."""
    while True:
        await asyncio.sleep(every)
        gc.freeze()
