"""The transaction runner: one place that knows how work reaches the database.

Every storage call is a `work(tx)` function that runs inside one transaction. Calls are
queued to a worker thread, which takes whatever has queued up (up to MAX_BATCH calls) and
runs them in ONE database transaction, each in its own savepoint, with one commit: a group
commit. Under load, 60 sign-ups cost one disk flush instead of 60; alone, a call is its own
batch. A call that raises is rolled back to its savepoint and gets its exception; the others
commit.

Two engines implement it: SQLite (the embedded default: one connection, BEGIN IMMEDIATE,
so transactions never interleave) and PostgreSQL (psycopg 3 with a connection pool; work
that reads and then decides, like the sign-up rules, takes one transaction-level advisory
lock, so several bot processes see a consistent book exactly as one process does on
SQLite). Dialect differences live in `dialect.py`.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Generic, TypeVar

from ..scope import NoConference, current as conference_in_scope
from . import dialect as dialects
from .schema import MIGRATIONS

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_BATCH = 64
RETRIES = 8
SWITCH_INTERVAL = 0.001  # seconds a thread waits at most for the GIL while another one holds it


def iso(now: datetime) -> str:
    return now.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def read_meta(conn, key: str) -> str | None:
    """One value of the `meta` table (the database's own small facts), None if not set."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def meta_key(key: str, conference_id: str) -> str:
    """A fact of the meta table that each conference has for itself ("program_revision:rk22")."""
    return f"{key}:{conference_id}" if conference_id else key


def write_meta(conn, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))


# What SeatBook (registrations.py) counts per session in `Transaction.batch`, kept across
# batches while this process writes alone; every change of a registration goes through SeatBook,
# and whatever changes registrations besides (erasure) clears the batch's counts.
SEAT_COUNTS = ("confirmed", "waiting")


class Transaction:
    """One open transaction: executes statements in the database's dialect and counts the
    messages it put in the outbox, so that delivery is woken after the commit without any
    caller having to remember it."""

    def __init__(self, conn: Any, dialect: dialects.Dialect, batch: dict | None = None, piped: Any = None,
                 conference: str | None = ""):
        self.conn = conn
        self.dialect = dialect
        self.enqueued = 0
        self.batch = {} if batch is None else batch  # what the calls of one batch share (SeatBook's counts)
        self._piped = piped  # the pipeline the whole batch runs in, if it does (PostgreSQL's fast path)
        self._conference = conference  # the conference the call belongs to (bot/scope.py); None: none in scope

    @property
    def conference(self) -> str:
        """The conference whose rows this call reads and writes (bot/scope.py)."""
        if self._conference is None:
            raise NoConference("storage was asked for a conference's rows without a conference in scope")
        return self._conference

    def execute(self, sql: str, params: Any = ()) -> Any:
        cursor = self.conn.execute(self.dialect.sql(sql), params)
        return cursor if self._piped is None else _Unanswered(cursor, self._piped)

    def executemany(self, sql: str, params: Any) -> Any:
        if self.dialect.name == "sqlite":
            return self.conn.executemany(sql, params)
        with self.conn.cursor() as cursor:
            cursor.executemany(self.dialect.sql(sql), params)
            if self._piped is not None:
                self._piped.sync()
            return cursor

    def pipeline(self):
        """Statements inside go out together and are answered together (PostgreSQL's pipeline
        mode; nothing changes on SQLite): for writes whose results nobody reads in between.
        Inside a batch that runs in one pipeline already, nothing more to do."""
        return nullcontext() if self._piped is not None else self.dialect.pipeline(self.conn)

    def insert(self, sql: str, params: Any = ()) -> int:
        """An INSERT that returns the new row's id."""
        return self.execute(sql + " RETURNING id", params).fetchone()[0]


