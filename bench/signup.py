"""Sign-up contention: N attendees sign up in the same instant for the three parallel
workshops (45 seats each). Time until every sign-up is settled in the database, sign-ups per
second, and overbookings (target 0).

    python bench/signup.py                  # N = 500 and 5,000, on SQLite and on PostgreSQL
    python bench/signup.py --quick          # N = 500
    python bench/signup.py --slow-replies   # also at Telegram's 30 replies/s

The sandbox adds 50 ms per call. The overall reply limit is raised to 1000/s (the
paid-broadcast ceiling) so that the figure measures the sign-up engine; at Telegram's 30/s the
replies alone take N/30 seconds, which the second table line per N shows. "All replied": from
the moment the sandbox queued the N messages to the moment it received the last reply (end to
end; at 1000/s at least N/1000 s); "settled": until every sign-up was written.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from broadcast import bot
from common import machine, postgres_server, sandbox_process, scratch_dir, table
from postgres import query

WORKSHOPS = ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung")


async def run(n: int, rate_limit: int, database) -> dict:
    ids = list(range(7_000_000, 7_000_000 + n))
    async with sandbox_process(latency_ms=50) as (client, api_url):
        await client.bulk(users=[{"id": i, "first_name": f"S{i}"} for i in ids])
        async with bot(api_url, database, rate_limit=rate_limit):  # else the bot's defaults
            seen = await client.last_seq()
            started = time.monotonic()
            ack = await client.bulk(messages=[{"user_id": i, "text": f"/anmelden {WORKSHOPS[i % 3]}"} for i in ids])
            settling = asyncio.create_task(_settled(database, n, started))
            replied = await _replies(client, seen, ids, started)
            settled_at = await settling
            replied_at = max(replied.values()) - ack["time"] if len(replied) == n else None
    confirmed = dict(query(database, "SELECT session_id, COUNT(*) FROM registrations WHERE state = 'confirmed' GROUP BY session_id"))
    waiting = query(database, "SELECT COUNT(*) FROM registrations WHERE state = 'waitlisted'")[0][0]
    doubles = query(database, "SELECT COUNT(*) FROM (SELECT user_id FROM registrations WHERE state = 'confirmed' "
                              "GROUP BY user_id HAVING COUNT(*) > 1) AS doubles")[0][0]
    overbooked = sum(max(0, confirmed.get(w, 0) - 45) for w in WORKSHOPS)
    backend = "PostgreSQL" if str(database).startswith("postgresql://") else "SQLite"
    return {"backend": backend, "N": n, "limit": f"{rate_limit}/s",
            "settled s": f"{settled_at:.2f}" if settled_at else "not settled",
            "sign-ups/s": f"{n / settled_at:.0f}" if settled_at else "–",
            "all replied s": f"{replied_at:.2f}" if replied_at else f"{len(replied)} of {n}",
            "confirmed": sum(confirmed.values()), "waitlisted": waiting, "overbooked": overbooked, "two seats": doubles}


async def _settled(database, n: int, started: float) -> float | None:
    """Seconds until every sign-up is written (polled every 0.2 s), None after 600 s."""
    while time.monotonic() - started < 600:
        if (await asyncio.to_thread(query, database, "SELECT COUNT(*) FROM registrations"))[0][0] >= n:
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    return None


async def _replies(client, seen: int, ids: list[int], started: float) -> dict[int, float]:
    """When the sandbox received each person's reply. Counted by the outputs' sequence numbers,
    read once at the end: the harness shares the bot's process, and reading thousands of outputs
    while the bot works would slow it down."""
    replied: dict[int, float] = {}
    while len(replied) < len(ids) and time.monotonic() - started < 600:
        if await client.last_seq() - seen < len(ids) - len(replied):
            await asyncio.sleep(0.05)
            continue
        for output in await client.outputs(after=seen):
            seen = max(seen, output["seq"])
            if output["kind"] == "sendMessage" and output["chat_id"] >= ids[0]:
                replied.setdefault(output["chat_id"], output["time"])
    return replied


COLUMNS = ["backend", "N", "limit", "settled s", "sign-ups/s", "all replied s", "confirmed", "waitlisted", "overbooked",
           "two seats"]


async def main(sizes: list[int], slow_replies: bool) -> list[dict]:
    rows = []
    async with postgres_server() as server:
        for n in sizes:
            for database in (scratch_dir() / "signup.sqlite3", server.url()):
                rows.append(await run(n, 1000, database))
                if slow_replies:
                    rows.append(await run(n, 30, database))
    print(machine())
    print(table(rows, COLUMNS))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="N = 500 only")
    parser.add_argument("--slow-replies", action="store_true", help="also at Telegram's 30 replies/s (N/30 s each)")
    parser.add_argument("--repeat", type=int, default=1, metavar="K",
                        help="N = 5,000 only, K times (the machine is noisy: compare the spread)")
    args = parser.parse_args()
    sizes = [5000] * args.repeat if args.repeat > 1 else [500] if args.quick else [500, 5000]
    asyncio.run(main(sizes, args.slow_replies))
