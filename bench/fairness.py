"""Fairness: one busy chat must not take the bot away from everybody else (GitHub issue 17).

1. flood: 20 attendees ask /jetzt at once, a few rounds; then one person pastes 200 messages
   into their chat and a group sends 60 commands, and the same 20 attendees ask again, a few
   rounds. Their p99 reply time during the flood against their p99 without it, in one run;
   meanwhile the pasting person taps a button: when does its spinner stop? By long polling and
   as a webhook (where Telegram posts one chat's updates one after another).
2. replies: 700 people send /start in the same instant (the link went out in the welcome mail):
   how long until all are answered against the 23.3 s that 30/s allows, and the 429s the
   sandbox counted; then the same with the sandbox stricter than the bot believes (20/s).

The sandbox runs in its own process with 50 ms per call and Telegram's limits (30 messages/s
overall, 3 in 3 s per private chat, 20 a minute per group); the bot, in this process, keeps its
own default limits (BOT_RATE_LIMIT=30).

    python bench/fairness.py            # 3 + 3 rounds, 700 /start
    python bench/fairness.py --quick    # 2 + 2 rounds, 300 /start
    python bench/fairness.py --only flood   # or: replies
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time

from broadcast import LIMITS, bot
from common import free_port, machine, percentile, sandbox_process, scratch_dir, table

from bot.webhook import WebhookSettings

TELEGRAM = {**LIMITS, "group_per_minute": 20}
ATTENDEES = list(range(2_000_000, 2_000_020))
PASTER = 2_100_000
GROUP = -2_200_000
GROUP_MEMBERS = list(range(2_200_001, 2_200_006))
ROUND_TIMEOUT = 45.0  # seconds an attendee may wait before the round counts them as unanswered


async def one_round(client, users: list[int], timeout: float = ROUND_TIMEOUT) -> list[float]:
    """Every user in `users` sends /jetzt at the same instant; the seconds until each one's first
    reply arrived (float('inf') for one not answered within `timeout`)."""
    ack = await client.bulk(messages=[{"user_id": u, "text": "/jetzt"} for u in users])
    return await reply_times(client, set(users), ack["seq"], ack["time"], timeout)


async def reply_times(client, chats: set[int], after: int, since: float, timeout: float) -> list[float]:
    """Seconds from `since` to the first message into each of `chats` after output `after`."""
    first: dict[int, float] = {}
    seen = after
    deadline = time.monotonic() + timeout
    while len(first) < len(chats) and time.monotonic() < deadline:
        for output in await client.outputs(after=seen, wait=min(2.0, max(0.0, deadline - time.monotonic())),
                                           minimum=1, settle=0):
            seen = max(seen, output["seq"])
            if output["kind"] == "sendMessage" and output["chat_id"] in chats:
                first.setdefault(output["chat_id"], output["time"] - since)
    return [first.get(chat, float("inf")) for chat in chats]


def timed_in_processor(application) -> dict[int, list[float]]:
    """Seconds each update spent in the update processor (its turn, a slot, its handling), by
    chat: in webhook mode the bot answers Telegram's POST right after."""
    processor = application.update_processor
    handed_over = processor.process_update
    spent: dict[int, list[float]] = {}

    async def timed(update, coroutine):
        started = time.monotonic()
        try:
            await handed_over(update, coroutine)
        finally:
            chat = update.effective_chat.id if update.effective_chat else update.effective_user.id
            spent.setdefault(chat, []).append(time.monotonic() - started)

    processor.process_update = timed  # webhook.py and python-telegram-bot call it on the instance
    return spent


async def tap_answered_after(client, user_id: int, timeout: float) -> float:
    """The user taps the first button of the bot's newest message to them; seconds until the
    tap's spinner stops (answerCallbackQuery), inf if not within `timeout`."""
    chat = await client.chat(user_id)
    message = next(m for m in reversed(chat["messages"]) if m.get("reply_markup"))
    data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    pressed = time.time()  # the sandbox's outputs carry the time of this machine's clock
    ack = await client.press(user_id, message["message_id"], data)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for output in await client.outputs(user_id, after=ack["seq"], wait=1.0):
            if output["kind"] == "answerCallbackQuery":
                return output["time"] - pressed
    return float("inf")


