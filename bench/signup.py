"""Sign-up contention: N attendees sign up in the same instant for the three parallel
workshops (45 seats each). Time until every sign-up is settled in the database, sign-ups per
second, and overbookings (target 0).

    python bench/signup.py           # N = 500 and 5,000
    python bench/signup.py --quick   # N = 500

The sandbox adds 50 ms per call. The overall reply limit is raised to 1000/s (the
paid-broadcast ceiling) so that the figure measures the sign-up engine; at Telegram's 30/s the
replies alone take N/30 seconds, which the second table line per N shows.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time

from broadcast import bot
from common import machine, sandbox_process, scratch_dir, table

WORKSHOPS = ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung")


async def run(n: int, rate_limit: int) -> dict:
    database = scratch_dir() / "signup.sqlite3"
    ids = list(range(7_000_000, 7_000_000 + n))
    async with sandbox_process(latency_ms=50) as (client, api_url):
        await client.bulk(users=[{"id": i, "first_name": f"S{i}"} for i in ids])
        async with bot(api_url, database, rate_limit=rate_limit, max_concurrent_updates=64):
            started = time.monotonic()
            await client.bulk(messages=[{"user_id": i, "text": f"/anmelden {WORKSHOPS[i % 3]}"} for i in ids])
            settled_at = None
            while time.monotonic() - started < 600:
                with sqlite3.connect(database) as conn:
                    done = conn.execute("SELECT COUNT(*) FROM registrations").fetchone()[0]
                if done >= n and settled_at is None:
                    settled_at = time.monotonic() - started
                replies = len([o for o in await client.outputs(after=0) if o["kind"] == "sendMessage"]) if settled_at else 0
                if settled_at and replies >= n:
                    break
                await asyncio.sleep(0.2)
            replied_at = time.monotonic() - started
    with sqlite3.connect(database) as conn:
        confirmed = dict(conn.execute("SELECT session_id, COUNT(*) FROM registrations WHERE state = 'confirmed' GROUP BY session_id"))
        waiting = conn.execute("SELECT COUNT(*) FROM registrations WHERE state = 'waitlisted'").fetchone()[0]
        doubles = conn.execute("SELECT COUNT(*) FROM (SELECT user_id FROM registrations WHERE state = 'confirmed' "
                               "GROUP BY user_id HAVING COUNT(*) > 1)").fetchone()[0]
    overbooked = sum(max(0, confirmed.get(w, 0) - 45) for w in WORKSHOPS)
    return {"N": n, "limit": f"{rate_limit}/s", "settled s": f"{settled_at:.2f}" if settled_at else "not settled",
            "sign-ups/s": f"{n / settled_at:.0f}" if settled_at else "–", "all replied s": f"{replied_at:.1f}",
            "confirmed": sum(confirmed.values()), "waitlisted": waiting, "overbooked": overbooked, "two seats": doubles}


COLUMNS = ["N", "limit", "settled s", "sign-ups/s", "all replied s", "confirmed", "waitlisted", "overbooked", "two seats"]


async def main(sizes: list[int]) -> list[dict]:
    rows = []
    for n in sizes:
        rows.append(await run(n, 1000))
        rows.append(await run(n, 30))
    print(machine())
    print(table(rows, COLUMNS))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(main([500] if args.quick else [500, 5000]))
