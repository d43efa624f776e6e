"""When the program is more than one room on one day, as attendees and organizers meet it, in
German and English: a bus that leaves before its session starts, a multi-track two-day import
(FOSDEM style), lists that span days, the organizer's language, the excursion's destination."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.client import buttons_of, text_of
from conftest import ADMIN_ID, PROGRAM_FILE, SettableClock, berlin, bot_running

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
BRUSSELS = ZoneInfo("Europe/Brussels")


def early_bus(tmp_path: Path) -> Path:
    """The shipped program with the excursion's bus at 14:30, 15 minutes before the session."""
    program_file = tmp_path / "program.yaml"
    text = PROGRAM_FILE.read_text(encoding="utf-8")
    program_file.write_text(text.replace('departure: "2025-06-03 14:45"', 'departure: "2025-06-03 14:30"'), encoding="utf-8")
    return program_file


async def test_the_bus_reminder_counts_from_the_departure_and_the_bus_does_not_wait(tmp_path):
    clock = SettableClock(berlin("2025-06-03 13:59:57"))  # the 30-minute bus reminder falls due at 14:00
    async with bot_running(tmp_path, clock, early_bus(tmp_path)) as h:
        anna = await h.attendee("Anna")
        assert "Der Bus fährt" not in text_of(await anna.send("/anmelden exkursion", expect="angemeldet"))
        reminder = text_of(await anna.wait(timeout=10))
        assert "Der Bus fährt um 14:30 Uhr, in 30 Min." in reminder and h.clock.now() >= berlin("2025-06-03 14:00")
        assert "Als Nächstes – in 30 Min." in text_of(await anna.send("/jetzt"))  # the bus, not the session at 14:45
        h.clock.set(berlin("2025-06-03 14:35"))  # the bus has left; the session starts at 14:45
        ben = await h.attendee("Ben", "en")
        refused = text_of(await ben.send("/signup exkursion"))
        assert "The bus to “Excursion to the Bildungszentrum Halle-Neustadt” left at 14:30" in refused
        now = text_of(await ben.send("/now"))
        assert now.index("On now") < now.index("Excursion") < now.index("Up next")  # under way since 14:30


async def test_signing_up_inside_the_window_reminds_at_once_with_the_departure_in_english(tmp_path):
    clock = SettableClock(berlin("2025-06-03 14:05"))
    async with bot_running(tmp_path, clock, early_bus(tmp_path)) as h:
        ben = await h.attendee("Ben", "en")
        replies = text_of(await ben.send("/signup exkursion", expect="The bus leaves"))
        assert "The bus leaves at 14:30, in 25 min" in replies
        assert "🚌 departs 14:30" in text_of(await ben.send("/now"))


def fosdem_program(tmp_path: Path) -> Path:
    """A multi-track two-day pentabarf export without dates or zone, linked with what it lacks."""
    (tmp_path / "fosdem.xml").write_bytes((FIXTURES / "pentabarf-no-dates.xml").read_bytes())
    program_file = tmp_path / "program.yaml"
    program_file.write_text("source: fosdem.xml\nconference:\n  timezone: Europe/Brussels\n  language: en\n"
                            "additions:\n  ev-6003: {capacity: 20}\n  ev-6103: {capacity: 20}\n", encoding="utf-8")
    return program_file


@pytest.mark.parametrize("lang, bookmark, plan_title, days", [
    ("de", "Merken", "Ihr Tag", ("Samstag, 1. Februar 2025", "Sonntag, 2. Februar 2025")),
    ("en", "Remind me", "Your day", ("Saturday, 1 February 2025", "Sunday, 2 February 2025")),
])
async def test_my_day_on_a_multi_track_import_holds_my_bookmark_and_what_is_for_everybody(tmp_path, lang, bookmark,
                                                                                         plan_title, days):
    clock = SettableClock(datetime(2025, 1, 31, 12, 0, tzinfo=BRUSSELS))
    async with bot_running(tmp_path, clock, fosdem_program(tmp_path)) as h:
        anna = await h.attendee("Anna", lang)
        await anna.send("/start ev-6002")
        await anna.press(bookmark)
        replies = await anna.send("/meinplan", expect=plan_title)
        plan = text_of(replies)
        assert plan.index(days[0]) < plan.index("• 09:30–09:55 Opening Ceremony") < plan.index("⭐ 10:00–10:50 Rust in the Kernel") \
            < plan.index("• 12:30–13:00 Coffee break") < plan.index(days[1]) < plan.index("• 17:00–17:15 Closing FOSDEM")
        for other in ("Databases at Scale", "Building with Nix", "Flakes Explained"):  # the rest of the rooms
            assert other not in plan
        replies = await anna.press("📅")
        document = next(o for o in replies if o["kind"] == "sendDocument")["message"]["document"]
        assert (await h.client.file(document["file_id"])).count(b"BEGIN:VEVENT") == 4


@pytest.mark.parametrize("lang, saturday, sunday, signup", [
    ("de", "Sa 1.02. 10:00", "So 2.02. 10:00", "/anmelden"),
    ("en", "Sat 1 Feb 10:00", "Sun 2 Feb 10:00", "/signup"),
])
async def test_search_signup_and_inline_lists_across_days_name_the_day(tmp_path, lang, saturday, sunday, signup):
    clock = SettableClock(datetime(2025, 1, 31, 12, 0, tzinfo=BRUSSELS))
    async with bot_running(tmp_path, clock, fosdem_program(tmp_path)) as h:
        anna = await h.attendee("Anna", lang)
        found = [label for label, _ in buttons_of(await anna.send("nix devroom"))]
        assert f"{saturday} Building with Nix" in found and f"{sunday} Flakes Explained" in found
        offered = [label for label, _ in buttons_of(await anna.send(signup))]
        assert offered == [f"{saturday} Building with Nix", f"{sunday} Flakes Explained"]
        answer = await h.client.inline_query(anna.id, "flakes")
        assert answer["results"][0]["description"].startswith(sunday.rsplit(" ", 1)[0])


async def test_the_organizer_hears_problems_in_their_language_and_the_menu_follows_language(tmp_path):
    program_file = tmp_path / "program.yaml"
    program_file.write_text(PROGRAM_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    clock = SettableClock(berlin("2025-06-03 09:00"))
    async with bot_running(tmp_path, clock, program_file) as h:
        orga = await h.attendee("Orga", user_id=ADMIN_ID)
        rooms = [label for label, _ in buttons_of(await orga.send("/raum podium"))]
        assert "📍 Foyer" in rooms and not any("Bildungszentrum" in label for label in rooms)  # a destination, no room
        program_file.write_text(PROGRAM_FILE.read_text(encoding="utf-8").replace(
            'start: "2025-06-03 11:05"', 'start: "2025-06-03 12:05"'), encoding="utf-8")
        german = text_of(await orga.send("/reload"))
        assert "Programmpunkt 'podium' (Zeile" in german and "Feld 'end' muss nach 'start' liegen" in german
        await orga.send("/language en")
        english = text_of(await orga.send("/reload"))
        assert "session 'podium' (line" in english and "field 'end' must be after 'start'" in english
        menu = (await h.client.commands())[f"chat:{orga.id}:"]
        assert {"program", "now", "signup"} <= {c["command"] for c in menu}
        assert "programm" not in {c["command"] for c in menu}
