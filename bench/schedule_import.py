"""Importing a pretalx-style schedule.json of 1,000 events (5 days, 20 rooms), and the bot
starting on it: `python -m bot import` wall time, and start-up until the first getUpdates
with BOT_PROGRAM naming the schedule directly.

    python bench/schedule_import.py
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from common import ROOT, TOKEN, machine, sandbox_process, scratch_dir, table


def schedule(count: int) -> dict:
    zone = ZoneInfo("Europe/Berlin")
    rooms: dict[str, list] = {}
    for number in range(count):
        room = f"Raum {number % 20}"
        start = datetime(2025, 9, 1, 8, 0, tzinfo=zone) + timedelta(days=number // 200, minutes=30 * ((number // 20) % 10))
        rooms.setdefault(room, []).append({
            "guid": f"00000000-0000-4000-8000-{number:012d}", "id": 1000 + number, "date": start.isoformat(),
            "start": f"{start:%H:%M}", "duration": "00:25", "room": room, "title": f"Vortrag {number}: Daten",
            "type": "Talk", "track": "Verwaltung", "language": "de", "abstract": "Kurzfassung " * 20,
            "persons": [{"public_name": f"Person {number}"}], "links": [{"url": "https://example.org", "title": "Web"}]})
    return {"schedule": {"conference": {"title": "Groß", "acronym": "gross", "time_zone_name": "Europe/Berlin",
                                        "days": [{"index": 1, "rooms": rooms}]}}}


async def startup(source) -> float:
    database = scratch_dir() / "import-start.sqlite3"
    async with sandbox_process(latency_ms=0) as (client, api_url):
        env = {**os.environ, "BOT_TOKEN": TOKEN, "BOT_API_URL": api_url, "BOT_DATABASE": str(database),
               "BOT_PROGRAM": str(source), "BOT_LOG_LEVEL": "WARNING"}
        before = (await client.state())["getupdates_calls"]
        began = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while (await client.state())["getupdates_calls"] == before and time.monotonic() - began < 60:
                await asyncio.sleep(0.01)
            return time.monotonic() - began
        finally:
            process.terminate()
            await asyncio.to_thread(process.wait, 20)


def main() -> list[dict]:
    source = scratch_dir() / "schedule.json"
    source.write_text(json.dumps(schedule(1000)), encoding="utf-8")
    out = scratch_dir() / "imported.yaml"
    began = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "bot", "import", str(source), "-o", str(out)], cwd=ROOT,
                            capture_output=True, text=True)
    imported = time.monotonic() - began
    assert result.returncode == 0, result.stderr
    began = time.monotonic()
    subprocess.run([sys.executable, "-c", "import sys"], check=True)
    interpreter = time.monotonic() - began
    rows = [{"events": 1000, "import command s": f"{imported:.2f}", "of which interpreter start s": f"{interpreter:.2f}",
             "bot start-up to getUpdates s": f"{asyncio.run(startup(source)):.2f}"}]
    print(machine())
    print(table(rows, list(rows[0])))
    return rows


if __name__ == "__main__":
    main()
