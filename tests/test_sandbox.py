"""The sandbox behaves like the Bot API: objects parse with python-telegram-bot's own classes,
and what Telegram rejects is rejected with Telegram's error shape."""

from __future__ import annotations

import ast
import asyncio
import json
import socket
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update, User
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox.client import SandboxClient, SandboxError
from bot.sandbox.server import DEFAULT_TOKEN, SHUTDOWN_TIMEOUT, SandboxServer

SANDBOX_DIR = Path(__file__).resolve().parent.parent / "bot" / "sandbox"


@pytest.fixture
async def server():
    server = await SandboxServer().start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(server):
    bot = Bot(DEFAULT_TOKEN, base_url=server.api_url, request=HTTPXRequest(read_timeout=2))
    async with bot:
        yield bot


async def raw(server, method: str, token: str = DEFAULT_TOKEN, **fields):
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.api_url}{token}/{method}", data={k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}) as response:
            return response.status, await response.json()


def test_sandbox_imports_nothing_from_the_bot():
    for path in SANDBOX_DIR.rglob("*.py"):
        if path.name == "demo.py":  # the glue between sandbox and bot
            continue
        name = str(path.relative_to(SANDBOX_DIR))
        depth = len(path.relative_to(SANDBOX_DIR).parts)  # a relative import may climb to the sandbox, no higher
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= depth and not (node.module or "").startswith("bot"), (name, node.module)
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("bot") for alias in node.names), name


async def test_get_me_and_messages_parse_as_ptb_objects(server, bot):
    me = await bot.get_me()
    assert isinstance(me, User) and me.is_bot
    user = server.sandbox.add_user("Anna", language_code="de")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Los", callback_data="go")]])
    message = await bot.send_message(user.id, "<b>Hallo</b> &amp; willkommen", parse_mode="HTML", reply_markup=markup)
    assert isinstance(message, Message)
    assert message.text == "Hallo & willkommen"
    assert message.entities[0].type == "bold" and message.entities[0].length == 5
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "go"
    assert message.chat.id == user.id and message.date.year >= 2024


async def test_updates_long_poll_offsets_and_parse(server, bot):
    user = server.sandbox.add_user("Ben", language_code="en")
    assert await bot.get_updates(timeout=0) == ()
    server.sandbox.user_message(user.id, "/start")
    updates = await bot.get_updates(timeout=1)
    assert len(updates) == 1 and isinstance(updates[0], Update)
    assert updates[0].message.text == "/start" and updates[0].message.entities[0].type == "bot_command"
    assert updates[0].effective_user.language_code == "en"
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]  # not confirmed yet
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_stopping_answers_a_pending_long_poll_at_once():
    """A getUpdates long poll still open when the server stops gets its empty answer at once,
    instead of holding the shutdown until the server gives up on it and cuts it off."""
    server = await SandboxServer().start()
    async with aiohttp.ClientSession() as session:
        async def poll() -> dict:
            async with session.get(f"{server.api_url}{DEFAULT_TOKEN}/getUpdates", params={"timeout": 10}) as response:
                return await response.json()

        polling = asyncio.create_task(poll())
        await until(lambda: server.sandbox.getupdates_calls == 1)
        started = time.monotonic()
        await server.stop()
        stopped_in = time.monotonic() - started
        assert await polling == {"ok": True, "result": []}
    assert stopped_in < SHUTDOWN_TIMEOUT


async def test_callback_query_update_and_answer(server, bot):
    user = server.sandbox.add_user("Cem")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Los", callback_data="go")]])
    sent = await bot.send_message(user.id, "Text", reply_markup=markup)
    server.sandbox.press(user.id, sent.message_id, "go")
    (update,) = await bot.get_updates(timeout=1)
    assert update.callback_query.data == "go" and update.callback_query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(update.callback_query.id, "ok")
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(update.callback_query.id, "twice")



async def test_a_link_button_found_by_its_label_is_named_not_a_key_error(server, bot):
    async with SandboxClient(server.url) as client:
        person = await client.add_user("Dora")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("➡️ Zur Konferenz", url="https://t.me/Bot?start=C_x")],
                                       [InlineKeyboardButton("Los", callback_data="go")]])
        await bot.send_message(person.id, "Text", reply_markup=markup)
        with pytest.raises(SandboxError, match="is a url button: it sends the bot nothing"):
            await person.find_button("Zur Konferenz")
        assert (await person.find_button("Los"))[1] == "go"