async def flood(client, api_url: str, rounds: int, webhook: bool) -> dict:
    await client.bulk(users=[{"id": i, "first_name": f"T{i}"} for i in ATTENDEES + [PASTER] + GROUP_MEMBERS])
    await client.add_group(GROUP, "Arbeitsgruppe Mobilität")
    await client.configure(limits=TELEGRAM)
    hook = None
    if webhook:
        port = free_port()
        hook = WebhookSettings(url=f"http://127.0.0.1:{port}/telegram/updates", secret="bench-fairness-secret-0123",
                               port=port)
    async with bot(api_url, scratch_dir() / "fairness.sqlite3", webhook=hook) as application:
        spent = timed_in_processor(application)
        await one_round(client, ATTENDEES)  # warm-up: the attendees are known, the caches full
        shown = await client.message(PASTER, "/programm")  # a message with buttons, tapped during the flood
        await reply_times(client, {PASTER}, shown["seq"], 0.0, ROUND_TIMEOUT)
        quiet: list[float] = []
        for _round in range(rounds):
            quiet += await one_round(client, ATTENDEES)
            await asyncio.sleep(1.0)
        requests_before = len(await client.requests())
        flood_started = time.monotonic()
        await asyncio.gather(*(client.message(GROUP_MEMBERS[i % len(GROUP_MEMBERS)], "/jetzt", chat_id=GROUP)
                               for i in range(60)))
        paste = await client.bulk(messages=[{"user_id": PASTER, "text": f"Wann beginnt Vortrag {i}?"} for i in range(200)])
        tap = asyncio.create_task(tap_answered_after(client, PASTER, ROUND_TIMEOUT))
        busy: list[float] = []
        for _round in range(rounds):
            times = await one_round(client, ATTENDEES)
            busy += times
            if float("inf") in times:
                break  # no point asking again while they are still waiting
            await asyncio.sleep(1.0)
        during = time.monotonic() - flood_started
        outputs = await client.outputs(after=paste["seq"])
        processor = application.update_processor
        requests = (await client.requests())[requests_before:]
        result = {
            "rounds": rounds, "quiet_p50": percentile(quiet, 0.5), "quiet_p99": percentile(quiet, 0.99),
            "busy_p50": percentile(busy, 0.5), "busy_p99": percentile(busy, 0.99),
            "busy_unanswered": sum(1 for t in busy if t == float("inf")),
            "seconds_measured": during,
            "paster_replies": sum(1 for o in outputs if o["kind"] == "sendMessage" and o["chat_id"] == PASTER),
            "group_replies": sum(1 for o in outputs if o["kind"] == "sendMessage" and o["chat_id"] == GROUP),
            "dropped": getattr(processor, "dropped", "–"),
            "429s": sum(1 for r in requests if r.get("status") == 429),
            "tap_answered": await tap,
            "longest_attendee": max(t for chat in ATTENDEES for t in spent.get(chat, [0.0])),
            "longest_flood": max(t for chat in (PASTER, GROUP) for t in spent.get(chat, [0.0])),
        }
        result["ratio"] = result["busy_p99"] / result["quiet_p99"]
        print("flood measured; stopping the bot (it works off what it kept of the flood first) …", flush=True)
    return result


