"""Where the time of N end-to-end sign-ups goes on PostgreSQL: how busy each storage worker
thread (lane) is, and which storage calls run on it (bench/signup.py's run, N = 5,000).

    python bench/profile_signup.py [N]
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections import Counter

import signup
from common import machine, postgres_server

from bot.storage import engine

busy, batches, calls, kinds = Counter(), Counter(), Counter(), Counter()
_run_batch = engine.Engine._run_batch


def timed(self, batch):
    started = time.perf_counter()
    _run_batch(self, batch)
    lane = threading.current_thread().name
    busy[lane] += time.perf_counter() - started
    batches[lane] += 1
    calls[lane] += len(batch)
    kinds.update((lane, call.work.__qualname__.split(".<locals>")[0]) for call in batch)


engine.Engine._run_batch = timed


async def main(n: int) -> None:
    async with postgres_server() as server:
        row = await signup.run(n, 1000, server.url())
    print(machine())
    print(f"{n} sign-ups settled in {row['settled s']} s")
    for lane in sorted(busy):
        print(f"{lane}: busy {busy[lane]:.1f} s, {batches[lane]} transactions, {calls[lane]} calls "
              f"({calls[lane] / batches[lane]:.1f} per transaction, {1000 * busy[lane] / batches[lane]:.1f} ms each)")
    for (lane, work), count in kinds.most_common(6):
        print(f"  {lane} {work}: {count}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
