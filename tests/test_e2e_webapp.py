"""The Mini App's API against the running bot (sandbox harness): who may ask, the same rules and
texts as the chat, a page action told in the chat too, the organizer view, bad input."""

from __future__ import annotations

import asyncio
import gzip
import json

import aiohttp
import pytest

from bot.sandbox.client import buttons_of, text_of
from bot.web.server import ASSETS
from conftest import ADMIN_ID, bot_running, init_data, web_settings

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

WORKSHOP_1, WORKSHOP_2 = "ws-zwilling", "ws-mobilitaet"


class Page:
    """What the page does: HTTP with `Authorization: tma <initData>`."""

    def __init__(self, harness, raw_init_data: str | None):
        self.base = harness.services.settings.web_url
        self.raw = raw_init_data

    async def call(self, method: str, path: str, body=None, raw_body: bytes | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"tma {self.raw}"} if self.raw is not None else {}
        async with aiohttp.ClientSession() as session:
            data = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
            async with session.request(method, self.base + "api/" + path, data=data, headers=headers) as response:
                assert response.content_type == "application/json", await response.text()
                return response.status, await response.json()

    async def state(self) -> dict:
        status, data = await self.call("GET", "state")
        assert status == 200, data
        return data

    async def seat(self, action: str, session_id: str, **extra) -> tuple[int, dict]:
        return await self.call("POST", "seat", {"action": action, "session_id": session_id, **extra})


