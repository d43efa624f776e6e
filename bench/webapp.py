"""The Mini App in a real browser on loopback: time until the page is interactive on first load,
the grid's render time for a 60-session program, and the assets' compressed size.

    python bench/webapp.py [--loads 10] [--renders 30]

Debian's chromium, driven by Playwright (pip install -e ".[test]"); the bot runs in this
process against the in-process sandbox, on a generated program of 60 sessions (6 rooms ×
10 slots) in a temp file. Each first load uses a fresh browser profile (no cache, no service worker).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from common import ROOT, free_port, machine, table

from bot.app import build_application, running  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.loader import load_program  # noqa: E402
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer  # noqa: E402
from bot.web.initdata import launch_url, sign  # noqa: E402
from bot.web.server import load_assets  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
USER_ID = 4242


def sixty_sessions(folder: Path) -> Path:
    """The shipped conference with 60 sessions: 6 rooms, 10 slots of 40 minutes, half with seats."""
    data = yaml.safe_load((ROOT / "program.yaml").read_text(encoding="utf-8"))
    data["conference"]["start"], data["conference"]["end"] = "2025-06-03 08:00", "2025-06-03 18:00"
    data["announcements"] = []
    data["sessions"] = [
        {"id": f"s{room}-{slot}", "kind": "workshop" if room % 2 else "talk",
         "title": {"de": f"Sitzung {slot + 1} in Raum {room + 1}: Daten, Dienste und digitale Teilhabe",
                   "en": f"Session {slot + 1} in room {room + 1}: data, services and digital participation"},
         "start": f"2025-06-03 {9 + (slot * 40) // 60:02d}:{(slot * 40) % 60:02d}",
         "end": f"2025-06-03 {9 + (slot * 40 + 35) // 60:02d}:{(slot * 40 + 35) % 60:02d}",
         "room": f"Raum {room + 1}", **({"capacity": 30} if room % 2 else {})}
        for room in range(6) for slot in range(10)
    ]
    path = folder / "program-60.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def first_loads(playwright, url: str, folder: Path, loads: int) -> list[float]:
    """Milliseconds from navigation start until the grid from the API is on screen."""
    times = []
    for index in range(loads):
        context = await playwright.chromium.launch_persistent_context(
            str(folder / f"profile-{index}"), executable_path=CHROMIUM, args=ARGS, viewport={"width": 360, "height": 740})
        page = context.pages[0] if context.pages else await context.new_page()
        await page.goto(url)
        await page.wait_for_selector(".cell")
        for _ in range(200):
            mark = await page.evaluate("(performance.getEntriesByName('interactive')[0] || {}).startTime || 0")
            if mark:
                break
            await asyncio.sleep(0.01)
        times.append(mark)
        await context.close()
    return times


async def grid_renders(playwright, url: str, folder: Path, renders: int) -> tuple[list[float], int]:
    """Milliseconds per grid render (fresh data from the API each time) and the cells drawn."""
    context = await playwright.chromium.launch_persistent_context(
        str(folder / "profile-renders"), executable_path=CHROMIUM, args=ARGS, viewport={"width": 360, "height": 740})
    page = context.pages[0] if context.pages else await context.new_page()
    await page.goto(url)
    await page.wait_for_selector(".cell")
    before = await page.evaluate("performance.getEntriesByName('grid').length")
    for _ in range(renders):
        count = await page.evaluate("performance.getEntriesByName('grid').length")
        await page.evaluate("window.dispatchEvent(new Event('focus'))")  # the page reloads its data and redraws
        for _ in range(500):
            if await page.evaluate("performance.getEntriesByName('grid').length") > count:
                break
            await asyncio.sleep(0.005)
    durations = await page.evaluate("performance.getEntriesByName('grid').map(e => e.duration)")
    cells = len(await page.query_selector_all(".cell"))
    await context.close()
    return durations[before:], cells


async def main(loads: int, renders: int) -> list[dict]:
    from playwright.async_api import async_playwright

    assets = load_assets()
    compressed = sum(len(asset.gzipped) for asset in assets.values())
    with tempfile.TemporaryDirectory(prefix="bench-webapp-") as scratch:
        folder = Path(scratch)
        program_file = sixty_sessions(folder)
        program = load_program(program_file)
        server = await SandboxServer().start()
        port = free_port()
        settings = Settings(token=DEFAULT_TOKEN, api_url=server.api_url, program_path=program_file,
                            database_path=folder / "bot.sqlite3", clock_start="2025-06-03T11:00",
                            web_listen=("127.0.0.1", port), web_url=f"http://127.0.0.1:{port}/app/")
        application = build_application(settings, program)
        try:
            async with running(application, poll_timeout=1):
                url = launch_url(settings.web_url, sign(DEFAULT_TOKEN, {"id": USER_ID, "first_name": "Bench",
                                                                        "language_code": "de"}, int(time.time())))
                async with async_playwright() as playwright:
                    interactive = await first_loads(playwright, url, folder, loads)
                    durations, cells = await grid_renders(playwright, url, folder, renders)
        finally:
            await server.stop()
    return [
        {"measure": f"first load until interactive (median of {loads}, fresh profile)",
         "figure": f"{statistics.median(interactive):.0f} ms (max {max(interactive):.0f} ms)", "target": "< 1000 ms"},
        {"measure": f"grid render, {cells} sessions (median of {len(durations)})",
         "figure": f"{statistics.median(durations):.1f} ms (max {max(durations):.1f} ms)", "target": "< 100 ms"},
        {"measure": f"all assets gzip-compressed ({len(assets)} files)",
         "figure": f"{compressed / 1000:.1f} kB (uncompressed {sum(len(a.body) for a in assets.values()) / 1000:.1f} kB)",
         "target": "< 150 kB"},
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--renders", type=int, default=30)
    args = parser.parse_args()
    print(machine())
    rows = asyncio.run(main(args.loads, args.renders))
    print(table(rows, ["measure", "figure", "target"]))
    sys.exit(0)
