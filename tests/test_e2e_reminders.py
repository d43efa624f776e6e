"""Reminders through the real bot and sandbox, with the rehearsal clock running fast."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest

from bot.clock import RehearsalClock
from bot.sandbox.client import SandboxClient, text_of
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer
from conftest import PROGRAM_FILE, ROOT, berlin, bot_running, database_for, query, wait_until

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

SPEED = 600  # ten conference minutes per real second


def retime(h, clock: RehearsalClock, start, speed: float) -> None:
    """Move the rehearsal clock, and tell the bot, as a restart with new settings would."""
    clock.start, clock._real_start, clock.speed = start, time.monotonic(), speed
    h.services.replan()
    h.services.delivery.wake()


def reminder_outputs(sandbox, marker: str = "⏰") -> list[dict]:
    return [o for o in sandbox.outputs if o["kind"] == "sendMessage" and marker in o["message"].get("text", "")]



async def test_reminders_arrive_before_the_session_once_each(tmp_path):
    clock = RehearsalClock(berlin("2025-06-03 12:40"), speed=1)
    async with bot_running(tmp_path, clock) as h:
        anna, ben, cem, dora = [await h.attendee(n, lang) for n, lang in (("Anna", "de"), ("Ben", "en"), ("Cem", "de"), ("Dora", "de"))]
        await anna.send("/anmelden ws-zwilling")
        await ben.send("/signup ws-mobilitaet")
        await cem.send("/erinnerung")
        await cem.press("5 Min.")
        await cem.send("/anmelden ws-beteiligung")
        await dora.send("/start podium")  # podium lies in the past at 12:40: no reminder
        await dora.send("/start exkursion")
        await dora.press("Merken")
        started = len(h.sandbox.outputs)
        retime(h, clock, clock.now(), SPEED)  # 12:40 → 14:46 in ~13 s
        await wait_until(lambda: clock.now() >= berlin("2025-06-03 14:46"), 30)
        await asyncio.sleep(0.5)
        reminders = [o for o in h.sandbox.outputs[started:] if o["kind"] == "sendVenue" or o["kind"] == "sendMessage"
                     and o["message"]["text"].startswith(("⏰", "🚌"))]  # not the feedback questions after sessions
        others = [o["message"]["text"][:40] for o in h.sandbox.outputs[started:] if o["kind"] == "sendMessage" and o not in reminders]
        assert all("Wie fanden Sie" in text or "How did you like" in text for text in others), others
        by_chat = Counter(o["chat_id"] for o in reminders)
        assert by_chat == {anna.id: 1, ben.id: 1, cem.id: 1, dora.id: 2}, by_chat  # Dora: text + meeting point
        assert "In 15 Min." in text_of([o for o in reminders if o["chat_id"] == anna.id])
        assert "In 15 min" in text_of([o for o in reminders if o["chat_id"] == ben.id])
        assert "In 5 Min." in text_of([o for o in reminders if o["chat_id"] == cem.id])
        dora_texts = text_of([o for o in reminders if o["chat_id"] == dora.id])
        assert "Der Bus fährt um 14:45 Uhr, in " in dora_texts and "Treffpunkt: Bushaltestelle vor dem MMZ Mansfelder" in dora_texts
        now_wall, now_conference = time.time(), clock.now()
        for output in reminders:  # each went out before its session started
            sent_at = now_conference - timedelta(seconds=(now_wall - output["time"]) * SPEED)
            assert sent_at < berlin("2025-06-03 13:15" if output["chat_id"] != dora.id else "2025-06-03 14:45")


async def test_cancelled_signup_gets_no_reminder_and_waitlist_is_told(tmp_path):
    text = PROGRAM_FILE.read_text(encoding="utf-8").replace("capacity: 25", "capacity: 1")
    program_file = tmp_path / "program.yaml"
    program_file.write_text(text, encoding="utf-8")
    clock = RehearsalClock(berlin("2025-06-03 13:50"), speed=1)
    async with bot_running(tmp_path, clock, program_file) as h:
        anna, ben, cem = [await h.attendee(n) for n in ("Anna", "Ben", "Cem")]
        await anna.send("/anmelden exkursion")
        await ben.send("/anmelden exkursion")  # waitlist 1
        await cem.send("/anmelden ws-zwilling")
        await cem.send("/anmelden exkursion")  # waitlist 2
        await cem.send("/abmelden exkursion")
        retime(h, clock, clock.now(), SPEED)
        await wait_until(lambda: clock.now() >= berlin("2025-06-03 14:20"), 15)
        await asyncio.sleep(0.5)
        texts = {chat: text_of([o for o in h.sandbox.outputs if o["chat_id"] == chat and o["seq"] > 0]) for chat in (anna.id, ben.id, cem.id)}
        assert "Der Bus fährt um" in texts[anna.id]
        assert "kein Platz frei geworden" in texts[ben.id] and "Platz 1 der Warteliste" in texts[ben.id]
        assert "Der Bus fährt" not in texts[cem.id] and "kein Platz" not in texts[cem.id]


async def test_429_and_blocked_users_lose_nothing_deliverable(tmp_path):
    clock = RehearsalClock(berlin("2025-06-03 12:30"), speed=1)
    async with bot_running(tmp_path, clock) as h:
        people = []
        for i in range(40):
            person = await h.attendee(f"P{i}")
            people.append(person)
            await h.client.message(person.id, "/anmelden ws-zwilling")
        await wait_until(lambda: len([o for o in h.sandbox.outputs if o["kind"] == "sendMessage"]) >= 40, 30)
        blocked = {p.id for p in people[:4]}
        for user_id in blocked:
            await h.client.block(user_id)
        await h.client.configure(faults={"rate_429": 0.3, "retry_after": 1, "methods": ["sendMessage"], "seed": 7},
                                 limits={"global_per_second": 30})
        # 60x: the 15 minutes between a reminder and its session last 15 real seconds, time
        # enough for retries after 429s of one second
        retime(h, clock, berlin("2025-06-03 12:58"), 60)
        expected = {p.id for p in people} - blocked
        await wait_until(lambda: {o["chat_id"] for o in reminder_outputs(h.sandbox)} >= expected, 40)
        counts = Counter(o["chat_id"] for o in reminder_outputs(h.sandbox))
        assert set(counts) == expected and set(counts.values()) == {1}
        for _ in range(200):  # the blocked people's sends may still be under way (429s, retries)
            rows = await h.services.storage.outbox.rows("reminder")
            failed = {r.user_id for r in rows if r.state == "failed"}
            if failed >= blocked:
                break
            await asyncio.sleep(0.1)
        assert failed == blocked
        for user_id in blocked:
            assert not (await h.services.storage.attendees.get(user_id)).reachable
        sends = sorted(r["time"] for r in h.sandbox.requests if r["method"] == "sendMessage" and r.get("status") == 200)
        assert max(sum(1 for t in sends if s <= t < s + 1) for s in sends) <= 30


def _bot_process(server, database, clock_start: str, speed: int) -> subprocess.Popen:
    env = {**os.environ, "BOT_TOKEN": DEFAULT_TOKEN, "BOT_API_URL": server.api_url, "BOT_DATABASE": str(database),
           "BOT_PROGRAM": str(PROGRAM_FILE), "BOT_CLOCK_START": clock_start, "BOT_CLOCK_SPEED": str(speed),
           "BOT_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


@pytest.mark.postgres_too
async def test_kill_9_mid_day_no_duplicates_and_catch_up(tmp_path):
    server = await SandboxServer().start()
    client = SandboxClient(server.url)
    database = database_for(tmp_path / "day.sqlite3")
    process = _bot_process(server, database, "2025-06-03T10:30:00+02:00", 1)
    try:
        anna = await client.add_user("Anna")
        await anna.send("/start podium", timeout=30)
        await anna.press("Merken")  # podium 11:05, reminder at 10:50
        await anna.send("/anmelden ws-zwilling")  # reminder at 13:00
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 20)
        # restart at 10:55: the podium reminder fell due while down and is caught up
        process = _bot_process(server, database, "2025-06-03T10:55:00+02:00", 1)
        await wait_until(lambda: len(reminder_outputs(server.sandbox)) >= 1, 30)
        assert "Podiumsdiskussion" in reminder_outputs(server.sandbox)[0]["message"]["text"]
        # killed once the send is recorded: a kill between Telegram's answer and that record leaves
        # the row in flight, and the restart rightly drops a reminder for a session already begun
        await wait_until(lambda: [tuple(r) for r in query(database, "SELECT state FROM outbox WHERE kind = 'reminder'")]
                         == [("sent",)], 10)
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait, 10)
        # again, and the day runs fast past 13:00: the podium reminder is not repeated, the workshop one comes
        process = _bot_process(server, database, "2025-06-03T12:55:00+02:00", 60)
        await wait_until(lambda: len(reminder_outputs(server.sandbox)) >= 2, 30)
        await asyncio.sleep(1)
        texts = [o["message"]["text"] for o in reminder_outputs(server.sandbox)]
        assert len(texts) == 2 and "Digitale Zwillinge" in texts[1]
        states = dict(query(database, "SELECT kind, state FROM outbox WHERE kind = 'reminder'"))
        assert states == {"reminder": "sent"}
    finally:
        process.kill()
        await asyncio.to_thread(process.wait, 10)
        await client.close()
        await server.stop()


async def test_signing_up_inside_the_window_reminds_at_once(tmp_path):
    clock = RehearsalClock(berlin("2025-06-03 13:02"), speed=1)
    async with bot_running(tmp_path, clock) as h:
        anna, ben = await h.attendee("Anna"), await h.attendee("Ben", "en")
        await anna.send("/anmelden ws-zwilling")
        await ben.send("/signup ws-zwilling")
        for person in (anna, ben):
            await wait_until(lambda: any(o["chat_id"] == person.id for o in reminder_outputs(h.sandbox)), 10)
        (reminder,) = [o for o in reminder_outputs(h.sandbox) if o["chat_id"] == anna.id]
        assert "In 13 Min." in reminder["message"]["text"] and "Digitale Zwillinge" in reminder["message"]["text"]
        (reminder,) = [o for o in reminder_outputs(h.sandbox) if o["chat_id"] == ben.id]
        assert "In 13 min:" in reminder["message"]["text"] and "Digital twins" in reminder["message"]["text"]


async def test_the_excursion_keeps_its_own_lead_time_in_the_menu(harness):
    anna = await harness.attendee("Anna")
    ben = await harness.attendee("Ben", "en")
    await anna.send("/erinnerung", expect="Erinnerungen")
    replies = await anna.press("5 Min.")
    menu = text_of(await anna.messages_as_outputs())
    assert "Programmpunkte: 5 Minuten vorher" in menu and "Bus zur Exkursion" in menu and "30 Minuten vor Abfahrt" in menu
    assert replies and any("✅ 5 Min." in b["text"] for row in (await anna.messages())[-1]["reply_markup"]["inline_keyboard"]
                           for b in row)
    await anna.press("🚌 45 Min.")
    attendee = await harness.services.storage.attendees.get(anna.id)
    assert (attendee.reminder_minutes, attendee.excursion_minutes) == (5, 45)
    await ben.send("/reminders", expect="Reminders")
    await ben.press("🚌 Off")
    assert "Excursion bus (with the meeting point on the map): off" in text_of(await ben.messages_as_outputs())
