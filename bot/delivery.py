"""Everything the bot pushes goes through here: the outbox dispatcher and the rate limiter.

The outbox (a table, see storage) is the truth about what must be sent. The
dispatcher claims due rows, sends them within Telegram's limits, and records the
outcome of each. APScheduler, through python-telegram-bot's JobQueue, only wakes the
dispatcher at the next due time; that wake-up is rebuilt from the table at start.

Delivery guarantees:
- nothing deliverable is lost: a row leaves the table's pending states only when
  Telegram accepted it, refused it for good (blocked user, bad request) or it expired;
- a kill -9 re-sends only the rows that were in flight (state 'sending'): at the next start
  on SQLite; with several processes, the leader sends a dead process's rows again;
- a graceful stop stops claiming and lets in-flight sends finish, so it re-sends nothing.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import math
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Awaitable, Callable, Coroutine

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from .clock import Clock
from .storage import OutboxMessage, Storage

log = logging.getLogger(__name__)

# Bot API methods that put a new message into a chat: these count against every limit.
NEW_MESSAGE_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVenue", "sendLocation", "sendContact", "sendPoll",
    "sendAudio", "sendVideo", "sendVoice", "sendSticker", "sendAnimation", "sendMediaGroup", "copyMessage",
    "forwardMessage",
})
# Changes to existing messages count against the overall rate, not against one chat's.
COUNTED_METHODS = NEW_MESSAGE_METHODS | {
    "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia", "deleteMessage",
}


def seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SlidingWindow:
    """At most `limit` events in any `span` seconds, measured exactly (not a token bucket),
    because Telegram counts that way and a bucket's burst would overshoot."""

    def __init__(self, limit: int, span: float):
        self.limit, self.span = limit, span
        self.events: deque[float] = deque()

    def wait_time(self, now: float, limit: int | None = None, span: float | None = None) -> float:
        """Seconds until one more event fits; `span` may be shorter than the window's own."""
        limit = self.limit if limit is None else limit
        span = self.span if span is None else span
        while self.events and self.events[0] <= now - self.span:
            self.events.popleft()
        if len(self.events) < limit:
            return 0.0
        return max(0.0, self.events[len(self.events) - limit] + span - now)

    def add(self, now: float) -> None:
        if self.events and self.events[-1] > now:  # after an event moved later: the events stay in order
            bisect.insort(self.events, now)
        else:
            self.events.append(now)

    def move_later(self, taken: float, arrived_by: float) -> None:
        """An event counted at `taken` may have arrived as late as `arrived_by`: count it there,
        so that the event `limit` places later keeps a full span from its possible arrival."""
        if arrived_by <= taken:
            return
        # found by bisection, not by a scan from the oldest: at 1000/s the window holds 1000
        index = bisect.bisect_left(self.events, taken)
        if index < len(self.events) and self.events[index] == taken:
            del self.events[index]
        # else already out of the window by its old time: its late arrival still counts
        bisect.insort(self.events, arrived_by)


@dataclass(eq=False)
class _Sent:
    """A send: when it was counted, where the windows count it, when it left (after the shared
    windows counted it too, with several processes) and how long until its answer."""

    taken: float
    chat_id: int | str | None  # its chat's window, if it took a place there
    counted: float
    left: float = 0.0
    round_trip: float = 0.0
    shared: list[tuple[str, int, float]] | None = None  # the windows the processes share, if it took them
    shared_from: float = 0.0  # the database's moment they counted it at
    shared_at: float = 0.0  # and where they count it now
    asked: float = 0.0  # how long they took to answer


