"""Webhook mode end to end: the sandbox posts updates to the bot's own server; the bot answers
as in polling, refuses posts without the secret, handles an update delivered twice once, and
two instances behind the sandbox's round-robin share the updates, one surviving the other's
kill -9 without losing any."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import aiohttp

import pytest

from bot.sandbox.client import SandboxClient, text_of
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer
from bot.sandbox.webhook import CONFLICT
from bot.webhook import SECRET_HEADER, WebhookSettings
from conftest import ROOT, bot_running, database_for, free_port, query, wait_until

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

SECRET = "Sandbox_webhook-secret-0123456789"
PATH = "/telegram/updates"


def webhook_on(port: int) -> WebhookSettings:
    return WebhookSettings(url=f"http://127.0.0.1:{port}{PATH}", secret=SECRET, port=port, claim_timeout=2.0)


def claims(path) -> dict[int, str]:
    return dict(query(database_for(path), "SELECT update_id, state FROM processed_updates"))


def handled_by(path, port: int) -> set[int]:
    """Updates the instance on `port` finished."""
    return {row[0] for row in query(database_for(path), "SELECT update_id FROM processed_updates "
                                                        "WHERE state = 'done' AND instance LIKE ?", (f"%:{port}:%",))}


def working_claims(path, port: int) -> int:
    """Updates the instance on `port` has claimed and not finished."""
    return query(database_for(path), "SELECT COUNT(*) FROM processed_updates WHERE state = 'working' AND instance LIKE ?",
                 (f"%:{port}:%",))[0][0]


def start_message(user_id: int, text: str = "/start") -> dict:
    """An update as Telegram would post it: a command from a private chat."""
    sender = {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "de"}
    return {"update_id": 990_001, "message": {
        "message_id": 1, "from": sender, "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
        "date": int(time.time()), "text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}}


async def acknowledged(client: SandboxClient, update_id: int) -> int:
    deliveries = (await client.webhook_state())["deliveries"]
    return sum(d["update_id"] == update_id and d.get("status") == 200 for d in deliveries)


async def test_the_bot_answers_by_webhook_as_by_polling(tmp_path, clock):
    port = free_port()
    async with bot_running(tmp_path, clock, webhook=webhook_on(port)) as h:
        hook = h.sandbox.delivery.webhook
        assert hook.url == f"http://127.0.0.1:{port}{PATH}" and hook.secret_token == SECRET
        assert "callback_query" in hook.allowed_updates and 1 <= hook.max_connections <= 100
        anna = await h.attendee("Anna")
        assert "Willkommen" in text_of(await anna.send("/start"))
        await anna.send("/start ws-zwilling")
        replies = await anna.press("Anmelden")
        assert "Sie sind für „Workshop 1: Digitale Zwillinge“ angemeldet" in text_of(replies)
        assert [r.session_id for r in await h.services.storage.registrations.of_person(anna.id)] == ["ws-zwilling"]
        state = await h.client.webhook_state()
        assert state["deliveries"] and {d["status"] for d in state["deliveries"]} == {200}
        assert h.sandbox.getupdates_calls == 0  # nothing was polled
        done = claims(tmp_path / "bot.sqlite3")
        assert len(done) == len(state["deliveries"]) and set(done.values()) == {"done"}
        async with aiohttp.ClientSession() as session:  # polling is refused while the webhook is set
            async with session.post(f"{h.server.api_url}{DEFAULT_TOKEN}/getUpdates") as response:
                assert response.status == 409 and (await response.json())["description"] == CONFLICT


async def test_a_post_without_the_right_secret_is_refused_and_changes_nothing(tmp_path, clock):
    port = free_port()
    async with bot_running(tmp_path, clock, webhook=webhook_on(port)) as h:
        anna = await h.attendee("Anna")
        url = f"http://127.0.0.1:{port}{PATH}"
        update = start_message(anna.id)
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}, {SECRET_HEADER: SECRET + "x"},
                            {SECRET_HEADER: SECRET.lower()}):
                async with session.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            right = {SECRET_HEADER: SECRET}
            async with session.post(url, data=b"{not json", headers=right) as response:
                assert response.status == 400
            async with session.post(url, json=[update], headers=right) as response:
                assert response.status == 400
            async with session.post(url, json={"update_id": "1"}, headers=right) as response:
                assert response.status == 400
            async with session.get(url) as response:
                assert response.status == 405
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
            await asyncio.sleep(0.5)
            assert await h.client.outputs(anna.id) == []
            assert claims(tmp_path / "bot.sqlite3") == {}
            assert await h.services.storage.attendees.get(anna.id) is None
            async with session.post(url, json=update, headers=right) as response:  # the same post, with the secret
                assert response.status == 200
        assert "Willkommen" in text_of(await h.client.outputs(anna.id))  # answered before the 200
        assert claims(tmp_path / "bot.sqlite3") == {990_001: "done"}


async def test_an_update_delivered_twice_is_answered_once(tmp_path, clock):
    port = free_port()
    async with bot_running(tmp_path, clock, webhook=webhook_on(port)) as h:
        anna = await h.attendee("Anna")
        ack = await h.client.message(anna.id, "/hilfe")
        first = await h.client.outputs(anna.id, wait=10, settle=0.3)
        assert first
        await h.client.redeliver(ack["update_id"])  # Telegram's retry after a lost answer, later
        deadline = time.monotonic() + 10
        while await acknowledged(h.client, ack["update_id"]) < 2:
            assert time.monotonic() < deadline, "the redelivery was not acknowledged"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert await h.client.outputs(anna.id, after=first[-1]["seq"]) == []

        await h.client.configure_webhook(duplicate=True, retry_base=0.1, retry_max=0.5)  # a retry while handling
        ack = await h.client.message(anna.id, "/hilfe")
        deadline = time.monotonic() + 10
        while await acknowledged(h.client, ack["update_id"]) < 2:
            assert time.monotonic() < deadline, "the duplicate was not acknowledged"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        second = await h.client.outputs(anna.id, after=first[-1]["seq"])
        assert len(second) == len(first) and text_of(second) == text_of(first)


async def test_a_slow_update_is_never_handled_twice_while_its_instance_lives(tmp_path, clock):
    """Its handler takes longer than BOT_WEBHOOK_CLAIM_TIMEOUT (here 2 s: every Bot API call
    takes 3 s); Telegram gives up waiting after 1 s and retries, at the other instance. The
    first instance renews its claim while it works, so the other answers "busy" every time
    instead of taking the update over and answering it a second time."""
    server = await SandboxServer().start()
    database, ports = tmp_path / "shared.sqlite3", (free_port(), free_port())
    try:
        async with bot_running(tmp_path, clock, server=server, database=database, webhook=webhook_on(ports[0])) as a, \
                bot_running(tmp_path, clock, server=server, database=database, webhook=webhook_on(ports[1])):
            anna = await a.attendee("Anna")
            await a.client.webhook_targets([f"http://127.0.0.1:{ports[0]}"])
            await a.client.configure_webhook(timeout=1.0, retry_base=0.3, retry_max=0.5)
            await a.client.configure(latency_ms=3000)
            ack = await a.client.message(anna.id, "/hilfe")
            await wait_until(lambda: working_claims(database, ports[0]) == 1, 10)
            await a.client.webhook_targets([f"http://127.0.0.1:{ports[1]}"])  # every retry reaches the other
            deadline = time.monotonic() + 20
            while await acknowledged(a.client, ack["update_id"]) < 1:
                assert time.monotonic() < deadline, "the update was never acknowledged"
                await asyncio.sleep(0.1)
            await a.client.configure(latency_ms=0)
            await asyncio.sleep(0.5)
            helps = [o for o in await a.client.outputs(anna.id) if o["kind"] == "sendMessage"]
            assert len(helps) == 1
            tries = [(d["target"], d["status"]) for d in (await a.client.webhook_state())["deliveries"]
                     if d["update_id"] == ack["update_id"]]
            busy = [target for target, status in tries if status == 503]
            assert len(busy) >= 3 and set(busy) == {f"http://127.0.0.1:{ports[1]}"}  # also after the claim's 2 s
    finally:
        await server.stop()


# --- two instances as subprocesses, as in production -------------------------------------------

def start_instance(tmp_path, server: SandboxServer, port: int, name: str, **env_values: str) -> subprocess.Popen:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BOT_")},
           "BOT_TOKEN": server.sandbox.token, "BOT_API_URL": server.api_url,
           "BOT_DATABASE": str(database_for(tmp_path / "shared.sqlite3")), "BOT_CLOCK_START": "2025-06-03T10:30",
           "BOT_WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}", "BOT_WEBHOOK_SECRET": SECRET,
           "BOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}", "BOT_WEBHOOK_CLAIM_TIMEOUT": "2", **env_values}
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "bot", "run", "--webhook"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


async def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            assert process.poll() is None, "the instance exited"
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"instance on {port} did not become healthy")


async def welcomes(client: SandboxClient, timeout: float = 30) -> Counter:
    """How many welcome messages each attendee got, once every update was delivered and acknowledged."""
    deadline = time.monotonic() + timeout
    while True:
        state = await client.webhook_state()
        if state["pending"] == 0 and state["in_flight"] == 0:
            break
        assert time.monotonic() < deadline, f"updates still undelivered: {state['pending']}"
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)  # the last answers' sends
    outputs = await client.outputs(after=0)
    return Counter(o["chat_id"] for o in outputs
                   if o["kind"] == "sendMessage" and "Willkommen" in (o["message"].get("text") or ""))


async def stop_all(processes: list[subprocess.Popen], client: SandboxClient, server: SandboxServer) -> None:
    """End a test's instances (SIGTERM; kill -9 if one still runs after 30 s) and its sandbox."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    await client.close()
    await server.stop()
    for process in processes:
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()


