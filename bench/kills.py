"""Kills: in each round, attendees sign up, an announcement goes to everyone and a wave of
reminders falls due, and the bot gets kill -9 at a random moment; it is restarted on the same
database until everything is delivered. Counts what was lost and what arrived twice.

    python bench/kills.py             # 20 rounds
    python bench/kills.py --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from common import CONFERENCE, ROOT, TOKEN, machine, scratch_dir, table

from bot.domain.loader import load_program
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer

PROGRAM = load_program(ROOT / "program.yaml")
ADMIN = 55_000_001
SESSIONS = [s for s in PROGRAM.sessions if s.id != "begruessung"]


def start_bot(api_url: str, database, clock_start) -> subprocess.Popen:
    env = {**os.environ, "BOT_TOKEN": TOKEN, "BOT_API_URL": api_url, "BOT_DATABASE": str(database),
           "BOT_ADMINS": str(ADMIN), "BOT_CLOCK_START": clock_start.isoformat(), "BOT_LOG_LEVEL": os.environ.get("KILLS_LOG_LEVEL", "ERROR")}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(os.environ.get("KILLS_LOG", os.devnull), "a"))


def is_reminder(text: str) -> bool:
    return text.startswith("⏰") or (text.startswith("🚌") and "fährt der Bus" in text)


def open_rows(database) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()[0]


def seed_bookmarks(database, ids: list[int], session_id: str) -> None:
    with sqlite3.connect(database) as conn:
        conn.executemany("INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
                         [(i, i, f"R{i}", "2025-06-01T00:00:00+00:00", "2025-06-01T00:00:00+00:00") for i in ids])
        conn.executemany("INSERT INTO participants (conference_id, user_id, first_seen) VALUES (?, ?, ?)",
                         [(CONFERENCE, i, "2025-06-01T00:00:00+00:00") for i in ids])
        conn.executemany("INSERT INTO bookmarks (conference_id, user_id, session_id, created_at) VALUES (?, ?, ?, ?)",
                         [(CONFERENCE, i, session_id, "2025-06-01T00:00:00+00:00") for i in ids])


async def main(rounds: int, seed: int) -> dict:
    rng = random.Random(seed)
    server = await SandboxServer().start()
    client = SandboxClient(server.url)
    database = scratch_dir() / "kills.sqlite3"
    admin = await client.add_user("Orga", user_id=ADMIN)
    expected_reminders: set[tuple[int, str]] = set()
    signers: list[int] = []
    next_id = 20_000_000
    kills = 0
    kill_times: list[float] = []
    try:
        for number in range(rounds):
            session = SESSIONS[number % len(SESSIONS)]
            clock_start = session.start - timedelta(minutes=15, seconds=2)
            process = start_bot(server.api_url, database, clock_start)
            await admin.send("/start", timeout=60)  # up, schema ready
            crowd = list(range(next_id, next_id + 40))
            next_id += 40
            for user_id in crowd:
                server.sandbox.add_user(f"R{user_id}", user_id=user_id)
            seed_bookmarks(database, crowd, session.id)
            expected_reminders |= {(u, session.id) for u in crowd}
            process.send_signal(signal.SIGTERM)  # restart so the new bookmarks are planned at start
            await asyncio.to_thread(process.wait, 30)
            process = start_bot(server.api_url, database, clock_start + timedelta(seconds=1))
            await admin.send("/start", timeout=60)
            for i in range(20):
                user = await client.add_user(f"S{next_id}", user_id=next_id)
                signers.append(user.id)
                next_id += 1
                await client.message(user.id, f"/anmelden {('ws-zwilling', 'ws-mobilitaet', 'ws-beteiligung')[i % 3]}")
            await admin.send(f"/durchsage Runde {number}", expect="Wer soll", timeout=60)
            await admin.press("Alle", expect="Vorschau", timeout=60)
            message_id, data = await admin.find_button("Jetzt senden")
            await client.press(ADMIN, message_id, data)
            await asyncio.sleep(rng.uniform(0.3, 3.0))
            process.send_signal(signal.SIGKILL)
            await asyncio.to_thread(process.wait, 10)
            kill_times.append(time.time())
            kills += 1
            process = start_bot(server.api_url, database, clock_start + timedelta(seconds=5))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                await asyncio.sleep(1)
                if open_rows(database) == 0:
                    break
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, 30)
    finally:
        await client.close()
        await server.stop()

    outputs = server.sandbox.outputs
    told_confirmed = {o["chat_id"] for o in outputs if o["kind"] == "sendMessage" and o["chat_id"] in set(signers)
                      and "Sie sind für" in o["message"]["text"] and "angemeldet" in o["message"]["text"]}
    with sqlite3.connect(database) as conn:
        stored = {row[0] for row in conn.execute("SELECT user_id FROM registrations WHERE state = 'confirmed'")}
    reminders = Counter((o["chat_id"], next((s.id for s in SESSIONS if s.title.get("de") in o["message"]["text"]), "?"))
                        for o in outputs if o["kind"] == "sendMessage" and is_reminder(o["message"]["text"]))
    announcements = Counter((o["chat_id"], o["message"]["text"].split("Runde ")[-1]) for o in outputs
                            if o["kind"] == "sendMessage" and o["message"]["text"].startswith("📢 Durchsage")
                            and "Runde " in o["message"]["text"])
    duplicate_times = []
    seen: set = set()
    for o in outputs:
        if o["kind"] == "sendMessage" and is_reminder(o["message"]["text"]):
            key = (o["chat_id"], o["message"]["text"][:60])
            if key in seen:
                duplicate_times.append(min((abs(o["time"] - k), o["time"] - k) for k in kill_times)[1] if kill_times else None)
            seen.add(key)
    if duplicate_times:
        print("duplicates, seconds after the nearest kill:", sorted(round(t, 1) for t in duplicate_times)[:20], file=sys.stderr)
    result = {
        "rounds (kills)": kills,
        "confirmed told": len(told_confirmed), "confirmed lost": len(told_confirmed - stored),
        "reminders expected": len(expected_reminders),
        "reminders lost": len(expected_reminders - set(reminders)),
        "reminders twice": sum(c - 1 for c in reminders.values()),
        "announcements delivered": len(announcements),
        "announcements twice": sum(c - 1 for c in announcements.values()),
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    outcome = asyncio.run(main(args.rounds, args.seed))
    print(machine())
    print(table([outcome], list(outcome)))