class ConferenceRateLimiter(BaseRateLimiter[dict]):
    """Telegram's limits, per the Bots FAQ: about 30 messages per second overall, about one
    per second to one private chat (short bursts allowed), 20 per minute to one group.

    Every send, reply or bulk, takes its place in one timetable that spaces sends evenly
    within the overall limit: Telegram counts sends when they arrive, and 30 replies sent at
    once arrive spread over ~100 ms, so the next 30 a second later overlapped them and drew
    429s (issue 17). Interactive replies (no rate_limit_args) take precedence over bulk sends
    (rate_limit_args={"bulk": True}): replies queue at one gate for the next places, in the
    order they asked, and while any reply waits, bulk sends don't take a place, so a broadcast
    never makes /jetzt slow. A 429 pauses that chat for retry_after; several 429s from different chats
    within a second pause everything. A reply that meets a 429 waits and is sent again, as
    often as it takes (a person is waiting for it); bulk sends raise it to the dispatcher,
    which re-queues the row instead of holding a worker.
    """

    def __init__(self, overall_per_second: int = 30, private_burst: int = 3, private_per_second: float = 1.0,
                 group_per_minute: int = 20, margin: float = 0.02, interactive_retries: int = 2,
                 bulk_margin: float = 0.006):
        # Sends are spread evenly instead of in bursts of 30: a burst queues up in the HTTP
        # client and arrives bunched, which Telegram would count as more than 30 in a second.
        # Replies come in crowds whose first sends are slow to arrive (the process at its busiest)
        # and keep a 2 % margin.
        self.send_interval = (1.0 + margin) / overall_per_second
        # Bulk sends leave one by one at a steady pace, and each is counted at the latest moment
        # it can have arrived (_note_round_trip): their margin covers only what that cannot see.
        # 2 % capped a broadcast at 0.980 of the limit; 0.6 % lets it reach 0.99 (bench/broadcast.py).
        self.bulk_interval = (1.0 + bulk_margin) / overall_per_second
        # The window is a safety net a little looser than the timetable: were they equal, a send
        # that left late would push the one 30 places later, which could never catch up (a
        # ratchet): a broadcast ran at 0.963 of the limit instead of 0.98, and replies at 1000/s
        # lost every stall of the event loop (bench/signup.py: 5.6 s instead of 5.3 s for 5,000).
        self.overall = SlidingWindow(overall_per_second, 1.0 + margin / 2)
        self.bulk_span = 1.0 + bulk_margin / 2
        # With several processes their sends reach Telegram by different paths: a quarter more
        # margin (one send 27 ms late against its slot tipped a second over 30, bench/cluster.py).
        self.shared_bulk_interval = (1.0 + bulk_margin * 1.25) / overall_per_second
        self._next_slot = 0.0  # the timetable: when the next send may leave
        self._reply_queue: deque[asyncio.Future] = deque()  # replies waiting for their place in it
        self._gate: asyncio.Task | None = None  # lets them go (_open_gate)
        self.private_burst = private_burst
        self.private_span = private_burst / private_per_second + margin
        self.group_per_minute = group_per_minute
        self.group_span = 60.0 + margin
        self.interactive_retries = interactive_retries  # after network errors; a 429 is waited out every time
        self._chats: dict[int | str, SlidingWindow] = {}
        self._paused_until: dict[int | str | None, float] = {}
        self._recent_429: deque[tuple[float, Any]] = deque()
        self._interactive_waiting = 0
        self.count_429 = 0
        self.overall_per_second, self.margin = overall_per_second, margin
        self._shared: SharedBudget | None = None
        self._bulk_turn = asyncio.Lock()  # one reservation in the shared timetable at a time
        self._round_trips: deque[float] = deque(maxlen=64)  # of recent requests, for the usual one
        self._usual = math.inf  # the usual round trip the recent sends are counted by
        self._recent_sends: deque[_Sent] = deque()  # of the last seconds, counted again if the usual one drops
        self._moving: set[asyncio.Future] = set()  # late sends being counted again in the shared windows
        self._asking_times: deque[float] = deque(maxlen=64)  # how long the shared windows took to count a send
        self._usual_asking = 0.0

    def share(self, budget: "SharedBudget") -> None:
        """Telegram's limits belong to the bot, not to the process: with several processes on
        one database, every send also takes its place in the windows they share, and bulk sends
        take their turn in one timetable (a process pacing itself for its share of the rate sent
        at half the rate while the other had nothing to send: 0.49 of the limit, bench/cluster.py)."""
        self._shared = budget

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        await asyncio.gather(*self._moving, return_exceptions=True)

    def _chat_window(self, chat_id: int | str) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            is_group = isinstance(chat_id, int) and chat_id < 0 or isinstance(chat_id, str)
            window = (SlidingWindow(self.group_per_minute, self.group_span) if is_group
                      else SlidingWindow(self.private_burst, self.private_span))
            self._chats[chat_id] = window
        return window

    def _forget_idle_chats(self, now: float) -> None:
        if len(self._chats) > 5000:
            for chat_id in [c for c, w in self._chats.items() if not w.events or w.events[-1] < now - 61]:
                del self._chats[chat_id]

    async def _acquire(self, chat_id: int | str | None, bulk: bool, new_message: bool = True,
                       again: bool = False) -> _Sent:
        """Wait until a send fits every limit and count it; returns where it was counted.
        `again`: a reply sent once more after a 429, which keeps its precedence over later ones."""
        if bulk:
            return await self._acquire_bulk(chat_id, new_message)
        self._interactive_waiting += 1
        try:
            return await self._acquire_reply(chat_id, new_message, again)
        finally:
            self._interactive_waiting -= 1

    async def _acquire_reply(self, chat_id: int | str | None, new_message: bool, again: bool) -> _Sent:
        # First its own chat's limit and pause, so that a reply waiting for its chat holds up no other.
        while (wait := self._chat_wait(time.monotonic(), chat_id, new_message)) > 0:
            await asyncio.sleep(wait)
        await self._reply_turn(again)
        # Rarely not yet: a 429 in its chat meanwhile, or a send to its chat that came first.
        while (wait := self._wait_time(now := time.monotonic(), chat_id, False, new_message)) > 0:
            await asyncio.sleep(wait)
        return await self._take(now, chat_id, new_message, bulk=False)

    async def _reply_turn(self, again: bool) -> None:
        """Replies queue for their place in the timetable, in the order they asked: one gate lets
        them go one by one, evenly spaced, and holds them all while a 429 pauses every send (so
        that none of them go at once when it ends, and none loses its place)."""
        turn = asyncio.get_running_loop().create_future()
        if again:
            self._reply_queue.appendleft(turn)
        else:
            self._reply_queue.append(turn)
        if self._gate is None or self._gate.done():
            self._gate = asyncio.create_task(self._open_gate(), name="reply-gate")
        await turn

    async def _open_gate(self) -> None:
        while self._reply_queue:
            now = time.monotonic()
            wait = max(self._next_slot - now, self._paused_until.get(None, 0) - now, self.overall.wait_time(now))
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            turn = self._reply_queue.popleft()
            if not turn.done():  # not cancelled meanwhile
                self._book_slot(now, self.send_interval)
                turn.set_result(None)

    async def _acquire_bulk(self, chat_id: int | str | None, new_message: bool) -> _Sent:
        late_slots = 0
        while True:
            shared_slot = self._sharing()
            if shared_slot and not await self._wait_for_bulk_slot() and late_slots < 2:
                late_slots += 1
                continue
            now = time.monotonic()
            wait = self._wait_time(now, chat_id, True, new_message, timetable=not shared_slot)
            if wait <= 0:
                self._book_slot(now, self.bulk_interval)
                return await self._take(now, chat_id, new_message, bulk=True)
            # Not now (a reply goes first, or a pause). A shared bulk slot is given up, not
            # kept: bulk sends that waited and then went together, each only checked against
            # the window, arrived bunched (bench/cluster.py: 3 × 429 in 10,000; the gap the
            # slot leaves is where the reply goes). After the wait, a new slot.
            await asyncio.sleep(wait)

    def _book_slot(self, now: float, interval: float) -> None:
        """A send leaves now: the next one's place in the timetable, a fixed one, so that one late
        wake-up (a busy process) does not delay all later sends: a send may catch up one place,
        or 30 ms where places are shorter (at 1000/s the gate's wake-ups come later than that)."""
        catch_up = max(interval, 0.03)
        self._next_slot = max(self._next_slot, now - catch_up) + interval

    async def _take(self, now: float, chat_id: int | str | None, new_message: bool, bulk: bool) -> _Sent:
        # Counted here before any await, so that the sends of this process stay spaced while one
        # of them waits for the shared budget.
        self.overall.add(now)
        if chat_id is not None and new_message:
            self._chat_window(chat_id).add(now)
        self._forget_idle_chats(now)
        sent = _Sent(now, chat_id if new_message else None, counted=now, left=now)
        await self._take_shared(sent, new_message, bulk)
        return sent

    def _chat_wait(self, now: float, chat_id: int | str | None, new_message: bool) -> float:
        wait = self._paused_until.get(chat_id, 0) - now
        if chat_id is not None and new_message:
            wait = max(wait, self._chat_window(chat_id).wait_time(now))
        return wait

    def _wait_time(self, now: float, chat_id: int | str | None, bulk: bool, new_message: bool,
                   timetable: bool = False) -> float:
        """Seconds until a send may go by the windows and pauses (and, for a bulk send with
        `timetable`, by the timetable and the replies that go first); <= 0: now."""
        waits = [self.overall.wait_time(now, span=self.bulk_span if bulk else None),
                 self._paused_until.get(None, 0) - now, self._chat_wait(now, chat_id, new_message)]
        if bulk:
            if timetable:
                waits.append(self._next_slot - now)
            if self._interactive_waiting:
                waits.append(0.005)
        return max(waits)

    async def _wait_for_bulk_slot(self) -> bool:
        """Wait for this process's next slot in the shared timetable; False if this process
        woke too late for it (a busy event loop): sent now, it would arrive bunched with the
        next slot's send, so a new slot is taken instead (twice at most)."""
        async with self._bulk_turn:  # one reservation of this process at a time
            slot = await self._shared.reserve_bulk(self.shared_bulk_interval)
            await asyncio.sleep(max(0.0, slot - time.time()))
            return time.time() - slot < self.shared_bulk_interval / 3

    def _sharing(self) -> bool:
        return self._shared is not None and self._shared.needed()

    async def _take_shared(self, sent: _Sent, new_message: bool, bulk: bool = False) -> None:
        if not self._sharing():
            return
        windows = self._windows(sent.chat_id, new_message, bulk)
        while True:
            asked = time.monotonic()
            wait, moment = await self._shared.take(windows)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        sent.shared, sent.shared_from, sent.shared_at = windows, moment, moment
        sent.left = time.monotonic()  # the round trip from here: not the database's
        sent.asked = sent.left - asked
        self._asking_times.append(sent.asked)
        self._usual_asking = min(self._asking_times)

    def _windows(self, chat_id: int | str | None, new_message: bool, bulk: bool = False) -> list[tuple[str, int, float]]:
        # the shared window, like the local one, is looser for bulk sends (no ratchet, see __init__)
        windows = [("overall", self.overall.limit, self.bulk_span if bulk else self.overall.span)]
        if chat_id is not None and new_message:
            window = self._chat_window(chat_id)
            windows.append((f"chat:{chat_id}", window.limit, window.span))
        return windows

    def _note_round_trip(self, sent: _Sent, answered: bool) -> None:
        """Telegram counts a send when it arrives, and it arrives some time between the moment
        it was counted here and its answer. Usually that time is about the same for every send,
        and the spacing here is the spacing there. A send held up on its way (a pause of this
        process after it was counted, a stall at the other end, a slow connection) arrives late,
        closer to the sends after it: in a CI run, one send stamped more than 20 ms late made 31
        in a second (tests/test_delivery.py). So a send whose round trip took longer than the
        usual one is counted again at the latest time it can have arrived."""
        now = time.monotonic()
        sent.round_trip = now - sent.left
        if answered:
            self._round_trips.append(sent.round_trip)
        usual = min(self._round_trips, default=0.0)
        while self._recent_sends and self._recent_sends[0].taken < now - 2.0:
            self._recent_sends.popleft()
        self._recent_sends.append(sent)
        # The first sends of a burst all take long (the process is at its busiest: 93 ms from
        # counted to arrived in tests/test_fairness.py, against 1 ms later on), so the usual round
        # trip is learnt only from the sends after them; then those still in the window are
        # counted again by it (else the 31st send arrived within a second of the 1st: a 429).
        again = self._recent_sends if usual < self._usual - 0.001 else (sent,)
        self._usual = usual
        for each in again:
            self._count_at_arrival(each, usual)

    def _count_at_arrival(self, sent: "_Sent", usual: float) -> None:
        arrived_by = sent.left + max(0.0, sent.round_trip - usual)
        if arrived_by - sent.counted >= 0.001:  # else on time, or counted there already
            self.overall.move_later(sent.counted, arrived_by)
            window = self._chats.get(sent.chat_id) if sent.chat_id is not None else None
            if window is not None:
                window.move_later(sent.counted, arrived_by)
            sent.counted = arrived_by
        if sent.shared is not None and self._shared is not None:
            # The other processes' sends count against it too (bench/cluster.py): moved in the
            # database as well, long before the send `limit` places later looks (~1 s). The
            # database counted it somewhere while it was asked: if that took longer than usual,
            # it may have left as much later after that moment (a batch of other work before
            # the commit: 9-14 ms instead of 1-2 ms, bench/cluster.py).
            later = sent.shared_from + max(0.0, sent.asked - self._usual_asking) + arrived_by - sent.left
            if later - sent.shared_at >= 0.001:
                moving = asyncio.ensure_future(self._shared.count_later(sent.shared, sent.shared_at, later))
                self._moving.add(moving)  # the event loop keeps only a weak reference
                moving.add_done_callback(self._moving.discard)
                sent.shared_at = later

    def _note_429(self, chat_id: int | str | None, retry_after: float) -> None:
        self.count_429 += 1
        now = time.monotonic()
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0), now + retry_after)
        self._recent_429.append((now, chat_id))
        while self._recent_429 and self._recent_429[0][0] < now - 1:
            self._recent_429.popleft()
        if len({chat for _, chat in self._recent_429}) >= 3:  # looks like a bot-wide flood limit
            self._paused_until[None] = max(self._paused_until.get(None, 0), now + retry_after)
        if len(self._paused_until) > 10_000:
            self._paused_until = {k: v for k, v in self._paused_until.items() if v > now}

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: dict | None) -> Any:
        if endpoint not in COUNTED_METHODS:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        attempt = too_many = 0
        new_message = endpoint in NEW_MESSAGE_METHODS
        while True:
            sent = await self._acquire(chat_id, bulk, new_message, again=too_many > 0)
            try:
                return await self._timed_call(callback, args, kwargs, sent)
            except RetryAfter as error:
                wait = seconds(error.retry_after)
                self._note_429(chat_id, wait)
                if bulk:
                    raise
                # Never given up: Telegram says when it will take the reply, and someone waits for it.
                too_many += 1
                log.info("429 on interactive %s, sending again in %.1f s", endpoint, wait)
            except BadRequest:
                raise  # a subclass of NetworkError in python-telegram-bot, but final
            except NetworkError as error:
                # A reply that certainly did not arrive (5xx, refused or dropped connection, full
                # pool) is tried again; a timeout after sending may have arrived: not repeated.
                not_sent = not isinstance(error, TimedOut) or "not* sent" in str(error)
                if bulk or not not_sent or attempt >= self.interactive_retries:
                    raise
                attempt += 1
                await asyncio.sleep(0.2 * attempt)

    async def _timed_call(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                          kwargs: dict[str, Any], sent: _Sent) -> Any:
        answered = False
        try:
            result = await callback(*args, **kwargs)
            answered = True
            return result
        except (RetryAfter, BadRequest, Forbidden, ChatMigrated):
            answered = True  # Telegram answered: the round trip is a real one
            raise
        finally:
            self._note_round_trip(sent, answered)


