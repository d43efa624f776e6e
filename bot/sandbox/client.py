"""A small client for the sandbox's control API: act as attendees, read what the bot did.

Used by the tests, the benchmarks and the terminal demo. It speaks HTTP only, so it
works against a sandbox in this process or in another one.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp


# How long the bot must have been quiet (no new output, no Bot API call under way) before a
# step's answer counts as complete: a reply in several parts follows its first part within ms.
QUIET = 0.06


class SandboxError(RuntimeError):
    pass


class SandboxClient:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "SandboxClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, verb: str, path: str, **kwargs) -> Any:
        async with self.session.request(verb, f"{self.base_url}/sandbox/{path}", **kwargs) as response:
            if response.status != 200:
                raise SandboxError(f"{verb} {path}: {response.status} {await response.text()}")
            return await response.json()

    async def add_user(self, first_name: str = "Test", language_code: str | None = "de", user_id: int | None = None,
                       last_name: str = "", username: str | None = None) -> "Attendee":
        body = {"first_name": first_name, "language_code": language_code, "last_name": last_name, "username": username}
        if user_id is not None:
            body["id"] = user_id
        data = await self._call("POST", "users", json=body)
        return Attendee(self, data["id"], first_name)

    async def add_group(self, chat_id: int, title: str = "Group", kind: str = "group") -> dict:
        return await self._call("POST", "groups", json={"id": chat_id, "title": title, "type": kind})

    async def message(self, user_id: int, text: str, chat_id: int | None = None, entities: list[dict] | None = None) -> dict:
        return await self._call("POST", "message", json={"user_id": user_id, "text": text, "chat_id": chat_id,
                                                         "entities": entities})

    async def photo(self, user_id: int, caption: str = "", entities: list[dict] | None = None) -> dict:
        return await self._call("POST", "message", json={"user_id": user_id, "text": caption, "photo": True,
                                                         "entities": entities})

    async def document(self, user_id: int, name: str, data: bytes, mime: str = "text/csv", caption: str = "") -> dict:
        return await self._call("POST", "message", json={
            "user_id": user_id, "text": caption,
            "document": {"name": name, "mime": mime, "data": base64.b64encode(data).decode("ascii")}})

    async def bulk(self, users: list[dict] | None = None, messages: list[dict] | None = None) -> dict:
        return await self._call("POST", "bulk", json={"users": users or [], "messages": messages or []})

    async def press(self, user_id: int, message_id: int, data: str, forge: bool = False) -> dict:
        return await self._call("POST", "press", json={"user_id": user_id, "message_id": message_id, "data": data, "forge": forge})

    async def update(self, payload: dict) -> dict:
        return await self._call("POST", "update", json=payload)

    async def block(self, user_id: int, state: str | None = "blocked") -> None:
        await self._call("POST", "block", json={"user_id": user_id, "state": state})

    async def configure(self, **settings) -> None:
        await self._call("POST", "config", json=settings)

    async def outputs(self, chat_id: int | None = None, after: int = 0, wait: float = 0, minimum: int = 1,
                      settle: float = 0) -> list[dict]:
        params = {"after": after, "wait": wait, "min": minimum, "settle": settle}
        if chat_id is not None:
            params["chat_id"] = chat_id
        return (await self._call("GET", "outputs", params=params))["outputs"]

    async def last_seq(self) -> int:
        return (await self._call("GET", "outputs", params={"after": 10**9}))["last_seq"]

    async def requests(self, after: int = 0) -> list[dict]:
        return (await self._call("GET", "requests", params={"after": after}))["requests"]

    async def chat(self, chat_id: int) -> dict:
        return await self._call("GET", f"chat/{chat_id}")

    async def commands(self) -> dict:
        return await self._call("GET", "commands")

    async def state(self) -> dict:
        return await self._call("GET", "state")

    async def inline_query(self, user_id: int, query: str, offset: str = "", chat_type: str | None = "sender",
                           timeout: float = 10) -> dict:
        """Type "@bot <query>" as `user_id`; the bot's answer (results, next_offset, cache_time,
        is_personal, button, inline_query_id). Raises SandboxError if the bot gives none."""
        data = await self._call("POST", "inline_query", json={"user_id": user_id, "query": query, "offset": offset,
                                                              "chat_type": chat_type, "timeout": timeout})
        if data["answer"] is None:
            raise SandboxError(f"the bot did not answer the inline query {query!r} within {timeout} s")
        return data["answer"]

    async def choose_inline_result(self, user_id: int, query_id: str, result_id: str, chat_id: int) -> dict:
        """Pick a result of an answered inline query: its message is posted into `chat_id`
        by the user, via the bot. Returns that message."""
        data = await self._call("POST", "choose_inline_result", json={"user_id": user_id, "inline_query_id": query_id,
                                                                      "result_id": result_id, "chat_id": chat_id})
        return data["message"]

    async def open_link(self, user_id: int, url: str) -> dict:
        """Follow a https://t.me/<bot>?start=X link: "/start X" from the user's private chat."""
        return await self._call("POST", "open_link", json={"user_id": user_id, "url": url})

    async def menu_button(self, chat_id: int | None = None) -> dict:
        """The menu button a private chat shows (its own, else the bot-wide one), or the bot-wide one."""
        return await self._call("GET", "menu_button", params={} if chat_id is None else {"chat_id": chat_id})

    async def webhook_targets(self, urls: list[str]) -> None:
        """Spread webhook deliveries round-robin over these instance addresses (same path as
        the registered URL); one that refuses connections is skipped. [] restores the URL."""
        await self._call("POST", "webhook", json={"targets": urls})

    async def configure_webhook(self, **settings) -> None:
        """duplicate=True delivers every new update twice at once; retry_base/retry_max: backoff."""
        await self._call("POST", "webhook", json=settings)

    async def redeliver(self, update_id: int) -> None:
        """Deliver an acknowledged update again, as Telegram does after a lost answer."""
        await self._call("POST", "webhook/redeliver", json={"update_id": update_id})

    async def webhook_state(self) -> dict:
        """url, targets, pending, in_flight, stats per target (attempts, acknowledged, failed,
        refused) and every delivery attempt (update_id, target, status)."""
        return await self._call("GET", "webhook")

    async def file(self, file_id: str) -> bytes:
        async with self.session.get(f"{self.base_url}/sandbox/files/{file_id}") as response:
            if response.status != 200:
                raise SandboxError(f"file {file_id}: {response.status}")
            return await response.read()


