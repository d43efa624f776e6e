"""The Mini App's API against the running bot (sandbox harness): who may ask, the same rules and
texts as the chat, a page action told in the chat too, the organizer view, bad input."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging

import aiohttp
import pytest

from bot.domain.changes import delay
from bot.sandbox.client import buttons_of, text_of
from bot.sandbox.server import DEFAULT_TOKEN
from bot.storage import AttendeeInfo
from bot.web.api import REFUSALS
from bot.web.server import ASSETS
from conftest import ADMIN_ID, berlin, bot_running, init_data, web_settings

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


def url_buttons(outputs: list[dict]) -> list[tuple[str, str]]:
    return [(b["text"], b["url"]) for o in outputs for row in (o.get("message") or {}).get("reply_markup", {})
            .get("inline_keyboard", []) for b in row if "url" in b]


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
    assert [a["action"] for a in entry["actions"]] == ["cancel", "bookmark", "calendar"]


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
    assert state["now"] == {"date": "2025-06-03", "minutes": 10 * 60 + 30, "label": "10:30",  # Berlin, whatever the server's zone
                            "date_label": "Tuesday, 3 June 2025", "next": "11:05"}
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
    (b"[" * 4000 + b"]" * 4000, 400, "JSON"),  # nested deeper than Python's recursion: no RecursionError, no 500
    (b'{"action": "signup", "session_id": ' + b"[" * 3000 + b"]" * 3000 + b"}", 400, "JSON"),
    (b'{"action": "signup", "session_id": "' + rb"\ud800" + b'"}', 404, "no session"),
    (b"\xff\xfe{}", 400, "JSON"),
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
                assert "telegram-web-app" not in text and "cdn" not in text.lower() and "src=\"http" not in text
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


async def test_a_switch_to_a_full_session_says_it_is_full_before_anything_else(web_harness):
    h = web_harness
    anna = await h.attendee("Anna")
    page = Page(h, init_data(anna.id))
    await page.seat("signup", WORKSHOP_1)
    for other in range(500_000, 500_045):  # Workshop 2 fills up
        await h.services.storage.attendees.touch(AttendeeInfo(other, other, "P", "", None, "de"), h.services.now())
        await h.services.storage.registrations.sign_up(h.services.program.current, WORKSHOP_2, other, other, h.services.now())
    entry = next(s for s in (await page.state())["sessions"] if s["id"] == WORKSHOP_2)
    assert entry["actions"][0] == {"action": "waitlist", "label": "⏳ Auf die Warteliste"}  # the button says so
    status, answer = await page.seat("signup", WORKSHOP_2)  # a page loaded before it was full
    assert answer["status"] == "switch_full" and answer["message"].startswith("„Workshop 2")
    assert "ausgebucht" in answer["message"].split("\n")[0]
    assert [o["action"] for o in answer["offers"]] == ["waitlist"]
    status, answer = await page.seat("waitlist", WORKSHOP_2)
    assert answer["status"] == "waitlisted" and "Platz 1" in answer["message"]
    seats = {r.session_id: r.state for r in await h.services.storage.registrations.of_person(anna.id)}
    assert seats == {WORKSHOP_1: "confirmed", WORKSHOP_2: "waitlisted"}


async def test_a_calendar_file_downloads_through_a_short_lived_signed_link(web_harness):
    h = web_harness
    anna = await h.attendee("Anna")
    page = Page(h, init_data(anna.id))
    await page.seat("signup", WORKSHOP_1)
    status, one = await page.call("POST", "calendar", {"session_id": "podium"})
    assert status == 200 and one["file_name"] == "podium.ics" and one["url"].startswith("calendar/podium.ics?k=")
    status, mine = await page.call("POST", "calendar", {})
    assert mine["file_name"] == "konferenztag.ics"
    async with aiohttp.ClientSession() as session:  # no initData: the link is the key
        async with session.get(h.services.settings.web_url + one["url"]) as response:
            assert response.status == 200 and response.content_type == "text/calendar"
            assert "attachment" in response.headers["Content-Disposition"]
            ics = await response.text()
        assert ics.count("BEGIN:VEVENT") == 1 and "Podiumsdiskussion" in ics
        async with session.get(h.services.settings.web_url + mine["url"]) as response:
            day = await response.text()
        assert "Workshop 1: Digitale Zwillinge" in day and "Workshop 2" not in day and "BEGIN:VALARM" in day
        broken = mine["url"].replace("k=", "k=x")
        async with session.get(h.services.settings.web_url + broken) as response:
            assert response.status == 401 and (await response.json())["error"]
    status, _ = await Page(h, forged(init_data(anna.id))).call("POST", "calendar", {})
    assert status == 401


async def test_an_oversized_header_gets_json_and_one_log_line_that_quotes_nothing(web_harness, caplog):
    h = web_harness
    anna = await h.attendee("Anna")
    secret = init_data(anna.id)
    REFUSALS.next_line.clear()  # a fresh minute: an earlier test's refusal may have used this one's line
    with caplog.at_level(logging.DEBUG):
        async with aiohttp.ClientSession() as session:
            for _ in range(5):
                async with session.get(h.services.settings.web_url + "api/state",
                                       headers={"Authorization": "tma " + secret + "&x=" + "y" * 9000}) as response:
                    assert response.status == 431 and response.content_type == "application/json"
                    assert (await response.json()) == {"error": "request header too large"}
                    assert response.headers["X-Content-Type-Options"] == "nosniff"
    lines = [r.getMessage() for r in caplog.records if r.name.startswith(("bot.web", "aiohttp"))]
    assert len([line for line in lines if "431" in line]) == 1, lines
    assert not any(str(anna.id) in line or "Anna" in line or "yyyy" in line for line in lines), lines
    assert not any(r.exc_info for r in caplog.records if r.name.startswith(("bot.web", "aiohttp")))


async def test_every_answer_carries_the_security_headers_and_json_is_compressed(web_harness):
    h = web_harness
    anna = await h.attendee("Anna")
    base = h.services.settings.web_url
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        for method, path, headers in (("GET", "", {}), ("GET", "nope.js", {}), ("GET", "api/state", {}),
                                      ("POST", "api/state", {}), ("GET", "room?k=forged", {}),
                                      ("GET", "api/state", {"Authorization": f"tma {init_data(anna.id)}"})):
            async with session.request(method, base + path, headers={"Accept-Encoding": "gzip", **headers}) as response:
                assert response.headers["X-Content-Type-Options"] == "nosniff", path
                assert response.headers["Referrer-Policy"] == "no-referrer"
                policy = response.headers["Content-Security-Policy"]
                assert "frame-ancestors 'self' https://web.telegram.org" in policy and "default-src 'self'" in policy
                if path == "api/state" and headers:
                    assert response.headers["Content-Encoding"] == "gzip" and response.status == 200
                    assert json.loads(gzip.decompress(await response.read()))["sessions"]
                elif path.startswith("api/"):
                    assert response.content_type == "application/json" and response.status in (401, 405)
    async with aiohttp.ClientSession() as session:  # without Accept-Encoding: plain JSON
        async with session.get(base + "api/state", headers={"Authorization": f"tma {init_data(anna.id)}",
                                                            "Accept-Encoding": "identity"}) as response:
            assert "Content-Encoding" not in response.headers and (await response.json())["sessions"]


async def test_the_page_is_served_at_the_path_of_bot_web_url(tmp_path, clock):
    from conftest import free_port

    port = free_port()
    async with bot_running(tmp_path, clock, web_listen=("127.0.0.1", port),
                           web_url=f"http://127.0.0.1:{port}/konferenz/2025") as h:
        anna = await h.attendee("Anna")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/konferenz/2025", allow_redirects=False) as response:
                assert response.status == 302 and response.headers["Location"] == "/konferenz/2025/"
            async with session.get(f"http://127.0.0.1:{port}/konferenz/2025/") as response:
                assert response.status == 200 and "app.js" in await response.text()
            async with session.get(f"http://127.0.0.1:{port}/konferenz/2025/api/state",
                                   headers={"Authorization": f"tma {init_data(anna.id)}"}) as response:
                assert response.status == 200
            async with session.get(f"http://127.0.0.1:{port}/app/") as response:
                assert response.status == 404


async def test_organizers_get_a_signed_link_per_room_and_the_screen_shows_delay_and_top_question(web_harness):
    h = web_harness
    svc = h.services
    orga = await h.attendee("Orga", user_id=ADMIN_ID)
    menu = await orga.send("/orga")
    listing = await orga.press("🖥 Raumanzeigen")
    assert "gilt bis Di 3.06. 23:59 Uhr" in text_of(listing)
    urls = {label: url for label, url in url_buttons(listing)}
    assert list(urls) == ["🖥 Großer Saal", "🖥 Foyer", "🖥 Lounge", "🖥 Seminarraum 1", "🖥 Seminarraum 2",
                          "🖥 Seminarraum 3", "🖥 Bildungszentrum Halle-Neustadt"], menu
    link = urls["🖥 Großer Saal"]
    assert link.startswith(svc.settings.web_url + "room?k=") and link.endswith("&lang=de") and DEFAULT_TOKEN not in link
    anna, ben = await h.attendee("Anna"), await h.attendee("Ben")
    first = await svc.storage.questions.add("podium", anna.id, "Wie finanzieren Sie das?", svc.now())
    second = await svc.storage.questions.add("podium", ben.id, "Wer betreibt die Plattform?", svc.now())
    hidden = await svc.storage.questions.add("podium", ben.id, "Werbung für meine Firma", svc.now())
    await svc.storage.questions.vote(second, anna.id)
    await svc.storage.questions.vote(second, ben.id)
    await svc.storage.questions.set_state(hidden, "hidden")
    svc.program.replace(overrides=delay(svc.program.current, "podium", 10))  # as /verschieben podium 10 does
    h.clock.set(berlin("2025-06-03 11:20"))
    api = link.replace("/room?", "/api/room?")
    async with aiohttp.ClientSession() as session:
        async with session.get(api) as response:
            data = await response.json()
        assert data["current"]["title"].startswith("Podiumsdiskussion") and data["current"]["marks"] == ["⏱ 10 Min. später"]
        assert [q["text"] for q in data["questions"]] == ["Wer betreibt die Plattform?", "Wie finanzieren Sie das?"]
        assert data["questions"][0]["votes"] == "2 Stimmen" and data["qr"]["link"] == "https://t.me/KonferenzSandboxBot?start=podium"
        async with session.get(api.replace("lang=de", "lang=en")) as response:
            assert (await response.json())["texts"]["web_room_now"] == "Now"
        token = link.split("k=")[1].split("&")[0]
        for forged_token in (token[:-3] + "AAA", token.split(".")[0] + ".x", "", "x" * 3000):
            for path in ("room", "api/room"):
                async with session.get(svc.settings.web_url + f"{path}?k={forged_token}&lang=de") as response:
                    assert response.status == 401, (path, forged_token[:20])
        h.clock.set(berlin("2025-06-04 00:01"))  # the conference is over: the link with it
        async with session.get(link) as response:
            assert response.status == 401
    assert first


async def test_without_the_mini_app_the_orga_button_says_what_room_screens_need(harness):
    orga = await harness.attendee("Orga", user_id=ADMIN_ID)
    await orga.send("/orga")
    answer = await orga.press("🖥 Raumanzeigen")
    assert "BOT_WEB_URL" in text_of(answer)
