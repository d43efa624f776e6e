"""Two webhook instances on one PostgreSQL database send a broadcast together, within Telegram's
limits they share, and one of them is killed (-9) mid-way: the survivor sends the rest and what
the dead one had claimed, so everyone gets the announcement, and only what was in flight at
the kill can arrive twice. (bench/cluster.py measures the same at 10,000 recipients.)"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter


import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from conftest import database_for, free_port, query
from test_e2e_webhook import start_instance, stop_all, wait_healthy

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

ADMIN = 930_001
LIMITS = {"global_per_second": 30, "chat_per_second": 1, "chat_burst": 3}


def seed(database: str, ids: list[int]) -> None:
    import psycopg
    stamp = "2025-06-01T10:00:00+00:00"
    with psycopg.connect(database) as conn, conn.cursor() as cursor:
        cursor.executemany("INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen) VALUES (%s, %s, %s, %s, %s)",
                           [(i, i, f"A{i}", stamp, stamp) for i in ids])
        cursor.executemany("INSERT INTO participants (conference_id, user_id, first_seen) VALUES (%s, %s, %s)",
                           [("rk22-halle", i, stamp) for i in ids])  # they wrote to the bot of this conference


def announcements(database: str) -> dict[str, int]:
    return dict(query(database, "SELECT state, COUNT(*) FROM outbox WHERE kind = 'announcement' GROUP BY state"))


async def test_a_broadcast_from_two_instances_survives_a_kill_of_one(tmp_path, backend):
    # conftest runs this module on PostgreSQL only: SQLite knows no other process (README)
    assert backend == "postgresql"
    database = database_for(tmp_path / "shared.sqlite3")
    server = await SandboxServer().start()
    client = SandboxClient(server.url)
    ports = [free_port(), free_port()]
    processes: list[subprocess.Popen] = []
    try:
        for number, port in enumerate(ports):  # one after the other: the first creates the schema
            processes.append(start_instance(tmp_path, server, port, f"instance{number}", BOT_ADMINS=str(ADMIN)))
            await wait_healthy(port, processes[-1])
        await client.webhook_targets([f"http://127.0.0.1:{port}" for port in ports])
        await client.configure(latency_ms=50, limits=LIMITS)
        ids = list(range(3_000_000, 3_000_300))
        await client.bulk(users=[{"id": i, "first_name": f"A{i}"} for i in ids])
        seed(database, ids)
        admin = await client.add_user("Orga", user_id=ADMIN)
        await admin.send("/durchsage Alle zusammen", expect="Wer soll", timeout=30)
        await admin.press("Alle", expect="Vorschau", timeout=30)
        await admin.press("Jetzt senden", timeout=30)

        deadline = time.monotonic() + 30
        while announcements(database).get("sent", 0) < 100:
            assert time.monotonic() < deadline, "the broadcast did not start"
            await asyncio.sleep(0.1)
        leader = query(database, "SELECT holder FROM leases WHERE name = 'leader'")[0][0]
        victim = next(p for p in processes if f":{p.pid}:" in leader)  # the leader: the lead must move too
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        in_flight = query(database, "SELECT COUNT(*) FROM outbox WHERE state = 'sending' AND claimed_by LIKE ?",
                          (f"%:{victim.pid}:%",))[0][0]
        survivor = next(p for p in processes if p is not victim)

        deadline = time.monotonic() + 50
        while set(announcements(database)) - {"sent"}:
            assert time.monotonic() < deadline, f"the survivor did not finish: {announcements(database)}"
            await asyncio.sleep(0.25)
        await asyncio.sleep(0.3)
        received = Counter(o["chat_id"] for o in server.sandbox.outputs
                           if o["kind"] == "sendMessage" and "Alle zusammen" in (o["message"].get("text") or ""))
        assert set(ids) | {ADMIN} <= set(received), "someone did not get the announcement"
        assert sum(c - 1 for c in received.values()) <= in_flight  # only what was in flight may arrive twice
        assert survivor.poll() is None
        assert f":{survivor.pid}:" in query(database, "SELECT holder FROM leases WHERE name = 'leader'")[0][0]
        # One budget for both: a rare 429 remains when their sends arrive bunched (docs/benchmarks.md,
        # section 7: 3 in 10,000); it is retried, and the checks above show nothing was lost.
        assert len([r for r in await client.requests() if r.get("status") == 429]) <= 2
    finally:
        await stop_all(processes, client, server)


async def test_connections_the_server_dropped_are_replaced_without_losing_a_call(tmp_path, backend):
    """The pool does not test a connection before each transaction (a round trip each): when the
    server drops them all (a restart, an idle timeout), the next calls open new ones."""
    from bot.storage import AttendeeInfo, Storage
    from conftest import berlin

    database = database_for(tmp_path / "dropped.sqlite3")
    storage = Storage(database)
    await storage.open()
    try:
        now = berlin("2025-06-03 08:00")
        await storage.attendees.touch(AttendeeInfo(1, 1, "Before"), now)
        dropped = query(database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        assert len(dropped) >= 2  # both lanes' connections
        results = await asyncio.gather(storage.attendees.touch(AttendeeInfo(2, 2, "After"), now),
                                       storage.bookmarks.toggle(1, "podium", now))  # both lanes at once
        assert results[0].first_name == "After" and results[1] is True
        assert await storage.attendees.count() == 2
    finally:
        await storage.close()
