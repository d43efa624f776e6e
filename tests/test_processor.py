"""The update processor: one chat's updates in order, a busy chat holds at most one slot, and a
chat that sends more than it can be answered keeps only its newest updates (bot/processor.py)."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import datetime, timezone

import pytest
from telegram import CallbackQuery, Chat, InlineQuery, Message, Update, User

from bot import processor as processor_module
from bot.processor import PerChatUpdateProcessor

_ids = iter(range(1, 1_000_000))


def message(chat_id: int, text: str = "hi", kind: str = "private") -> Update:
    user = User(abs(chat_id) % 1000 + 1, "Anna", False)
    return Update(next(_ids), message=Message(next(_ids), datetime.now(timezone.utc), Chat(chat_id, kind),
                                              from_user=user, text=text))


def tap(chat_id: int, data: str = "x") -> Update:
    user = User(chat_id, "Anna", False)
    shown = Message(1, datetime.now(timezone.utc), Chat(chat_id, "private"))
    return Update(next(_ids), callback_query=CallbackQuery(str(next(_ids)), user, "i", message=shown, data=data))


class Notices:
    def __init__(self):
        self.notes: list[tuple[int, int]] = []
        self.dropped_taps: list[str] = []
        self.waiting_taps: list[str] = []

    async def backlog(self, update, kept):
        self.notes.append((update.effective_chat.id, kept))

    async def tap_dropped(self, update):
        self.dropped_taps.append(update.callback_query.data)

    async def tap_waits(self, update):
        self.waiting_taps.append(update.callback_query.data)


async def test_a_chat_with_many_waiting_updates_holds_one_slot():
    processor = PerChatUpdateProcessor(4)
    release = asyncio.Event()

    async def slow():
        await release.wait()

    busy = [asyncio.create_task(processor.process_update(message(1), slow())) for _ in range(10)]
    await asyncio.sleep(0.01)
    assert processor.current_concurrent_updates == 1
    other = processor.process_update(message(2), asyncio.sleep(0))
    await asyncio.wait_for(other, 1.0)  # before: the busy chat's updates held every slot; this waited
    release.set()
    await asyncio.gather(*busy)
    assert processor.current_concurrent_updates == 0


async def test_one_chat_runs_in_order_and_chats_side_by_side():
    processor = PerChatUpdateProcessor(8)
    order: list[tuple[int, int]] = []
    running = 0
    most = 0

    async def work(chat, index):
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.005)
        order.append((chat, index))
        running -= 1

    await asyncio.gather(*(processor.process_update(message(chat), work(chat, index))
                           for index in range(5) for chat in (10, 11, 12)))
    for chat in (10, 11, 12):
        assert [i for c, i in order if c == chat] == list(range(5))
    assert most == 3  # three chats at once, never two updates of one chat


async def test_a_flooding_private_chat_keeps_its_newest_updates_and_gets_one_note(caplog):
    processor = PerChatUpdateProcessor(4, backlog_seconds=5)  # a private chat: 5 waiting updates kept
    notices = processor.notices = Notices()
    release = asyncio.Event()
    ran: list[int] = []

    async def handle(index):
        if index == 0:
            await release.wait()
        ran.append(index)

    caplog.set_level(logging.WARNING, logger="bot.processor")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a dropped update's coroutine is closed, not left unawaited
        tasks = [asyncio.create_task(processor.process_update(message(5), handle(i))) for i in range(40)]
        await asyncio.sleep(0.01)
        assert sum(task.done() for task in tasks) == 34  # dropped ones are done at once (a webhook answers)
        release.set()
        await asyncio.gather(*tasks)
    assert ran == [0, 35, 36, 37, 38, 39]
    assert processor.dropped == 34
    assert notices.notes == [(5, 5)]
    assert len([r for r in caplog.records if "more than it can be answered" in r.message]) == 1


async def test_the_note_comes_before_the_kept_updates_and_a_group_keeps_fewer():
    processor = PerChatUpdateProcessor(4)  # 30 s: 20 a minute in a group is 10 updates
    order: list[str] = []

    class Recording(Notices):
        async def backlog(self, update, kept):
            order.append(f"note {kept}")

    processor.notices = Recording()
    release = asyncio.Event()

    async def handle(index):
        if index == 0:
            await release.wait()
        order.append(str(index))

    tasks = [asyncio.create_task(processor.process_update(message(-100, kind="supergroup"), handle(i)))
             for i in range(15)]
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["0", "note 10", *map(str, range(5, 15))]
    assert processor.dropped == 4


async def test_a_dropped_tap_is_answered_and_a_waiting_tap_stops_spinning(monkeypatch):
    monkeypatch.setattr(processor_module, "TAP_PATIENCE", 0.05)
    processor = PerChatUpdateProcessor(4, backlog_seconds=2)
    notices = processor.notices = Notices()
    release = asyncio.Event()

    async def first():
        await release.wait()

    tasks = [asyncio.create_task(processor.process_update(message(7), first()))]
    tasks += [asyncio.create_task(processor.process_update(tap(7, f"t{i}"), asyncio.sleep(0))) for i in range(4)]
    await asyncio.sleep(0.2)
    assert notices.dropped_taps == ["t0", "t1"]
    assert notices.waiting_taps == ["t2", "t3"]  # the kept ones, still waiting after TAP_PATIENCE
    release.set()
    await asyncio.gather(*tasks)


async def test_a_tap_whose_turn_comes_soon_is_left_to_its_handler(monkeypatch):
    monkeypatch.setattr(processor_module, "TAP_PATIENCE", 0.05)
    processor = PerChatUpdateProcessor(4)
    notices = processor.notices = Notices()
    await asyncio.gather(processor.process_update(message(8), asyncio.sleep(0.01)),
                         processor.process_update(tap(8), asyncio.sleep(0)))
    await asyncio.sleep(0.1)
    assert notices.waiting_taps == [] and notices.dropped_taps == []


async def test_a_cancelled_waiting_update_does_not_stall_its_chat():
    processor = PerChatUpdateProcessor(4)
    release = asyncio.Event()
    ran: list[str] = []

    async def record(name, wait=False):
        if wait:
            await release.wait()
        ran.append(name)

    first = asyncio.create_task(processor.process_update(message(9), record("first", wait=True)))
    second = asyncio.create_task(processor.process_update(message(9), record("second")))
    third = asyncio.create_task(processor.process_update(message(9), record("third")))
    await asyncio.sleep(0.01)
    second.cancel()
    release.set()
    await asyncio.gather(first, third)
    assert ran == ["first", "third"]
    await processor.process_update(message(9), record("later"))  # the chat is free again
    assert ran[-1] == "later"


async def test_inline_queries_and_other_objects_are_not_queued_behind_a_chat():
    processor = PerChatUpdateProcessor(4)
    release = asyncio.Event()
    blocked = asyncio.create_task(processor.process_update(message(7), release.wait()))
    query = Update(next(_ids), inline_query=InlineQuery("q1", User(7, "Anna", False), "podium", ""))
    await asyncio.wait_for(processor.process_update(query, asyncio.sleep(0)), 1.0)
    await asyncio.wait_for(processor.process_update(object(), asyncio.sleep(0)), 1.0)
    release.set()
    await blocked


async def test_arrival_stamps_follow_the_order_updates_were_handed_over():
    processor = PerChatUpdateProcessor(4)
    seen: dict[str, int] = {}
    first, second = message(20), message(21)

    async def stamp(name, update):
        seen[name] = processor.arrival_of(update)

    await asyncio.gather(processor.process_update(first, stamp("first", first)),
                         processor.process_update(second, stamp("second", second)))
    assert seen["first"] < seen["second"]
    assert processor._arrivals == {}  # forgotten once handled


@pytest.mark.parametrize("kind, expected", [("private", 30), ("group", 10), ("supergroup", 10)])
def test_the_backlog_is_what_telegram_lets_the_bot_answer_in_30_seconds(kind, expected):
    assert PerChatUpdateProcessor(4)._capacity(message(-5 if kind != "private" else 5, kind=kind)) == expected