class _Unanswered:
    """A statement of a batch that runs in one pipeline: its rows are fetched when read (psycopg
    waits for them then), but its row count only exists once the pipeline is synced."""

    def __init__(self, cursor: Any, pipeline: Any):
        self._cursor, self._pipeline = cursor, pipeline

    @property
    def rowcount(self) -> int:
        self._pipeline.sync()
        return self._cursor.rowcount

    def __iter__(self):
        return iter(self._cursor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class _Redo(Exception):
    """A call failed in a batch run without savepoints."""


@dataclass
class _Call(Generic[T]):
    work: Callable[[Transaction], T]
    durable: bool
    serialized: bool
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    person: int | None = None  # whom the call is about, if one person: read with the batch's others
    enqueued: int = 0
    conference: str | None = ""  # the conference in scope when the call was made (bot/scope.py)


@dataclass
class Engine:
    """Runs work functions in batched transactions on worker threads: one lane on SQLite; on
    PostgreSQL a second lane, with its own connection, for work that needs no lock (claims,
    touches, the send budget), so that it never waits behind a batch of sign-ups, and a third
    for reads, so that a big one (the reminder planner's, 0.2–0.7 s during a burst of sign-ups)
    never holds up a touch (bench/profile_signup.py)."""

    database: str
    dialect: dialects.Dialect = field(init=False)
    _queues: list[queue.SimpleQueue] = field(init=False, default_factory=list)
    _threads: list[threading.Thread] = field(init=False, default_factory=list)
    _conn: Any = field(init=False, default=None)
    _pool: Any = field(init=False, default=None)
    batches: int = field(init=False, default=0)
    calls: int = field(init=False, default=0)
    # While this process is the only one writing, the seat counts a serialized batch ended with
    # are still true when the next one starts: it begins with them instead of reading them again.
    sole_writer: bool = field(init=False, default=False)
    _seat_counts: dict | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.dialect = dialects.for_database(self.database)

    async def open(self) -> None:
        # The worker threads give the GIL up for every round trip to the database and then wait
        # to get it back from the event loop, by default up to 5 ms each time: under load that
        # was most of a sign-up's time in storage (bench/signup.py, 5,000 on PostgreSQL: 5.44 s
        # instead of 5.68 s with 1 ms).
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        await asyncio.to_thread(self._connect)
        self._queues = [queue.SimpleQueue() for _ in range(self.dialect.lanes)]
        self._threads = [threading.Thread(target=self._serve, args=(lane,), name=f"storage-{number}", daemon=True)
                         for number, lane in enumerate(self._queues)]
        for thread in self._threads:
            thread.start()

    async def close(self) -> None:
        if not self._threads:
            return
        for lane in self._queues:
            lane.put(None)
        for thread in self._threads:
            await asyncio.to_thread(thread.join)
        self._threads = []
        await asyncio.to_thread(self._disconnect)

    async def run(self, work: Callable[[Transaction], T], durable: bool = True, serialized: bool = True,
                  person: int | None = None, conference: str | None = "", read: bool = False) -> tuple[T, int]:
        """Run `work` in a transaction; returns its result and the outbox rows it queued. Lanes:
        serialized work on the first; reads on their own where there are three (PostgreSQL);
        the rest on the last."""
        if not self._threads:
            raise RuntimeError("storage is not open")
        loop = asyncio.get_running_loop()
        call = _Call(work, durable, serialized, loop.create_future(), loop, person, conference=conference)
        lane = 0 if serialized else 1 if read and len(self._queues) > 2 else -1
        self._queues[lane].put(call)
        result = await call.future
        return result, call.enqueued

    # --- the worker threads ----------------------------------------------------------------

    def set_sole_writer(self, sole: bool) -> None:
        if sole != self.sole_writer:
            self._seat_counts = None  # counted while another process may have written
        self.sole_writer = sole

    def _serve(self, lane: queue.SimpleQueue) -> None:
        while True:
            first = lane.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    more = lane.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._run_batch(batch)
            if stop:
                return

    def _run_batch(self, batch: list[_Call]) -> None:
        # A lone call needs no savepoint either: if it fails, its transaction is undone with it.
        safe = self.dialect.cheap_savepoints
        serialized = any(call.serialized for call in batch)  # only serialized batches count seats
        counts = self._seat_counts if serialized and self.sole_writer else None
        if serialized:
            self._seat_counts = None  # until this batch has committed: an attempt undone leaves them stale
        for attempt in range(1, RETRIES + 1):
            shared: dict = {"people": {call.person for call in batch if call.person is not None}}
            if counts is not None and attempt == 1:  # a second attempt reads afresh
                shared.update(counts)
            try:
                outcomes = self._attempt(batch, safe, shared)
                if serialized and self.sole_writer:
                    self._seat_counts = {key: shared[key] for key in SEAT_COUNTS if key in shared}
                break
            except _Redo:
                safe = True  # a call failed in the fast path: again, each call in its own savepoint
            except self.dialect.retryable as error:
                # Two processes' batches waited on each other's rows: the database undid one of
                # them; every call in it runs again, from the start.
                log.info("storage batch retried (%d/%d): %s", attempt, RETRIES, error)
                time.sleep(0.01 * attempt)
            except BaseException as error:  # noqa: BLE001 - the commit failed: every call fails with it
                log.warning("a storage transaction failed: %s", error)
                outcomes = [(None, error)] * len(batch)
                break
        else:
            outcomes = [(None, RuntimeError("the database kept refusing the transaction"))] * len(batch)
        self.batches += 1
        self.calls += len(batch)
        for call, (result, error) in zip(batch, outcomes):
            if error is not None:
                call.enqueued = 0
            call.loop.call_soon_threadsafe(_settle, call.future, result, error)

    def _attempt(self, batch: list[_Call], safe: bool, shared: dict) -> list[tuple[Any, BaseException | None]]:
        """One transaction for the batch. Safe: each call in a savepoint, so that a failing call
        is undone alone. Fast (PostgreSQL, where a savepoint costs two round trips): no
        savepoints; if a call fails, the whole batch is undone and run again safely."""
        outcomes = []
        with self._transaction(any(call.durable for call in batch), any(call.serialized for call in batch)) as conn:
            if safe:
                for call in batch:
                    tx = Transaction(conn, self.dialect, shared, conference=call.conference)
                    outcomes.append(self._run_call(conn, tx, call, shared))
                    call.enqueued = tx.enqueued
                return outcomes
            try:
                # The whole batch in one pipeline: writes go out with the next read or the
                # commit instead of one round trip each (bench/signup.py on PostgreSQL).
                with self.dialect.pipeline(conn) as piped:
                    for call in batch:
                        tx = Transaction(conn, self.dialect, shared, piped, conference=call.conference)
                        outcomes.append(self._run_fast(tx, call))
                        call.enqueued = tx.enqueued
            except (_Redo, *self.dialect.retryable):
                raise
            except Exception as error:  # noqa: BLE001 - an answer that came late: which call failed is unknown
                raise _Redo() from error
        return outcomes

    def _run_call(self, conn: Any, tx: Transaction, call: _Call, shared: dict) -> tuple[Any, BaseException | None]:
        self.dialect.savepoint(conn)
        try:
            result = call.work(tx)
        except Exception as error:  # noqa: BLE001 - this call's changes are undone; the batch goes on
            self.dialect.rollback_savepoint(conn)
            _forget(shared)  # what the call cached may describe changes that were undone
            return None, error
        self.dialect.release_savepoint(conn)
        return result, None

    @staticmethod
    def _run_fast(tx: Transaction, call: _Call) -> tuple[Any, BaseException | None]:
        try:
            return call.work(tx), None
        except Exception as error:  # noqa: BLE001 - rolled back with the batch, which runs again safely
            raise _Redo() from error

    def _transaction(self, durable: bool, serialized: bool = False):
        return self.dialect.transaction(self._conn if self._pool is None else None, self._pool, durable, self, serialized)

    def _connect(self) -> None:
        self._conn, self._pool = self.dialect.connect(self.database)
        self.dialect.migrate(self._conn, self._pool, MIGRATIONS)

    def _disconnect(self) -> None:
        self.dialect.disconnect(self._conn, self._pool)
        self._conn = self._pool = None


def _forget(shared: dict) -> None:
    """Drop what a batch's calls cached, keeping only who the batch is about."""
    people = shared.get("people", set())
    shared.clear()
    shared["people"] = people


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Database:
    """The one object every repository is given: the engine, and what happens around each of
    their transactions (the hook before a serialized write, the listeners woken after messages
    were queued). Repositories keep their own state; this is all they share."""

    def __init__(self, location: str):
        self.location = location  # a SQLite path or a postgresql:// URL
        self.engine = Engine(location)
        # The conference of work that names none (bot/scope.py): '' for a database used on its own
        # (tests, tools); the bot sets its only conference, or None when it runs several, so that
        # work without a conference in scope fails instead of mixing conferences.
        self.default_conference: str | None = ""
        self._outbox_listeners: list[Callable[[], None]] = []
        self._before_serialized: Callable[[], Awaitable[None]] | None = None

    def before_serialized_writes(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._before_serialized = hook

    def add_outbox_listener(self, listener: Callable[[], None]) -> None:
        self._outbox_listeners.append(listener)

    async def run(self, work: Callable[[Transaction], T], write: bool = True, durable: bool = True,
                  serialized: bool | None = None, person: int | None = None) -> T:
        """Run `work` in a transaction. Writes are durable unless told otherwise, and
        serialized across processes unless they only claim or append rows of their own.
        `person`: whom the work is about, so that a batch reads its people's rows at once."""
        serialized = write if serialized is None else serialized
        if serialized and self._before_serialized is not None:
            await self._before_serialized()
        conference = conference_in_scope()
        result, enqueued = await self.engine.run(work, durable=write and durable, serialized=serialized, person=person,
                                                 conference=self.default_conference if conference is None else conference,
                                                 read=not write)
        if enqueued:
            for listener in self._outbox_listeners:
                listener()
        return result
