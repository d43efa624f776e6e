"""Burst of /jetzt, this checkout's update processor and rate limiter against another's, in
turns within one process and one sandbox (so that the machine's changing load falls on both
alike; `bench/burst.py` run in turns compares whole runs, each with its own floor).

    git archive <commit> | tar -x -C /tmp/before      # the code to compare with
    python bench/burst_ab.py /tmp/before [--n 500] [--turns 5]

The other checkout's bot/processor.py and bot/delivery.py are swapped in, alone and together;
everything else is this checkout's.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
from pathlib import Path

from burst import one_burst, our_bot
from common import machine, sandbox_process, table

import bot.app as app


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(f"bot.{name}", path)  # in the package: relative imports work
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def main(other: Path, n: int, turns: int) -> None:
    old_processor = load("processor_other", other / "bot/processor.py").PerChatUpdateProcessor
    old_limiter = load("delivery_other", other / "bot/delivery.py").ConferenceRateLimiter
    new_processor, new_limiter = app.PerChatUpdateProcessor, app.ConferenceRateLimiter
    variants = {"this": (new_processor, new_limiter), "other processor": (old_processor, new_limiter),
                "other limiter": (new_processor, old_limiter), "other": (old_processor, old_limiter)}
    p99s: dict[str, list[float]] = {name: [] for name in variants}
    async with sandbox_process(latency_ms=50) as (client, api_url):
        first_id = 1_000_000
        for _turn in range(turns):
            for name, (processor, limiter) in variants.items():
                app.PerChatUpdateProcessor, app.ConferenceRateLimiter = processor, limiter
                async with our_bot(api_url):
                    result = await one_burst(client, n, first_id)
                first_id += n
                p99s[name].append(result["p99"])
    print(machine())
    print(table([{"code": name, f"p99 s of {turns} turns": " ".join(f"{v:.2f}" for v in values),
                  "median p99 s": f"{statistics.median(values):.2f}"} for name, values in p99s.items()],
                ["code", f"p99 s of {turns} turns", "median p99 s"]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("other", type=Path, help="the checkout to compare with")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.other, args.n, args.turns))
