"""The short version of every benchmark, in under five minutes, with one summary table.

    python bench/run_all.py

The long versions: python bench/burst.py, bench/broadcast.py, bench/signup.py,
bench/reminders.py, bench/footprint.py, bench/webapp.py, bench/cluster.py (see docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import time

import broadcast
import burst
import cluster
import footprint
import reminders
import signup
import webapp
from common import machine, postgres_server, scratch_dir, table


async def main() -> None:
    started = time.monotonic()
    summary = []
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        await burst.main([500], [16, 32], None)
    for line in log.getvalue().splitlines():
        if "ratio" in line:
            summary.append({"benchmark": "burst N=500: p99 ours / best floor", "figure": line.split("|")[7].strip(),
                            "target": "≤ 0.50"})
    result = await broadcast.run(1000)
    summary.append({"benchmark": "broadcast 1,000 at 30/s: rate / limit", "figure": f"{result['fraction']:.3f}", "target": "≥ 0.95"})
    summary.append({"benchmark": "broadcast 1,000: 429s / lost / duplicated", "figure":
                    f"{result['too_many']} / {result['lost']} / {result['duplicated']}", "target": "0 / 0 / 0"})
    async with postgres_server() as server:  # two webhook instances on one PostgreSQL, ~45 s
        result = await cluster.run("announcement", 1000, server, None)
    summary.append({"benchmark": "two instances, broadcast 1,000: rate / limit", "figure": result["of limit"], "target": "≥ 0.97"})
    summary.append({"benchmark": "two instances: 429s / lost / duplicated / share A:B", "figure":
                    f"{result['429s']} / {result['lost']} / {result['duplicated']} / {result['share A / B']}", "target": "0 / 0 / 0"})
    row = await signup.run(500, 1000, scratch_dir() / "signup.sqlite3")
    summary.append({"benchmark": "sign-up 500 at once: settled s, sign-ups/s", "figure": f"{row['settled s']}, {row['sign-ups/s']}",
                    "target": "–"})
    summary.append({"benchmark": "sign-up 500: overbooked / two seats", "figure": f"{row['overbooked']} / {row['two seats']}",
                    "target": "0 / 0"})
    row = await reminders.run(500)
    summary.append({"benchmark": "reminders 500 due at once: excess p50 / p99 s", "figure": f"{row['excess p50 s']} / {row['excess p99 s']}",
                    "target": "≈ 0 (only the rate limit)"})
    row = await footprint.run(2000)
    summary.append({"benchmark": "footprint 2,000 attendees: start-up s / RSS MB / DB MB",
                    "figure": f"{row['start-up to getUpdates s']} / {row['RSS MB']} / {row['database MB']}", "target": "–"})
    for row in await webapp.main(loads=3, render_count=10):  # the Mini App in Debian's chromium
        summary.append({"benchmark": "Mini App: " + row["measure"], "figure": row["figure"], "target": row["target"]})
    print(machine())
    print(table(summary, ["benchmark", "figure", "target"]))
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())