class SharedBudget:
    """The send windows of all the bot's processes, kept in their shared database."""

    def __init__(self, storage: Storage, needed: Callable[[], bool] = lambda: True):
        self.storage = storage
        self.needed = needed  # False while this process is the only one alive: its own windows suffice

    async def take(self, windows: list[tuple[str, int, float]]) -> tuple[float, float | None]:
        """(0, the database's moment it is counted at) when the send may go now; else (the
        seconds to wait, None)."""
        try:
            return await self.storage.coordination.take_send_slot(windows)
        except Exception:  # noqa: BLE001 - without the database, wait a moment rather than overshoot
            log.exception("could not read the shared send budget")
            return 0.5, None

    async def count_later(self, windows: list[tuple[str, int, float]], moment: float, later: float) -> None:
        try:
            await self.storage.coordination.count_send_later(windows, moment, later)
        except Exception as error:  # noqa: BLE001 - the process's own window still counts it there
            log.info("could not count a late send again in the shared send budget: %s", error)

    async def reserve_bulk(self, interval: float) -> float:
        """The moment (time.time()) this process's next bulk send may leave (the slot is taken)."""
        try:
            # the database counts in its own clock and answers a duration: this host's moment
            return time.time() + await self.storage.coordination.reserve_bulk_slot(interval)
        except Exception:  # noqa: BLE001 - as above
            log.exception("could not read the shared bulk timetable")
            return time.time() + 0.5


