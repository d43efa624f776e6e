"""Organizer announcements and live program changes, end to end through the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

from bot.sandbox.client import SandboxClient, buttons_of, text_of
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer
from bot.storage import AttendeeInfo
from conftest import ADMIN_ID, PROGRAM_FILE, ROOT, berlin, bot_running, database_for, wait_until
from postgres import execute

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox


def entity_text(text: str, entity: dict) -> str:
    encoded = text.encode("utf-16-le")
    return encoded[2 * entity["offset"]: 2 * (entity["offset"] + entity["length"])].decode("utf-16-le")


def announcement_outputs(sandbox, kinds=("sendMessage", "sendPhoto")) -> list[dict]:
    """Announcements as delivered (not the organizer's previews of them)."""
    found = []
    for output in sandbox.outputs:
        message = output.get("message") or {}
        text = message.get("text") or message.get("caption") or ""
        if output["kind"] in kinds and text.startswith(("📢 Durchsage des Organisationsteams", "📢 Announcement from the organizers")):
            found.append(output)
    return found


@pytest.mark.postgres_too
async def test_broadcast_to_everyone_with_formatting_preview_and_report(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    people = [await harness.attendee(n, lang) for n, lang in (("Anna", "de"), ("Ben", "en"), ("Cem", "de"))]
    for person in people:
        await person.send("/start")
    replies = await admin.send("/durchsage")
    assert "Neue Durchsage" in text_of(replies)
    text = "Der Bus fährt 10 Minuten später. <Bitte> & danke!"
    replies = await admin.send(text, entities=[{"type": "bold", "offset": 0, "length": 7}])
    assert any("Alle (4)" in label for label, _ in buttons_of(replies))  # the three attendees and the organizer
    replies = await admin.press("Alle")
    preview = text_of(replies)
    assert "Vorschau" in preview and "Empfänger: 4" in preview and "<Bitte> & danke!" in preview
    await admin.press("Jetzt senden")
    await wait_until(lambda: len(announcement_outputs(harness.sandbox)) >= 4, 20)
    for person in people:
        messages = [m for m in await person.messages() if "Bus fährt" in (m.get("text") or "")]
        assert len(messages) == 1
        bold = [entity_text(messages[0]["text"], e) for e in messages[0]["entities"] if e["type"] == "bold"]
        assert "Der Bus" in bold  # the organizer's formatting arrived
    english = [m for m in await people[1].messages() if "Bus" in (m.get("text") or "")][0]["text"]
    assert english.startswith("📢 Announcement from the organizers")
    await wait_until(lambda: "Bericht" in text_of([o for o in harness.sandbox.outputs if o["chat_id"] == ADMIN_ID
                                                  and o["kind"] == "editMessageText"]), 15)
    report = [o for o in harness.sandbox.outputs if o["chat_id"] == ADMIN_ID and o["kind"] == "editMessageText"][-1]
    assert "Zugestellt: 4 von 4" in report["message"]["text"]
    again = await admin.press("Jetzt senden")  # a second tap on "send"
    assert "nichts wird doppelt" in text_of(again)
    await asyncio.sleep(0.5)
    assert len(announcement_outputs(harness.sandbox)) == 4


async def test_audiences_session_groups_and_excursion(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    anna, ben, cem, dora = [await harness.attendee(n) for n in ("Anna", "Ben", "Cem", "Dora")]
    await anna.send("/anmelden ws-zwilling")
    await ben.send("/anmelden exkursion")
    await cem.send("/start podium")
    await cem.press("Merken")
    # each step waits for its own answer: progress reports of earlier rounds arrive in between
    for target, path, expected in (
        ("confirmed:ws-zwilling", [("Personen eines", "Welcher"), ("Workshop 1", "Digitale Zwillinge"), ("Angemeldete", "Vorschau")], {anna.id}),
        ("excursion", [("Exkursionsgruppe", "Vorschau")], {ben.id}),
        ("bookmarked:podium", [("Personen eines", "Welcher"), ("Podiumsdiskussion", "Podiumsdiskussion"), ("Gemerkt", "Vorschau")], {cem.id}),
    ):
        before = len(harness.sandbox.outputs)
        await admin.send(f"/durchsage Nachricht an {target}", expect="Wer soll")
        for label, answer in path:
            await admin.press(label, expect=answer)
        await admin.press("Jetzt senden")
        await wait_until(lambda: any(target in ((o.get("message") or {}).get("text") or "")
                                     for o in harness.sandbox.outputs[before:] if o["chat_id"] != ADMIN_ID), 10)
        await asyncio.sleep(0.3)
        got = {o["chat_id"] for o in harness.sandbox.outputs[before:]
               if o["kind"] == "sendMessage" and target in (o["message"].get("text") or "") and o["chat_id"] != ADMIN_ID}
        assert got == expected, (target, got)
    assert dora.id not in {o["chat_id"] for o in announcement_outputs(harness.sandbox)}


@pytest.mark.postgres_too
async def test_correct_and_withdraw_reach_every_recipient(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    people = [await harness.attendee(f"P{i}") for i in range(5)]
    for person in people:
        await person.send("/start")
    await admin.send("/durchsage Treffpunkt ist Raum 1")
    await admin.press("Alle")
    await admin.press("Jetzt senden")
    await wait_until(lambda: len(announcement_outputs(harness.sandbox)) >= 6, 10)
    await asyncio.sleep(2.5)  # the report is in
    replies = await admin.send("/durchsagen")
    (sent,) = await harness.services.storage.announcements.recent(states=("done",))
    assert f"#{sent.id}" in text_of(replies) and "6/6 zugestellt" in text_of(replies)
    assert "· gesendet\n" in text_of(replies)  # its state, not "zugestellt" again before the count
    await admin.press("korrigieren")
    replies = await admin.send("Treffpunkt ist Raum 2")
    assert f"Korrektur von Durchsage #{sent.id}" in text_of(replies)
    await admin.press("Bestätigen")
    await wait_until(lambda: len([o for o in harness.sandbox.outputs if o["kind"] == "editMessageText"
                                  and "Raum 2" in o["message"]["text"]]) >= 6, 10)
    for person in people:
        texts = [m.get("text", "") for m in await person.messages()]
        assert any("Raum 2" in text for text in texts) and not any("Raum 1" in text for text in texts)
        assert any("korrigiert" in text for text in texts)  # the edited copy says it changed
    await admin.send("/durchsagen")
    await admin.press("zurückziehen")
    await admin.press("Bestätigen")
    await wait_until(lambda: len([o for o in harness.sandbox.outputs if o["kind"] == "deleteMessage"]) >= 6, 10)
    for person in people:
        assert not any("Treffpunkt" in (m.get("text") or "") for m in await person.messages())


async def test_scheduled_announcement_from_chat_and_from_program_file(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    anna = await harness.attendee("Anna")
    await anna.send("/start")
    await admin.send("/durchsage Gleich geht es weiter!")
    await admin.press("Alle")
    await admin.press("Später senden")
    replies = await admin.send("11:00")
    assert "Geplant für Di 3.06. 11:00 Uhr" in text_of(replies)
    listed = text_of(await admin.send("/geplant"))
    assert "Gleich geht es weiter" in listed and "Mittagessen ist eröffnet" in listed
    harness.clock.set(berlin("2025-06-03 11:00"))
    harness.services.replan()
    anna_texts = text_of(await anna.wait(timeout=10))
    assert "Gleich geht es weiter" in anna_texts
    harness.clock.set(berlin("2025-06-03 12:30:30"))
    harness.services.replan()
    assert "Mittagessen ist eröffnet" in text_of(await anna.wait(timeout=10))
    await admin.send("/geplant", expect="Geplante Durchsagen")
    replies = await admin.press("absagen", expect="abgesagt")  # the bus notice, still planned
    assert "abgesagt" in text_of(replies)
    harness.clock.set(berlin("2025-06-03 14:40"))
    harness.services.replan()
    await asyncio.sleep(1)
    assert "Bus zur Exkursion steht bereit" not in text_of(anna.history + await anna.messages_as_outputs())


async def test_non_admin_can_do_none_of_it(harness, caplog):
    anna = await harness.attendee("Anna")
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    await admin.send("/durchsage Echt")  # a real draft exists
    (draft,) = await harness.services.storage.announcements.recent(states=("draft",))
    for command in ("/durchsage Hallo alle", "/durchsagen", "/geplant", "/verschieben podium 10", "/raum podium Keller",
                    "/absagen podium", "/reload", "/feedback"):
        assert "Organisationsteam vorbehalten" in text_of(await anna.send(command)), command
    replies = await anna.send("/start")
    number = draft.id
    for data in (f"ay:{number}", f"ab:{number}:all", f"ae:{number}", f"aw:{number}", "ok:1", "no:1"):
        answer = await anna.tap(data, replies[0]["message_id"], forge=True, expect_message=False)
        assert "Organisationsteam vorbehalten" in text_of(answer), data
    assert (await harness.services.storage.announcements.get(number)).state == "draft"
    assert announcement_outputs(harness.sandbox) == []
    assert "refused organizer function" in caplog.text


@pytest.mark.postgres_too
async def test_delay_moves_program_notifies_exactly_the_affected_and_survives_restart(tmp_path, clock):
    server = await SandboxServer().start()
    database = tmp_path / "changes.sqlite3"
    try:
        async with bot_running(tmp_path, clock, server=server, database=database) as h:
            admin = await h.attendee("Orga", user_id=ADMIN_ID)
            anna, ben, cem = [await h.attendee(n) for n in ("Anna", "Ben", "Cem")]
            await anna.send("/start podium")
            await anna.press("Merken")
            await ben.send("/anmelden ws-zwilling")
            await cem.send("/start")
            replies = await admin.send("/verschieben smart-city-halle 15 folgende")
            preview = text_of(replies)
            assert "10:20–11:05 Uhr → 10:35–11:20 Uhr" in preview and "11:05–11:50 Uhr → 11:20–12:05 Uhr" in preview
            assert "Benachrichtigt werden 4 Personen " in preview  # plenaries: everybody is there
            await admin.press("Bestätigen")
            notice = text_of(await anna.wait())
            assert "Programmänderung" in notice and "11:05–11:50 Uhr → 11:20–12:05 Uhr" in notice
            assert "11:05–11:50 Uhr → 11:20–12:05 Uhr" in text_of(await cem.wait(expect="Programmänderung"))
            listed = text_of(await cem.send("/programm"))
            assert "11:20–12:05" in listed and "⏱ 15 Min. später" in listed  # said in the list, not only by its time
            again = await admin.press("Bestätigen")  # double tap
            assert "bereits erledigt" in text_of(again)
            await ben.wait(expect="Programmänderung")
            await admin.send("/raum ws-zwilling Saal 2")
            await admin.press("Bestätigen")
            assert "Seminarraum 1 → Saal 2" in text_of(await ben.wait())
            await asyncio.sleep(0.5)  # a workshop's room: only who holds a seat or bookmarked it is told
            assert not [o for o in h.sandbox.outputs if o["chat_id"] in (anna.id, cem.id) and "Saal 2" in
                        ((o.get("message") or {}).get("text") or "")]
            await admin.send("/absagen exkursion")
            replies = await admin.press("Bestätigen")
            assert "0 Personen" in text_of(replies)
            plan = {r.session_id: r.due for r in __import__("bot.domain.reminders", fromlist=["plan"]).plan(
                h.services.program.current, await h.services.storage.audiences.reminder_subjects())}
            assert plan["podium"] == berlin("2025-06-03 11:05")  # the reminder moved with the session
        async with bot_running(tmp_path, clock, server=server, database=database) as h:
            current = h.services.program.current
            assert current.session("podium").start == berlin("2025-06-03 11:20")
            assert current.session("ws-zwilling").room == "Saal 2" and current.session("exkursion").cancelled
            cem.client = client = SandboxClient(server.url)
            text = text_of(await cem.send("/programm"))
            await client.close()
            assert "abgesagt" in text and "11:20–12:05" in text
    finally:
        await server.stop()


async def test_reload_with_changes_previews_then_notifies(tmp_path, clock):
    program_file = tmp_path / "program.yaml"
    program_file.write_text(PROGRAM_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    async with bot_running(tmp_path, clock, program_file) as h:
        admin = await h.attendee("Orga", user_id=ADMIN_ID)
        anna = await h.attendee("Anna")
        await anna.send("/anmelden ws-mobilitaet")
        program_file.write_text(program_file.read_text(encoding="utf-8").replace('room: "Seminarraum 2"', 'room: "Hörsaal"'),
                                encoding="utf-8")
        replies = await admin.send("/reload")
        assert "Vorschau" in text_of(replies) and "Seminarraum 2 → Hörsaal" in text_of(replies)
        assert h.services.program.current.session("ws-mobilitaet").room == "Seminarraum 2"  # not before confirming
        await admin.press("Bestätigen")
        assert "Seminarraum 2 → Hörsaal" in text_of(await anna.wait())
        assert h.services.program.current.session("ws-mobilitaet").room == "Hörsaal"


async def _many_attendees(h, count: int, start: int = 500_000) -> list[int]:
    ids = list(range(start, start + count))
    now = h.clock.now()
    for user_id in ids:
        h.sandbox.add_user(f"A{user_id}", user_id=user_id)
        await h.services.storage.attendees.touch(AttendeeInfo(user_id, user_id, f"A{user_id}"), now)
        await h.services.storage.attendees.take_part("rk22-halle", user_id, now)  # as writing to the bot does
    return ids


async def _broadcast_all(admin, text: str) -> None:
    await admin.send(f"/durchsage {text}", expect="Wer soll", timeout=30)
    await admin.press("Alle", expect="Vorschau", timeout=30)
    await admin.press("Jetzt senden")


@pytest.mark.telegram_limits
async def test_450_attendees_exactly_once_within_the_flood_limit(harness):
    """(bench/broadcast.py sends 10,000 the same way; 450 take 15 s here.)"""
    ids = await _many_attendees(harness, 450)
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    # Telegram: about 30 messages a second overall; about one a second per private chat, short bursts tolerated
    await harness.client.configure(limits={"global_per_second": 30, "chat_per_second": 1, "chat_burst": 3})
    await _broadcast_all(admin, "Tausend")
    await wait_until(lambda: len(announcement_outputs(harness.sandbox)) >= 451, 60)
    counts = Counter(o["chat_id"] for o in announcement_outputs(harness.sandbox))
    assert counts == Counter(ids + [ADMIN_ID])
    ok = sorted(r["arrived"] for r in harness.sandbox.requests if r["method"] == "sendMessage" and r.get("status") == 200)
    assert max(sum(1 for t in ok[i:i + 40] if t < s + 1) for i, s in enumerate(ok)) <= 30
    sends = [r["arrived"] for r in harness.sandbox.requests if r["method"] == "sendMessage" and r.get("status") == 200
             and r["params"].get("text", "").startswith("📢 <b>Durchsage")]
    assert max(sends) - min(sends) <= 1.1 * (451 / 30)
    assert not [r for r in harness.sandbox.requests if r.get("status") == 429]


async def test_faults_lose_nothing_and_the_report_counts_the_blocked(harness):
    ids = await _many_attendees(harness, 150)
    blocked = set(ids[::50])  # 2 %
    for user_id in blocked:
        harness.sandbox.users[user_id].blocked = "blocked"
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    await harness.client.configure(faults={"rate_429": 0.10, "rate_500": 0.05, "retry_after": 1, "seed": 3,
                                           "methods": ["sendMessage"]})
    await admin.send("/durchsage Störungstest")
    await harness.client.configure(faults={})
    await admin.press("Alle")
    await harness.client.configure(faults={"rate_429": 0.10, "rate_500": 0.05, "retry_after": 1, "seed": 3,
                                           "methods": ["sendMessage"]})
    await admin.press("Jetzt senden")
    expected = (set(ids) - blocked) | {ADMIN_ID}
    await wait_until(lambda: {o["chat_id"] for o in announcement_outputs(harness.sandbox)} >= expected, 90)
    await harness.client.configure(faults={})
    counts = Counter(o["chat_id"] for o in announcement_outputs(harness.sandbox))
    assert set(counts) == expected and set(counts.values()) == {1}
    await wait_until(lambda: "Bericht" in text_of([o for o in harness.sandbox.outputs if o["chat_id"] == ADMIN_ID
                                                  and o["kind"] == "editMessageText"]), 20)
    report = [o for o in harness.sandbox.outputs if o["chat_id"] == ADMIN_ID and o["kind"] == "editMessageText"][-1]
    assert f"Blockiert (Bot gesperrt): {len(blocked)}" in report["message"]["text"]
    assert f"Zugestellt: {len(expected)} von {len(ids) + 1}" in report["message"]["text"]


async def test_kill_9_half_way_reaches_everyone(tmp_path):
    server = await SandboxServer().start()
    client = SandboxClient(server.url)
    database = database_for(tmp_path / "kill.sqlite3")
    env = {**os.environ, "BOT_TOKEN": DEFAULT_TOKEN, "BOT_API_URL": server.api_url, "BOT_DATABASE": str(database),
           "BOT_PROGRAM": str(PROGRAM_FILE), "BOT_CLOCK_START": "2025-06-03T10:00:00+02:00", "BOT_LOG_LEVEL": "WARNING",
           "BOT_ADMINS": str(ADMIN_ID)}

    def start():
        return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    process = start()
    try:
        admin = await client.add_user("Orga", user_id=ADMIN_ID)
        await admin.send("/start", timeout=30)
        people = list(range(600_000, 600_200))  # known to the bot as if each had written to it once
        await client.bulk(users=[{"id": i, "first_name": f"K{i}"} for i in people])
        stamp = "2025-06-03T08:00:00+00:00"
        execute(database, "INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?)"] * len(people)), tuple(v for i in people for v in (i, i, f"K{i}", stamp, stamp)))
        execute(database, "INSERT INTO participants (conference_id, user_id, first_seen) VALUES "  # of this conference
                + ", ".join(["(?, ?, ?)"] * len(people)), tuple(v for i in people for v in ("rk22-halle", i, stamp)))
        await admin.send("/durchsage Halbzeit", expect="Wer soll", timeout=30)
        await admin.press("Alle", expect="Vorschau", timeout=30)
        # Tapped without waiting for an answer in the organizer's chat: the progress report's first
        # edit may come seconds later, by when the whole broadcast (6.7 s at 30/s) can be out.
        message_id, data = await admin.find_button("Jetzt senden")
        await client.press(admin.id, message_id, data)
        await wait_until(lambda: len(announcement_outputs(server.sandbox)) >= 80, 30)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        delivered_before = len(announcement_outputs(server.sandbox))
        process = start()
        expected = set(people) | {ADMIN_ID}
        await wait_until(lambda: {o["chat_id"] for o in announcement_outputs(server.sandbox)} >= expected, 60)
        counts = Counter(o["chat_id"] for o in announcement_outputs(server.sandbox))
        duplicates = sum(c - 1 for c in counts.values())
        assert delivered_before < len(expected)  # the kill really came half-way
        assert duplicates <= 48, duplicates  # at most the sends in flight (the dispatcher's concurrency)
    finally:
        process.kill()
        process.wait(10)
        await client.close()
        await server.stop()


async def test_broadcast_with_a_photo_and_caption(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    anna = await harness.attendee("Anna")
    await anna.send("/start")
    await admin.send("/durchsage", expect="Neue Durchsage")
    await admin.send_photo("So sieht der Treffpunkt aus", expect="Wer soll")
    await admin.press("Alle", expect="Vorschau")
    await admin.press("Jetzt senden")
    await wait_until(lambda: any(o["kind"] == "sendPhoto" and o["chat_id"] == anna.id for o in harness.sandbox.outputs), 10)
    photo = [o for o in harness.sandbox.outputs if o["kind"] == "sendPhoto" and o["chat_id"] == anna.id][0]["message"]
    assert photo["caption"].startswith("📢 Durchsage des Organisationsteams") and "Treffpunkt aus" in photo["caption"]
    assert photo["photo"][0]["file_size"] > 0


async def test_a_discarded_draft_is_not_called_sent(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    draft = await admin.send("/durchsage Probe", expect="Wer soll")
    everyone = [(label, data) for label, data in buttons_of(draft) if "Alle" in label][0]
    await admin.press("Alle", expect="Vorschau")
    await admin.press("Verwerfen", expect="Verworfen")
    replies = await admin.tap(everyone[1], draft[-1]["message_id"])  # the audience button of the discarded draft
    assert "verworfen oder abgesagt" in text_of(replies) and "unterwegs" not in text_of(replies)
