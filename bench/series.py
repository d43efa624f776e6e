"""A season in one bot: start-up with 5 conferences of 1,000 sessions and 10,000 attendees each
(target: under 2 s), from `python -m bot run` to the first getUpdates, like bench/footprint.py.

Five program files in one folder (BOT_PROGRAM), one conference past, one running, three to come;
each of 1,000 sessions over two days in 50 rooms, a fifth of them with 30 seats. The database holds
10,000 participants per conference, each with two seats (or waiting-list places) and a bookmark
there: 100,000 registrations and 50,000 bookmarks in all. Also timed alone: reading and checking
the five files, and the retention purge of the past conference (its 10,000 people forgotten).

    python bench/series.py            # 5 × 1,000 sessions, 5 × 10,000 attendees
    python bench/series.py --quick    # 5 × 200 sessions, 5 × 2,000 attendees
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import yaml

from broadcast import bot
from common import TOKEN, machine, sandbox_process, scratch_dir, started_bot, table

from bot import scope
from bot.domain.loader import load_series
from bot.storage import Storage

STAMP = "2025-06-01T10:00:00+00:00"
DAYS = ("2025-05-20", "2025-06-03", "2025-09-16", "2025-11-04", "2026-02-10")  # the clock: 2025-06-03 09:00


def program(number: int, day: str, sessions: int) -> dict:
    rooms, slots = 50, -(-sessions // 100)  # two days of `slots` slots in 50 rooms
    first = datetime.fromisoformat(f"{day} 08:00")
    entries = []
    for index in range(sessions):
        date, rest = divmod(index, rooms * slots)
        slot, room = divmod(rest, rooms)
        start = first + timedelta(days=date, minutes=60 * slot)
        entry = {"id": f"s{index:04d}", "kind": "workshop" if index % 5 == 0 else "talk",
                 "title": {"de": f"Programmpunkt {index}", "en": f"Session {index}"},
                 "start": f"{start:%Y-%m-%d %H:%M}", "end": f"{start + timedelta(minutes=50):%Y-%m-%d %H:%M}",
                 "room": f"Raum {room + 1}"}
        if index % 5 == 0:
            entry["capacity"] = 30
        entries.append(entry)
    last = first + timedelta(days=1, minutes=60 * slots)
    return {"conference": {"id": f"konf-{number}", "name": {"de": f"Konferenz {number}"}, "timezone": "Europe/Berlin",
                           "start": f"{first:%Y-%m-%d %H:%M}", "end": f"{last:%Y-%m-%d %H:%M}",
                           "venue": {"name": f"Ort {number}"}},
            "sessions": entries}


def write_season(folder, sessions: int) -> list[str]:
    folder.mkdir()
    ids = []
    for number, day in enumerate(DAYS, 1):
        (folder / f"{number}.yaml").write_text(yaml.safe_dump(program(number, day, sessions), allow_unicode=True),
                                               encoding="utf-8")
        ids.append(f"konf-{number}")
    return ids


def seed(database, conferences: list[str], attendees: int, sessions: int) -> None:
    with sqlite3.connect(database) as conn:
        for number, conference in enumerate(conferences):
            ids = range(10_000_000 * (number + 1), 10_000_000 * (number + 1) + attendees)
            conn.executemany("INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen, conference_id) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [(i, i, f"A{i}", STAMP, STAMP, conference) for i in ids])
            conn.executemany("INSERT INTO participants (conference_id, user_id, first_seen) VALUES (?, ?, ?)",
                             [(conference, i, STAMP) for i in ids])
            signup = [f"s{index:04d}" for index in range(0, sessions, 5)]
            rows = []
            for k, i in enumerate(ids):
                for choice in (k % len(signup), (k + 7) % len(signup)):
                    rows.append((conference, signup[choice], i, "confirmed", k, STAMP, STAMP))
            conn.executemany("INSERT OR IGNORE INTO registrations (conference_id, session_id, user_id, state, arrival, "
                             "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            conn.execute("UPDATE registrations SET state = 'waitlisted' WHERE conference_id = ? AND id IN (SELECT id FROM "
                         "(SELECT id, ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY arrival) AS n FROM registrations "
                         "WHERE conference_id = ?) WHERE n > 30)", (conference, conference))
            conn.executemany("INSERT INTO bookmarks (conference_id, user_id, session_id, created_at) VALUES (?, ?, ?, ?)",
                             [(conference, i, f"s{(k * 3 + 1) % sessions:04d}", STAMP) for k, i in enumerate(ids)])


async def run(sessions: int, attendees: int) -> dict:
    scratch = scratch_dir()
    folder = scratch / "saison"
    conferences = write_season(folder, sessions)
    started = time.perf_counter()
    loaded = load_series(folder)
    reading = time.perf_counter() - started
    assert [p.conference.id for _, p in loaded] == conferences
    database = scratch / "series.sqlite3"
    async with sandbox_process(latency_ms=50) as (client, api_url):
        async with bot(api_url, database):
            pass  # creates the schema
        seed(database, conferences, attendees, sessions)
        env = {"BOT_TOKEN": TOKEN, "BOT_API_URL": api_url, "BOT_DATABASE": str(database), "BOT_PROGRAM": str(folder),
               "BOT_CLOCK_START": "2025-06-03T09:00:00+02:00", "BOT_LOG_LEVEL": "WARNING"}
        async with started_bot(client, env) as (_, startup):
            pass
    with sqlite3.connect(database) as conn:
        registrations = conn.execute("SELECT COUNT(*) FROM registrations").fetchone()[0]
    purge = await purge_one(database, conferences[0])
    return {"conferences": len(conferences), "sessions each": sessions, "attendees each": attendees,
            "registrations": registrations, "reading the 5 files s": f"{reading:.2f}",
            "start-up to getUpdates s": f"{startup:.2f}", "retention purge of one conference s": f"{purge:.2f}"}


async def purge_one(database, conference: str) -> float:
    """The retention purge of the past conference (its 10,000 people forgotten), timed alone."""
    storage = Storage(database)
    storage.database.default_conference = None
    await storage.open()
    try:
        started = time.perf_counter()
        with scope.within(conference):
            counts = await storage.privacy.purge_conference(datetime(2025, 7, 1, tzinfo=timezone.utc))
        elapsed = time.perf_counter() - started
        assert counts["forgotten"] > 0, counts
        return elapsed
    finally:
        await storage.close()


async def main(quick: bool) -> list[dict]:
    rows = [await run(200, 2_000) if quick else await run(1_000, 10_000)]
    print(machine())
    print(table(rows, list(rows[0])))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    asyncio.run(main(parser.parse_args().quick))