async def test_edit_venue_document_and_commands(server, bot):
    user = server.sandbox.add_user("Dora")
    sent = await bot.send_message(user.id, "eins")
    edited = await bot.edit_message_text("zwei", chat_id=user.id, message_id=sent.message_id)
    assert edited.text == "zwei" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("zwei", chat_id=user.id, message_id=sent.message_id)
    venue = await bot.send_venue(user.id, 51.48, 11.95, "MMZ", "Mansfelder Straße 56")
    assert venue.venue.title == "MMZ" and venue.location.latitude == pytest.approx(51.48)
    document = await bot.send_document(user.id, InputFile(b"a;b\n1;2\n", filename="x.csv"), caption="CSV")
    assert document.document.file_name == "x.csv"
    async with SandboxClient(server.url) as client:
        assert await client.file(document.document.file_id) == b"a;b\n1;2\n"
    assert await bot.set_my_commands([("start", "Start")], language_code="en")
    assert server.sandbox.commands["en"] == [{"command": "start", "description": "Start"}]
    assert await bot.set_my_commands([("hilfe", "Hilfe")], scope=BotCommandScopeChat(user.id))  # one chat's own menu
    assert server.sandbox.commands[f"chat:{user.id}:"] == [{"command": "hilfe", "description": "Hilfe"}]
    assert server.sandbox.commands["en"] == [{"command": "start", "description": "Start"}]  # the others stay
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.set_my_commands([("hilfe", "Hilfe")], scope=BotCommandScopeChat(777))


