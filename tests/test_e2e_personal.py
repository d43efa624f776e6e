"""My day and calendar files, feedback, exhibitors, and the privacy self-service."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.messages import FeedbackPrompt
from bot.sandbox.client import text_of
from bot.storage import AttendeeInfo
from conftest import ADMIN_ID, berlin, bot_running, database_for, query, table_names

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox


def parse_ics(data: bytes) -> list[dict]:
    """A deliberately small, independent reader: unfold lines, split properties, one dict per VEVENT."""
    lines = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")
    events, current, depth = [], None, []
    for line in lines:
        if not line:
            continue
        name, _, value = line.partition(":")
        key, *params = name.split(";")
        if key == "BEGIN":
            depth.append(value)
            if value == "VEVENT":
                current = {"params": {}}
        elif key == "END":
            depth.pop()
            if value == "VEVENT":
                events.append(current)
                current = None
        elif current is not None and depth[-1] == "VEVENT":
            current[key] = value
            current["params"][key] = dict(p.split("=", 1) for p in params)
        elif current is not None and depth[-1] == "VALARM":
            current.setdefault("ALARM", {})[key] = value
    return events


def local(event: dict, key: str) -> datetime:
    zone = ZoneInfo(event["params"][key]["TZID"])
    return datetime.strptime(event[key], "%Y%m%dT%H%M%S").replace(tzinfo=zone)


async def test_my_day_flags_overlaps_and_the_calendar_file_round_trips(harness):
    anna = await harness.attendee()
    await anna.send("/anmelden ws-zwilling")
    await anna.send("/start ws-beteiligung")
    await anna.press("Merken")
    await anna.send("/erinnerung")
    await anna.press("10 Min.")
    text = text_of(await anna.send("/meinplan", expect="Ihr Tag"))
    assert "✅ 13:15–14:30 Workshop 1: Digitale Zwillinge" in text and "⭐ 13:15–14:30 Workshop 3" in text
    assert "überschneidet sich mit „Workshop 3" in text and "• 09:30–09:55 Begrüßung" in text
    assert "Workshop 2" not in text  # a parallel workshop I have nothing to do with
    replies = await anna.press("Kalenderdatei", expect="Kalenderdatei")
    document = [o for o in replies if o["kind"] == "sendDocument"][0]["message"]["document"]
    events = {e["UID"]: e for e in parse_ics(await harness.client.file(document["file_id"]))}
    workshop = events["ws-zwilling@rk22-halle.konferenz-bot"]
    assert local(workshop, "DTSTART") == berlin("2025-06-03 13:15") and local(workshop, "DTEND") == berlin("2025-06-03 14:30")
    assert workshop["params"]["DTSTART"]["TZID"] == "Europe/Berlin" and "Seminarraum 1" in workshop["LOCATION"]
    assert workshop["ALARM"]["TRIGGER"] == "-PT10M"
    assert "begruessung@rk22-halle.konferenz-bot" in events
    data = await harness.client.file(document["file_id"])
    assert b"BEGIN:VTIMEZONE" in data and b"TZID:Europe/Berlin" in data
    # a live change is in the next file, with the same UID and a higher SEQUENCE
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    await admin.send("/verschieben ws-zwilling 30", expect="Vorschau")
    await admin.press("Bestätigen", expect="Übernommen")
    harness.clock.set(harness.clock.now() + timedelta(minutes=5))
    replies = await anna.send("/start ws-zwilling", expect="Digitale Zwillinge")
    replies = await anna.press("In den Kalender", expect="Kalendertermin")
    document = [o for o in replies if o["kind"] == "sendDocument"][0]["message"]["document"]
    (moved,) = parse_ics(await harness.client.file(document["file_id"]))
    assert moved["UID"] == workshop["UID"] and int(moved["SEQUENCE"]) > int(workshop["SEQUENCE"])
    assert local(moved, "DTSTART") == berlin("2025-06-03 13:45")


@pytest.mark.postgres_too
async def test_feedback_once_per_session_and_organizer_report(tmp_path):
    from bot.clock import RehearsalClock

    clock = RehearsalClock(berlin("2025-06-03 11:49:57"), 1)
    async with bot_running(tmp_path, clock) as h:
        anna, ben = await h.attendee("Anna"), await h.attendee("Ben", "en")
        for person in (anna, ben):
            await person.send("/start podium")
            await person.press("bm:podium")
        admin = await h.attendee("Orga", user_id=ADMIN_ID)
        h.services.replan()
        prompt = await anna.wait(timeout=15)
        assert "Wie fanden Sie „Podiumsdiskussion" in text_of(prompt)
        replies = await anna.press("fb:podium:4", expect="Danke für Ihre Bewertung")
        replies = await anna.send("Sehr lebendig, mehr Zeit für Fragen!", expect="Kommentar ist angekommen")
        again = await anna.press("fb:podium:1", expect="bereits bewertet")
        assert "bereits bewertet" in text_of(again)
        await ben.wait(timeout=15)
        await ben.press("fb:podium:2", expect="Thank you")
        report = text_of(await admin.send("/feedback", expect="Feedback"))
        assert "Ø 3,0 (2 Bewertungen)" in report and "Sehr lebendig" in report
        assert "Organisationsteam vorbehalten" in text_of(await anna.send("/feedback"))
        replies = await admin.send("/feedback export", expect="Bewertungen")
        document = [o for o in replies if o["kind"] == "sendDocument"][0]["message"]["document"]
        csv_text = (await h.client.file(document["file_id"])).decode("utf-8-sig")
        assert "podium;Podiumsdiskussion" in csv_text and csv_text.count("\n") == 3
        assert query(h.services.settings.database_path, "SELECT COUNT(*) FROM feedback") == [(2,)]


async def test_exhibitors_are_listed_and_found(harness):
    anna = await harness.attendee()
    text = text_of(await anna.send("/aussteller"))
    assert "HAL-PLAN – der digitale Zwilling" in text and "Stand F1" in text
    text = text_of(await anna.send("buergerbeteiligung"))
    assert "Digitale Beteiligung" in text and "Stand F3" in text


@pytest.mark.postgres_too
async def test_privacy_notice_export_and_deletion_leave_nothing(harness):
    storage = harness.services.storage
    anna, ben = await harness.attendee("Anna"), await harness.attendee("Ben")
    text = text_of(await anna.send("/datenschutz"))
    assert "DLR Projektträger" in text and "30 Tage" in text and "Donnerstag, 3. Juli 2025" in text
    assert "/datenschutz" in text_of(await anna.send("/start"))  # linked from the welcome
    small = harness.services.program.replace(overrides=[])  # the shipped program: exkursion has 25 seats
    for i in range(25):
        await storage.attendees.touch(AttendeeInfo(800_000 + i, 800_000 + i, f"X{i}"), harness.clock.now())
        await storage.registrations.sign_up(small, "exkursion", 800_000 + i, i, harness.clock.now())
    await anna.send("/anmelden ws-zwilling")
    await anna.send("/anmelden exkursion")  # waitlisted? no: 25 taken, so she waits
    await ben.send("/anmelden exkursion")
    await anna.send("/start podium")
    await anna.press("Merken")
    await storage.outbox.enqueue([(anna.id, FeedbackPrompt("podium"))],
                                 harness.clock.now() + timedelta(hours=1), harness.clock.now())
    replies = await anna.send("/meinedaten", expect="gespeichert")
    document = [o for o in replies if o["kind"] == "sendDocument"][0]["message"]["document"]
    exported = json.loads(await harness.client.file(document["file_id"]))
    assert exported["attendee"][0]["first_name"] == "Anna"
    assert {r["session_id"] for r in exported["registrations"]} == {"ws-zwilling", "exkursion"}
    assert exported["bookmarks"][0]["session_id"] == "podium" and exported["messages_to_you"]
    await storage.registrations.cancel(small, "exkursion", 800_000, harness.clock.now())  # anna moves up
    await anna.send("/loeschen", expect="löschen")
    await anna.press("Ja, alles löschen", expect="Erledigt")
    database = harness.services.settings.database_path
    for table, column in (("attendees", "user_id"), ("registrations", "user_id"), ("registration_history", "user_id"),
                          ("bookmarks", "user_id"), ("outbox", "user_id"), ("feedback", "user_id"),
                          ("conversations", "user_id"), ("outbox", "chat_id")):
        assert query(database, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (anna.id,)) == [(0,)], table
    dump = "\n".join(repr(row) for table in table_names(database) for row in query(database, f"SELECT * FROM {table}"))
    assert "Anna" not in dump and str(anna.id) not in dump
    await asyncio.sleep(0.5)
    ben_regs = {r.session_id: r.state for r in await storage.registrations.of_person(ben.id)}
    assert ben_regs == {"exkursion": "confirmed"}  # her freed seat went to the next in line
    assert "Ein Platz ist frei geworden" in text_of(await ben.wait(timeout=10))


async def test_retention_purge_at_the_rehearsal_clock(tmp_path):
    from bot.clock import RehearsalClock

    clock = RehearsalClock(berlin("2025-07-03 15:59:58"), 1)  # 30 days after the end, minus two seconds
    async with bot_running(tmp_path, clock) as h:
        anna = await h.attendee("Anna")
        await anna.send("/start podium")
        await h.services.storage.bookmarks.toggle(anna.id, "podium", clock.now())  # long over: no button for it
        h.services.replan()
        await asyncio.sleep(3.5)
        assert await h.services.storage.privacy.purged_at() is not None
        for table in ("attendees", "bookmarks", "outbox"):
            assert query(h.services.settings.database_path, f"SELECT COUNT(*) FROM {table}") == [(0,)], table


def test_purge_command_on_demand(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT
    database = database_for(tmp_path / "p.sqlite3")
    env = {**os.environ, "BOT_DATABASE": str(database)}
    result = subprocess.run([sys.executable, "-m", "bot", "purge", "--yes"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "purged" in result.stdout


async def test_the_extras_speak_english_too(harness):
    ben = await harness.attendee("Ben", "en")
    await ben.send("/signup ws-mobilitaet")
    assert "Your day" in text_of(await ben.send("/myplan", expect="Your day"))
    assert "What I store" in text_of(await ben.send("/privacy", expect="Privacy"))
    assert "Exhibitors" in text_of(await ben.send("/exhibitors"))
    assert "Networking" in text_of(await ben.send("/network"))
    harness.clock.set(berlin("2025-06-03 11:10"))
    assert "anonymously" in text_of(await ben.send("/question Will the slides be shared?", expect="question"))
    assert "Delete all your data?" in text_of(await ben.send("/delete"))
    replies = await ben.send("/mydata", expect="Everything stored")
    assert any(o["kind"] == "sendDocument" for o in replies)


async def test_calendar_alarms_follow_both_lead_times_and_the_bus_can_be_off(harness):
    anna = await harness.attendee("Anna")
    await anna.send("/anmelden exkursion")
    await anna.send("/start podium")
    await anna.press("Merken")
    await anna.send("/erinnerung", expect="Erinnerungen")
    await anna.press("5 Min.")
    await anna.press("🚌 Aus")
    await anna.send("/meinplan", expect="Ihr Tag")
    replies = await anna.press("Kalenderdatei", expect="Kalenderdatei")
    document = [o for o in replies if o["kind"] == "sendDocument"][0]["message"]["document"]
    data = (await harness.client.file(document["file_id"])).decode("utf-8")
    events = {e["UID"].split("@")[0]: e for e in parse_ics(data.encode("utf-8"))}
    assert "Bushaltestelle" in events["exkursion"]["LOCATION"]
    blocks = data.split("BEGIN:VEVENT")
    podium = next(b for b in blocks if "UID:podium@" in b)
    excursion = next(b for b in blocks if "UID:exkursion@" in b)
    welcome = next(b for b in blocks if "UID:begruessung@" in b)
    assert "TRIGGER:-PT5M" in podium and "VALARM" not in excursion and "VALARM" not in welcome