class CountErrors(logging.Handler):
    """Counts what the bot logs as an error (a reply given up after 429s was one), instead of printing it."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def start_burst(client, api_url: str, n: int, limits: dict, first_id: int) -> dict:
    errors = CountErrors()
    logging.getLogger().addHandler(errors)
    users = list(range(first_id, first_id + n))
    await client.bulk(users=[{"id": i, "first_name": f"S{i}"} for i in users])
    await client.configure(limits=limits)
    async with bot(api_url, scratch_dir() / "starts.sqlite3"):
        requests_before = len(await client.requests())
        ack = await client.bulk(messages=[{"user_id": u, "text": "/start"} for u in users])
        times = await reply_times(client, set(users), ack["seq"], ack["time"], timeout=n / 30 * 3 + 30)
        requests = (await client.requests())[requests_before:]
    logging.getLogger().removeHandler(errors)
    answered = [t for t in times if t != float("inf")]
    minimum = n / 30
    return {"N": n, "sandbox limit /s": limits["global_per_second"], "answered": len(answered),
            "all answered after s": f"{max(answered):.1f}" if answered else "–", "minimum s": f"{minimum:.1f}",
            "ratio": f"{max(answered) / minimum:.3f}" if len(answered) == n else "–",
            "p50 s": f"{percentile(answered, 0.5):.1f}",
            "429s": sum(1 for r in requests if r.get("status") == 429), "errors logged": errors.count,
            "most in 1 s": _most_in_one_second([r["arrived"] for r in requests
                                                if r.get("method") == "sendMessage" and r.get("status") == 200])}


def _most_in_one_second(arrivals: list[float]) -> int:
    arrivals = sorted(arrivals)
    most, first = 0, 0
    for last, moment in enumerate(arrivals):
        while arrivals[first] <= moment - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def flood_row(result: dict) -> dict:
    return {"mode": result["mode"], "quiet p50 s": f"{result['quiet_p50']:.2f}", "quiet p99 s": f"{result['quiet_p99']:.2f}",
            "flood p50 s": f"{result['busy_p50']:.2f}", "flood p99 s": f"{result['busy_p99']:.2f}",
            "ratio p99": f"{result['ratio']:.2f}", "unanswered": result["busy_unanswered"],
            "paste replies": result["paster_replies"], "group replies": result["group_replies"],
            "dropped": result["dropped"], "429s": result["429s"], "tap answered s": f"{result['tap_answered']:.1f}",
            "longest handled update s (attendees / flood)": f"{result['longest_attendee']:.1f} / {result['longest_flood']:.1f}"}


FLOOD_COLUMNS = ["mode", "quiet p50 s", "quiet p99 s", "flood p50 s", "flood p99 s", "ratio p99", "unanswered",
                 "paste replies", "group replies", "dropped", "429s", "tap answered s", "longest handled update s (attendees / flood)"]
START_COLUMNS = ["N", "sandbox limit /s", "answered", "all answered after s", "minimum s", "ratio", "p50 s", "429s",
                 "errors logged", "most in 1 s"]


async def main(only: str | None, rounds: int, starts: int, out: str | None) -> None:
    raw: dict = {"machine": machine()}
    print(machine())
    if only in (None, "flood"):
        results = []
        for webhook in (False, True):
            async with sandbox_process(latency_ms=50) as (client, api_url):
                results.append({"mode": "webhook" if webhook else "polling", **await flood(client, api_url, rounds, webhook)})
        raw["flood"] = results
        print(f"\n20 attendees × {rounds} rounds of /jetzt, quiet and while one chat pastes 200 messages and a "
              "group sends 60 commands (target: ratio p99 ≤ 1.5); the pasting person taps a button meanwhile")
        print(table([flood_row(result) for result in results], FLOOD_COLUMNS))
    if only in (None, "replies"):
        rows = []
        for index, limit in enumerate((30, 20)):
            async with sandbox_process(latency_ms=50) as (client, api_url):
                rows.append(await start_burst(client, api_url, starts, {**TELEGRAM, "global_per_second": limit},
                                              3_000_000 + index * 10_000))
        raw["replies"] = rows
        print(f"\n{starts} × /start at once; the bot believes 30/s (target at 30/s: ratio ≤ 1.1, 0 × 429; "
              "at 20/s: all answered)")
        print(table(rows, START_COLUMNS))
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(raw, handle, indent=1, default=str)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["flood", "replies"])
    parser.add_argument("--json")
    args = parser.parse_args()
    asyncio.run(main(args.only, 2 if args.quick else 3, 300 if args.quick else 700, args.json))
