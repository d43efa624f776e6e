"""The sandbox behaves like the Bot API: objects parse with python-telegram-bot's own classes,
and what Telegram rejects is rejected with Telegram's error shape."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update, User
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer

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
    for name in ("server.py", "html.py", "client.py", "webhook.py"):
        tree = ast.parse((SANDBOX_DIR / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1 and not (node.module or "").startswith("bot"), (name, node.module)
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