async def send_starts(client: SandboxClient, first_id: int, count: int) -> tuple[list[int], list[int]]:
    """`count` new attendees each send /start at once: their user ids and the update ids, in order."""
    users = [{"id": first_id + i, "first_name": f"P{i}", "language_code": "de"} for i in range(count)]
    sent = await client.bulk(users=users, messages=[{"user_id": u["id"], "text": "/start"} for u in users])
    return [u["id"] for u in users], sent["update_ids"]


async def test_two_instances_share_updates_and_a_killed_one_loses_none(tmp_path):
    server = await SandboxServer().start()
    ports = [free_port(), free_port()]
    targets = [f"http://127.0.0.1:{port}" for port in ports]
    processes: list[subprocess.Popen] = []
    client = SandboxClient(server.url)
    try:
        # one after the other: both would otherwise create the schema of the new file at once
        for number, port in enumerate(ports):
            processes.append(start_instance(tmp_path, server, port, f"instance{number}"))
            await wait_healthy(port, processes[-1])
        await client.webhook_targets(targets)
        await client.configure_webhook(retry_base=0.2, retry_max=1.0)

        calm, _ = await send_starts(client, 500_000, 30)
        counts = await welcomes(client)
        assert [counts[u] for u in calm] == [1] * len(calm)  # each answered exactly once
        stats = (await client.webhook_state())["stats"]
        assert stats[targets[0]]["acknowledged"] > 0 and stats[targets[1]]["acknowledged"] > 0

        # kill -9 the first instance while it is handling updates: every update it held is
        # retried, goes to the survivor, which refuses it (503) while the dead claim is young
        # and handles it once the claim has gone stale
        await client.configure(latency_ms=150)  # handlers take a while, so some are in flight
        busy, busy_ids = await send_starts(client, 600_000, 30)
        await wait_until(lambda: working_claims(tmp_path / "shared.sqlite3", ports[0]) >= 3, 10)
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(timeout=10)
        counts = await welcomes(client, timeout=60)
        assert all(counts[u] >= 1 for u in busy), "an update was lost"
        deliveries = (await client.webhook_state())["deliveries"]
        cut_off = {d["update_id"] for d in deliveries if d["target"] == targets[0] and d.get("status") == "error"}
        assert cut_off, "the kill hit no update in flight"
        finished_by_survivor = {d["update_id"] for d in deliveries if d["target"] == targets[1] and d.get("status") == 200}
        assert cut_off <= finished_by_survivor
        assert cut_off <= handled_by(tmp_path / "shared.sqlite3", ports[1])  # handled there, not just acknowledged
        # Only an update the killed instance was handling can be answered twice (its answer had
        # gone out, its claim was not yet done): at least once, never lost.
        update_of = dict(zip(busy_ids, busy))
        assert {update_of[i] for i in cut_off} >= {u for u in busy if counts[u] > 1}

        await client.configure(latency_ms=0)
        before = (await client.webhook_state())["stats"]
        after_kill, _ = await send_starts(client, 700_000, 20)
        counts = await welcomes(client)
        assert [counts[u] for u in after_kill] == [1] * len(after_kill)
        stats = (await client.webhook_state())["stats"]
        assert stats[targets[0]]["acknowledged"] == before[targets[0]]["acknowledged"]
        assert stats[targets[0]]["refused"] > before[targets[0]]["refused"]  # tried, skipped
        assert stats[targets[1]]["acknowledged"] >= before[targets[1]]["acknowledged"] + len(after_kill)
        assert processes[1].poll() is None
        assert set(claims(tmp_path / "shared.sqlite3").values()) == {"done"}
    finally:
        await stop_all(processes, client, server)
    for name in ("instance0", "instance1"):  # the secret and the token never reach a log
        log = (tmp_path / f"{name}.log").read_text()
        assert "webhook server listening" in log and SECRET not in log and server.sandbox.token not in log
    assert "Traceback" not in (tmp_path / "instance1.log").read_text()


