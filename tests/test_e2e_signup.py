"""Sign-up end to end: buttons and commands through the sandbox, the waitlist, promotions,
switching, organizer lists and export, concurrency and restarts."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import subprocess
import sys
import time


import pytest

from bot.sandbox.client import SandboxClient, buttons_of, text_of
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer
from conftest import ADMIN_ID, PROGRAM_FILE, ROOT, berlin, bot_running, database_for, query, wait_until

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox


def program_with_capacities(tmp_path, **capacities) -> os.PathLike:
    text = PROGRAM_FILE.read_text(encoding="utf-8")
    for session_id, seats in capacities.items():
        marker = f"  - id: {session_id.replace('_', '-')}\n"
        head, tail = text.split(marker)
        old = "capacity: 45" if "capacity: 45" in tail.split("  - id:")[0] else "capacity: 25"
        tail = tail.replace(old, f"capacity: {seats}", 1)
        text = head + marker + tail
    path = tmp_path / "program.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.postgres_too
async def test_full_flow_signup_waitlist_cancel_promotion(tmp_path, clock):
    program_file = program_with_capacities(tmp_path, ws_zwilling=2)
    async with bot_running(tmp_path, clock, program_file) as h:
        anna, ben, cem = [await h.attendee(n) for n in ("Anna", "Ben", "Cem")]
        await anna.send("/start ws-zwilling")
        replies = await anna.press("Anmelden")
        assert "Sie sind für „Workshop 1: Digitale Zwillinge“ angemeldet" in text_of(replies)
        assert "Seminarraum 1" in text_of(replies)
        replies = await anna.press("su:ws-zwilling")  # double tap on the old button
        assert "bereits angemeldet" in text_of(replies)
        assert "angemeldet" in text_of(await ben.send("/anmelden ws-zwilling"))
        card = await cem.send("/start ws-zwilling")  # full: the card's button says where the tap leads
        assert "⏳ Auf die Warteliste" in [label for label, _ in buttons_of(card)]
        replies = await cem.send("/start signup-ws-zwilling")  # deep link
        assert "Warteliste auf Platz 1" in text_of(replies)
        assert "Warteliste: Platz 1" in text_of(await cem.send("/meine")) or "Warteliste Platz 1" in text_of(await cem.send("/meine"))
        replies = await anna.send("/abmelden ws-zwilling")
        assert "abgemeldet" in text_of(replies)
        pushed = await cem.wait()
        assert "Ein Platz ist frei geworden" in text_of(pushed) and "13:15–14:30 Uhr" in text_of(pushed)
        labels = [label for label, _ in buttons_of(pushed)]
        assert any("behalten" in label for label in labels) and any("freigeben" in label for label in labels)
        replies = await cem.press("behalten")
        assert "bestätigt" in text_of(replies)
        mine = text_of(await cem.send("/meine"))
        assert "✅" in mine and "Digitale Zwillinge" in mine


async def test_switch_between_parallel_workshops_both_outcomes(tmp_path, clock):
    program_file = program_with_capacities(tmp_path, ws_mobilitaet=1)
    async with bot_running(tmp_path, clock, program_file) as h:
        anna, ben = await h.attendee("Anna"), await h.attendee("Ben", "en")
        await anna.send("/anmelden ws-zwilling")
        replies = await anna.send("/anmelden ws-mobilitaet")
        assert "zur selben Zeit" in text_of(replies)
        replies = await anna.press("Wechseln")
        assert "Gewechselt" in text_of(replies)
        regs = {r.session_id: r.state for r in await h.services.storage.registrations.of_person(anna.id)}
        assert regs == {"ws-mobilitaet": "confirmed"}
        # Ben holds a seat in ws-zwilling; a parallel workshop with seats offers the switch
        await ben.send("/signup ws-zwilling")
        replies = await ben.send("/signup ws-beteiligung")
        assert "same time" in text_of(replies)
        keep_old = (replies[-1]["message_id"], [d for label, d in buttons_of(replies) if d.startswith("ko:")][0])
        # the (now full) mobility workshop says it is full first, and offers its waiting list
        replies = await ben.send("/signup ws-mobilitaet")
        assert "fully booked" in text_of(replies) and "you keep your seat" in text_of(replies)
        assert "same time" not in text_of(replies)
        regs = {r.session_id: r.state for r in await h.services.storage.registrations.of_person(ben.id)}
        assert regs == {"ws-zwilling": "confirmed"}
        replies = await ben.press("waiting list")
        assert "number 1 on the waiting list" in text_of(replies)
        leave_waitlist = (replies[-1]["message_id"], dict(buttons_of(replies))["✖️ Leave waiting list"])
        await anna.send("/abmelden ws-mobilitaet")
        pushed = await ben.wait()
        assert "A seat has become free" in text_of(pushed) and "Your seat in “Workshop 1: Digital twins” has been released" in text_of(pushed)
        regs = {r.session_id: r.state for r in await h.services.storage.registrations.of_person(ben.id)}
        assert regs == {"ws-mobilitaet": "confirmed"}
        # the old "leave waiting list" button, tapped after Ben moved up, leaves him his seat
        message_id, data = leave_waitlist
        replies = await ben.tap(data, message_id)
        assert "you have moved up and hold a seat" in text_of(replies)
        regs = {r.session_id: r.state for r in await h.services.storage.registrations.of_person(ben.id)}
        assert regs == {"ws-mobilitaet": "confirmed"}
        # and the old "keep my seat" offer no longer claims a seat he gave up
        replies = await ben.tap(keep_old[1], keep_old[0])
        assert "You no longer hold a seat in “Workshop 1: Digital twins”" in text_of(replies)
        assert "Workshop 2" in text_of(replies)  # what he does hold


async def test_refusals_for_bad_signups(harness):
    anna = await harness.attendee()
    assert "gibt es nicht" in text_of(await anna.send("/anmelden gibtsnicht"))
    assert "keine Anmeldung nötig" in text_of(await anna.send("/anmelden podium"))
    assert "nicht angemeldet" in text_of(await anna.send("/abmelden ws-zwilling"))
    replies = await anna.send("/anmelden")
    assert {data for _, data in buttons_of(replies)} == {"s:ws-zwilling", "s:ws-mobilitaet", "s:ws-beteiligung", "s:exkursion"}
    replies = await anna.tap("su:gibtsnicht", replies[0]["message_id"], forge=True, expect_message=False)
    assert "nicht mehr gültig" in text_of(replies)
    ben = await harness.attendee("Ben")
    await ben.send("/anmelden ws-zwilling", expect="angemeldet")
    harness.clock.set(berlin("2025-06-03 13:30"))
    assert "bereits begonnen" in text_of(await anna.send("/anmelden ws-zwilling"))
    # under way, a seat is kept for the list at the door; who holds none is told just that
    assert "bereits begonnen" in text_of(await ben.send("/abmelden ws-zwilling"))
    assert "nicht angemeldet" in text_of(await anna.send("/abmelden ws-zwilling"))


async def test_organizer_lists_and_export_and_non_admin_refusal(harness):
    anna, ben = await harness.attendee("Anna"), await harness.attendee("Björn Müller")
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    await anna.send("/anmelden ws-zwilling")
    await ben.send("/anmelden exkursion")
    for command in ("/teilnehmer", "/export", "/reload", "/attendees ws-zwilling"):
        assert "Organisationsteam vorbehalten" in text_of(await anna.send(command)), command
    overview = text_of(await admin.send("/teilnehmer"))
    assert "Workshop 1: Digitale Zwillinge · ws-zwilling: 1/45 bestätigt" in overview
    detail = text_of(await admin.send("/teilnehmer exkursion"))
    assert "Björn Müller" in detail
    replies = await admin.send("/export")
    document = replies[0]["message"]["document"]
    data = await harness.client.file(document["file_id"])
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert {(r["session_id"], r["name"], r["state"]) for r in rows} == {
        ("ws-zwilling", "Anna", "confirmed"), ("exkursion", "Björn Müller", "confirmed")}


async def test_reload_raises_capacity_promotes_and_lowering_reports_overbooking(tmp_path, clock):
    program_file = program_with_capacities(tmp_path, exkursion=1)
    async with bot_running(tmp_path, clock, program_file) as h:
        admin = await h.attendee("Orga", user_id=ADMIN_ID)
        anna, ben, cem = [await h.attendee(n) for n in ("Anna", "Ben", "Cem")]
        for person in (anna, ben, cem):
            await person.send("/anmelden exkursion")
        program_file.write_text(program_file.read_text(encoding="utf-8").replace("capacity: 1\n", "capacity: 2\n"), encoding="utf-8")
        text = text_of(await admin.send("/reload"))
        assert "1 → 2" in text and "Warteliste" in text and "neu geladen" not in text  # a preview first
        assert "Benachrichtigt wird 1 Person" in text  # Ben, who moves up
        assert (await h.services.storage.registrations.counts())["exkursion"].confirmed == 1
        text = text_of(await admin.press("Bestätigen", expect="neu geladen"))
        assert "1 Person ist von der Warteliste nachgerückt" in text
        assert "Ein Platz ist frei geworden" in text_of(await ben.wait())
        program_file.write_text(program_file.read_text(encoding="utf-8").replace("capacity: 2\n", "capacity: 1\n"), encoding="utf-8")
        text = text_of(await admin.send("/reload"))
        assert "2 → 1" in text and "überbucht" in text
        text = text_of(await admin.press("Bestätigen", expect="neu geladen"))
        assert "Überbucht" in text and "2 Anmeldungen" in text
        assert (await h.services.storage.registrations.counts())["exkursion"].confirmed == 2
        program_file.write_text("conference: [kaputt", encoding="utf-8")
        text = text_of(await admin.send("/reload"))
        assert "nicht</b> übernommen" not in text and "nicht übernommen" in text and "YAML-Syntax (Zeile 1)" in text
        assert "Exkursion" in text_of(await anna.send("/programm"))  # the old program stays in force


@pytest.mark.postgres_too
async def test_500_simultaneous_signups_for_30_seats(tmp_path, clock):
    program_file = program_with_capacities(tmp_path, ws_zwilling=30)
    # about the seats, not Telegram's pacing: replies may leave at 300/s (a paid broadcast's
    # limit is 1000/s), so that 500 answers take 2 s instead of 17
    async with bot_running(tmp_path, clock, program_file, rate_limit=300) as h:
        sandbox = h.sandbox
        users = [sandbox.add_user(f"Person {i}", user_id=100_000 + i) for i in range(500)]
        for user in users:  # all arrive before the bot's next getUpdates
            sandbox.user_message(user.id, "/anmelden ws-zwilling")
        await wait_until(lambda: len([o for o in sandbox.outputs if o["kind"] == "sendMessage"]) >= 500, 120)
        listed = await h.services.storage.registrations.listed("ws-zwilling")
        confirmed = [r.user_id for r in listed if r.state == "confirmed"]
        waiting = sorted((r for r in listed if r.state == "waitlisted"), key=lambda r: r.position)
        order = [u.id for u in users]
        assert len(confirmed) == 30 and len(waiting) == 470
        assert sorted(confirmed) == order[:30]
        assert [r.user_id for r in waiting] == order[30:]
        before = len(sandbox.outputs)
        for user in users[:10]:
            sandbox.user_message(user.id, "/abmelden ws-zwilling")
        await wait_until(lambda: len([o for o in sandbox.outputs[before:] if o["kind"] == "sendMessage"]) >= 20, 60)
        listed = await h.services.storage.registrations.listed("ws-zwilling")
        confirmed = sorted(r.user_id for r in listed if r.state == "confirmed")
        assert confirmed == order[10:40]
        promoted_chats = {o["chat_id"] for o in sandbox.outputs[before:] if "Ein Platz ist frei" in (o.get("message") or {}).get("text", "")}
        assert promoted_chats == set(order[30:40])



@pytest.mark.postgres_too
async def test_restart_keeps_everything(tmp_path, clock):
    server = await SandboxServer().start()
    try:
        database = tmp_path / "keep.sqlite3"
        async with bot_running(tmp_path, clock, server=server, database=database) as h:
            anna = await h.attendee("Anna")
            await anna.send("/anmelden ws-zwilling")
            await anna.send("/anmelden exkursion")
            await anna.send("/language en")
        async with bot_running(tmp_path, clock, server=server, database=database) as h:
            client = SandboxClient(server.url)
            anna.client = client
            mine = text_of(await anna.send("/mine"))
            await client.close()
            assert "Your sign-ups" in mine and "Digital twins" in mine and "Excursion" in mine
    finally:
        await server.stop()


def _start_bot_process(server: SandboxServer, database, env_extra=None) -> subprocess.Popen:
    env = {**os.environ, "BOT_TOKEN": DEFAULT_TOKEN, "BOT_API_URL": server.api_url, "BOT_DATABASE": str(database),
           "BOT_PROGRAM": str(PROGRAM_FILE), "BOT_CLOCK_START": "2025-06-03T10:00:00+02:00", "BOT_LOG_LEVEL": "WARNING",
           **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.postgres_too
async def test_kill_9_loses_no_confirmed_registration(tmp_path):
    server = await SandboxServer().start()
    client = SandboxClient(server.url)
    database = database_for(tmp_path / "kill.sqlite3")
    process = _start_bot_process(server, database)
    try:
        people = [await client.add_user(f"K{i}", user_id=200_000 + i) for i in range(40)]
        first = people[0]
        assert "angemeldet" in text_of(await first.send("/anmelden exkursion", timeout=30))
        for person in people[1:]:
            await client.message(person.id, "/anmelden exkursion")
        confirmed_before: set[int] = set()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(confirmed_before) < 10:
            outputs = await client.outputs(after=0)
            confirmed_before = {o["chat_id"] for o in outputs if "angemeldet" in (o.get("message") or {}).get("text", "")
                                and "Warteliste" not in o["message"]["text"]}
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process = _start_bot_process(server, database)
        mine = text_of(await first.send("/meine", timeout=30))
        assert "Exkursion" in mine
        await asyncio.sleep(1)
        stored = {row[0] for row in query(database, "SELECT user_id FROM registrations WHERE state = 'confirmed'")}
        assert confirmed_before <= stored  # everyone told "you are in" is still in
        assert len(stored) <= 25
    finally:
        process.kill()
        process.wait(10)
        await client.close()
        await server.stop()


async def test_my_sign_ups_offer_to_give_back_only_what_has_not_begun(harness):
    anna = await harness.attendee("Anna")
    await anna.send("/anmelden ws-zwilling")
    await anna.send("/anmelden exkursion")
    harness.clock.set(berlin("2025-06-03 13:30"))  # the workshop runs, the excursion is to come
    replies = await anna.send("/meine")
    assert "Digitale Zwillinge" in text_of(replies)
    labels = [label for label, _ in buttons_of(replies)]
    assert not any("Zwillinge" in label for label in labels) and any("Exkursion" in label for label in labels)
