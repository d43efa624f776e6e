"""Concurrent update processing that keeps each chat's updates in order, fairly.

Different chats are served at the same time; one chat's updates run one after another, so a
double tap cannot race itself. A chat waits for its turn *before* it takes one of the
`max_concurrent_updates` slots: a chat holds at most one slot, and only while one of its updates
runs. (python-telegram-bot's own `process_update` takes the slot first; a chat lock inside it
made one chat's queued updates hold every slot while they waited for their turn, and that turn
is paced by Telegram at one message a second in a private chat, 20 a minute in a group: one
person pasting 200 messages took the bot away from everybody, issue 17.)

A chat that sends far more than it can be answered keeps only as many waiting updates as
Telegram's per-chat limit lets the bot answer within BACKLOG_SECONDS; the oldest are dropped
(see `_trim`), with one note to the chat, and a dropped button tap gets its spinner stopped.

Each update also gets an arrival stamp when it is handed over, in the order the bot received
updates: waitlists are ordered by it, not by whichever handler happened to reach the database
first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Coroutine, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

BACKLOG_SECONDS = 30.0  # a chat's waiting updates beyond what Telegram lets us answer in this time are dropped
PRIVATE_PER_SECOND = 1.0  # Telegram's pace for one private chat
GROUP_PER_SECOND = 20 / 60  # and for one group
TAP_PATIENCE = 4.0  # seconds a waiting button tap spins before its spinner is stopped with a note
MAX_COURTESIES = 16  # spinner answers under way at once; beyond that a spinner times out by itself


class Notices(Protocol):
    """What a person sees of the queueing; each returns the coroutine that says it (bot/handlers/backlog.py)."""

    def backlog(self, update: Update, kept: int) -> Coroutine[Any, Any, None]: ...

    def tap_dropped(self, update: Update) -> Coroutine[Any, Any, None]: ...

    def tap_waits(self, update: Update) -> Coroutine[Any, Any, None]: ...


@dataclass(eq=False)
class _Turn:
    """One update (or a note) waiting for its chat's turn."""

    update: object
    given: asyncio.Future  # True: run now; False: dropped
    droppable: bool = True
    patience: asyncio.TimerHandle | None = None


