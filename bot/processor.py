"""Concurrent update processing that keeps each chat's updates in order.

Different attendees are served at the same time; one attendee's taps run one after
another, so a double tap cannot race itself. Each update also gets an arrival stamp
when it is handed over, in the order the bot received updates: waitlists are ordered
by it, not by whichever handler happened to reach the database first.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiters: dict[int, int] = {}
        self._arrivals: dict[int, int] = {}
        self._last_arrival = 0

    def _stamp(self, update: object) -> None:
        if isinstance(update, Update):
            self._arrivals[update.update_id] = self.next_arrival()

    def next_arrival(self) -> int:
        """The next stamp, also for a request that is no update (a tap in the Mini App): the
        chat and the page queue on one waitlist in the order the bot received them.
        Nanoseconds of wall time, strictly increasing: comparable across restarts."""
        self._last_arrival = max(time.time_ns(), self._last_arrival + 1)
        return self._last_arrival

    def arrival_of(self, update: Update) -> int:
        return self._arrivals.get(update.update_id) or time.time_ns()

    @staticmethod
    def _key(update: object) -> int | None:
        if isinstance(update, Update):
            if update.inline_query is not None:
                # Needs no order and has 10 s to be answered: never queue it behind the
                # user's own chat (an export or a broadcast preview under way).
                return None
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self._stamp(update)
        key = self._key(update)
        try:
            if key is None:
                await coroutine
                return
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._waiters[key] = self._waiters.get(key, 0) + 1
            try:
                async with lock:
                    await coroutine
            finally:
                self._waiters[key] -= 1
                if not self._waiters[key]:  # forget idle chats so memory stays flat
                    del self._waiters[key]
                    del self._locks[key]
        finally:
            if isinstance(update, Update):
                self._arrivals.pop(update.update_id, None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