async def test_sigterm_stops_an_instance_without_deleting_the_webhook(tmp_path):
    server = await SandboxServer().start()
    port = free_port()
    process = start_instance(tmp_path, server, port, "single", BOT_LOG_LEVEL="DEBUG")
    try:
        await wait_healthy(port, process)
        async with SandboxClient(server.url) as client:
            anna = await client.add_user("Anna")
            assert "Willkommen" in text_of(await anna.send("/start"))
        assert server.sandbox.delivery.webhook.url == f"http://127.0.0.1:{port}{PATH}"
        process.send_signal(signal.SIGTERM)
        for _ in range(300):
            if process.poll() is not None:
                break
            await asyncio.sleep(0.1)
        assert process.returncode == 0
        # other instances may still serve the URL; updates wait at Telegram while none does
        assert server.sandbox.delivery.webhook is not None
        assert not [r for r in server.sandbox.requests if r["method"] == "deleteWebhook"]
    finally:
        if process.poll() is None:
            process.kill()
        await server.stop()
    log = (tmp_path / "single.log").read_text()
    assert "setWebhook" in log and "<BOT_WEBHOOK_SECRET>" in log  # PTB logs the call at DEBUG, redacted
    assert SECRET not in log and server.sandbox.token not in log and "Traceback" not in log