@dataclass(frozen=True)
class Send:
    """One Bot API call that delivers an outbox row."""

    method: str  # a Bot method name, e.g. "send_message"
    kwargs: dict


@dataclass(frozen=True)
class Skip:
    """An outbox row with nothing to send any more, and why (recorded with the row): the seat
    was given back, the session was cancelled, the announcement withdrawn …"""

    reason: str


Renderer = Callable[[OutboxMessage], Awaitable[Send | Skip]]


class Dispatcher:
    """Sends due outbox rows; one instance per bot process."""

    BATCH = 100
    MAX_ATTEMPTS = 12  # network errors and 5xx; 429 waits don't count against it
    BACKOFF_MAX = 60.0
    POLL = 1.0  # seconds between looks at the outbox while idle, with several processes

    def __init__(self, storage: Storage, bot: Bot, clock: Clock, render: Renderer, concurrency: int = 48,
                 schedule_wake: Callable[[float], None] | None = None, instance: str | None = None,
                 live: Callable[[], list[str]] | None = None):
        self.storage = storage
        self.bot = bot
        self.clock = clock
        self.render = render
        self.concurrency = concurrency
        self.schedule_wake = schedule_wake  # set by app.py: a JobQueue job that calls wake()
        self.instance = instance  # this process, recorded with every row it claims
        self.live = live  # the processes alive (several on one database); None: this one alone
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task | None = None
        self._limit = asyncio.Semaphore(concurrency)
        self._active = 0  # rows claimed and not yet finished
        self._chat_queues: dict[int, deque[OutboxMessage]] = {}
        self._workers: dict[int, asyncio.Task] = {}
        self.sent = 0

    async def start(self) -> None:
        requeued = await self.storage.outbox.requeue_in_flight(self.live() if self.live else None)
        if requeued:
            log.warning("re-sending %d messages that were in flight when the bot last stopped", requeued)
        self.storage.add_outbox_listener(self.wake)
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; let sends already under way finish and be recorded, so a planned restart
        re-sends nothing. Only what is still running after `timeout` is cancelled (and re-sent at
        the next start: its row is still marked as being sent)."""
        self._stopping = True
        self._wake.set()
        self._progress.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except asyncio.TimeoutError:
            log.warning("outbox dispatcher did not finish in %.0f s; in-flight rows will be re-sent", timeout)
            for task in (self._task, *self._workers.values()):
                task.cancel()
            await asyncio.gather(self._task, *self._workers.values(), return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        """Keep up to BATCH rows in hand: claim more as soon as half of them are done, so the
        sending never pauses between batches."""
        while not self._stopping:
            self._wake.clear()
            self._progress.clear()
            claimed: list[OutboxMessage] = []
            room = self.BATCH - self._active
            if room >= self.BATCH // 2:
                try:
                    claimed = await self.storage.outbox.claim_due(self.clock.now(), room, self.instance)
                except Exception:  # noqa: BLE001 - a database hiccup must not end delivery
                    log.exception("could not read the outbox; retrying")
                    await asyncio.sleep(1)
                    continue
                for row in claimed:
                    self._queue(row)
            if claimed and len(claimed) == room:
                continue  # more may be due: claim again once there is room
            if self._active:
                await self._wait_for(self._progress, 1.0)
            else:
                await self._sleep_until_due()
        while self._workers:  # each worker returns its unsent rows and records its last send
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    @staticmethod
    async def _wait_for(event: asyncio.Event, timeout: float) -> None:
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def _queue(self, row: OutboxMessage) -> None:
        """One worker per chat keeps that chat's messages in order; chats run side by side."""
        self._active += 1
        self._chat_queues.setdefault(row.chat_id, deque()).append(row)
        if row.chat_id not in self._workers:
            self._workers[row.chat_id] = asyncio.create_task(self._chat_worker(row.chat_id))

    async def _chat_worker(self, chat_id: int) -> None:
        queue = self._chat_queues[chat_id]
        try:
            while queue:
                row = queue.popleft()
                try:
                    async with self._limit:
                        await self._deliver_one(row)
                except Exception:  # noqa: BLE001 - recorded as pending again by the next start
                    log.exception("delivery of outbox row %s failed", row.id)
                finally:
                    self._active -= 1
                    self._progress.set()
        finally:
            del self._workers[chat_id]
            del self._chat_queues[chat_id]

    async def _sleep_until_due(self) -> None:
        next_due = await self.storage.outbox.next_due()
        delay = 3600.0
        if next_due is not None:
            delay = max(0.0, (next_due - self.clock.now().timestamp()) / self.clock.speed)
        if self.schedule_wake is not None and next_due is not None:
            self.schedule_wake(delay)
        if self.live is not None:
            # Another process's new rows wake only that process: look again soon, so that both
            # send a broadcast one of them queued, and a survivor goes on with it at once.
            delay = min(delay, self.POLL)
        await self._wait_for(self._wake, min(delay, 3600.0) + 0.01)

    async def _deliver_one(self, row: OutboxMessage) -> None:
        now = self.clock.now()
        if self._stopping:
            await self.storage.outbox.finish_delivery(row.id, "pending", now, error="stopped before sending")
            return
        try:
            send = await self.render(row)
        except Exception as error:  # noqa: BLE001 - one broken row must not stop the others
            log.exception("cannot render outbox row %s", row.id)
            await self._finish(row, "failed", f"render: {error}")
            return
        if isinstance(send, Skip):
            await self._finish(row, "dropped", send.reason)
            return
        try:
            result = await getattr(self.bot, send.method)(**send.kwargs, rate_limit_args={"bulk": True})
        except RetryAfter as error:
            await self._retry(row, seconds(error.retry_after), f"429 retry after {seconds(error.retry_after):g}", count=False)
        except ChatMigrated as error:
            await self.storage.attendees.move_chat(row.user_id, error.new_chat_id) if row.user_id else None
            await self._retry(row, 0, f"chat migrated to {error.new_chat_id}", count=False)
        except Forbidden as error:
            # Blocked or deactivated: stop sending to this person at all.
            if row.user_id is not None:
                await self.storage.attendees.mark_unreachable(row.user_id, str(error))
            await self._finish(row, "failed", f"blocked: {error}")
        except BadRequest as error:
            if "not modified" in str(error).lower():
                await self._finish(row, "sent", None)
            elif "message to edit not found" in str(error).lower() or "message to delete not found" in str(error).lower():
                await self._finish(row, "failed", f"gone: {error}")
            else:
                await self._finish(row, "failed", f"bad request: {error}")
        except TimedOut as error:
            # Ambiguous: the request may have reached Telegram and been delivered. We send it
            # again (at-least-once): a rare duplicate is better than a lost reminder.
            await self._retry(row, self._backoff(row), f"timed out: {error}")
        except NetworkError as error:  # 5xx and connection failures: not delivered, retry
            await self._retry(row, self._backoff(row), f"network: {error}")
        except Exception as error:  # noqa: BLE001
            log.exception("unexpected error sending outbox row %s", row.id)
            await self._retry(row, self._backoff(row), f"error: {error!r}")
        else:
            message_id = getattr(result, "message_id", None)
            await self._finish(row, "sent", None, message_id)

    def _backoff(self, row: OutboxMessage) -> float:
        return min(self.BACKOFF_MAX, 0.5 * 2 ** max(0, row.attempts - 1))

    async def _retry(self, row: OutboxMessage, wait_seconds: float, error: str, count: bool = True) -> None:
        if count and row.attempts >= self.MAX_ATTEMPTS:
            await self._finish(row, "failed", f"gave up after {row.attempts} attempts: {error}")
            return
        retry_at = self.clock.now() + timedelta(seconds=wait_seconds * self.clock.speed)
        await self.storage.outbox.finish_delivery(row.id, "pending", self.clock.now(), error=error, retry_at=retry_at)
        self._wake_later(wait_seconds)

    def _wake_later(self, delay: float) -> None:
        asyncio.get_running_loop().call_later(max(0.0, delay), self._wake.set)

    async def _finish(self, row: OutboxMessage, state: str, error: str | None, message_id: int | None = None) -> None:
        await self.storage.outbox.finish_delivery(row.id, state, self.clock.now(), telegram_message_id=message_id, error=error)
        if state == "sent":
            self.sent += 1
