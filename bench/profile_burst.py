"""Where the time of a burst goes: pyinstrument over the bot while 500 attendees send /jetzt.

    python bench/profile_burst.py [N]      (needs: pip install pyinstrument)
"""

from __future__ import annotations

import asyncio
import sys

from common import sandbox_process

from burst import one_burst, our_bot


async def main(n: int) -> None:
    from pyinstrument import Profiler

    async with sandbox_process(latency_ms=50) as (client, api_url):
        async with our_bot(api_url):
            await one_burst(client, 50, 3_000_000)  # warm up
            profiler = Profiler(async_mode="disabled", interval=0.0005)
            profiler.start()
            result = await one_burst(client, n, 2_000_000)
            profiler.stop()
    print(result)
    print(profiler.output_text(unicode=False, color=False, show_all=False, timeline=False))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