async def test_a_taken_listen_port_is_one_clear_line(tmp_path):
    server = await SandboxServer().start()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_instance(tmp_path, server, port, "taken")
        try:
            await exited(process)
        finally:
            await server.stop()
    output = (tmp_path / "taken.log").read_text()
    assert process.returncode == 2 and "Traceback" not in output
    assert output.strip().splitlines()[-1].startswith(
        f"Configuration error: BOT_WEBHOOK_LISTEN (--webhook-listen) 127.0.0.1:{port} cannot be served: ")


async def exited(process: subprocess.Popen, seconds: float = 30) -> None:
    """Wait for an instance that should end by itself; kill it if it does not."""
    for _ in range(int(seconds * 10)):
        if process.poll() is not None:
            return
        await asyncio.sleep(0.1)
    process.kill()
    process.wait(10)


async def test_a_webhook_url_telegram_refuses_is_one_clear_line(tmp_path):
    server = await SandboxServer().start()
    port = free_port()
    process = start_instance(tmp_path, server, port, "refused", BOT_WEBHOOK_URL="https://bot.example.org:8080/x")
    try:
        await exited(process)
    finally:
        await server.stop()
    output = (tmp_path / "refused.log").read_text()
    assert process.returncode == 2 and "Traceback" not in output
    assert output.strip().splitlines()[-1] == ("Configuration error: setWebhook for BOT_WEBHOOK_URL failed: "
                                               "Bad webhook: webhook can be set up only on ports 80, 88, 443 or 8443")


