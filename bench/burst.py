"""Burst: N attendees send /jetzt in the same instant. The bot against a minimal
python-telegram-bot bot (fixed reply, best settings found) as the floor, in one run.

    python bench/burst.py            # N = 135, 500, 2000
    python bench/burst.py --quick    # N = 135, 500

Latency is from the moment the updates are in the sandbox's queue to the moment the reply
arrives there. Both bots run in this process, the sandbox in its own, with 50 ms per API call.
Telegram's overall limit (30 messages/s) would make every burst last N/30 seconds whatever
the code does; to measure the code, both bots run without it here (BOT_RATE_LIMIT=1000, the
paid-broadcast ceiling). The bot keeps its per-chat limit and all its work (storage, texts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from contextlib import asynccontextmanager

from common import CODE, TOKEN, cpu_seconds, machine, percentile, sandbox_process, scratch_dir, table

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.app import build_application, running
from bot.config import Settings
from bot.domain.loader import load_program

from bot.clock import RehearsalClock  # noqa: E402

PROGRAM = load_program(CODE / "program.yaml")


@asynccontextmanager
async def our_bot(api_url: str, backend: str = "aiohttp", concurrency: int | None = None):
    """The bot with its defaults (`concurrency`: BOT_CONCURRENCY, if not the default)."""
    tuning = {"max_concurrent_updates": concurrency} if concurrency else {}
    settings = Settings(token=TOKEN, api_url=api_url, database_path=scratch_dir() / "bench.sqlite3",
                        http_backend=backend, rate_limit=1000, **tuning)
    clock = RehearsalClock(PROGRAM.conference.start.replace(hour=10, minute=30), 1)
    application = build_application(settings, PROGRAM, clock=clock)
    async with running(application, poll_timeout=1):
        yield application


@asynccontextmanager
async def floor_bot(api_url: str, concurrency: int):
    """The minimal bot: one handler, a fixed text, python-telegram-bot's defaults otherwise."""
    async def reply(update: Update, context) -> None:
        await update.effective_message.reply_text("Jetzt läuft: Begrüßung")

    application = (ApplicationBuilder().token(TOKEN).base_url(api_url).concurrent_updates(concurrency)
                   .connection_pool_size(concurrency).pool_timeout(30).build())
    application.add_handler(MessageHandler(filters.ALL, reply))
    await application.initialize()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def one_burst(client, n: int, first_id: int) -> dict:
    users = [{"id": first_id + i, "first_name": f"B{i}"} for i in range(n)]
    await client.bulk(users=users)
    start_seq = await client.last_seq()
    cpu_before = cpu_seconds()
    ack = await client.bulk(messages=[{"user_id": u["id"], "text": "/jetzt"} for u in users])
    t0 = ack["time"]
    deadline = time.monotonic() + 300
    replies: dict[int, float] = {}
    seen = start_seq
    while len(replies) < n and time.monotonic() < deadline:
        # long-poll for new outputs only: the harness shares this process's CPU with the bot
        for output in await client.outputs(after=seen, wait=2, minimum=max(1, (n - len(replies)) // 2), settle=0):
            seen = max(seen, output["seq"])
            if output["kind"] == "sendMessage" and output["chat_id"] not in replies and first_id <= output["chat_id"] < first_id + n:
                replies[output["chat_id"]] = output["time"]
    cpu = cpu_seconds() - cpu_before
    latencies = [t - t0 for t in replies.values()]
    wall = max(latencies) if latencies else float("nan")
    return {"n": n, "answered": len(replies), "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99), "updates_per_s": len(replies) / wall if wall else 0, "cpu_s": cpu}


def fmt(result: dict, who: str, setting: str) -> dict:
    return {"bot": who, "setting": setting, "N": result["n"], "answered": result["answered"],
            "p50 s": f"{result['p50']:.2f}", "p95 s": f"{result['p95']:.2f}", "p99 s": f"{result['p99']:.2f}",
            "updates/s": f"{result['updates_per_s']:.0f}", "CPU s": f"{result['cpu_s']:.2f}"}


async def main(sizes: list[int], floor_settings: list[int], out: str | None) -> None:
    rows, raw = [], []
    next_id = 1_000_000
    async with sandbox_process(latency_ms=50) as (client, api_url):
        for n in sizes:
            best = None
            for concurrency in floor_settings:
                async with floor_bot(api_url, concurrency):
                    result = await one_burst(client, n, next_id)
                next_id += n
                rows.append(fmt(result, "floor (PTB minimal, httpx)", f"concurrency=pool={concurrency}"))
                raw.append({"bot": "floor", "concurrency": concurrency, **result})
                if best is None or result["p99"] < best["p99"]:
                    best = result
            for backend in ("aiohttp", "httpx"):
                async with our_bot(api_url, backend) as application:
                    result = await one_burst(client, n, next_id)
                next_id += n
                concurrency = application.update_processor.max_concurrent_updates
                rows.append(fmt(result, f"konferenz-bot ({backend})", f"concurrency={concurrency}"))
                raw.append({"bot": f"ours-{backend}", **result, "floor_best_p99": best["p99"]})
                if backend == "aiohttp":
                    ratio = result["p99"] / best["p99"]
                    rows.append({"bot": "→ ratio p99 ours/best floor", "N": n, "p99 s": f"{ratio:.2f}",
                                 "setting": "target ≤ 0.50 at N=500"})
    print(machine())
    print(table(rows, ["bot", "setting", "N", "answered", "p50 s", "p95 s", "p99 s", "updates/s", "CPU s"]))
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump({"machine": machine(), "results": raw}, handle, indent=1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    sizes = [135, 500] if args.quick else [135, 500, 2000]
    floors = [16, 64] if args.quick else [8, 16, 32, 64, 256]
    asyncio.run(main(sizes, floors, args.json))