@dataclass(eq=False)
class _Chat:
    """A chat with an update running; exists only while it has one."""

    capacity: int  # waiting updates kept
    waiting: deque[_Turn] = field(default_factory=deque)
    dropped: int = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int, backlog_seconds: float = BACKLOG_SECONDS):
        super().__init__(max_concurrent_updates)
        self.backlog_seconds = backlog_seconds
        self.notices: Notices | None = None  # set once the bot exists (app.py)
        self.dropped = 0  # updates dropped since the start, for benchmarks and tests
        self._chats: dict[int, _Chat] = {}
        self._courtesies: set[asyncio.Task] = set()  # spinner answers under way
        self._notes: set[asyncio.Task] = set()  # backlog notes waiting for their turn or under way
        self._arrivals: dict[int, int] = {}
        self._last_arrival = 0
        # The clock of the stamps: this host's, until the cluster knows the database's (app.py):
        # processes on hosts whose clocks differ then still order one waiting list by arrival.
        self.clock_ns: Callable[[], int] = time.time_ns

    # --- arrival stamps -------------------------------------------------------------------

    def _stamp(self, update: object) -> None:
        if isinstance(update, Update):
            self._arrivals[update.update_id] = self.next_arrival()

    def next_arrival(self) -> int:
        """The next stamp, also for a request that is no update (a tap in the Mini App): the
        chat and the page queue on one waitlist in the order the bot received them.
        Nanoseconds of the database's clock as this host reckons it (or of wall time, alone),
        strictly increasing: comparable across restarts and across the bot's processes."""
        self._last_arrival = max(self.clock_ns(), self._last_arrival + 1)
        return self._last_arrival

    def arrival_of(self, update: Update) -> int:
        return self._arrivals.get(update.update_id) or self.clock_ns()

    # --- turns --------------------------------------------------------------------------------

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

    def _capacity(self, update: object) -> int:
        chat = update.effective_chat if isinstance(update, Update) else None
        pace = PRIVATE_PER_SECOND if chat is None or chat.type == "private" else GROUP_PER_SECOND
        return max(1, round(self.backlog_seconds * pace))

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        """Overrides the base class (marked final there only for type checkers): the chat's
        turn first, then a slot, never a slot while waiting."""
        self._stamp(update)
        try:
            key = self._key(update)
            if key is not None and not await self._wait_for_turn(key, self._join(key, update)):
                return  # dropped
            try:
                async with self._semaphore:
                    await self.do_process_update(update, coroutine)
            finally:
                if key is not None:
                    self._pass_turn(key)
        finally:
            _close(coroutine)  # one that never ran (dropped, cancelled); a finished one is unaffected
            if isinstance(update, Update):
                self._arrivals.pop(update.update_id, None)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    def _join(self, key: int, update: object) -> _Turn | None:
        """The update's place in its chat's queue; None when the chat is idle (its turn now)."""
        chat = self._chats.get(key)
        if chat is None:
            self._chats[key] = _Chat(self._capacity(update))
            return None
        turn = _Turn(update, asyncio.get_running_loop().create_future())
        chat.waiting.append(turn)
        if isinstance(update, Update) and update.callback_query is not None:
            turn.patience = asyncio.get_running_loop().call_later(TAP_PATIENCE, self._tap_waits, turn)
        self._trim(key, chat, update)
        return turn

    async def _wait_for_turn(self, key: int, turn: _Turn | None) -> bool:
        """True when the update may run now, False when it was dropped."""
        if turn is None:
            return True
        try:
            return await turn.given
        except asyncio.CancelledError:
            if turn.given.done() and not turn.given.cancelled() and turn.given.result():
                self._pass_turn(key)  # given the turn just as it was cancelled: hand it on
            else:
                self._leave(key, turn)
            raise

    def _pass_turn(self, key: int) -> None:
        chat = self._chats[key]
        while chat.waiting:
            turn = chat.waiting.popleft()
            if not turn.given.done():
                _settle(turn, True)
                return
        del self._chats[key]  # idle chats are forgotten, so memory stays flat

    def _leave(self, key: int, turn: _Turn) -> None:
        chat = self._chats.get(key)
        if chat is not None and turn in chat.waiting:
            chat.waiting.remove(turn)
        if turn.patience is not None:
            turn.patience.cancel()

    # --- more than can be answered ------------------------------------------------------------

    def _trim(self, key: int, chat: _Chat, newest: object) -> None:
        """Keep the newest `capacity` waiting updates of a chat; drop the oldest.

        Dropped rather than merged: most updates are commands, taps and questions, which do not
        add up to one. The newest are kept: they are what the person wants now (the older ones'
        answers would arrive more than BACKLOG_SECONDS late, behind the chat's own limit), and a
        confirmation comes after what it confirms, so an organizer's "send now" is among the
        newest. Nothing goes silently: the chat gets one note, a dropped tap a toast."""
        droppable = [turn for turn in chat.waiting if turn.droppable]
        for turn in droppable[:max(0, len(droppable) - chat.capacity)]:
            chat.waiting.remove(turn)
            _settle(turn, False)
            self.dropped += 1
            chat.dropped += 1
            if chat.dropped == 1:
                log.warning("chat %s sends more than it can be answered: only its newest %d waiting updates are "
                            "kept, older ones are dropped until it has caught up", key, chat.capacity)
                self._note(key, chat, newest)
            if isinstance(turn.update, Update) and turn.update.callback_query is not None and self.notices:
                self._courtesy(self.notices.tap_dropped(turn.update))

    def _note(self, key: int, chat: _Chat, newest: object) -> None:
        """One note to the chat, in its turn before the updates it kept."""
        if self.notices is None or not isinstance(newest, Update):
            return
        note = self.notices.backlog(newest, chat.capacity)
        turn = _Turn(None, asyncio.get_running_loop().create_future(), droppable=False)
        chat.waiting.appendleft(turn)
        _keep(asyncio.create_task(self._run_note(key, turn, note), name=f"backlog-note:{key}"), self._notes)

    async def _run_note(self, key: int, turn: _Turn, note: Coroutine[Any, Any, None]) -> None:
        try:
            if not await self._wait_for_turn(key, turn):
                return
            try:
                async with self._semaphore:
                    await note
            except Exception:  # noqa: BLE001 - a note that fails must not stop the chat's updates
                log.warning("could not send the backlog note to chat %s", key, exc_info=True)
            finally:
                self._pass_turn(key)
        finally:
            _close(note)

    def _tap_waits(self, turn: _Turn) -> None:
        """A button tap still waits behind its chat's earlier updates: stop its spinner before
        Telegram gives up on it (the tap is handled in its turn all the same)."""
        turn.patience = None
        if not turn.given.done() and self.notices is not None:
            self._courtesy(self.notices.tap_waits(turn.update))  # type: ignore[arg-type]

    def _courtesy(self, answer: Coroutine[Any, Any, None]) -> None:
        """A spinner's answer, outside the chat's queue and without a slot (it is one short call
        that counts against no limit); a bounded number at once."""
        if len(self._courtesies) >= MAX_COURTESIES:
            _close(answer)
            return
        _keep(asyncio.create_task(answer, name="tap-courtesy"), self._courtesies)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        await asyncio.gather(*self._notes, *self._courtesies, return_exceptions=True)


def _settle(turn: _Turn, run: bool) -> None:
    if turn.patience is not None:
        turn.patience.cancel()
        turn.patience = None
    turn.given.set_result(run)


def _keep(task: asyncio.Task, tasks: set[asyncio.Task]) -> None:
    """A task that nobody awaits, kept until it ends (the event loop holds only weak references)."""
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def _close(coroutine: Awaitable[Any]) -> None:
    """A coroutine that will never run: closed, so that Python does not warn it was never awaited."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
