"""The sandbox's inline mode and menu buttons: what Telegram accepts passes and reads back,
what Telegram rejects is rejected."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from telegram import (Bot, InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InlineQueryResultsButton,
                      InputTextMessageContent, MenuButtonCommands, MenuButtonDefault, MenuButtonWebApp, WebAppInfo)
from telegram.error import BadRequest
from telegram.request import HTTPXRequest

from bot.sandbox.client import SandboxClient, SandboxError
from bot.sandbox.server import DEFAULT_TOKEN, Sandbox, SandboxServer


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


async def raw(server, method: str, **fields):
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.api_url}{DEFAULT_TOKEN}/{method}",
                                data={k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}) as response:
            return response.status, await response.json()


def article(result_id: str = "a1", text: str = "<b>Podium</b> &amp; more", **extra) -> dict:
    return {"type": "article", "id": result_id, "title": "Podium",
            "input_message_content": {"message_text": text, "parse_mode": "HTML"}, **extra}


def a_query(server, user=None, text: str = "podium") -> str:
    user = user or server.sandbox.add_user("Ina")
    return server.sandbox.send_inline_query(user.id, text)


async def test_get_me_reports_inline_mode_and_it_can_be_switched_off(server, bot):
    assert (await bot.get_me()).supports_inline_queries is True
    user = server.sandbox.add_user("Ina")
    async with SandboxClient(server.url) as client:
        await client.configure(supports_inline_queries=False)
        with pytest.raises(SandboxError, match="no inline mode"):
            await client.inline_query(user.id, "podium")
    assert Sandbox(supports_inline_queries=False).bot["supports_inline_queries"] is False


async def test_an_inline_query_arrives_and_its_answer_is_recorded(server, bot):
    user = server.sandbox.add_user("Ina", language_code="en")
    query_id = server.sandbox.send_inline_query(user.id, "podium", chat_type="group")
    (update,) = await bot.get_updates(timeout=1)
    query = update.inline_query
    assert query.id == query_id and query.query == "podium" and query.offset == "" and query.chat_type == "group"
    assert query.from_user.language_code == "en"
    link = InlineKeyboardMarkup([[InlineKeyboardButton("Open", url="https://t.me/KonferenzSandboxBot?start=podium")]])
    result = InlineQueryResultArticle("podium", "Podium", InputTextMessageContent("<b>Podium</b>", parse_mode="HTML"),
                                      reply_markup=link, description="11:05 · Saal")
    assert await bot.answer_inline_query(query_id, [result], cache_time=30, is_personal=True, next_offset="50",
                                         button=InlineQueryResultsButton("Open the bot", start_parameter="Menu"))
    answer = server.sandbox.inline_queries[query_id].answer
    assert answer["cache_time"] == 30 and answer["is_personal"] is True and answer["next_offset"] == "50"
    assert answer["results"][0]["id"] == "podium" and answer["button"]["start_parameter"] == "Menu"
    assert [o["kind"] for o in server.sandbox.outputs] == ["answerInlineQuery"]


async def test_the_client_waits_for_the_answer(server, bot):
    user = server.sandbox.add_user("Ina")

    async def answering_bot():
        (update,) = await bot.get_updates(timeout=5)
        await bot.answer_inline_query(update.inline_query.id, [], cache_time=0)

    task = asyncio.create_task(answering_bot())
    async with SandboxClient(server.url) as client:
        answer = await client.inline_query(user.id, "nichts")
    await task
    assert answer["results"] == [] and answer["cache_time"] == 0 and answer["next_offset"] == ""


async def test_a_query_nobody_answers_is_an_error_for_the_client(server):
    user = server.sandbox.add_user("Ina")
    async with SandboxClient(server.url) as client:
        with pytest.raises(SandboxError, match="did not answer"):
            await client.inline_query(user.id, "podium", timeout=0.2)
        with pytest.raises(SandboxError, match="at most 256"):
            await client.inline_query(user.id, "x" * 257, timeout=0.2)


@pytest.mark.parametrize("results, description", [
    ([article(f"r{i}") for i in range(51)], "RESULTS_TOO_MUCH"),
    ([article("same"), article("same")], "RESULT_ID_DUPLICATE"),
    ([article("x" * 65)], "RESULT_ID_INVALID"),
    ([article("")], "RESULT_ID_INVALID"),
    ([{**article(), "type": "poster"}], "RESULT_TYPE_INVALID"),
    ([{k: v for k, v in article().items() if k != "input_message_content"}], "\"input_message_content\" must be present"),
    ([{**article(), "title": " "}], "title must not be empty"),
    ([{**article(), "descripton": "typo"}], "unknown field \"descripton\""),
    ([article(text="x" * 4097, parse_mode=None)], "message is too long"),
    ([article(text="<b>open")], "can't parse entities"),
    ([article(text="<b> </b>")], "message text is empty"),
    ([article(reply_markup={"inline_keyboard": [[{"text": "x", "callback_data": "ü" * 33}]]})], "BUTTON_DATA_INVALID"),
    ([article(reply_markup={"inline_keyboard": [[{"text": "App", "web_app": {"url": "https://example.org"}}]]})],
     "BUTTON_TYPE_INVALID"),
    ([article(reply_markup={"keyboard": [["Ja"]]})], "must be an inline keyboard"),
    ({"not": "a list"}, "an Array expected"),
])
async def test_invalid_results_are_rejected(server, results, description):
    results = [{k: v for k, v in r.items() if not (k == "parse_mode" and v is None)} for r in results] \
        if isinstance(results, list) else results
    status, body = await raw(server, "answerInlineQuery", inline_query_id=a_query(server), results=results)
    assert status == 400 and description in body["description"]


@pytest.mark.parametrize("fields, description", [
    ({"next_offset": "9" * 65}, "NEXT_OFFSET_INVALID"),
    ({"cache_time": -1}, "cache_time"),
    ({"button": {"text": "Open", "start_parameter": "bad param!"}}, "START_PARAM_INVALID"),
    ({"button": {"text": "Open", "start_parameter": "x" * 65}}, "START_PARAM_INVALID"),
    ({"button": {"text": "Open"}}, "exactly one of web_app and start_parameter"),
    ({"button": {"text": "Open", "web_app": {"url": "http://example.org/app"}}}, "Only HTTPS links are allowed"),
    ({"colour": "red"}, "unknown parameter 'colour'"),
])
async def test_invalid_answer_parameters_are_rejected(server, fields, description):
    status, body = await raw(server, "answerInlineQuery", inline_query_id=a_query(server), results=[article()], **fields)
    assert status == 400 and description in body["description"]


async def test_a_query_is_answered_once_in_time_and_only_if_it_was_sent(server, bot):
    query_id = a_query(server)
    assert await bot.answer_inline_query(query_id, [])
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_inline_query(query_id, [])
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_inline_query("12345", [])
    server.sandbox.inline_answer_seconds = 0.1
    late = a_query(server)
    await asyncio.sleep(0.2)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_inline_query(late, [])


async def test_a_chosen_result_is_posted_via_the_bot_and_its_link_is_followed(server, bot):
    sandbox = server.sandbox
    user = sandbox.add_user("Ina")
    sandbox.add_group(-100, "Stadtverwaltung")
    query_id = sandbox.send_inline_query(user.id, "podium")
    link = "https://t.me/KonferenzSandboxBot?start=podium"
    await raw(server, "answerInlineQuery", inline_query_id=query_id,
              results=[article("p", reply_markup={"inline_keyboard": [[{"text": "Open", "url": link}]]})])
    async with SandboxClient(server.url) as client:
        message = await client.choose_inline_result(user.id, query_id, "p", -100)
        assert message["text"] == "Podium & more" and message["entities"][0]["type"] == "bold"
        assert message["via_bot"]["username"] == "KonferenzSandboxBot" and message["from"]["id"] == user.id
        assert message["reply_markup"]["inline_keyboard"][0][0]["url"] == link
        assert (await client.chat(-100))["messages"][-1]["message_id"] == message["message_id"]
        with pytest.raises(SandboxError, match="no result"):
            await client.choose_inline_result(user.id, query_id, "nope", -100)
        with pytest.raises(SandboxError, match="own chat"):
            await client.choose_inline_result(user.id, query_id, "p", sandbox.add_user("Other").id)
        await client.open_link(user.id, link)
    updates = await bot.get_updates(timeout=1)
    assert updates[-2].message.via_bot.username == "KonferenzSandboxBot" and updates[-2].message.chat.id == -100
    assert updates[-1].message.text == "/start podium" and updates[-1].message.chat.id == user.id


@pytest.mark.parametrize("url", [
    "https://t.me/SomeOtherBot?start=podium",
    "https://t.me/KonferenzSandboxBot?start=bad%20param",
    "https://t.me/KonferenzSandboxBot?start=" + "x" * 65,
    "https://t.me/KonferenzSandboxBot?start=",
    "https://evil.example/KonferenzSandboxBot?start=podium",
    "not a link",
])
async def test_bad_links_are_refused(server, url):
    user = server.sandbox.add_user("Ina")
    async with SandboxClient(server.url) as client:
        with pytest.raises(SandboxError):
            await client.open_link(user.id, url)
    assert not server.sandbox.updates


async def test_menu_buttons_per_chat_and_by_default(server, bot):
    user = server.sandbox.add_user("Ina")
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)
    app = MenuButtonWebApp("Programm", WebAppInfo("https://konferenz.example/app"))
    assert await bot.set_chat_menu_button(menu_button=app)
    assert await bot.get_chat_menu_button() == app
    assert isinstance(await bot.get_chat_menu_button(user.id), MenuButtonDefault)
    local = MenuButtonWebApp("Lokal", WebAppInfo("http://127.0.0.1:8080/app"))
    assert await bot.set_chat_menu_button(user.id, local)
    assert await bot.get_chat_menu_button(user.id) == local
    async with SandboxClient(server.url) as client:
        assert (await client.menu_button(user.id))["text"] == "Lokal"
        assert await bot.set_chat_menu_button(user.id, MenuButtonDefault())
        assert (await client.menu_button(user.id))["text"] == "Programm"  # the bot-wide one applies again
        assert (await client.menu_button())["web_app"]["url"] == "https://konferenz.example/app"


@pytest.mark.parametrize("button, description", [
    ({"type": "web_app", "text": "App", "web_app": {"url": "http://example.org/app"}}, "Only HTTPS links are allowed"),
    ({"type": "web_app", "text": "App", "web_app": {"url": "http://127.0.0.1.example.org/app"}}, "Only HTTPS"),
    ({"type": "web_app", "text": "App", "web_app": {"url": "ftp://127.0.0.1/app"}}, "Only HTTPS"),
    ({"type": "web_app", "text": "App"}, "\"web_app\" must be present"),
    ({"type": "web_app", "text": " ", "web_app": {"url": "https://x.example"}}, "text must not be empty"),
    ({"type": "popup"}, "type must be commands, default or web_app"),
    ({"type": "commands", "text": "x"}, "unknown field \"text\""),
])
async def test_invalid_menu_buttons_are_rejected(server, button, description):
    status, body = await raw(server, "setChatMenuButton", menu_button=button)
    assert status == 400 and description in body["description"]


async def test_menu_buttons_only_for_private_chats(server):
    server.sandbox.add_group(-200, "Gruppe")
    status, body = await raw(server, "setChatMenuButton", chat_id=-200, menu_button={"type": "commands"})
    assert status == 400 and "private chats" in body["description"]
    status, body = await raw(server, "setChatMenuButton", chat_id=424242, menu_button={"type": "commands"})
    assert status == 400 and "chat not found" in body["description"]


@pytest.mark.parametrize("url, chat, ok", [
    ("https://konferenz.example/app", "private", True),
    ("http://localhost:8080/app", "private", True),
    ("http://[::1]:8080/app", "private", True),
    ("http://konferenz.example/app", "private", False),
    ("https://konferenz.example/app", "group", False),
])
async def test_web_app_keyboard_buttons_only_in_private_chats_and_over_https(server, url, chat, ok):
    user = server.sandbox.add_user("Ina")
    chat_id = user.id if chat == "private" else server.sandbox.add_group(-300, "Gruppe").id
    status, body = await raw(server, "sendMessage", chat_id=chat_id, text="Programm",
                             reply_markup={"inline_keyboard": [[{"text": "App", "web_app": {"url": url}}]]})
    assert (status == 200) is ok, body