async def test_a_file_a_user_sends_is_read_with_get_file_and_the_token_only(server):
    user = server.sandbox.add_user("Gerd")
    async with SandboxClient(server.url) as client:
        await client.document(user.id, "gäste.csv", b"name\nAnna\n", caption="Liste")
    base_file_url = server.api_url.removesuffix("/bot") + "/file/bot"
    async with Bot(DEFAULT_TOKEN, base_url=server.api_url, base_file_url=base_file_url,
                   request=HTTPXRequest(read_timeout=2)) as bot:
        (update,) = await bot.get_updates()
        document = update.message.document
        assert (document.file_name, document.mime_type, document.file_size) == ("gäste.csv", "text/csv", 10)
        assert update.message.caption == "Liste"
        file = await bot.get_file(document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"name\nAnna\n"
        with pytest.raises(BadRequest, match="(?i)invalid file_id"):
            await bot.get_file("nonsense")
    async with aiohttp.ClientSession() as session:  # another token reads nothing
        async with session.get(file.file_path.replace(DEFAULT_TOKEN, "1:other")) as response:
            assert response.status == 401


@pytest.mark.parametrize("method, fields, code, description", [
    ("sendMessage", {"chat_id": 1}, 400, "Bad Request: message text is empty"),
    ("sendMessage", {"chat_id": 777, "text": "hi"}, 400, "Bad Request: chat not found"),
    ("sendMessage", {"chat_id": "USER", "text": "x" * 4097}, 400, "Bad Request: message is too long"),
    ("sendMessage", {"chat_id": "USER", "text": "<b>offen", "parse_mode": "HTML"}, 400, "Bad Request: can't parse entities"),
    ("sendMessage", {"chat_id": "USER", "text": "a < b", "parse_mode": "HTML"}, 400, "Bad Request: can't parse entities"),
    ("sendMessage", {"chat_id": "USER", "text": "<script>x</script>", "parse_mode": "HTML"}, 400, "Unsupported start tag"),
    ("sendMessage", {"chat_id": "USER", "text": "hi", "colour": "red"}, 400, "Bad Request: unknown parameter 'colour'"),
    ("sendMessage", {"chat_id": "USER", "text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "ü" * 33}]]}}, 400, "BUTTON_DATA_INVALID"),
    ("sendMessage", {"chat_id": "USER", "text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "x"}]]}}, 400, "exactly one of the optional fields"),
    ("doMagic", {}, 404, "Not Found"),
    ("editMessageText", {"chat_id": "USER", "message_id": 99, "text": "x"}, 400, "message to edit not found"),
])
async def test_rejects_what_telegram_rejects(server, method, fields, code, description):
    user = server.sandbox.add_user("Eva")
    fields = {k: (user.id if v == "USER" else v) for k, v in fields.items()}
    status, body = await raw(server, method, **fields)
    assert status == code and body["ok"] is False and body["error_code"] == code
    assert description in body["description"]
    assert [r for r in server.sandbox.requests if r["status"] == code]


async def test_a_64_byte_callback_data_is_fine(server):
    user = server.sandbox.add_user("Finn")
    status, body = await raw(server, "sendMessage", chat_id=user.id, text="hi",
                             reply_markup={"inline_keyboard": [[{"text": "x", "callback_data": "ü" * 32}]]})
    assert status == 200 and body["ok"]


async def test_wrong_token_is_unauthorized(server):
    status, body = await raw(server, "getMe", token="1:wrong")
    assert status == 401 and body["description"] == "Unauthorized"


async def test_blocked_user_gives_403(server, bot):
    user = server.sandbox.add_user("Gabi")
    user.blocked = "blocked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "hi")


@pytest.mark.slow  # waits out retries and timeouts in real seconds
async def test_injected_faults_reach_ptb_as_its_own_errors(server, bot):
    user = server.sandbox.add_user("Hans")
    async with SandboxClient(server.url) as client:
        await client.configure(faults={"rate_429": 1.0, "retry_after": 3})
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(user.id, "hi")
        assert caught.value.retry_after in (3, 3.0) or caught.value.retry_after.total_seconds() == 3
        await client.configure(faults={"rate_500": 1.0})
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "hi")
        await client.configure(faults={"rate_timeout": 1.0, "timeout_seconds": 5})
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "hi")
        await client.configure(faults={"rate_drop": 1.0})
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "hi")
        await client.configure(faults={}, latency_ms=0)
        assert (await bot.send_message(user.id, "hi")).text == "hi"


async def test_flood_limits_answer_429(server, bot):
    users = [server.sandbox.add_user(f"U{i}") for i in range(5)]
    async with SandboxClient(server.url) as client:
        await client.configure(limits={"global_per_second": 3})
        for user in users[:3]:
            await bot.send_message(user.id, "ok")
        with pytest.raises(RetryAfter):
            await bot.send_message(users[3].id, "too many")
        await client.configure(limits={"chat_per_second": 1, "chat_burst": 1})
        await bot.send_message(users[4].id, "one")
        with pytest.raises(RetryAfter):
            await bot.send_message(users[4].id, "two")


# --- webhooks ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, description", [
    ({"url": "http://example.org/hook"}, "An HTTPS URL must be provided for webhook"),
    ({"url": "ftp://127.0.0.1/hook"}, "An HTTPS URL must be provided for webhook"),
    ({"url": "https://example.org:8080/hook"}, "only on ports 80, 88, 443 or 8443"),
    ({"url": "https:///hook"}, "Failed to resolve host"),
    ({"url": "https://example.org/hook", "secret_token": "with space"}, "secret token contains unallowed characters"),
    ({"url": "https://example.org/hook", "secret_token": "x" * 257}, "secret token contains unallowed characters"),
    ({"url": "https://example.org/hook", "max_connections": 0}, "max_connections must be between 1 and 100"),
    ({"url": "https://example.org/hook", "max_connections": 101}, "max_connections must be between 1 and 100"),
    ({"url": "https://example.org/hook", "allowed_updates": ["message", 5]}, "can't parse allowed updates"),
    ({"url": "https://example.org/hook", "ip_address": "999.1.1.1"}, "invalid IP address"),
    ({"url": "https://example.org/hook", "colour": "red"}, "unknown parameter 'colour'"),
])
async def test_set_webhook_rejects_what_telegram_rejects(server, fields, description):
    status, body = await raw(server, "setWebhook", **fields)
    assert status == 400 and body["ok"] is False and description in body["description"]
    assert server.sandbox.delivery.webhook is None


async def test_webhook_info_reports_the_registered_webhook(server, bot):
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    assert await bot.set_webhook("https://bot.example.org:8443/telegram/x", secret_token="A-z_09" * 40,
                                 max_connections=7, allowed_updates=["message", "callback_query"], ip_address="10.0.0.1")
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.org:8443/telegram/x" and info.max_connections == 7
    assert info.allowed_updates == ("message", "callback_query") and info.ip_address == "10.0.0.1"
    assert info.has_custom_certificate is False and info.last_error_date is None
    assert await bot.set_webhook("http://127.0.0.1:9/hook")  # loopback: http and any port (test environment)
    assert (await bot.get_webhook_info()).max_connections == 40  # Telegram's default
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_get_updates_conflicts_with_a_webhook_and_delete_gives_the_updates_back(server, bot):
    user = server.sandbox.add_user("Ida")
    async with SandboxClient(server.url) as client:
        await client.configure_webhook(retry_base=0.05, retry_max=0.1)
        with socket.socket() as closed:  # a port nobody listens on
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook")
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active; use deleteWebhook"):
            await bot.get_updates(timeout=0)
        server.sandbox.user_message(user.id, "hallo")
        for _ in range(100):
            info = await bot.get_webhook_info()
            if info.last_error_date:
                break
            await asyncio.sleep(0.02)
        assert info.last_error_message == "Connection refused" and info.pending_update_count == 1
        assert await bot.delete_webhook()
        (update,) = await bot.get_updates(timeout=0)  # not lost: polling gets it now
        assert update.message.text == "hallo"
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", drop_pending_updates=True)
        assert (await bot.get_webhook_info()).pending_update_count == 0


