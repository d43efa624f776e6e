"""Two bot instances on one PostgreSQL database, behind a webhook (GitHub issue 12).

Both run as `python -m bot run --webhook` subprocesses; the sandbox (its own process) posts
updates to them round-robin, adds 50 ms per call and enforces Telegram's limits (30 messages/s
overall, 3 in 3 s per chat). The instances share those limits through the database.

1. broadcast: an organizer sends an announcement to everyone (as bench/broadcast.py does);
2. the same, with kill -9 of the leading instance at ~30 % of the sends;
3. a reminder wave (N attendees bookmarked the panel, N reminders fall due at once, rehearsal
   clock), with kill -9 of the leading instance at ~30 %.

    python bench/cluster.py             # 10,000 recipients, reminder wave of 2,000
    python bench/cluster.py --quick     # 1,000 and 500
    python bench/cluster.py --n 3000    # broadcast size (the wave is a fifth of it)
    python bench/cluster.py --only broadcast   # or: kill, wave
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

import aiohttp
from broadcast import ADMIN, LIMITS, PROGRAM
from common import CODE, CONFERENCE, TOKEN, free_port, machine, postgres_server, sandbox_process, scratch_dir, table, tightest_second
from postgres import query

from bot.storage import Storage

SECRET = "bench-cluster-secret-0123456789"
PATH = "/telegram/updates"
CONFERENCE_TZ = PROGRAM.conference.start.tzinfo
STAMP = "2025-06-01T10:00:00+00:00"


async def sql(database: str, statement: str, params: tuple = ()) -> list[tuple]:
    return await asyncio.to_thread(query, database, statement, params)


def seed(database: str, ids: list[int], bookmark: str | None = None) -> None:
    import psycopg
    with psycopg.connect(database) as conn, conn.cursor() as cursor:
        cursor.executemany("INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen) VALUES (%s, %s, %s, %s, %s)",
                           [(i, i, f"A{i}", STAMP, STAMP) for i in ids])
        cursor.executemany("INSERT INTO participants (conference_id, user_id, first_seen) VALUES (%s, %s, %s)",
                           [(CONFERENCE, i, STAMP) for i in ids])
        if bookmark:
            cursor.executemany("INSERT INTO bookmarks (conference_id, user_id, session_id, created_at) VALUES (%s, %s, %s, %s)",
                               [(CONFERENCE, i, bookmark, STAMP) for i in ids])


class Instance:
    def __init__(self, api_url: str, database: str, clock_start: datetime, log_path):
        self.port = free_port()
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("BOT_")},
               "BOT_TOKEN": TOKEN, "BOT_API_URL": api_url, "BOT_DATABASE": database, "BOT_ADMINS": str(ADMIN),
               "BOT_CLOCK_START": clock_start.isoformat(), "BOT_LOG_LEVEL": "WARNING",
               "BOT_WEBHOOK_URL": f"http://127.0.0.1:{self.port}{PATH}", "BOT_WEBHOOK_SECRET": SECRET,
               "BOT_WEBHOOK_LISTEN": f"127.0.0.1:{self.port}", "BOT_WEBHOOK_CLAIM_TIMEOUT": "5"}
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--webhook"], cwd=CODE, env=env,
                                        stdout=open(log_path, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.target = f"http://127.0.0.1:{self.port}"

    @property
    def tag(self) -> str:
        """The middle of the instance id (host:pid:random) the bot writes into claimed_by."""
        return f":{self.process.pid}:"

    async def healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"instance on {self.port} exited")
                try:
                    async with session.get(f"{self.target}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"instance on {self.port} did not become healthy")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def leader_of(database: str, instances: list[Instance]) -> Instance | None:
    rows = await sql(database, "SELECT holder FROM leases WHERE name = 'leader'")
    return next((i for i in instances if rows and i.tag in rows[0][0]), None)


async def run(kind: str, n: int, server, kill_at: float | None) -> dict:
    """kind: 'announcement' or 'reminder'; kill_at: share of the sends after which the leader gets kill -9."""
    database = server.url()
    folder = scratch_dir()
    storage = Storage(database)  # the schema, before two processes start on it
    await storage.open()
    await storage.close()
    ids = list(range(5_000_000, 5_000_000 + n))
    lead = 12.0  # reminder wave: real seconds from the start until the reminders fall due
    due = PROGRAM.conference.start.replace(hour=10, minute=50)
    if kind == "reminder":
        seed(database, ids, bookmark="podium")
        clock_start = due - timedelta(seconds=lead)
    else:
        seed(database, ids)
        clock_start = PROGRAM.conference.start.replace(hour=10, minute=30)
    result: dict = {"run": kind + (f", kill -9 at {kill_at:.0%}" if kill_at else "")}
    async with sandbox_process(latency_ms=50, limits=LIMITS) as (client, api_url):
        await client.bulk(users=[{"id": i, "first_name": f"A{i}"} for i in ids])
        admin = await client.add_user("Orga", user_id=ADMIN)
        launched = time.monotonic()
        instances = [Instance(api_url, database, clock_start, folder / f"instance{k}.log") for k in range(2)]
        try:
            await asyncio.gather(*(i.healthy() for i in instances))
            await client.webhook_targets([i.target for i in instances])
            await client.configure_webhook(retry_base=0.2, retry_max=1.0)
            if kind == "announcement":
                await admin.send("/durchsage Benchmark-Durchsage", expect="Wer soll", timeout=60)
                await admin.press("Alle", expect="Vorschau", timeout=60)
                await admin.press("Jetzt senden", timeout=60)
                n += 1  # the organizer gets it too
                ids.append(ADMIN)
            else:
                await asyncio.sleep(max(0.0, lead - (time.monotonic() - launched)))
            started = time.monotonic()
            deadline = started + n / 30 * 3 + 90
            victim = None
            while time.monotonic() < deadline:
                (sent, open_rows), = await sql(database, "SELECT SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END), "
                                               "SUM(CASE WHEN state IN ('pending', 'sending') THEN 1 ELSE 0 END) "
                                               "FROM outbox WHERE kind = ?", (kind,))
                if kill_at and victim is None and (sent or 0) >= kill_at * n:
                    victim = await leader_of(database, instances) or instances[0]
                    victim.process.send_signal(signal.SIGKILL)
                    killed = time.monotonic()
                    await asyncio.to_thread(victim.process.wait, 10)
                    survivor = next(i for i in instances if i is not victim)
                    (in_flight,), = await sql(database, "SELECT COUNT(*) FROM outbox WHERE state = 'sending' AND claimed_by LIKE ?",
                                              (f"%{victim.tag}%",))
                    result.update({"claimed by the killed": in_flight, "requeued after s": None, "lead taken after s": None})
                if victim is not None:
                    if result["requeued after s"] is None and not (await sql(
                            database, "SELECT COUNT(*) FROM outbox WHERE state = 'sending' AND claimed_by LIKE ?",
                            (f"%{victim.tag}%",)))[0][0]:
                        result["requeued after s"] = round(time.monotonic() - killed, 1)
                    if result["lead taken after s"] is None and await leader_of(database, instances) is survivor:
                        result["lead taken after s"] = round(time.monotonic() - killed, 1)
                if sent and not open_rows and (victim is None or result["lead taken after s"] is not None):
                    break
                await asyncio.sleep(0.25)
            if victim is not None:
                result["survivor finished"] = "yes" if not open_rows and survivor.process.poll() is None else "NO"
            shares = Counter()
            for holder, count in await sql(database, "SELECT claimed_by, COUNT(*) FROM outbox WHERE kind = ? AND state = 'sent' "
                                                     "GROUP BY claimed_by", (kind,)):
                shares[next((k for k, i in enumerate(instances) if holder and i.tag in holder), "?")] += count
            requests = await client.requests()
        finally:
            for instance in instances:
                instance.stop()
    marker = "📢 <b>Durchsage" if kind == "announcement" else "⏰ <b>In "
    delivered = [r for r in requests if r["method"] == "sendMessage" and r.get("status") == 200
                 and str(r.get("params", {}).get("text", "")).startswith(marker)]
    arrivals = sorted(r["arrived"] for r in delivered)
    counts = Counter(int(r["params"]["chat_id"]) for r in delivered)
    duration = arrivals[-1] - arrivals[0]
    total = sum(shares.values()) or 1
    result.update({
        "recipients": n, "duration s": f"{duration:.1f}", "minimum s": f"{(n - 1) / 30:.1f}",
        "msgs/s": f"{(len(arrivals) - 1) / duration:.1f}", "of limit": f"{(len(arrivals) - 1) / duration / 30:.3f}",
        "429s": sum(1 for r in requests if r.get("status") == 429),
        "429 where": " ".join(f"{scope}/{method}:{count}" for (scope, method), count in sorted(Counter(
            (r.get("scope"), r["method"]) for r in requests if r.get("status") == 429).items())) or "–",
        "lost": len(set(ids) - set(counts)), "duplicated": sum(c - 1 for c in counts.values()),
        "max in 1 s": max(sum(1 for t in arrivals[i:i + 40] if t < start + 1) for i, start in enumerate(arrivals)),
        "31 sends within s": f"{tightest_second(requests):.4f}",
        "share A / B": " / ".join(f"{shares[k] / total:.0%}" for k in (0, 1)),
    })
    return result


COLUMNS = ["run", "recipients", "duration s", "minimum s", "msgs/s", "of limit", "429s", "429 where", "lost", "duplicated", "max in 1 s",
           "31 sends within s", "share A / B"]
KILL_COLUMNS = ["run", "recipients", "lost", "duplicated", "claimed by the killed", "requeued after s", "lead taken after s",
                "survivor finished", "duration s", "minimum s", "429s", "429 where"]


async def main(n: int, wave: int, only: str | None = None) -> list[dict]:
    rows = []
    async with postgres_server() as server:
        if only in (None, "broadcast"):
            rows.append(await run("announcement", n, server, None))
        if only in (None, "kill"):
            rows.append(await run("announcement", n, server, 0.3))
        if only in (None, "wave"):
            rows.append(await run("reminder", wave, server, 0.3))
    print(machine())
    for chosen, columns in ((r for r in rows if "claimed by the killed" not in r), COLUMNS), \
                           ((r for r in rows if "claimed by the killed" in r), KILL_COLUMNS):
        if chosen := list(chosen):
            print(table(chosen, columns))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 recipients, a wave of 500")
    parser.add_argument("--n", type=int, help="broadcast recipients (default 10,000); the wave is a fifth")
    parser.add_argument("--only", choices=["broadcast", "kill", "wave"])
    args = parser.parse_args()
    size = args.n or (1000 if args.quick else 10000)
    asyncio.run(main(size, 500 if args.quick and not args.n else max(100, size // 5), args.only))