@dataclass
class Attendee:
    """One simulated person in a private chat with the bot."""

    client: SandboxClient
    id: int
    first_name: str
    seen: int = 0  # the last output seq this attendee has looked at
    history: list[dict] = field(default_factory=list)

    async def send(self, text: str, minimum: int = 1, settle: float = QUIET, timeout: float = 10,
                   entities: list[dict] | None = None, expect: str | None = None) -> list[dict]:
        """Write to the bot and return what it did in this chat in answer."""
        ack = await self.client.message(self.id, text, entities=entities)
        return await self._collect(ack["seq"], minimum, settle, timeout, expect=expect)

    async def send_photo(self, caption: str = "", expect: str | None = None, timeout: float = 10) -> list[dict]:
        ack = await self.client.photo(self.id, caption)
        return await self._collect(ack["seq"], 1, QUIET, timeout, expect=expect)

    async def send_document(self, name: str, data: bytes, mime: str = "text/csv", caption: str = "",
                            expect: str | None = None, timeout: float = 10) -> list[dict]:
        """Send the bot a file (e.g. a guest list as CSV)."""
        ack = await self.client.document(self.id, name, data, mime, caption)
        return await self._collect(ack["seq"], 1, QUIET, timeout, expect=expect)

    async def tap(self, data: str, message_id: int, forge: bool = False, minimum: int = 1, settle: float = QUIET,
                  timeout: float = 10, expect_message: bool = True, expect: str | None = None) -> list[dict]:
        ack = await self.client.press(self.id, message_id, data, forge)
        return await self._collect(ack["seq"], minimum, settle, timeout, expect_message, expect)

    async def press(self, label: str, minimum: int = 1, settle: float = QUIET, timeout: float = 10,
                    expect: str | None = None) -> list[dict]:
        """Tap the button whose text contains `label` (or whose data is `label`) on the newest
        bot message that has one."""
        message_id, data = await self.find_button(label)
        return await self.tap(data, message_id, minimum=minimum, settle=settle, timeout=timeout, expect=expect)

    async def open_link(self, url: str, minimum: int = 1, settle: float = QUIET, timeout: float = 10,
                        expect: str | None = None) -> list[dict]:
        """Follow a t.me deep link to the bot and return what it answered in this chat."""
        ack = await self.client.open_link(self.id, url)
        return await self._collect(ack["seq"], minimum, settle, timeout, expect=expect)

    async def find_button(self, label: str) -> tuple[int, str]:
        chat = await self.client.chat(self.id)
        wanted = label.casefold()
        for message in reversed(chat["messages"]):
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("callback_data") == label or wanted in button["text"].casefold():
                        if "callback_data" not in button:  # a link or a Mini App: a tap sends the bot nothing
                            kind = next((key for key in ("url", "web_app", "switch_inline_query") if key in button), "?")
                            raise SandboxError(f"the button {button['text']!r} in the chat of {self.first_name} is a "
                                               f"{kind} button: it sends the bot nothing (follow a url with open_link)")
                        return message["message_id"], button["callback_data"]
        raise SandboxError(f"no button {label!r} in the chat of {self.first_name}")

    async def wait(self, minimum: int = 1, timeout: float = 10, settle: float = 0.1, expect: str | None = None) -> list[dict]:
        """Wait for messages the bot sends on its own (reminders, promotions, announcements);
        with `expect`, until one contains it (raising if none does in time)."""
        return await self._collect(self.seen, minimum, settle, timeout, expect=expect)

    async def _collect(self, after: int, minimum: int, settle: float, timeout: float,
                       expect_message: bool = True, expect: str | None = None) -> list[dict]:
        """What the bot did in this chat after `after`: at least `minimum` entries, and (unless
        told otherwise) at least one that is more than a button's acknowledgement; with
        `expect`, until some text contains it (other messages may arrive meanwhile)."""
        deadline = time.monotonic() + timeout
        since = max(after, self.seen)
        outputs = await self.client.outputs(self.id, after=since, wait=timeout, minimum=minimum, settle=settle)

        def missing() -> bool:
            if expect is not None:
                return expect not in text_of(outputs)
            return expect_message and not any(o["kind"] != "answerCallbackQuery" for o in outputs)

        while missing() and time.monotonic() < deadline:
            more = await self.client.outputs(self.id, after=outputs[-1]["seq"] if outputs else since,
                                             wait=deadline - time.monotonic(), minimum=1, settle=settle)
            if not more:
                break
            outputs += more
        if outputs:
            self.seen = max(self.seen, outputs[-1]["seq"])
        self.history.extend(outputs)
        if expect is not None and expect not in text_of(outputs):
            # A step that names what it waits for fails when that never came, instead of
            # carrying on as if it had: the test would then check a later state by luck.
            raise SandboxError(f"{self.first_name}: nothing containing {expect!r} within {timeout} s; "
                               f"the bot said: {text_of(outputs)[:500]!r}")
        return outputs

    async def messages(self) -> list[dict]:
        return (await self.client.chat(self.id))["messages"]

    async def messages_as_outputs(self) -> list[dict]:
        """The chat's current messages in the shape of outputs, for text_of()."""
        return [{"kind": "message", "message": m} for m in await self.messages()]


def text_of(outputs: list[dict]) -> str:
    """All visible text of some outputs, joined, for assertions."""
    parts = []
    for output in outputs:
        message = output.get("message") or {}
        for key in ("text", "caption"):
            if message.get(key):
                parts.append(message[key])
        if "venue" in message:
            parts.append(f"{message['venue']['title']} {message['venue']['address']}")
        if output.get("text"):
            parts.append(output["text"])
    return "\n".join(parts)


def buttons_of(outputs: list[dict]) -> list[tuple[str, str]]:
    return [
        (button["text"], button.get("callback_data", button.get("url", "")))
        for output in outputs
        for row in (output.get("message") or {}).get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]