async def chat_gets(attendee, text: str, timeout: float = 10) -> list[dict]:
    """The bot's messages in the attendee's chat once one of them contains `text`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        outputs = await attendee.messages_as_outputs()
        if text in text_of(outputs):
            return outputs
        assert asyncio.get_running_loop().time() < deadline, f"the chat never got {text!r}: {text_of(outputs)}"
        await asyncio.sleep(0.05)


def forged(raw: str) -> str:
    return raw.replace("Anna", "Mallory")


@pytest.mark.parametrize("credentials", ["missing", "garbage", "forged", "other bot", "expired"])
async def test_without_valid_init_data_the_api_refuses_and_nothing_changes(web_harness, credentials):
    h = web_harness
    anna = await h.attendee("Anna")
    raw = {"missing": None, "garbage": "hello", "forged": forged(init_data(anna.id)),
           "other bot": init_data(anna.id, token="1:OTHER"), "expired": init_data(anna.id, age=86400 + 60)}[credentials]
    page = Page(h, raw)
    for method, path, body in (("POST", "seat", {"action": "signup", "session_id": WORKSHOP_1}),
                               ("POST", "bookmark", {"session_id": WORKSHOP_1}), ("GET", "state", None),
                               ("GET", "orga", None)):
        status, data = await page.call(method, path, body)
        assert status == 401 and data["error"], (path, data)
    assert await h.services.storage.registrations.of_person(anna.id) == []
    assert await h.services.storage.bookmarks.of_person(anna.id) == []
    assert [o for o in await h.client.outputs(anna.id) if o["kind"] == "sendMessage"] == []


@pytest.mark.postgres_too
async def test_a_signup_on_the_page_shows_in_mine_and_the_chat_gets_the_same_confirmation(web_harness):
    h = web_harness
    anna = await h.attendee("Anna")
    page = Page(h, init_data(anna.id))
    status, answer = await page.seat("signup", WORKSHOP_1)
    assert status == 200 and answer["status"] == "confirmed"
    assert "Sie sind für „Workshop 1: Digitale Zwillinge“ angemeldet" in answer["message"]
    assert "<" not in answer["message"]  # plain text for the page, no Telegram HTML
    pushed = await chat_gets(anna, "Sie sind für „Workshop 1: Digitale Zwillinge“ angemeldet")
    assert any("Abmelden" in label for label, _ in buttons_of(pushed))  # the chat's own buttons
    mine = await anna.send("/meine")
    assert "Workshop 1: Digitale Zwillinge" in text_of(mine)
    state = await page.state()
    entry = next(s for s in state["sessions"] if s["id"] == WORKSHOP_1)
    assert entry["mine"] == "confirmed" and "✅ angemeldet" in entry["marks"]
    assert [a["action"] for a in entry["actions"]] == ["cancel", "bookmark"]


async def test_a_change_in_the_chat_shows_on_the_page(web_harness):
    h = web_harness
    anna = await h.attendee("Anna")
    await anna.send(f"/anmelden {WORKSHOP_2}")
    entry = next(s for s in (await Page(h, init_data(anna.id)).state())["sessions"] if s["id"] == WORKSHOP_2)
    assert entry["mine"] == "confirmed"


async def test_a_conflict_offers_the_switch_like_the_chat_and_switching_keeps_one_seat(web_harness):
    h = web_harness
    anna = await h.attendee("Anna")
    page = Page(h, init_data(anna.id))
    await page.seat("signup", WORKSHOP_1)
    status, answer = await page.seat("signup", WORKSHOP_2)
    assert status == 200 and answer["status"] == "conflict"
    assert "Möchten Sie zu „Workshop 2" in answer["message"]
    switch, keep = answer["offers"]
    assert (switch["action"], switch["from_id"], switch["session_id"]) == ("switch", WORKSHOP_1, WORKSHOP_2)
    assert keep["action"] == "keep" and "behalten" in keep["label"]
    status, kept = await page.seat("keep", WORKSHOP_1)
    assert status == 200 and kept["status"] == "kept"
    status, switched = await page.seat("switch", WORKSHOP_2, from_id=WORKSHOP_1)
    assert switched["status"] == "switched" and "Gewechselt" in switched["message"]
    seats = {r.session_id: r.state for r in await h.services.storage.registrations.of_person(anna.id)}
    assert seats == {WORKSHOP_2: "confirmed"}
    await chat_gets(anna, "Gewechselt")


async def test_cancel_and_bookmark_from_the_page_use_the_chats_texts(web_harness):
    h = web_harness
    anna = await h.attendee("Anna", lang="en")
    page = Page(h, init_data(anna.id, lang="en"))
    await page.seat("signup", WORKSHOP_1)
    status, answer = await page.seat("cancel", WORKSHOP_1)
    assert answer["status"] == "cancelled" and "Workshop 1" in answer["message"]
    status, answer = await page.call("POST", "bookmark", {"session_id": "podium"})
    assert status == 200 and answer["bookmarked"] is True and "Bookmarked" in answer["message"]
    assert await h.services.storage.bookmarks.of_person(anna.id) == ["podium"]
    await chat_gets(anna, "Bookmarked")


async def test_the_state_is_in_the_attendees_language_and_the_conference_clock(web_harness):
    h = web_harness
    anna = await h.attendee("Anna", lang="en")
    state = await Page(h, init_data(anna.id, lang="en")).state()
    assert state["lang"] == "en" and state["texts"]["web_offline"] == "As of {time} – offline"
    assert state["now"] == {"date": "2025-06-03", "minutes": 10 * 60 + 30, "label": "10:30"}  # Berlin, whatever the server's zone
    assert state["is_admin"] is False
    podium = next(s for s in state["sessions"] if s["id"] == "podium")
    assert podium["time"] == "11:05–11:50" and podium["room"] == "Großer Saal"
    await anna.send("/sprache de")  # the stored choice wins over Telegram's language
    assert (await Page(h, init_data(anna.id, lang="en")).state())["lang"] == "de"


async def test_the_organizer_view_is_for_organizers_only(web_harness):
    h = web_harness
    anna = await h.attendee("Anna")
    status, data = await Page(h, init_data(anna.id)).call("GET", "orga")
    assert status == 403 and data["error"]
    await Page(h, init_data(anna.id)).seat("signup", WORKSHOP_1)
    await h.services.storage.feedback.save("podium", anna.id, 4, h.services.now())
    await h.attendee("Orga", user_id=ADMIN_ID)
    organizer = Page(h, init_data(ADMIN_ID, first_name="Orga"))
    assert (await organizer.state())["is_admin"] is True
    status, data = await organizer.call("GET", "orga")
    assert status == 200
    seats = {s["id"]: s for s in data["seats"]}
    assert seats[WORKSHOP_1]["confirmed"] == 1 and seats[WORKSHOP_1]["capacity"] == 45
    assert data["feedback"] == [{"id": "podium", "title": next(s for s in (await organizer.state())["sessions"]
                                                              if s["id"] == "podium")["title"],
                                 "average": 4.0, "count": 1, "line": "Ø 4,0 aus 1 Bewertung"}]


@pytest.mark.parametrize("raw_body, status, message", [
    (b"{not json", 400, "JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (json.dumps({"action": "fly", "session_id": WORKSHOP_1}).encode(), 400, "action"),
    (json.dumps({"action": "signup", "session_id": "nope"}).encode(), 404, "no session"),
    (json.dumps({"action": "signup", "session_id": 5}).encode(), 400, "session_id"),
    (json.dumps({"action": "switch", "session_id": WORKSHOP_2, "from_id": "../x"}).encode(), 404, "no session"),
    (b"x" * 20000, 413, "too large"),
])
async def test_bad_requests_get_a_clear_json_message_and_change_nothing(web_harness, raw_body, status, message):
    h = web_harness
    anna = await h.attendee("Anna")
    got, data = await Page(h, init_data(anna.id)).call("POST", "seat", raw_body=raw_body)
    assert got == status and message in data["error"] and "Traceback" not in data["error"]
    assert await h.services.storage.registrations.of_person(anna.id) == []


async def test_assets_are_served_compressed_with_etags_and_no_third_party_sources(web_harness):
    base = web_harness.services.settings.web_url
    total = 0
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        for name in ASSETS:
            async with session.get(base + ("" if name == "index.html" else name),
                                   headers={"Accept-Encoding": "gzip"}) as response:
                assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
                body = await response.read()
                total += len(body)
                etag = response.headers["ETag"]
                assert "default-src 'self'" in response.headers["Content-Security-Policy"]
                text = gzip.decompress(body).decode()
                assert "telegram.org" not in text and "cdn" not in text.lower()
            async with session.get(base + ("" if name == "index.html" else name), headers={"If-None-Match": etag}) as again:
                assert again.status == 304
    assert total < 150_000


async def test_programm_and_meinplan_offer_the_mini_app_only_when_its_url_is_set(web_harness, tmp_path, clock):
    (tmp_path / "plain").mkdir()
    async with bot_running(tmp_path / "plain", clock) as plain:
        for running, expected in ((web_harness, True), (plain, False)):
            anna = await running.attendee("Anna")
            await anna.send(f"/anmelden {WORKSHOP_1}")  # so that /meinplan has a plan
            for command in ("/programm", "/meinplan"):
                outputs = await anna.send(command)
                web_app = [b["web_app"]["url"] for o in outputs for row in o["message"].get("reply_markup", {})
                           .get("inline_keyboard", []) for b in row if "web_app" in b]
                assert web_app == ([running.services.settings.web_url] if expected else []), command


async def test_a_taken_port_is_one_clear_configuration_error(web_harness):
    from bot.config import ConfigError
    from bot.web.server import WebServer

    host, port = web_harness.services.settings.web_listen
    with pytest.raises(ConfigError, match=f"BOT_WEB_LISTEN {host}:{port} cannot be used"):
        await WebServer(web_harness.services, lambda: 0).start(host, port)


async def test_in_a_group_no_mini_app_button_is_offered(web_harness):
    """Telegram allows web_app buttons only in private chats."""
    h = web_harness
    anna = await h.attendee("Anna")
    await h.client.add_group(-4243, "Stammtisch")
    ack = await h.client.message(anna.id, "/programm", chat_id=-4243)
    outputs = await h.client.outputs(chat_id=-4243, after=ack["seq"], wait=10)
    assert outputs and not any("web_app" in b for o in outputs for row in (o.get("message") or {})
                               .get("reply_markup", {}).get("inline_keyboard", []) for b in row)


async def test_paging_through_the_program_keeps_the_mini_app_button(tmp_path, clock):
    from test_e2e_multiday import TWO_DAYS

    program_file = tmp_path / "two-days.yaml"
    program_file.write_text(TWO_DAYS, encoding="utf-8")
    async with bot_running(tmp_path, clock, program_file, **web_settings()) as h:
        anna = await h.attendee("Anna")
        await anna.send("/programm")
        pages = await anna.press("So 26.10.")  # the second day: the message is edited in place
        assert "Datenlabor" in text_of(pages)
        markup = (await anna.messages())[-1].get("reply_markup", {}).get("inline_keyboard", [])
        assert [b["web_app"]["url"] for row in markup for b in row if "web_app" in b] == [h.services.settings.web_url]


async def test_the_menu_button_opens_the_page_labelled_in_the_attendees_language(web_harness):
    url = web_harness.services.settings.web_url
    default = await web_harness.client.menu_button()
    assert default["type"] == "web_app" and default["text"] == "Programm" and default["web_app"]["url"] == url
    ben = await web_harness.attendee("Ben", "en")
    await ben.send("/start", expect="Welcome")
    mine = await web_harness.client.menu_button(ben.id)
    assert mine["text"] == "Program" and mine["web_app"]["url"] == url
    await ben.send("/sprache de", expect="Deutsch")
    assert (await web_harness.client.menu_button(ben.id))["text"] == "Programm"
    anna = await web_harness.attendee("Anna", "de")
    await anna.send("/start", expect="Willkommen")
    assert (await web_harness.client.menu_button(anna.id))["text"] == "Programm"  # the default, unchanged