async def test_a_program_change_made_through_another_instance_is_taken_over(tmp_path, clock):
    from datetime import datetime

    from bot.domain.changes import Override
    from bot.storage import Storage

    port = free_port()
    async with bot_running(tmp_path, clock, webhook=webhook_on(port)) as h:
        anna = await h.attendee("Anna")
        assert "Seminarraum 1" in text_of(await anna.send("/start ws-zwilling"))
        other = Storage(database_for(tmp_path / "bot.sqlite3"))  # the other instance, on the same database
        other.database.default_conference = "rk22-halle"  # as the bot sets it for the conference it runs
        await other.open()
        try:
            session = h.services.program.current.session("ws-zwilling")
            moved = Override("ws-zwilling", session.start, session.end, "Raum 42", False)
            assert await other.program_changes.record([moved], [], None, "room", datetime.now(session.start.tzinfo))
        finally:
            await other.close()
        assert "Raum 42" in text_of(await anna.send("/start ws-zwilling", expect="Raum 42"))


async def _reload_through_another_instance(tmp_path, base: str, overrides=()) -> None:
    from datetime import datetime, timezone

    from bot.storage import Storage

    other = Storage(database_for(tmp_path / "bot.sqlite3"))  # the other instance, on the same database
    other.database.default_conference = "rk22-halle"  # as the bot sets it for the conference it runs
    await other.open()
    try:
        assert await other.program_changes.record(list(overrides), [], None, "reload", datetime.now(timezone.utc), base=base)
    finally:
        await other.close()


async def test_a_reload_made_through_another_instance_is_taken_over(tmp_path, clock):
    from bot.domain.loader import load_program
    from conftest import PROGRAM_FILE

    program_file = tmp_path / "program.yaml"
    program_file.write_text(PROGRAM_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    async with bot_running(tmp_path, clock, program_file=program_file, webhook=webhook_on(free_port())) as h:
        anna = await h.attendee("Anna")
        assert "Seminarraum 1" in text_of(await anna.send("/start ws-zwilling"))
        # the organizer edits the file (one host, or a copy on each) and reloads through the other instance
        program_file.write_text(program_file.read_text(encoding="utf-8").replace(
            'room: "Seminarraum 1"', 'room: "Seminarraum 7"'), encoding="utf-8")
        await _reload_through_another_instance(tmp_path, load_program(program_file).fingerprint())
        assert "Seminarraum 7" in text_of(await anna.send("/start ws-zwilling", expect="Seminarraum 7"))
        assert h.services.program.base.session("ws-zwilling").room == "Seminarraum 7"


async def test_a_reloaded_file_this_host_lacks_keeps_the_program_and_says_so(tmp_path, clock, caplog):
    from datetime import timedelta

    from bot.domain.changes import Override

    async with bot_running(tmp_path, clock, webhook=webhook_on(free_port())) as h:
        anna = await h.attendee("Anna")
        session = h.services.program.current.session("ws-zwilling")
        assert "Seminarraum 1" in text_of(await anna.send("/start ws-zwilling"))
        later = Override("ws-zwilling", session.start + timedelta(minutes=10), session.end + timedelta(minutes=10),
                         session.room, False)
        await _reload_through_another_instance(tmp_path, "0123456789abcdef", [later])
        reply = text_of(await anna.send("/start ws-zwilling", expect="13:25"))
        assert "Seminarraum 1" in reply  # the program file here stays in force, the live change is taken over
        assert any("differs from" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
