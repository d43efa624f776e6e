"""What Telegram knows: the bot's profile, users, chats and their messages, the queue of updates
for the bot, the files, and everything the bot did that users see (the outputs), in order.

Users act here (write, send a photo, tap a button, follow a link); the Bot API methods read and
change it. Anyone may wait for it to change; closing it answers every such wait at once, so a
server that stops is not held by a long poll.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from .checks import START_PARAMETER, check_entities
from .errors import ApiError, bad
from .html import utf16_len

BOT_ID = 123456789


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


def bot_profile(username: str, supports_inline_queries: bool) -> dict:
    """What getMe returns."""
    return {"id": BOT_ID, "is_bot": True, "first_name": "Konferenz-Bot", "username": username,
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": supports_inline_queries, "can_connect_to_business": False,
            "has_main_web_app": False}


class World:
    def __init__(self, bot: dict):
        self.bot = bot
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict] = []  # for the bot, oldest first, until it confirms them
        self.next_update_id = 1
        self.callback_queries: dict[str, dict] = {}
        self.outputs: list[dict] = []  # everything the bot did that users see, in order
        self.files: dict[str, tuple[str, str, bytes]] = {}  # file_id -> (name, MIME type, content)
        self.calls_under_way: Counter = Counter()  # the bot's Bot API calls being answered now, per chat
        self._user_ids = itertools.count(10_000)
        self._update_watchers: list[Callable[[], None]] = []
        self._changed = asyncio.Event()  # replaced at each change: set wakes who waited on it
        self._closing = asyncio.Event()

    # --- change and waiting ---------------------------------------------------------------

    def _announce(self) -> None:
        """Wake everyone waiting for a change. An event swapped for a fresh one, not a Condition,
        because users act from plain functions that cannot take a Condition's lock."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until `condition()` holds, checked after each new update or output, for at most
        `timeout` seconds and no longer than the world is open; returns `condition()`."""
        deadline = time.monotonic() + timeout
        while not condition() and not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                break
        return condition()

    async def settle(self, quiet: float, chat_id: int | None = None, cap: float = 3.0) -> None:
        """Wait until the bot has been quiet towards `chat_id` (any chat: None) for `quiet`
        seconds: no new output there and no Bot API call for it under way, for at most `cap`
        seconds. A reply in several parts, or one whose second call waits for the first's
        answer, is then complete; what the bot does in other chats meanwhile does not count."""
        def activity() -> tuple[int, int]:
            outputs = len(self.outputs) if chat_id is None else sum(1 for o in self.outputs if o["chat_id"] == chat_id)
            calls = sum(self.calls_under_way.values()) if chat_id is None else self.calls_under_way[chat_id]
            return outputs, calls

        deadline = time.monotonic() + cap
        while time.monotonic() < deadline and not self.closed:
            before = activity()
            await self.pause(quiet)
            after = activity()
            if after == before and not after[1]:
                return

    async def pause(self, seconds: float) -> None:
        """Sleep `seconds`, but no longer than the world is open."""
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    @property
    def closed(self) -> bool:
        return self._closing.is_set()

    def close(self) -> None:
        """Answer every wait at once with what there is (a long poll: nothing new)."""
        self._closing.set()
        self._announce()

    def open(self) -> None:
        """Waits wait again (a server that serves the world once more)."""
        self._closing.clear()

    # --- users and chats --------------------------------------------------------------------

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

    def migrate(self, chat_id: int, to_chat_id: int) -> None:
        """A group becomes a supergroup with a new id; the bot must write there from now on."""
        old = self.chats[chat_id]
        new = self.add_group(to_chat_id, old.title or "Group", "supergroup")
        old.migrated_to = new.id

    def chat_for_bot(self, chat_id: Any) -> Chat:
        """The chat the bot addresses by `chat_id`, or Telegram's refusal to let it write there."""
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

    # --- updates for the bot ----------------------------------------------------------------

    def watch_updates(self, wake: Callable[[], None]) -> None:
        """Call `wake` at each new update (the webhook's delivery takes them from the queue)."""
        self._update_watchers.append(wake)

    def push_update(self, payload: dict) -> int:
        update = {"update_id": self.next_update_id, **payload}
        self.next_update_id += 1
        self.updates.append(update)
        self._announce()
        for wake in self._update_watchers:
            wake()
        return update["update_id"]

    def take_updates(self) -> list[dict]:
        """While a webhook is set, its delivery takes new updates from the getUpdates queue."""
        taken, self.updates = self.updates, []
        return taken

    def give_back(self, updates: list[dict]) -> None:
        self.updates = sorted(self.updates + updates, key=lambda u: u["update_id"])

    # --- what users do ----------------------------------------------------------------------

    def user_message(self, user_id: int, text: str, chat_id: int | None = None,
                     entities: list[dict] | None = None) -> tuple[int, int]:
        """A text from a user; formatting comes as entities, as Telegram's apps send it."""
        user = self.users[user_id]
        chat = self.chats[chat_id if chat_id is not None else user_id]
        message = self.new_message(chat, user.as_telegram(), text=text)
        found = list(entities or [])
        if text.startswith("/"):
            command = text.split()[0]
            found.insert(0, {"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        if found:
            check_entities(text, found)
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
                check_entities(caption, entities)
                content["caption_entities"] = entities
        message = self.new_message(chat, user.as_telegram(), **content)
        chat.messages[message["message_id"]] = message
        return self.push_update({"message": message}), message["message_id"]

    def user_document(self, user_id: int, name: str, data: bytes, mime: str = "text/csv",
                      caption: str = "") -> tuple[int, int]:
        """A file from a user (a CSV sent to the bot); the bot reads it with getFile."""
        if not data:
            raise bad("file must be non-empty")
        user = self.users[user_id]
        chat = self.chats[user_id]
        file_id = "D" + secrets.token_hex(12)
        self.files[file_id] = (name, mime, data)
        content: dict[str, Any] = {"document": {"file_id": file_id, "file_unique_id": file_id[:10], "file_name": name,
                                                "mime_type": mime, "file_size": len(data)}}
        if caption:
            content["caption"] = caption
        message = self.new_message(chat, user.as_telegram(), **content)
        chat.messages[message["message_id"]] = message
        return self.push_update({"message": message}), message["message_id"]

    def press(self, user_id: int, message_id: int, data: str, forge: bool = False,
              chat_id: int | None = None) -> tuple[int, str]:
        """A tap on an inline button of a bot message; `forge` allows data no button carries."""
        user = self.users[user_id]
        chat = self.chats[chat_id if chat_id is not None else user_id]
        message = chat.messages.get(message_id)
        if not forge:
            _check_has_button(chat, message, message_id, data)
        query_id = str(secrets.randbits(63))
        query: dict[str, Any] = {"id": query_id, "from": user.as_telegram(), "chat_instance": str(chat.id * 7 + 3),
                                 "data": data}
        if message is not None:
            query["message"] = message
        self.callback_queries[query_id] = {"answered": False, "user_id": user_id, "at": time.time()}
        return self.push_update({"callback_query": query}), query_id

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

    # --- messages and what the bot did ------------------------------------------------------

    def new_message(self, chat: Chat, sender: dict, **content) -> dict:
        message = {"message_id": chat.next_message_id, "from": sender, "chat": chat.as_telegram(),
                   "date": int(time.time()), **content}
        chat.next_message_id += 1
        return message

    def bot_sender(self) -> dict:
        return {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")}

    def post_by_bot(self, chat: Chat, method: str, **content) -> dict:
        """A message the bot sent into `chat` with `method`, stored and recorded."""
        message = self.new_message(chat, self.bot_sender(), **content)
        chat.messages[message["message_id"]] = message
        self.record(method, chat.id, message_id=message["message_id"], message=message)
        return message

    def record(self, kind: str, chat_id: int | None, **data) -> dict:
        entry = {"seq": len(self.outputs) + 1, "kind": kind, "chat_id": chat_id, "time": time.time(), **data}
        self.outputs.append(entry)
        self._announce()
        return entry


def _check_has_button(chat: Chat, message: dict | None, message_id: int, data: str) -> None:
    if message is None:
        raise ApiError(404, f"message {message_id} not found in chat {chat.id}")
    buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    if not any(b.get("callback_data") == data for b in buttons):
        raise ApiError(404, f"message {message_id} has no button with data {data!r}")
