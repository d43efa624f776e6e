"""The control API under /sandbox/: act as users (write, tap, type an inline query, follow a
link), set the conditions (latency, faults, flood limits, webhook delivery), and read what the
bot did. client.py speaks it; tests, benchmarks and the demo use it through the client.

Errors are plain HTTP errors with a text, not the Bot API's shape: they are for the tester.
"""

from __future__ import annotations

import base64
import time

from aiohttp import web

from .api import BotApi
from .conditions import FaultDice, Faults, Limits
from .errors import ApiError
from .inline_mode import InlineMode
from .methods.menu import Menu
from .methods.updates import Updates
from .webhook import Delivery
from .world import World


async def _json(request: web.Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON body expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    return body


class ControlApi:
    def __init__(self, world: World, api: BotApi, inline: InlineMode, menu: Menu, updates: Updates,
                 delivery: Delivery):
        self.world, self.api, self.inline, self.menu = world, api, inline, menu
        self.updates, self.delivery = updates, delivery

    def add_routes(self, app: web.Application) -> None:
        for verb, path, handler in (
                ("POST", "users", self.add_user), ("POST", "groups", self.add_group),
                ("POST", "message", self.message), ("POST", "press", self.press), ("POST", "bulk", self.bulk),
                ("POST", "update", self.update), ("POST", "block", self.block), ("POST", "migrate", self.migrate),
                ("POST", "config", self.config), ("GET", "outputs", self.outputs), ("GET", "requests", self.requests),
                ("GET", "chat/{chat_id}", self.chat), ("GET", "files/{file_id}", self.file),
                ("GET", "commands", self.commands), ("GET", "state", self.state),
                ("POST", "inline_query", self.inline_query), ("POST", "choose_inline_result", self.choose_inline_result),
                ("POST", "open_link", self.open_link), ("GET", "menu_button", self.menu_button),
                ("GET", "webhook", self.webhook_state), ("POST", "webhook", self.webhook_config),
                ("POST", "webhook/redeliver", self.redeliver)):
            add = app.router.add_get if verb == "GET" else app.router.add_post  # a GET answers HEAD too
            add(f"/sandbox/{path}", handler)

    def _acknowledged(self, **data) -> web.Response:
        """The answer to a user's action, with the outputs' seq to read the bot's reply after."""
        return web.json_response({**data, "seq": len(self.world.outputs)})

    # --- users act ----------------------------------------------------------------------------

    async def add_user(self, request):
        body = await _json(request)
        user = self.world.add_user(body.get("first_name", "Test"), body.get("id"), body.get("last_name", ""),
                                   body.get("username"), body.get("language_code", "de"))
        return web.json_response(user.as_telegram())

    async def add_group(self, request):
        body = await _json(request)
        chat = self.world.add_group(int(body["id"]), body.get("title", "Group"), body.get("type", "group"))
        return web.json_response(chat.as_telegram())

    async def message(self, request):
        body = await _json(request)
        user_id = int(body["user_id"])
        if user_id not in self.world.users:
            raise web.HTTPNotFound(text=f"unknown user {user_id}")
        try:
            if body.get("document"):
                document = body["document"]
                update_id, message_id = self.world.user_document(
                    user_id, str(document.get("name") or "file"), base64.b64decode(document.get("data") or ""),
                    str(document.get("mime") or "application/octet-stream"), str(body.get("text") or ""))
            elif body.get("photo"):
                update_id, message_id = self.world.user_photo(user_id, str(body.get("text") or ""), body.get("entities"))
            else:
                update_id, message_id = self.world.user_message(user_id, str(body["text"]), body.get("chat_id"),
                                                                body.get("entities"))
        except ApiError as error:
            raise web.HTTPBadRequest(text=error.description) from None
        except ValueError:
            raise web.HTTPBadRequest(text="document.data must be base64") from None
        return self._acknowledged(update_id=update_id, message_id=message_id)

    async def bulk(self, request):
        """Many users and messages at once, for load tests: {"users": [{id, first_name, language_code}],
        "messages": [{user_id, text}]}; all messages are queued in one step, in the given order."""
        body = await _json(request)
        for user in body.get("users", []):
            self.world.add_user(user.get("first_name", "Test"), int(user["id"]),
                                language_code=user.get("language_code", "de"))
        stamp = time.time()
        ids = [self.world.user_message(int(m["user_id"]), str(m["text"]))[0] for m in body.get("messages", [])]
        return self._acknowledged(update_ids=ids, time=stamp)

    async def press(self, request):
        body = await _json(request)
        try:
            update_id, query_id = self.world.press(int(body["user_id"]), int(body.get("message_id", 0)),
                                                   str(body["data"]), bool(body.get("forge")), body.get("chat_id"))
        except ApiError as error:
            raise web.HTTPNotFound(text=error.description) from None
        return self._acknowledged(update_id=update_id, callback_query_id=query_id)

    async def update(self, request):
        body = await _json(request)
        body.pop("update_id", None)
        return self._acknowledged(update_id=self.world.push_update(body))

    async def block(self, request):
        body = await _json(request)
        user = self.world.users[int(body["user_id"])]
        user.blocked = body.get("state", "blocked") or None
        return web.json_response({"ok": True})

    async def migrate(self, request):
        body = await _json(request)
        self.world.migrate(int(body["chat_id"]), int(body["to_chat_id"]))
        return web.json_response({"ok": True})

    async def inline_query(self, request):
        """A user types "@bot <query>": the update goes out, and the bot's answer comes back
        (null if it gave none within `timeout` seconds)."""
        body = await _json(request)
        inline = self.inline
        try:
            query_id = inline.send_query(int(body["user_id"]), body.get("query", ""), body.get("offset", ""),
                                         body.get("chat_type", "sender"))
        except ApiError as error:
            raise web.HTTPBadRequest(text=error.description) from None
        answer = await inline.wait_for_answer(query_id, float(body.get("timeout", inline.answer_seconds)))
        return self._acknowledged(inline_query_id=query_id, answer=answer)

    async def choose_inline_result(self, request):
        body = await _json(request)
        try:
            message = self.inline.choose_result(int(body["user_id"]), str(body["inline_query_id"]),
                                                        str(body["result_id"]), int(body["chat_id"]))
        except ApiError as error:
            raise web.HTTPBadRequest(text=error.description) from None
        return self._acknowledged(message=message)

    async def open_link(self, request):
        body = await _json(request)
        try:
            update_id, message_id = self.world.open_link(int(body["user_id"]), str(body["url"]))
        except ApiError as error:
            raise web.HTTPBadRequest(text=error.description) from None
        except ValueError:
            raise web.HTTPBadRequest(text="document.data must be base64") from None
        return self._acknowledged(update_id=update_id, message_id=message_id)

    # --- conditions ---------------------------------------------------------------------------

    async def config(self, request):
        body = await _json(request)
        api = self.api
        if "latency_ms" in body:
            api.latency = float(body["latency_ms"]) / 1000
        if "faults" in body:
            faults = dict(body["faults"] or {})
            faults["methods"] = set(faults.get("methods") or ())
            api.faults = FaultDice(Faults(**faults))
        if "limits" in body:
            api.flood.limits = Limits(**(body["limits"] or {}))
        if "supports_inline_queries" in body:
            self.world.bot["supports_inline_queries"] = bool(body["supports_inline_queries"])
        if "inline_answer_seconds" in body:
            self.inline.answer_seconds = float(body["inline_answer_seconds"])
        return web.json_response({"ok": True})

    async def webhook_config(self, request):
        """{"targets": [base URLs]} spreads deliveries round-robin over instances (empty: the
        registered URL); "duplicate": deliver every new update twice; "retry_base"/"retry_max"
        (seconds): the backoff after a failed delivery."""
        body = await _json(request)
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

    async def redeliver(self, request):
        body = await _json(request)
        if not self.delivery.redeliver(int(body["update_id"])):
            raise web.HTTPNotFound(text=f"update {body['update_id']} was not delivered by webhook")
        return web.json_response({"ok": True})

    # --- what the bot did ---------------------------------------------------------------------

    async def outputs(self, request):
        """What the bot did, after `after` (a seq), for one chat or all; with `wait`, long-polls
        until at least `min` entries exist, then until the bot has been quiet for `settle`
        seconds (no new output, no call under way), so that a reply in several parts is whole."""
        query = request.query
        after = int(query.get("after", 0))
        chat_id = int(query["chat_id"]) if "chat_id" in query else None
        minimum = int(query.get("min", 1))
        settle = float(query.get("settle", 0))

        def matching() -> list[dict]:
            return [o for o in self.world.outputs[after:] if chat_id is None or o["chat_id"] == chat_id]

        await self.world.until(lambda: len(matching()) >= minimum, float(query.get("wait", 0)))
        if settle and matching():
            await self.world.settle(settle, chat_id)
        return web.json_response({"outputs": matching(), "last_seq": len(self.world.outputs)})

    async def requests(self, request):
        after = int(request.query.get("after", 0))
        log = self.api.requests
        return web.json_response({"requests": log[after:], "count": len(log)})

    async def chat(self, request):
        chat = self.world.chats.get(int(request.match_info["chat_id"]))
        if chat is None:
            raise web.HTTPNotFound(text="unknown chat")
        return web.json_response({"chat": chat.as_telegram(), "messages": list(chat.messages.values())})

    async def file(self, request):
        found = self.world.files.get(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound(text="unknown file")
        name, mime, data = found
        return web.Response(body=data, content_type=mime.split(";")[0],
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def commands(self, request):
        return web.json_response(self.menu.commands)

    async def menu_button(self, request):
        menu, chat_id = self.menu, request.query.get("chat_id")
        if chat_id is None:
            return web.json_response(menu.menu_buttons.get(None) or {"type": "commands"})
        return web.json_response(menu.effective_menu_button(int(chat_id)))

    async def state(self, request):
        return web.json_response({"pending_updates": len(self.world.updates),
                                  "getupdates_calls": self.updates.getupdates_calls,
                                  "outputs": len(self.world.outputs), "requests": len(self.api.requests)})

    async def webhook_state(self, request):
        return web.json_response(self.delivery.state())