class Receiver:
    """A stand-in bot: records what the sandbox posts; answers each update with the next status
    queued for it (default 200), holding every answer while `hold` is clear."""

    def __init__(self):
        self.received: list[tuple[int, str | None, float]] = []
        self.statuses: dict[int, list[int]] = {}
        self.hold = asyncio.Event()
        self.hold.set()
        self.in_flight = self.most_in_flight = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.received.append((update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"), time.monotonic()))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.hold.wait()
        finally:
            self.in_flight -= 1
        queued = self.statuses.get(update["update_id"])
        return web.Response(status=queued.pop(0) if queued else 200)

    async def start(self) -> "Receiver":
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        self.hold.set()
        await self.runner.cleanup()

    def ids(self) -> list[int]:
        return [update_id for update_id, _, _ in self.received]


async def until(condition, timeout: float = 5) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


@pytest.mark.slow  # waits out retries and timeouts in real seconds
async def test_updates_are_posted_with_the_secret_retried_and_kept_in_order_per_chat(server, bot):
    receiver = await Receiver().start()
    anna, ben = server.sandbox.add_user("Anna"), server.sandbox.add_user("Ben")
    try:
        async with SandboxClient(server.url) as client:
            await client.configure_webhook(retry_base=0.2, retry_max=0.2)
            first, _ = server.sandbox.user_message(anna.id, "eins")
            receiver.statuses[first] = [500]  # the bot fails the first time
            second, _ = server.sandbox.user_message(anna.id, "zwei")
            other, _ = server.sandbox.user_message(ben.id, "andere")
            assert await bot.set_webhook(f"{receiver.url}/hook", secret_token="geheim")
            await until(lambda: second in receiver.ids())
            ids = receiver.ids()
            assert ids.count(first) == 2 and ids.index(second) > len(ids) - 1 - ids[::-1].index(first)
            assert ids.index(other) < ids.index(second)  # another chat is not held up
            assert {secret for _, secret, _ in receiver.received} == {"geheim"}
            info = await bot.get_webhook_info()
            assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
            await until(lambda: server.sandbox.delivery.queue == [])
            assert (await bot.get_webhook_info()).pending_update_count == 0
    finally:
        await receiver.stop()


@pytest.mark.slow  # waits out retries and timeouts in real seconds
async def test_deliveries_respect_max_connections(server, bot):
    receiver = await Receiver().start()
    receiver.hold.clear()
    try:
        users = [server.sandbox.add_user(f"U{i}") for i in range(6)]
        assert await bot.set_webhook(f"{receiver.url}/hook", max_connections=2)
        for user in users:
            server.sandbox.user_message(user.id, "hi")
        await until(lambda: len(receiver.received) == 2)
        await asyncio.sleep(0.2)
        assert len(receiver.received) == 2  # the other four wait for a free connection
        receiver.hold.set()
        await until(lambda: len(receiver.received) == 6)
        assert receiver.most_in_flight == 2
    finally:
        await receiver.stop()


async def test_round_robin_over_instances_skips_one_that_refuses(server, bot):
    one, two = await Receiver().start(), await Receiver().start()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    try:
        async with SandboxClient(server.url) as client:
            assert await bot.set_webhook("https://bot.example.org/hook", secret_token="geheim")
            await client.webhook_targets([one.url, dead, two.url])
            users = [server.sandbox.add_user(f"U{i}") for i in range(9)]
            for user in users:
                server.sandbox.user_message(user.id, "hi")
            await until(lambda: len(one.received) + len(two.received) == 9)
            assert len(one.received) >= 3 and len(two.received) >= 3  # spread, nothing lost
            stats = (await client.webhook_state())["stats"]
            assert stats[dead]["refused"] == 3 and stats[dead]["acknowledged"] == 0
            assert stats[one.url]["acknowledged"] + stats[two.url]["acknowledged"] == 9
            update_id = one.ids()[0]
            await client.redeliver(update_id)  # Telegram's retry after a lost answer
            await until(lambda: (one.ids() + two.ids()).count(update_id) == 2)
            with pytest.raises(SandboxError):
                await client.redeliver(10**6)
    finally:
        await one.stop()
        await two.stop()
