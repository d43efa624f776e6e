"""Footprint: resident memory with 10,000 attendees and 20,000 scheduled reminders (a workshop
seat and a bookmark each), start-up time until the first getUpdates, and database size.

    python bench/footprint.py [--quick]     (--quick: 2,000 attendees)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3

from broadcast import bot
from common import CONFERENCE, TOKEN, machine, sandbox_process, scratch_dir, started_bot, table

WORKSHOPS = ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung")


def seed(database, n: int) -> None:
    stamp = "2025-06-01T10:00:00+00:00"
    ids = range(9_000_000, 9_000_000 + n)
    with sqlite3.connect(database) as conn:
        conn.executemany("INSERT INTO attendees (user_id, chat_id, first_name, last_name, first_seen, last_seen) "
                         "VALUES (?, ?, ?, ?, ?, ?)", [(i, i, f"Vorname{i}", f"Nachname{i}", stamp, stamp) for i in ids])
        conn.executemany("INSERT INTO participants (conference_id, user_id, first_seen) VALUES (?, ?, ?)",
                         [(CONFERENCE, i, stamp) for i in ids])
        conn.executemany("INSERT INTO registrations (conference_id, session_id, user_id, state, arrival, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(CONFERENCE, WORKSHOPS[i % 3], i, "confirmed" if k < 135 else "waitlisted", i, stamp, stamp)
                          for k, i in enumerate(ids)])
        conn.executemany("INSERT INTO bookmarks (conference_id, user_id, session_id, created_at) VALUES (?, ?, 'podium', ?)",
                         [(CONFERENCE, i, stamp) for i in ids])


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def run(n: int) -> dict:
    database = scratch_dir() / "footprint.sqlite3"
    async with sandbox_process(latency_ms=50) as (client, api_url):
        async with bot(api_url, database):
            pass  # creates the schema
        seed(database, n)
        env = {"BOT_TOKEN": TOKEN, "BOT_API_URL": api_url, "BOT_DATABASE": str(database),
               "BOT_CLOCK_START": "2025-06-03T09:00:00+02:00", "BOT_LOG_LEVEL": "WARNING"}
        async with started_bot(client, env) as (process, startup):
            await asyncio.sleep(5)  # settled: planner ran, jobs scheduled
            rss = rss_mb(process.pid)
    size = sum(os.path.getsize(p) for p in (database, f"{database}-wal") if os.path.exists(p))
    return {"attendees": n, "reminders planned": 2 * n, "start-up to getUpdates s": f"{startup:.2f}",
            "RSS MB": f"{rss:.0f}", "database MB": f"{size / 1e6:.1f}"}


async def main(n: int) -> list[dict]:
    rows = [await run(n)]
    print(machine())
    print(table(rows, list(rows[0])))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(2000 if args.quick else 10000))
