"""Reminder fan-out: N attendees bookmarked the panel, so N reminders fall due in the same
second (10:50 for 11:05). The sandbox enforces 30 messages/s and adds 50 ms per call.
Lateness is arrival minus due time; the i-th message cannot arrive before i/30 s, so the
"excess" is lateness minus that minimum.

    python bench/reminders.py           # N = 2,000
    python bench/reminders.py --quick   # N = 500
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from datetime import timedelta

from broadcast import LIMITS, PROGRAM, TOKEN
from common import CONFERENCE, machine, percentile, sandbox_process, scratch_dir, table

from bot.app import build_application, running
from bot.clock import RehearsalClock
from bot.config import Settings


def seed(database, ids: list[int]) -> None:
    with sqlite3.connect(database) as conn:
        conn.executemany("INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
                         [(i, i, f"R{i}", "2025-06-01T10:00:00+00:00", "2025-06-01T10:00:00+00:00") for i in ids])
        conn.executemany("INSERT INTO participants (conference_id, user_id, first_seen) VALUES (?, ?, ?)",
                         [(CONFERENCE, i, "2025-06-01T10:00:00+00:00") for i in ids])
        conn.executemany("INSERT INTO bookmarks (conference_id, user_id, session_id, created_at) VALUES (?, ?, 'podium', ?)",
                         [(CONFERENCE, i, "2025-06-01T10:00:00+00:00") for i in ids])


async def run(n: int) -> dict:
    database = scratch_dir() / "reminders.sqlite3"
    ids = list(range(8_000_000, 8_000_000 + n))
    async with sandbox_process(latency_ms=50, limits=LIMITS) as (client, api_url):
        await client.bulk(users=[{"id": i, "first_name": f"R{i}"} for i in ids])
        settings = Settings(token=TOKEN, api_url=api_url, database_path=database)
        lead = 3.0  # real seconds from start until the reminders fall due
        due = PROGRAM.conference.start.replace(hour=10, minute=50)
        application = build_application(settings, PROGRAM, clock=RehearsalClock(due - timedelta(hours=1), 1))
        async with running(application, poll_timeout=1):
            pass  # creates the schema
        seed(database, ids)
        clock = RehearsalClock(due - timedelta(seconds=lead), 1)
        application = build_application(settings, PROGRAM, clock=clock)
        async with running(application, poll_timeout=1):
            due_wall = time.time() + lead  # the clock started just now, `lead` before due
            deadline = time.monotonic() + lead + n / 30 * 2 + 30
            while time.monotonic() < deadline:
                with sqlite3.connect(database) as conn:
                    sent = conn.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'reminder' AND state = 'sent'").fetchone()[0]
                if sent >= n:
                    break
                await asyncio.sleep(0.5)
        requests = await client.requests()
    arrivals = sorted(r["time"] for r in requests if r["method"] == "sendMessage" and r.get("status") == 200)
    lateness = [t - due_wall for t in arrivals]
    excess = [late - i / 30 for i, late in enumerate(lateness)]
    return {"N": n, "delivered": len(arrivals), "lateness p50 s": f"{percentile(lateness, 0.5):.1f}",
            "lateness p99 s": f"{percentile(lateness, 0.99):.1f}", "minimum p99 s": f"{0.99 * (n - 1) / 30:.1f}",
            "excess p50 s": f"{percentile(excess, 0.5):.2f}", "excess p99 s": f"{percentile(excess, 0.99):.2f}",
            "429s": sum(1 for r in requests if r.get("status") == 429)}


COLUMNS = ["N", "delivered", "lateness p50 s", "lateness p99 s", "minimum p99 s", "excess p50 s", "excess p99 s", "429s"]


async def main(sizes: list[int]) -> list[dict]:
    rows = [await run(n) for n in sizes]
    print(machine())
    print(table(rows, COLUMNS))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(main([500] if args.quick else [2000]))
