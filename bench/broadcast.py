"""Broadcast: an organizer sends an announcement to everyone; the sandbox enforces Telegram's
limits (30 messages/s overall, about 1/s per chat with short bursts) and adds 50 ms per call.

    python bench/broadcast.py            # 1,000 and 10,000 recipients
    python bench/broadcast.py --quick    # 1,000
    python bench/broadcast.py --n 10000 10000   # 10,000 twice
    BENCH_CODE=/tmp/before python bench/broadcast.py --quick   # another checkout's bot, same sandbox
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from collections import Counter
from contextlib import asynccontextmanager

from common import CODE, CONFERENCE, TOKEN, machine, sandbox_process, scratch_dir, table, tightest_second

from bot.app import build_application, running
from bot.clock import RehearsalClock
from bot.config import Settings
from bot.domain.loader import load_program

PROGRAM = load_program(CODE / "program.yaml")
ADMIN = 77_000_001
LIMITS = {"global_per_second": 30, "chat_per_second": 1, "chat_burst": 3}


def seed_attendees(database, ids: list[int]) -> None:
    """Attendees who have used the bot before, written straight into a fresh database."""
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
            [(i, i, f"A{i}", "2025-06-01T10:00:00+00:00", "2025-06-01T10:00:00+00:00") for i in ids])
        conn.executemany("INSERT INTO participants (conference_id, user_id, first_seen) VALUES (?, ?, ?)",
                         [(CONFERENCE, i, "2025-06-01T10:00:00+00:00") for i in ids])


@asynccontextmanager
async def bot(api_url: str, database, webhook=None, **overrides):
    """The bot at 10:30 on the conference day, by long polling or, with WebhookSettings, as a webhook."""
    settings = Settings(token=TOKEN, api_url=api_url, database_path=database, admins=frozenset({ADMIN}), **overrides)
    clock = RehearsalClock(PROGRAM.conference.start.replace(hour=10, minute=30), 1)
    application = build_application(settings, PROGRAM, clock=clock)
    async with running(application, poll_timeout=1, webhook=webhook):
        yield application


async def run(n: int) -> dict:
    database = scratch_dir() / "broadcast.sqlite3"
    ids = list(range(5_000_000, 5_000_000 + n))
    async with sandbox_process(latency_ms=50, limits=LIMITS) as (client, api_url):
        async with bot(api_url, database):
            pass  # creates the schema
        seed_attendees(database, ids)
        await client.bulk(users=[{"id": i, "first_name": f"A{i}"} for i in ids])
        admin = await client.add_user("Orga", user_id=ADMIN)
        async with bot(api_url, database):
            await admin.send("/durchsage Benchmark-Durchsage", expect="Wer soll", timeout=60)
            await admin.press("Alle", expect="Vorschau", timeout=60)
            started = time.monotonic()
            await admin.press("Jetzt senden", timeout=60)
            deadline = started + n / 30 * 2 + 60
            while time.monotonic() < deadline:
                with sqlite3.connect(database) as conn:
                    open_rows = conn.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'announcement' AND state IN ('pending', 'sending')").fetchone()[0]
                if open_rows == 0:
                    break
                await asyncio.sleep(1)
        requests = await client.requests()
    sends = [r for r in requests if r["method"] == "sendMessage" and str(r.get("params", {}).get("text", "")).startswith("📢 <b>Durchsage")]
    delivered = [r for r in sends if r.get("status") == 200]
    arrivals = sorted(r["arrived"] for r in delivered)
    counts = Counter(int(r["params"]["chat_id"]) for r in delivered)
    recipients = set(ids) | {ADMIN}
    duration = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else float("nan")
    worst_second = max(sum(1 for t in arrivals[i:i + 40] if t < start + 1) for i, start in enumerate(arrivals))
    return {"recipients": len(recipients), "delivered": len(counts), "duration": duration,
            "rate": (len(arrivals) - 1) / duration, "fraction": (len(arrivals) - 1) / duration / 30,
            "too_many": sum(1 for r in requests if r.get("status") == 429),
            "lost": len(recipients - set(counts)), "duplicated": sum(c - 1 for c in counts.values()),
            "worst_second": worst_second, "tightest": tightest_second(requests), "minimum": (len(recipients) - 1) / 30}


def row(result: dict) -> dict:
    return {"recipients": result["recipients"], "duration s": f"{result['duration']:.1f}",
            "minimum s": f"{result['minimum']:.1f}", "msgs/s": f"{result['rate']:.1f}",
            "of limit": f"{result['fraction']:.3f}", "429s": result["too_many"], "lost": result["lost"],
            "duplicated": result["duplicated"], "max in 1 s": result["worst_second"],
            "31 sends within s": f"{result['tightest']:.4f}"}


COLUMNS = ["recipients", "duration s", "minimum s", "msgs/s", "of limit", "429s", "lost", "duplicated", "max in 1 s", "31 sends within s"]


async def main(sizes: list[int]) -> None:
    rows = [row(await run(n)) for n in sizes]
    print(machine())
    print(table(rows, COLUMNS))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n", type=int, nargs="+", help="recipients, one run each (e.g. --n 10000 10000)")
    args = parser.parse_args()
    asyncio.run(main(args.n or ([1000] if args.quick else [1000, 10000])))
