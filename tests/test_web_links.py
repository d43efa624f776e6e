"""The Mini App server's signed links (room screens, calendar downloads), the room screen's
content, the page's path and the rate-limited refusal log: pure, no server."""

from __future__ import annotations

import logging
import textwrap
from datetime import datetime, timezone

import pytest

from bot.config import Settings
from bot.domain.changes import apply_overrides, delay
from bot.domain.loader import parse_program
from bot.storage import SessionCount
from bot.storage.questions import Question
from bot import links
from bot.web.api import RateLimitedLog
from bot.web.room import featured, now_and_next, qr_code, room_state

TOKEN = "123456:TEST-token"
PROGRAM = textwrap.dedent("""
    conference:
      name: {de: "Testtag", en: "Test day"}
      timezone: Europe/Berlin
      start: "2025-06-03 09:00"
      end: "2025-06-03 17:00"
      venue: {name: "Hall", address: "Main St 1"}
    sessions:
      - {id: talk, kind: talk, title: {de: "Vortrag", en: "Talk"}, start: "2025-06-03 09:00", end: "2025-06-03 10:00", room: "Saal"}
      - {id: panel, kind: panel, title: {de: "Podium", en: "Panel"}, start: "2025-06-03 10:15", end: "2025-06-03 11:00", room: "Saal", questions: true}
      - {id: ws, kind: workshop, title: {de: "Werkstatt", en: "Workshop"}, start: "2025-06-03 10:15", end: "2025-06-03 11:00", room: "Raum 2", capacity: 5}
""")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, 3, hour - 2, minute, tzinfo=timezone.utc)  # Berlin is UTC+2 in June


def test_a_signed_link_gives_back_its_fields_until_it_expires():
    token = links.sign(TOKEN, links.ROOM, ["Großer Saal"], 2_000)
    assert links.verify(TOKEN, links.ROOM, token, 1_999) == ["Großer Saal"]
    with pytest.raises(links.LinkError, match="expired"):
        links.verify(TOKEN, links.ROOM, token, 2_001)
    assert TOKEN not in token and "123456" not in token


@pytest.mark.parametrize("forge", [
    lambda token: token.replace(token.split(".")[0], links.sign(TOKEN, links.ROOM, ["Foyer"], 2_000).split(".")[0]),
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: links.sign("654321:OTHER", links.ROOM, ["Großer Saal"], 2_000),  # another bot's key
    lambda token: links.sign(TOKEN, links.CALENDAR, ["Großer Saal"], 2_000),  # another purpose
    lambda token: "", lambda token: "x" * 5000, lambda token: "a.b.c", lambda token: "!!!.???",
])
def test_a_forged_or_foreign_link_is_refused(forge):
    token = links.sign(TOKEN, links.ROOM, ["Großer Saal"], 2_000)
    with pytest.raises(links.LinkError):
        links.verify(TOKEN, links.ROOM, forge(token), 1_000)


def test_a_room_link_lasts_until_midnight_after_the_last_day_and_sits_beside_the_page():
    program = parse_program(PROGRAM)
    assert links.link_expiry(program) == int(datetime(2025, 6, 3, 22, 0, tzinfo=timezone.utc).timestamp())
    settings = Settings(token=TOKEN, web_url="https://bot.example.org/konferenz")
    link = links.room_link(settings, program, "Saal", "en")
    assert link.startswith("https://bot.example.org/konferenz/room?k=") and link.endswith("&lang=en")
    token = link.split("k=")[1].split("&")[0]
    assert links.verify(TOKEN, links.ROOM, token, at(23).timestamp()) == ["Saal"]
    assert links.room_link(Settings(token=TOKEN), program, "Saal", "de") is None
    assert links.rooms_of(program) == ["Saal", "Raum 2"]


@pytest.mark.parametrize("url, prefix", [(None, "/app/"), ("https://x.org/app/", "/app/"), ("https://x.org/konferenz", "/konferenz/"),
                                         ("https://x.org", "/"), ("https://x.org/", "/"), ("https://x.org/a/b/", "/a/b/")])
def test_the_page_is_served_at_the_path_of_its_url(url, prefix):
    assert links.page_prefix(url) == prefix


def test_a_room_screen_shows_now_and_next_with_the_delay_and_the_visible_questions_ranked():
    base = parse_program(PROGRAM)
    program = apply_overrides(base, delay(base, "panel", 10))
    current, following = now_and_next(program, "Saal", at(9, 30))
    assert (current.id, following.id) == ("talk", "panel")
    asking, linked = featured(current, following)
    assert asking.id == linked.id == "panel"  # the talk takes no questions: the panel's are collected already
    questions = [Question(i, "panel", 1, f"Frage {i}", False, "answered" if i == 2 else "open", "", votes=10 - i)
                 for i in range(1, 8)]
    data = room_state(program, "de", at(9, 30), "Saal", questions, asking, "https://t.me/Bot?start=panel")
    assert data["current"]["title"] == "Vortrag" and data["current"]["marks"] == []
    assert data["next"]["time"] == "10:25–11:10" and data["next"]["marks"] == ["⏱ 10 Min. später"]
    assert [q["text"] for q in data["questions"]] == ["Frage 1", "Frage 2", "Frage 3", "Frage 4", "Frage 5"]
    assert data["questions"][0]["votes"] == "9 Stimmen" and data["questions"][1]["answered"] is True
    assert data["qr"]["title"] == "Podium" and data["qr"]["image"].startswith("data:image/svg+xml")
    empty = room_state(program, "en", at(12), "Saal", [], None, None)
    workshop = room_state(program, "de", at(10), "Raum 2", [], None, None, {"ws": SessionCount("ws", 4, 0)})
    assert workshop["next"]["marks"] == []
    full = room_state(program, "de", at(10), "Raum 2", [], None, None, {"ws": SessionCount("ws", 5, 2)})
    assert full["next"]["marks"] == ["ausgebucht"]  # its QR code leads to the waiting list: the screen says so
    assert empty["current"] is None and empty["next"] is None and empty["qr"] is None and empty["questions_for"] is None


def test_the_qr_code_is_made_here_as_an_image_of_its_own_link():
    image = qr_code("https://t.me/KonferenzSandboxBot?start=podium")
    assert image.startswith("data:image/svg+xml") and "%23000" in image and "%23fff" in image  # black on white
    assert qr_code("https://t.me/KonferenzSandboxBot?start=ws-zwilling") != image
    assert qr_code("https://t.me/KonferenzSandboxBot?start=podium") is image  # made once, then reused


def test_refusals_anybody_can_provoke_are_logged_once_a_minute_with_a_count(caplog):
    now = [0.0]
    refusals = RateLimitedLog(logging.getLogger("test.refusals"), interval=60, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="test.refusals"):
        for second in range(0, 130):
            now[0] = float(second)
            refusals.note(logging.WARNING, "http-431", "refused: 431 request header too large")
    assert [record.getMessage() for record in caplog.records] == [
        "refused: 431 request header too large",
        "refused: 431 request header too large (and 59 more like it in the last 60 s)",
        "refused: 431 request header too large (and 59 more like it in the last 60 s)",
    ]
