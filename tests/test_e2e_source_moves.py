"""When the schedule a program file links (pretalx, frab) is re-released under the changes made in
the chat: the organizer sees both and chooses; sessions that leave it and come back keep their
people; the chat's changes in force can be listed and taken back."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.client import buttons_of, text_of
from conftest import ADMIN_ID, SettableClock, bot_running

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")
WORKSHOP_AT_13 = "2025-10-25T13:00:00+02:00"


def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A program file that links a pretalx export and gives its workshop 12 seats."""
    source = tmp_path / "schedule.json"
    source.write_bytes((FIXTURES / "pretalx-dst.json").read_bytes())
    program_file = tmp_path / "program.yaml"
    program_file.write_text("source: schedule.json\nconference:\n  venue: {name: Rathaus}\n"
                            "additions:\n  ev-103: {capacity: 12}\n", encoding="utf-8")
    return source, program_file


def re_release(source: Path, old: str, new: str) -> None:
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new), encoding="utf-8")


def unpublish(source: Path, event_id: int) -> None:
    """The pretalx export without one of its events, as after unpublishing it."""
    schedule = json.loads(source.read_text(encoding="utf-8"))
    for day in schedule["schedule"]["conference"]["days"]:
        day["rooms"] = {room: [e for e in events if e["id"] != event_id] for room, events in day["rooms"].items()}
    source.write_text(json.dumps(schedule), encoding="utf-8")


def starts_at(h, session_id: str) -> str:
    return f"{h.services.program.current.session(session_id).start.astimezone(BERLIN):%H:%M}"


@pytest.mark.parametrize("choice, label, after", [("keep", "behalten", "13:10"), ("source", "Zeitplan übernehmen", "14:00"),
                                                  ("shift", "Verschiebung auf neue Zeit", "14:10")])
async def test_a_re_release_after_a_chat_delay_shows_both_and_the_organizer_chooses(tmp_path, choice, label, after):
    source, program_file = linked(tmp_path)
    clock = SettableClock(datetime(2025, 10, 25, 8, 0, tzinfo=BERLIN))
    async with bot_running(tmp_path, clock, program_file) as h:
        anna, admin = await h.attendee("Anna"), await h.attendee("Orga", user_id=ADMIN_ID)
        await anna.send("/anmelden ev-103", expect="angemeldet")
        await admin.send("/verschieben ev-103 10")
        await admin.press("Bestätigen", expect="Übernommen")
        assert "13:10–14:25" in text_of(await anna.wait(expect="13:10"))
        re_release(source, WORKSHOP_AT_13, "2025-10-25T14:00:00+02:00")  # pretalx moves it an hour
        preview = await admin.send("/reload", expect="widerspricht")
        assert "der Zeitplan sagt jetzt Sa 25.10. 14:00–15:15 Uhr; Ihre Änderung im Chat sagte Sa 25.10. 13:10–14:25 Uhr (+10 Min.)" \
            in text_of(preview)
        assert "Durchsagen, Aussteller" not in text_of(preview)  # the move is what changed, named below
        assert [name for name, _ in buttons_of(preview) if "benachrichtigt" in name] == [
            "✅ Chat-Änderungen behalten (0 benachrichtigt)", "📥 Zeitplan übernehmen (1 benachrichtigt)",
            "⏩ Verschiebung auf neue Zeit (1 benachrichtigt)"]
        await admin.press(label, expect="neu geladen")
        assert starts_at(h, "ev-103") == after
        if choice != "keep":
            assert f"{after}–" in text_of(await anna.wait(expect=f"{after}–"))
        assert "unverändert" in text_of(await admin.send("/reload"))  # resolved once, not asked again
        listed = text_of(await admin.send("/aenderungen"))
        if choice == "source":
            assert "nichts geändert" in listed
        else:
            assert f"🕒 Sa 25.10. {after}" in listed and "(Datei: Sa 25.10. 14:00–15:15 Uhr)" in listed


async def test_a_room_changed_in_the_chat_keeps_the_schedules_new_time_without_asking(tmp_path):
    source, program_file = linked(tmp_path)
    clock = SettableClock(datetime(2025, 10, 25, 8, 0, tzinfo=BERLIN))
    async with bot_running(tmp_path, clock, program_file) as h:
        admin = await h.attendee("Orga", "en", user_id=ADMIN_ID)
        await admin.send("/room ev-103 Foyer")
        await admin.press("Confirm", expect="Done")
        re_release(source, WORKSHOP_AT_13, "2025-10-25T14:00:00+02:00")
        preview = text_of(await admin.send("/reload", expect="Reload"))
        assert "contradicts" not in preview and "14:00–15:15" in preview
        await admin.press("Confirm", expect="reloaded")
        session = h.services.program.current.session("ev-103")
        assert session.room == "Foyer" and starts_at(h, "ev-103") == "14:00"


