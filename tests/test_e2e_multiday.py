"""A conference over two days reads right: the welcome names both days, /programm has day
buttons, /meine, /meinplan and change notices name the day. Texts come from the program."""

from __future__ import annotations

import asyncio
import textwrap
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.client import buttons_of, text_of
from conftest import ADMIN_ID, SettableClock, bot_running

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

TWO_DAYS = textwrap.dedent("""
    conference:
      name: {de: "Fachtage Digitale Verwaltung", en: "Digital Administration Days"}
      timezone: Europe/Berlin
      start: "2025-10-25 09:00"
      end: "2025-10-26 17:00"
      venue: {name: "Rathaus", address: "Marktplatz 1, 12345 Musterstadt"}
    sessions:
      - id: auftakt
        kind: plenary
        title: {de: "Auftakt", en: "Opening"}
        start: "2025-10-25 09:00"
        end: "2025-10-25 10:00"
        room: "Ratssaal"
      - id: labor
        kind: talk
        title: {de: "Datenlabor", en: "Data lab"}
        start: "2025-10-26 08:00"
        end: "2025-10-26 09:00"
        room: "Ratssaal"
        capacity: 10
""")


async def test_two_days_read_right_everywhere(tmp_path):
    program_file = tmp_path / "two-days.yaml"
    program_file.write_text(TWO_DAYS, encoding="utf-8")
    clock = SettableClock(datetime(2025, 10, 25, 10, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    async with bot_running(tmp_path, clock, program_file) as h:
        anna = await h.attendee("Anna")
        welcome = text_of(await anna.send("/start"))
        assert "Samstag, 25. Oktober 2025, 09:00 Uhr – Sonntag, 26. Oktober 2025, 17:00 Uhr" in welcome
        assert "Willkommen" in welcome and "Fachtage Digitale Verwaltung" in welcome
        for word in ("Workshop", "Exkursion", "Podium", "HAL-PLAN", "Halle", "Mittag"):
            assert word not in welcome, word
        assert "„Datenlabor“" in welcome  # what takes sign-ups, from the program
        replies = await anna.send("/programm")
        assert any("So 26.10." in label for label, _ in buttons_of(replies))
        assert "Datenlabor" not in text_of(replies)  # the second day is its own page
        replies = await anna.press("So 26.10.")
        assert "Sonntag, 26. Oktober 2025" in text_of(replies) and "Datenlabor" in text_of(replies)
        await anna.send("/anmelden labor")
        assert "So 26.10. 08:00" in text_of(await anna.send("/meine"))
        plan = text_of(await anna.send("/meinplan"))
        assert plan.index("Samstag, 25. Oktober") < plan.index("Auftakt") < plan.index("Sonntag, 26. Oktober") \
            < plan.index("Datenlabor")
        admin = await h.attendee("Orga", user_id=ADMIN_ID)
        await admin.send("/verschieben labor 30")
        await admin.press("Bestätigen", expect="Übernommen")
        assert "So 26.10. 08:00–09:00 Uhr → So 26.10. 08:30–09:30 Uhr" in text_of(await anna.wait())
        h.clock.set(datetime(2025, 10, 25, 20, 0, tzinfo=ZoneInfo("Europe/Berlin")))  # the evening between the days
        upcoming = text_of(await anna.send("/danach"))
        assert "So 26.10. 08:30–09:30 Datenlabor" in upcoming
        help_text = text_of(await anna.send("/hilfe"))
        assert "HAL-PLAN" not in help_text and "Mittagspause" not in help_text


async def test_reimport_through_reload_notifies_the_affected_and_keeps_additions(tmp_path):
    from pathlib import Path

    fixtures = Path(__file__).parent / "fixtures"
    source = tmp_path / "schedule.json"
    source.write_bytes((fixtures / "pretalx-dst.json").read_bytes())
    program_file = tmp_path / "program.yaml"
    program_file.write_text("source: schedule.json\nconference:\n  venue: {name: Rathaus}\n"
                            "additions:\n  ev-103: {capacity: 12}\n", encoding="utf-8")
    clock = SettableClock(datetime(2025, 10, 25, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    async with bot_running(tmp_path, clock, program_file) as h:
        anna = await h.attendee("Anna", "en")
        assert "signed up" in text_of(await anna.send("/signup ev-103")).lower()
        source.write_text(source.read_text(encoding="utf-8").replace("2025-10-25T13:00:00+02:00", "2025-10-25T14:00:00+02:00"),
                          encoding="utf-8")
        admin = await h.attendee("Orga", user_id=ADMIN_ID)
        preview = text_of(await admin.send("/reload"))
        assert "13:00–14:15 Uhr → Sa 25.10. 14:00–15:15 Uhr" in preview.replace("Sa 25.10. 13:00", "13:00")
        await admin.press("Bestätigen", expect="neu geladen")
        notice = text_of(await anna.wait())
        assert "14:00–15:15" in notice and "Sat 25 Oct" in notice
        assert h.services.program.current.session("ev-103").capacity == 12


async def test_a_schedule_linked_by_url_is_checked_and_offered_never_applied_silently(tmp_path):
    from pathlib import Path

    from aiohttp import web

    fixtures = Path(__file__).parent / "fixtures"
    served = {"body": (fixtures / "pretalx-dst.json").read_bytes(), "requests": [], "up": True}

    async def schedule(request):
        served["requests"].append(request.headers.get("If-None-Match"))
        if not served["up"]:
            return web.Response(status=503)
        etag = f'"{hash(served["body"])}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        return web.Response(body=served["body"], headers={"ETag": etag}, content_type="application/json")

    app = web.Application()
    app.router.add_get("/schedule.json", schedule)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    program_file = tmp_path / "program.yaml"
    program_file.write_text(f"source: http://127.0.0.1:{port}/schedule.json\nconference:\n  venue: {{name: Rathaus}}\n"
                            "additions:\n  ev-103: {capacity: 12}\n", encoding="utf-8")
    clock = SettableClock(datetime(2025, 10, 25, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    try:
        async with bot_running(tmp_path, clock, program_file, source_poll_seconds=1) as h:
            admin = await h.attendee("Orga", user_id=ADMIN_ID)
            await admin.send("/start")
            anna = await h.attendee("Anna")
            await anna.send("/anmelden ev-103")
            await asyncio.sleep(2.5)
            assert any(tag for tag in served["requests"])  # conditional requests: unchanged costs a 304
            assert "neue Fassung" not in text_of(await admin.messages_as_outputs())
            served["body"] = served["body"].replace(b"2025-10-25T13:00:00+02:00", b"2025-10-25T14:00:00+02:00")
            offer = text_of(await admin.wait(timeout=10))
            assert "neue Fassung" in offer and "14:00–15:15" in offer
            current = h.services.program.current
            assert current.local(current.session("ev-103").start).hour == 13  # not applied yet
            served["up"] = False
            await asyncio.sleep(1.5)  # unreachable: the last good program stays
            await admin.press("Bestätigen", expect="neu geladen")
            assert "14:00–15:15" in text_of(await anna.wait())
    finally:
        await runner.cleanup()


async def test_an_imported_two_day_schedule_reads_right_in_both_languages(tmp_path):
    from pathlib import Path

    schedule = tmp_path / "schedule.json"
    schedule.write_bytes((Path(__file__).parent / "fixtures" / "pretalx-dst.json").read_bytes())
    clock = SettableClock(datetime(2025, 10, 25, 12, 50, tzinfo=ZoneInfo("Europe/Berlin")))
    async with bot_running(tmp_path, clock, schedule) as h:  # BOT_PROGRAM names the schedule itself
        anna, ben = await h.attendee("Anna"), await h.attendee("Ben", "en")
        assert "Samstag, 25. Oktober 2025, 09:00 Uhr – Sonntag, 26. Oktober 2025, 10:30 Uhr" in text_of(await anna.send("/start"))
        assert "Saturday, 25 October 2025, 09:00 – Sunday, 26 October 2025, 10:30" in text_of(await ben.send("/start"))
        await anna.send("/start ev-103")
        await anna.press("Merken")
        reminder = text_of(await anna.wait(timeout=10))  # bookmarked inside the window: at once
        assert "Sa 25.10. 13:00–14:15 Uhr" in reminder
        await ben.send("/start ev-202")
        await ben.press("Remind me")
        plan = text_of(await ben.send("/myplan"))
        assert "Sunday, 26 October 2025" in plan and "Abschluss" in plan
        replies = await ben.send("/program")
        assert any("Sun 26 Oct" in label for label, _ in buttons_of(replies))


async def test_the_program_opens_at_today_and_a_session_leads_back_to_its_day(tmp_path):
    program_file = tmp_path / "two-days.yaml"
    program_file.write_text(TWO_DAYS, encoding="utf-8")
    clock = SettableClock(datetime(2025, 10, 26, 8, 30, tzinfo=ZoneInfo("Europe/Berlin")))  # the second day
    async with bot_running(tmp_path, clock, program_file) as h:
        anna = await h.attendee("Anna")
        assert "Sonntag, 26. Oktober 2025" in text_of(await anna.send("/programm"))
        await anna.send("/start")
        assert "Sonntag, 26. Oktober 2025" in text_of(await anna.press("📋 Programm"))
        await anna.press("Sa 25.10.")
        await anna.press("s:auftakt")
        assert "Samstag, 25. Oktober 2025" in text_of(await anna.press("⬅️ Programm"))
        await anna.send("/start labor")
        assert "Sonntag, 26. Oktober 2025" in text_of(await anna.press("⬅️ Programm"))
