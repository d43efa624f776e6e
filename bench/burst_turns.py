"""Burst of /jetzt, whole checkouts against each other in turns: each turn runs every checkout's
bot, and the minimal floor bot, in a fresh process of its own against one sandbox, in a rotating
order, so that the machine's changing load falls on all of them alike. Medians of the turns.

    git archive fdbec6c | tar -x -C /tmp/fdbec6c        # the code to compare with
    python bench/burst_turns.py . /tmp/fdbec6c [--n 500] [--turns 8] [--floor 16]

`bench/burst_ab.py` swaps two modules within one process; this compares everything (storage,
cluster, handlers), each checkout with its own program.yaml.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


async def worker(kind: str, api_url: str, sandbox_url: str, n: int, first_id: int) -> None:
    """One burst in this process (started by main with BENCH_CODE set); prints its result."""
    from burst import floor_bot, one_burst, our_bot  # the bot of BENCH_CODE (common.py)

    from bot.sandbox.client import SandboxClient

    client = SandboxClient(sandbox_url)
    try:
        context = floor_bot(api_url, int(kind.split(":")[1])) if kind.startswith("floor:") else our_bot(api_url)
        async with context:
            result = await one_burst(client, n, first_id)
    finally:
        await client.close()
    print(json.dumps(result))


def one_turn(code: str, kind: str, api_url: str, sandbox_url: str, n: int, first_id: int) -> dict:
    env = {**os.environ, "BENCH_CODE": str(Path(code).resolve())}
    done = subprocess.run([sys.executable, str(HERE / "burst_turns.py"), "--worker", kind, api_url, sandbox_url,
                           str(n), str(first_id)], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


async def main(codes: list[str], n: int, turns: int, floor: int) -> None:
    from common import machine, sandbox_process, table

    runs = [(code, "bot") for code in codes] + [(codes[0], f"floor:{floor}")]
    results: dict[tuple[str, str], list[dict]] = {run: [] for run in runs}
    async with sandbox_process(latency_ms=50) as (client, api_url):
        sandbox_url = api_url[: -len("/bot")]
        first_id = 1_000_000
        for turn in range(turns):
            for run in runs[turn % len(runs):] + runs[:turn % len(runs)]:  # each goes first in turn
                results[run].append(await asyncio.to_thread(one_turn, *run, api_url, sandbox_url, n, first_id))
                first_id += n
    floor_p99 = statistics.median(r["p99"] for r in results[runs[-1]])
    rows = []
    for (code, kind), values in results.items():
        p99 = statistics.median(r["p99"] for r in values)
        rows.append({"code": code if kind == "bot" else f"floor (PTB minimal, concurrency {floor})",
                     f"p99 s of {turns} turns": " ".join(f"{r['p99']:.2f}" for r in values),
                     "median p50 s": f"{statistics.median(r['p50'] for r in values):.2f}",
                     "median p99 s": f"{p99:.2f}", "/ floor": f"{p99 / floor_p99:.2f}",
                     "median CPU s": f"{statistics.median(r['cpu_s'] for r in values):.2f}",
                     "answered": min(r["answered"] for r in values)})
    print(machine())
    print(table(rows, list(rows[0])))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, api_url, sandbox_url, n, first_id = sys.argv[2:7]
        asyncio.run(worker(kind, api_url, sandbox_url, int(n), int(first_id)))
        sys.exit(0)
    parser = argparse.ArgumentParser()
    parser.add_argument("codes", nargs="+", help="checkouts to compare (the first also runs the floor)")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--floor", type=int, default=16, help="the floor's concurrency (16 was the best in burst.py)")
    args = parser.parse_args()
    asyncio.run(main(args.codes, args.n, args.turns, args.floor))