async def test_a_session_that_leaves_the_schedule_and_comes_back_keeps_its_people(tmp_path):
    source, program_file = linked(tmp_path)
    published = source.read_text(encoding="utf-8")
    clock = SettableClock(datetime(2025, 10, 25, 8, 0, tzinfo=BERLIN))
    async with bot_running(tmp_path, clock, program_file) as h:
        anna, ben = await h.attendee("Anna"), await h.attendee("Ben", "en")
        admin = await h.attendee("Orga", user_id=ADMIN_ID)
        await anna.send("/anmelden ev-103", expect="angemeldet")
        await ben.send("/signup ev-103", expect="signed up")
        unpublish(source, 103)
        preview = text_of(await admin.send("/reload", expect="Vorschau"))
        assert "Workshop Open Data (Sa 25.10. 13:00–14:15 Uhr): ❌ fällt aus" in preview
        assert "Ergänzungen für „ev-103“ ruhen" in preview  # its capacity waits instead of refusing the file
        await admin.press("Bestätigen", expect="neu geladen")
        notice = text_of(await ben.wait(expect="cancelled"))
        assert "Workshop Open Data (Sat 25 Oct 13:00–14:15): ❌ cancelled" in notice and "ev-103" not in notice
        # an old button, a typed id or a poster's link of it names it and says it is off, not "ev-103"
        assert "„Workshop Open Data“ fällt aus: Der Programmpunkt steht nicht mehr im Programm" in text_of(
            await anna.press("Abmelden", expect="fällt aus"))
        assert "“Workshop Open Data” is cancelled: it is no longer in the program" in text_of(
            await ben.send("/signup ev-103", expect="cancelled"))
        assert "“Workshop Open Data” is cancelled" in text_of(await ben.send("/start ev-103", expect="is cancelled"))
        assert "„ev-999“ gibt es nicht" in text_of(await anna.send("/anmelden ev-999", expect="gibt es nicht"))
        source.write_text(published, encoding="utf-8")  # published again
        preview = text_of(await admin.send("/reload", expect="Vorschau"))
        assert "↩️ wieder im Programm" in preview and "2 Personen bekommen ihre früheren Plätze zurück" in preview
        await admin.press("Bestätigen", expect="neu geladen")
        assert "Ihr Platz in „Workshop Open Data“ gehört wieder Ihnen" in text_of(await anna.wait(expect="wieder Ihnen"))
        assert "Workshop Open Data" in text_of(await anna.send("/meine"))
        assert h.services.program.current.session("ev-103").capacity == 12  # the dormant addition is back in force


async def test_a_chat_change_to_a_session_that_leaves_the_schedule_names_the_session(tmp_path):
    source, program_file = linked(tmp_path)
    clock = SettableClock(datetime(2025, 10, 25, 8, 0, tzinfo=BERLIN))
    async with bot_running(tmp_path, clock, program_file) as h:
        admin = await h.attendee("Orga", "en", user_id=ADMIN_ID)
        await admin.send("/delay ev-103 10")
        await admin.press("Confirm", expect="Done")
        unpublish(source, 103)
        preview = text_of(await admin.send("/reload", expect="contradicts"))
        assert "“Workshop Open Data” is no longer in the schedule" in preview and "“ev-103” is no longer" not in preview


async def test_a_chat_change_in_force_is_listed_and_taken_back_by_buttons(tmp_path):
    _, program_file = linked(tmp_path)
    clock = SettableClock(datetime(2025, 10, 25, 8, 0, tzinfo=BERLIN))
    async with bot_running(tmp_path, clock, program_file) as h:
        anna, admin = await h.attendee("Anna"), await h.attendee("Orga", "en", user_id=ADMIN_ID)
        await anna.send("/anmelden ev-103", expect="angemeldet")
        await admin.send("/delay ev-103 15")
        await admin.press("Confirm", expect="Done")
        await anna.wait(expect="13:15")
        await admin.send("/orga")
        listed = text_of(await admin.press("Chat changes"))
        assert "“Workshop Open Data”: 🕒 Sat 25 Oct 13:15–14:30 (file: Sat 25 Oct 13:00–14:15)" in listed
        await admin.press("↩️")
        await admin.press("Confirm", expect="Done")
        assert starts_at(h, "ev-103") == "13:00"
        assert "13:15–14:30 Uhr → Sa 25.10. 13:00–14:15 Uhr" in text_of(await anna.wait(expect="13:00–14:15"))
        assert "Nothing was changed" in text_of(await admin.send("/changes"))
