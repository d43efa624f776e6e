"""The aiohttp request backend keeps every behaviour of python-telegram-bot's default one,
checked through the sandbox for each method the bot uses; httpx runs the same checks."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.request_backend import AiohttpRequest, make_request
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer

pytestmark = pytest.mark.slow  # real connections, timeouts and long polls

BACKENDS = ["aiohttp", "httpx"]


@pytest.fixture
async def server():
    server = await SandboxServer().start()
    yield server
    await server.stop()


def bot_for(server, backend: str, **kwargs) -> Bot:
    return Bot(DEFAULT_TOKEN, base_url=server.api_url, request=make_request(backend, kwargs.pop("pool", 8), **kwargs),
               get_updates_request=make_request(backend, 1))


@pytest.mark.parametrize("backend", BACKENDS)
async def test_every_method_the_bot_uses(server, backend):
    user = server.sandbox.add_user("Anna")
    async with bot_for(server, backend) as bot:
        assert (await bot.get_me()).is_bot
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ä", callback_data="s:podium")]])
        sent = await bot.send_message(user.id, "<b>Grüße</b> & mehr".replace("&", "&amp;"), parse_mode="HTML", reply_markup=markup)
        assert sent.text == "Grüße & mehr"
        edited = await bot.edit_message_text("neu", chat_id=user.id, message_id=sent.message_id, reply_markup=markup)
        assert edited.text == "neu"
        await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id, reply_markup=None)
        server.sandbox.press(user.id, sent.message_id, "s:podium", forge=True)
        updates = await bot.get_updates(timeout=1)
        assert await bot.answer_callback_query(updates[-1].callback_query.id, "ok")
        venue = await bot.send_venue(user.id, 51.48, 11.95, "MMZ", "Mansfelder Straße 56")
        assert venue.venue.address == "Mansfelder Straße 56"
        data = "a;b\nÄ;ß\n".encode("utf-8-sig")
        document = await bot.send_document(user.id, InputFile(data, filename="anmeldungen.csv"), caption="CSV ✓")
        assert document.document.file_name == "anmeldungen.csv" and document.caption == "CSV ✓"
        async with SandboxClient(server.url) as client:
            assert await client.file(document.document.file_id) == data
        photo = await bot.send_photo(user.id, InputFile(b"\x89PNG...", filename="p.png"), caption="Bild")
        again = await bot.send_photo(user.id, photo.photo[-1].file_id)  # by file id, without upload
        assert again.photo[-1].file_size == photo.photo[-1].file_size
        assert await bot.delete_message(user.id, sent.message_id)
        assert await bot.set_my_commands([("start", "Start")], language_code="de")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(424242, "x")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_long_poll_waits_and_returns_new_updates(server, backend):
    user = server.sandbox.add_user("Ben")
    async with bot_for(server, backend) as bot:
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await bot.get_updates(timeout=1) == ()
        assert loop.time() - started >= 0.9
        loop.call_later(0.3, server.sandbox.user_message, user.id, "hallo")
        updates = await bot.get_updates(timeout=5)
        assert updates[0].message.text == "hallo" and loop.time() - started < 3


@pytest.mark.parametrize("backend", BACKENDS)
async def test_timeouts_raise_timed_out(server, backend):
    user = server.sandbox.add_user("Cem")
    async with SandboxClient(server.url) as client, bot_for(server, backend, read_timeout=0.5) as bot:
        await client.configure(faults={"rate_timeout": 1.0, "timeout_seconds": 3})
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "x")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_dropped_connections_and_refused_ones_raise_network_error(server, backend):
    user = server.sandbox.add_user("Dora")
    async with SandboxClient(server.url) as client, bot_for(server, backend) as bot:
        await client.configure(faults={"rate_drop": 1.0})
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "x")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = Bot(DEFAULT_TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=make_request(backend, 2))
    with pytest.raises(NetworkError):
        async with bot:  # initialize() asks getMe
            pass


async def test_a_full_pool_times_out_and_says_nothing_was_sent(server):
    user = server.sandbox.add_user("Eva")
    async with SandboxClient(server.url) as client:
        await client.configure(latency_ms=800)
        request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1)
        async with Bot(DEFAULT_TOKEN, base_url=server.api_url, request=request) as bot:
            slow = asyncio.create_task(bot.send_message(user.id, "first"))
            await asyncio.sleep(0.2)
            with pytest.raises(TimedOut, match="not\\* sent"):
                await bot.send_message(user.id, "second")
            assert (await slow).text == "first"
        await client.configure(latency_ms=0)


async def test_shutdown_closes_and_initialize_reopens(server):
    request = AiohttpRequest()
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{server.api_url}{DEFAULT_TOKEN}/getMe", "POST")
    await request.initialize()
    status, body = await request.do_request(f"{server.api_url}{DEFAULT_TOKEN}/getMe", "POST")
    assert status == 200 and b'"is_bot": true' in body.replace(b'"is_bot":true', b'"is_bot": true')
    await request.shutdown()


def test_form_bodies_are_encoded_exactly_as_urlencode_does():
    import random
    from urllib.parse import urlencode

    from bot.request_backend import form_encoded

    shaker = random.Random(17)
    alphabet = [chr(c) for c in range(0x80)] + list("äöüßÄÖÜ€–…✅📢🎤\u200b\ufeff") + ["\U0001f600", "\r\n", "%20", "+"]
    fields = [{"chat_id": "7000001", "text": "✅ Du bist angemeldet: <b>Zwilling & Co</b>\n10:00–11:30 · a+b=c %20 ~",
               "reply_markup": '{"inline_keyboard": [[{"text": "Platz zurückgeben", "callback_data": "c:ws"}]]}'}]
    fields += [{"".join(shaker.choices(alphabet, k=3)): "".join(shaker.choices(alphabet, k=shaker.randint(0, 40)))}
               for _ in range(500)]
    assert [form_encoded(each) for each in fields] == [urlencode(each).encode() for each in fields]
