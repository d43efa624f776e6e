"""The Mini App in a real browser on loopback: time to the first agenda screen on a phone
(cold: a fresh profile, no cache, no service worker), the render time of an update (agenda at
360 px, grid at 1280 px) for a 60-session program, and the compressed size of all assets.

    python bench/webapp.py [--loads 10] [--renders 30]

Debian's chromium, driven by Playwright (pip install -e ".[test]"); the bot runs in this
process against the in-process sandbox, on a generated program of 60 sessions (6 rooms ×
10 slots) in a temp file, at 11:00 of the conference day.
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
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
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


async def first_loads(browser, url: str, loads: int) -> list[float]:
    """Milliseconds from navigation start until the agenda from the API is on screen (the
    page's User Timing mark "interactive"), each in a fresh profile at 360×740."""
    times = []
    for _ in range(loads):
        context = await browser.new_context(viewport={"width": 360, "height": 740})
        page = await context.new_page()
        await page.goto(url)
        await page.wait_for_selector("[data-key^='b:']")
        for _ in range(200):
            mark = await page.evaluate("(performance.getEntriesByName('interactive')[0] || {}).startTime || 0")
            if mark:
                break
            await asyncio.sleep(0.01)
        times.append(mark)
        await context.close()
    return times


async def renders(browser, url: str, width: int, count: int) -> tuple[list[float], int]:
    """Milliseconds per update of the page with fresh data from the API (the page's User Timing
    measure "render", layout included) and the sessions drawn."""
    context = await browser.new_context(viewport={"width": width, "height": 800})
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector("[data-key^='b:']")
    before = await page.evaluate("performance.getEntriesByName('render').length")
    for _ in range(count):
        done = await page.evaluate("performance.getEntriesByName('render').length")
        await page.evaluate("window.dispatchEvent(new Event('focus'))")  # the page reloads its data and updates
        for _ in range(500):
            if await page.evaluate("performance.getEntriesByName('render').length") > done:
                break
            await asyncio.sleep(0.005)
    durations = await page.evaluate("performance.getEntriesByName('render').map(e => e.duration)")
    cells = len(await page.query_selector_all("#program [data-key^='b:']"))
    await context.close()
    return durations[before:], cells


async def main(loads: int, render_count: int) -> list[dict]:
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
                    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                    interactive = await first_loads(browser, url, loads)
                    agenda, agenda_cells = await renders(browser, url, 360, render_count)
                    grid, grid_cells = await renders(browser, url, 1280, render_count)
                    await browser.close()
        finally:
            await server.stop()
    return [
        {"measure": f"first agenda screen at 360 px, cold (median of {loads}, fresh profile)",
         "figure": f"{statistics.median(interactive):.0f} ms (max {max(interactive):.0f} ms)", "target": "< 300 ms"},
        {"measure": f"agenda update at 360 px, {agenda_cells} sessions (median of {len(agenda)})",
         "figure": f"{statistics.median(agenda):.1f} ms (max {max(agenda):.1f} ms)", "target": "< 100 ms"},
        {"measure": f"grid update at 1280 px, {grid_cells} sessions (median of {len(grid)})",
         "figure": f"{statistics.median(grid):.1f} ms (max {max(grid):.1f} ms)", "target": "< 100 ms"},
        {"measure": f"all assets gzip-compressed ({len(assets)} files, page and room screen)",
         "figure": f"{compressed / 1000:.1f} kB (uncompressed {sum(len(a.body) for a in assets.values()) / 1000:.1f} kB)",
         "target": "< 40 kB"},
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
