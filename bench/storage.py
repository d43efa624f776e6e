"""The storage engine alone, no Telegram in the loop: how many sign-up decisions per second,
on SQLite and on PostgreSQL, side by side.

N attendees sign up at once (asyncio.gather) for three parallel workshops of 45 seats; every
decision runs the domain's sign-up rules in a transaction (no overbooking, one seat among
overlapping sessions, waitlist by arrival). Concurrent calls are group-committed (one flush
per batch). Checks afterwards: confirmed per workshop ≤ 45, nobody with two seats.

    python bench/storage.py            # N = 5,000 on both backends
    python bench/storage.py --n 2000
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime, timezone

from common import ROOT, machine, postgres_server, scratch_dir, table

from bot.domain.loader import load_program
from bot.storage import AttendeeInfo, Storage

WORKSHOPS = ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung")
NOW = datetime(2025, 6, 3, 8, 0, tzinfo=timezone.utc)


async def measure(database, n: int, label: str) -> dict:
    program = load_program(ROOT / "program.yaml")
    storage = Storage(database)
    await storage.open()
    try:
        ids = list(range(8_000_000, 8_000_000 + n))
        await asyncio.gather(*(storage.attendees.touch(AttendeeInfo(i, i, f"S{i}"), NOW) for i in ids))
        engine = storage.database.engine
        batches, calls = engine.batches, engine.calls
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(storage.registrations.sign_up(program, WORKSHOPS[i % 3], i, i, NOW) for i in ids))
        elapsed = time.perf_counter() - started
        batches, calls = engine.batches - batches, engine.calls - calls
        # the same people try the other two workshops: every one of these must be refused or offered a switch
        conflicts = await asyncio.gather(*(storage.registrations.sign_up(program, WORKSHOPS[(i + 1) % 3], i, n + i, NOW) for i in ids[:300]))
        counts = await storage.registrations.counts()
        seats: dict[int, int] = {}
        for row in await storage.registrations.listed():
            if row.state == "confirmed":
                seats[row.user_id] = seats.get(row.user_id, 0) + 1
    finally:
        await storage.close()
    overbooked = sum(max(0, counts[w].confirmed - 45) for w in WORKSHOPS)
    return {"backend": label, "N": f"{n:,}", "seconds": f"{elapsed:.2f}", "sign-ups/s": f"{n / elapsed:,.0f}",
            "commits": f"{batches:,}", "calls per commit": f"{calls / max(1, batches):.1f}",
            "confirmed": sum(counts[w].confirmed for w in WORKSHOPS), "overbooked": overbooked,
            "two seats": sum(1 for c in seats.values() if c > 1),
            "statuses": sorted({o.status.value for o in outcomes}), "second tries": sorted({o.status.value for o in conflicts})}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    rows = [await measure(scratch_dir() / "storage.sqlite3", args.n, "SQLite (WAL, synchronous=FULL)")]
    async with postgres_server() as server:
        rows.append(await measure(server.url(), args.n, "PostgreSQL (fsync on)"))
    print(machine())
    print(table(rows, ["backend", "N", "seconds", "sign-ups/s", "commits", "calls per commit", "confirmed",
                       "overbooked", "two seats", "second tries"]))


if __name__ == "__main__":
    asyncio.run(main())
