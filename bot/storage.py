"""All persistent state, in one SQLite file, behind a narrow async API.

Every `work` function runs inside a `Transaction`: the rows it puts in the outbox are counted
there, and delivery is woken after the commit — no caller has to remember to.

Every call runs as one transaction on a single worker thread that owns the
connection: the event loop never blocks on disk, and transactions never interleave,
so the sign-up rules in `domain.signup` see a consistent book. A PostgreSQL backend
would implement the same public methods.

Durability: WAL journal. Registrations, bookmarks, announcements and program changes
commit with synchronous=FULL (they survive kill -9 and power loss); high-volume
bookkeeping (last seen, the outbox's send states) commits with NORMAL, which survives
kill -9 and at worst re-sends a message after a power loss. Schema changes are numbered
migrations, applied at start.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from .domain import signup as rules
from .domain.program import Program
from .domain.announcements import Audience
from .domain.changes import Change, Override
from .domain.reminders import Reminder, Subject
from .domain.signup import Outcome, Overbooking, Promotion, Registration

log = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS: list[str] = [
    # 1: attendees, registrations with history, bookmarks, the outbox
    """
    CREATE TABLE attendees (
        user_id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        first_name TEXT NOT NULL DEFAULT '',
        last_name TEXT NOT NULL DEFAULT '',
        username TEXT,
        language TEXT,
        telegram_language TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        reachable INTEGER NOT NULL DEFAULT 1,
        unreachable_reason TEXT,
        reminder_minutes INTEGER
    );
    CREATE TABLE registrations (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES attendees(user_id),
        state TEXT NOT NULL CHECK (state IN ('confirmed', 'waitlisted', 'cancelled')),
        arrival INTEGER NOT NULL,
        switch_from TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (session_id, user_id)
    );
    CREATE INDEX registrations_by_session ON registrations (session_id, state, arrival);
    CREATE INDEX registrations_by_user ON registrations (user_id);
    CREATE TABLE registration_history (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        old_state TEXT,
        new_state TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE bookmarks (
        user_id INTEGER NOT NULL REFERENCES attendees(user_id),
        session_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, session_id)
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        user_id INTEGER,
        chat_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        not_before REAL NOT NULL,
        expires_at REAL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        message_id INTEGER,
        last_error TEXT,
        batch TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (state, not_before);
    CREATE INDEX outbox_batch ON outbox (batch);
    """,
    # 2: announcements, live program changes, organizers' pending steps
    """
    CREATE TABLE announcements (
        id INTEGER PRIMARY KEY,
        source TEXT UNIQUE,
        author_id INTEGER,
        audience TEXT NOT NULL,
        text_html TEXT,
        texts_json TEXT,
        photo_file_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'sending', 'done', 'withdrawn', 'cancelled')),
        send_at REAL,
        recipients INTEGER,
        version INTEGER NOT NULL DEFAULT 1,
        progress_chat_id INTEGER,
        progress_message_id INTEGER,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX announcements_due ON announcements (state, send_at);
    CREATE TABLE session_overrides (
        session_id TEXT PRIMARY KEY,
        start REAL NOT NULL,
        end REAL NOT NULL,
        room TEXT NOT NULL,
        cancelled INTEGER NOT NULL,
        author_id INTEGER,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE program_changes (
        id INTEGER PRIMARY KEY,
        author_id INTEGER,
        description TEXT NOT NULL,
        changes_json TEXT NOT NULL,
        recipients INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE admin_state (
        admin_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE pending_actions (
        id INTEGER PRIMARY KEY,
        admin_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'dropped')),
        created_at TEXT NOT NULL
    );
    """,
    # 3: feedback, and bookkeeping (e.g. when personal data was purged)
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        user_id INTEGER,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (session_id, user_id)
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 4: questions to the panel with votes; networking profiles and contact requests
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        user_id INTEGER,
        text TEXT NOT NULL,
        show_name INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'hidden')),
        created_at TEXT NOT NULL
    );
    CREATE INDEX questions_by_session ON questions (session_id, state);
    CREATE TABLE question_votes (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,
        PRIMARY KEY (question_id, user_id)
    );
    CREATE TABLE profiles (
        user_id INTEGER PRIMARY KEY REFERENCES attendees(user_id),
        organization TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT '',
        topics TEXT NOT NULL DEFAULT '[]',
        complete INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE contact_requests (
        id INTEGER PRIMARY KEY,
        from_user INTEGER NOT NULL,
        to_user INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined')),
        created_at TEXT NOT NULL,
        UNIQUE (from_user, to_user)
    );
    """,
    # 5: one pending input per person (any flow, with an expiry), replacing the organizers' state;
    # the excursion's own reminder lead time
    """
    DROP TABLE admin_state;
    ALTER TABLE attendees ADD COLUMN excursion_minutes INTEGER;
    CREATE TABLE conversations (
        user_id INTEGER PRIMARY KEY,
        flow TEXT NOT NULL,
        step TEXT NOT NULL,
        data TEXT NOT NULL,
        expires_at REAL NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 6: webhook mode: which updates were claimed and handled, so that Telegram's retries and a
    # second instance do not handle one twice
    """
    CREATE TABLE processed_updates (
        update_id INTEGER PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('working', 'done')),
        claimed_at DOUBLE PRECISION NOT NULL,  -- epoch seconds (REAL would be 4 bytes on PostgreSQL)
        instance TEXT NOT NULL
    );
    CREATE INDEX processed_updates_by_age ON processed_updates (claimed_at);
    """,
]


@dataclass(frozen=True)
class PersonalData:
    """Where a table keeps something about a person, and what happens to it: the one list that
    export (Art. 15), erasure (Art. 17) and the retention purge all follow. A test compares it
    with the schema, so a new personal column cannot be forgotten."""

    table: str
    keys: tuple[str, ...]  # the columns that name the person (any of them matches)
    export_as: str
    anonymize: tuple[tuple[str, Any], ...] = ()  # empty: rows are deleted; else these columns are set
    export_columns: str = "*"


PERSONAL_DATA: tuple[PersonalData, ...] = (
    PersonalData("registrations", ("user_id",), "registrations"),
    # the history of seats stays, without the person
    PersonalData("registration_history", ("user_id",), "registration_history", anonymize=(("user_id", 0),)),
    PersonalData("bookmarks", ("user_id",), "bookmarks"),
    # the rating stays, anonymous; a free-text comment may name people, so it goes
    PersonalData("feedback", ("user_id",), "feedback", anonymize=(("user_id", None), ("comment", None))),
    PersonalData("question_votes", ("user_id",), "question_votes"),
    PersonalData("questions", ("user_id",), "questions"),
    PersonalData("contact_requests", ("from_user", "to_user"), "contact_requests"),
    PersonalData("profiles", ("user_id",), "networking_profile"),
    PersonalData("outbox", ("user_id",), "messages_to_you",
                 export_columns="id, kind, payload, state, created_at, updated_at, message_id"),
    PersonalData("conversations", ("user_id",), "conversation_state"),
    PersonalData("pending_actions", ("admin_id",), "confirmations"),
    PersonalData("announcements", ("author_id",), "announcements_written",
                 anonymize=(("author_id", None), ("progress_chat_id", None), ("progress_message_id", None)),
                 export_columns="id, audience, text_html, state, created_at"),
    PersonalData("program_changes", ("author_id",), "program_changes_made", anonymize=(("author_id", None),),
                 export_columns="id, description, created_at"),
    PersonalData("session_overrides", ("author_id",), "session_changes_made", anonymize=(("author_id", None),),
                 export_columns="session_id, updated_at"),
    PersonalData("attendees", ("user_id",), "attendee"),  # last: other tables refer to it
)


def _personal_rows(conn, entry: PersonalData, user_id: int) -> list[dict]:
    where = " OR ".join(f"{key} = ?" for key in entry.keys)
    return [dict(row) for row in conn.execute(f"SELECT {entry.export_columns} FROM {entry.table} WHERE {where}",
                                              (user_id,) * len(entry.keys))]


def _erase_rows(conn, entry: PersonalData, where: str, params: tuple) -> int:
    if entry.anonymize:
        assignments = ", ".join(f"{column} = ?" for column, _ in entry.anonymize)
        values = tuple(value for _, value in entry.anonymize)
        return conn.execute(f"UPDATE {entry.table} SET {assignments} {where}", values + params).rowcount
    return conn.execute(f"DELETE FROM {entry.table} {where}", params).rowcount


@dataclass(frozen=True)
class AttendeeInfo:
    """Who wrote to the bot, as Telegram describes them."""

    user_id: int
    chat_id: int
    first_name: str = ""
    last_name: str = ""
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class Attendee:
    user_id: int
    chat_id: int
    first_name: str
    last_name: str
    username: str | None
    language: str | None
    telegram_language: str | None
    first_seen: str
    last_seen: str
    reachable: bool
    reminder_minutes: int | None
    excursion_minutes: int | None = None  # the excursion's own lead time; None = default

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or (f"@{self.username}" if self.username else str(self.user_id))


@dataclass(frozen=True)
class MyRegistration:
    session_id: str
    state: str
    position: int | None


@dataclass(frozen=True)
class SessionCount:
    session_id: str
    confirmed: int
    waitlisted: int


@dataclass(frozen=True)
class ListedRegistration:
    session_id: str
    user_id: int
    name: str
    username: str | None
    state: str
    position: int | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    dedup_key: str
    user_id: int | None
    chat_id: int
    kind: str
    payload: dict
    not_before: float
    attempts: int
    language: str | None = None  # the attendee's choice, if any
    telegram_language: str | None = None


def _iso(now: datetime) -> str:
    return now.astimezone(timezone.utc).isoformat(timespec="milliseconds")


class _SqlSeatBook:
    """The registrations inside one open transaction, for the domain's sign-up rules."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.enqueued = 0

    def _row(self, row) -> Registration:
        return Registration(row["session_id"], row["user_id"], row["state"], row["arrival"], row["switch_from"])

    def registration(self, session_id: str, user_id: int) -> Registration | None:
        row = self.conn.execute(
            "SELECT * FROM registrations WHERE session_id = ? AND user_id = ?", (session_id, user_id)
        ).fetchone()
        return self._row(row) if row else None

    def registrations_of(self, user_id: int) -> list[Registration]:
        rows = self.conn.execute("SELECT * FROM registrations WHERE user_id = ?", (user_id,))
        return [self._row(row) for row in rows]

    def confirmed_count(self, session_id: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM registrations WHERE session_id = ? AND state = 'confirmed'", (session_id,)
        ).fetchone()[0]

    def waitlist(self, session_id: str) -> list[Registration]:
        rows = self.conn.execute(
            "SELECT * FROM registrations WHERE session_id = ? AND state = 'waitlisted' ORDER BY arrival, id",
            (session_id,),
        )
        return [self._row(row) for row in rows]

    def save(self, registration: Registration, reason: str, now: datetime) -> None:
        previous = self.registration(registration.session_id, registration.user_id)
        stamp = _iso(now)
        self.conn.execute(
            """INSERT INTO registrations (session_id, user_id, state, arrival, switch_from, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (session_id, user_id) DO UPDATE SET
                   state = excluded.state, arrival = excluded.arrival,
                   switch_from = excluded.switch_from, updated_at = excluded.updated_at""",
            (registration.session_id, registration.user_id, registration.state, registration.arrival,
             registration.switch_from, stamp, stamp),
        )
        self.conn.execute(
            "INSERT INTO registration_history (session_id, user_id, old_state, new_state, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
            (registration.session_id, registration.user_id, previous.state if previous else None,
             registration.state, reason, stamp),
        )

    def notify(self, user_id: int, kind: str, payload: dict, key: str, now: datetime) -> None:
        self.enqueued += _enqueue(self.conn, user_id, kind, payload, key, now.timestamp(), None, None, now)

    def registrations_of_session(self, session_id: str) -> list[Registration]:
        rows = self.conn.execute("SELECT * FROM registrations WHERE session_id = ? ORDER BY arrival, id", (session_id,))
        return [self._row(row) for row in rows]

    def cancelled_by(self, session_id: str, reason: str) -> list[rules.FormerRegistration]:
        """Registrations whose latest change was `reason`, with the state that change ended."""
        rows = self.conn.execute(
            """SELECT r.*, h.old_state FROM registrations r
               JOIN registration_history h ON h.id = (SELECT MAX(id) FROM registration_history
                                                      WHERE session_id = r.session_id AND user_id = r.user_id)
               WHERE r.session_id = ? AND r.state = 'cancelled' AND h.reason = ?
               ORDER BY r.arrival, r.id""", (session_id, reason))
        return [rules.FormerRegistration(self._row(row), row["old_state"]) for row in rows]


def _enqueue(conn, user_id: int, kind: str, payload: dict, key: str, not_before: float,
             expires_at: float | None, batch: str | None, now: datetime) -> int:
    """Add one message to the outbox unless its key is there already; returns rows added."""
    row = conn.execute("SELECT chat_id, reachable FROM attendees WHERE user_id = ?", (user_id,)).fetchone()
    if row is None or not row["reachable"]:
        return 0
    stamp = _iso(now)
    cursor = conn.execute(
        """INSERT INTO outbox (dedup_key, user_id, chat_id, kind, payload, not_before, expires_at, batch, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING""",
        (key, user_id, row["chat_id"], kind, json.dumps(payload, ensure_ascii=False), not_before,
         expires_at, batch, stamp, stamp),
    )
    if cursor.rowcount > 0 and isinstance(conn, Transaction):
        conn.enqueued += cursor.rowcount  # delivery is woken after the commit
    return cursor.rowcount


class Storage:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._outbox_listeners: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._synchronous: str | None = None  # the connection's current PRAGMA synchronous
        # Who wrote recently, so that a busy minute does not write "last seen" on every tap.
        self._recently_seen: dict[int, tuple[AttendeeInfo, float, Attendee]] = {}

    # --- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storage")
        await self._loop.run_in_executor(self._executor, self._connect)

    def _connect(self) -> None:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        self._conn = conn
        self._migrate(conn)

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise RuntimeError(f"database schema {version} is newer than this bot ({len(MIGRATIONS)})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            log.info("database migrated to schema %d", number)

    async def close(self) -> None:
        if self._executor is None:
            return
        await asyncio.get_running_loop().run_in_executor(self._executor, self._disconnect)
        self._executor.shutdown(wait=True)
        self._executor = None

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def add_outbox_listener(self, listener: Callable[[], None]) -> None:
        """Called on the event loop after a transaction put messages in the outbox."""
        self._outbox_listeners.append(listener)

    # --- the transaction runner -----------------------------------------------------------

    async def _transaction(self, work: Callable[[sqlite3.Connection], T], write: bool = True, durable: bool = True) -> T:
        if self._executor is None:
            raise RuntimeError("storage is not open")
        result, enqueued = await asyncio.get_running_loop().run_in_executor(self._executor, self._run, work, write, durable)
        if enqueued:
            for listener in self._outbox_listeners:
                listener()
        return result

    def _run(self, work: Callable[[sqlite3.Connection], T], write: bool, durable: bool) -> tuple[T, int]:
        conn = self._conn
        assert conn is not None
        wanted = "FULL" if durable else "NORMAL"
        if write and wanted != self._synchronous:
            conn.execute(f"PRAGMA synchronous = {wanted}")
            self._synchronous = wanted
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        transaction = Transaction(conn)
        try:
            result = work(transaction)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return result, transaction.enqueued

    async def _rules(self, rule: Callable[[_SqlSeatBook], T]) -> T:
        def work(conn):
            book = _SqlSeatBook(conn)
            return rule(book)
        return await self._transaction(work)

    # --- attendees -------------------------------------------------------------------------

    SEEN_REFRESH = 300.0  # real seconds between "last seen" writes for the same unchanged person

    async def touch_attendee(self, info: AttendeeInfo, now: datetime) -> Attendee:
        """Record that this person used the bot; returns what is stored about them."""
        cached = self._recently_seen.get(info.user_id)
        if cached is not None and cached[0] == info and time.monotonic() - cached[1] < self.SEEN_REFRESH:
            return cached[2]

        def work(conn):
            stamp = _iso(now)
            conn.execute(
                """INSERT INTO attendees (user_id, chat_id, first_name, last_name, username, telegram_language, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, first_name = excluded.first_name,
                       last_name = excluded.last_name, username = excluded.username,
                       telegram_language = excluded.telegram_language, last_seen = excluded.last_seen,
                       reachable = 1, unreachable_reason = NULL""",
                (info.user_id, info.chat_id, info.first_name or "", info.last_name or "", info.username,
                 info.language_code, stamp, stamp),
            )
            return _attendee(conn, info.user_id)
        attendee = await self._transaction(work, durable=False)
        if len(self._recently_seen) > 50_000:
            self._recently_seen.clear()
        self._recently_seen[info.user_id] = (info, time.monotonic(), attendee)
        return attendee

    def _forget_seen(self, user_id: int) -> None:
        self._recently_seen.pop(user_id, None)

    async def attendee(self, user_id: int) -> Attendee | None:
        return await self._transaction(lambda conn: _attendee(conn, user_id), write=False)

    async def set_language(self, user_id: int, language: str) -> None:
        self._forget_seen(user_id)
        await self._transaction(lambda conn: conn.execute(
            "UPDATE attendees SET language = ? WHERE user_id = ?", (language, user_id)))

    async def mark_unreachable(self, user_id: int, reason: str) -> int:
        """The user blocked the bot or is gone: stop sending; returns the pending messages dropped."""
        self._forget_seen(user_id)

        def work(conn):
            conn.execute("UPDATE attendees SET reachable = 0, unreachable_reason = ? WHERE user_id = ?", (reason, user_id))
            cursor = conn.execute(
                "UPDATE outbox SET state = 'dropped', last_error = ? WHERE user_id = ? AND state = 'pending'",
                (f"unreachable: {reason}", user_id))
            return cursor.rowcount
        return await self._transaction(work)

    async def attendee_count(self) -> int:
        return await self._transaction(lambda conn: conn.execute("SELECT COUNT(*) FROM attendees").fetchone()[0], write=False)

    # --- sign-up ---------------------------------------------------------------------------

    async def sign_up(self, program: Program, session_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
        return await self._rules(lambda book: rules.sign_up(book, program, session_id, user_id, arrival, now))

    async def join_waitlist(self, program: Program, session_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
        return await self._rules(lambda book: rules.join_waitlist(book, program, session_id, user_id, arrival, now))

    async def switch(self, program: Program, from_id: str, to_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
        return await self._rules(lambda book: rules.switch(book, program, from_id, to_id, user_id, arrival, now))

    async def cancel(self, program: Program, session_id: str, user_id: int, now: datetime) -> Outcome:
        return await self._rules(lambda book: rules.cancel(book, program, session_id, user_id, now))

    async def reconcile_capacities(self, program: Program, now: datetime) -> tuple[list[Promotion], list[Overbooking]]:
        return await self._rules(lambda book: rules.reconcile_capacities(book, program, now))

    async def registration(self, session_id: str, user_id: int) -> MyRegistration | None:
        def work(conn):
            book = _SqlSeatBook(conn)
            found = book.registration(session_id, user_id)
            if found is None or found.state == rules.CANCELLED:
                return None
            position = rules.waitlist_position(book, session_id, user_id) if found.state == rules.WAITLISTED else None
            return MyRegistration(session_id, found.state, position)
        return await self._transaction(work, write=False)

    async def registrations_of(self, user_id: int) -> list[MyRegistration]:
        """My seats and waitlist places, each waitlist place with its current position."""
        def work(conn):
            rows = conn.execute(
                """SELECT r.session_id, r.state,
                          CASE WHEN r.state = 'waitlisted' THEN
                              (SELECT COUNT(*) FROM registrations o WHERE o.session_id = r.session_id
                               AND o.state = 'waitlisted' AND (o.arrival < r.arrival OR (o.arrival = r.arrival AND o.id <= r.id)))
                          END AS position
                   FROM registrations r WHERE r.user_id = ? AND r.state != 'cancelled'""",
                (user_id,),
            )
            return [MyRegistration(row["session_id"], row["state"], row["position"]) for row in rows]
        return await self._transaction(work, write=False)

    async def session_counts(self) -> dict[str, SessionCount]:
        def work(conn):
            rows = conn.execute(
                """SELECT session_id, SUM(state = 'confirmed') AS confirmed, SUM(state = 'waitlisted') AS waitlisted
                   FROM registrations GROUP BY session_id""")
            return {row["session_id"]: SessionCount(row["session_id"], row["confirmed"], row["waitlisted"]) for row in rows}
        return await self._transaction(work, write=False)

    async def confirmed_count(self, session_id: str) -> int:
        return await self._transaction(lambda conn: _SqlSeatBook(conn).confirmed_count(session_id), write=False)

    async def list_registrations(self, session_id: str | None = None) -> list[ListedRegistration]:
        """Every live registration, by session, confirmed first, then the waitlist in order."""
        def work(conn):
            rows = conn.execute(
                f"""SELECT r.*, a.first_name, a.last_name, a.username,
                          ROW_NUMBER() OVER (PARTITION BY r.session_id, r.state ORDER BY r.arrival, r.id) AS rank
                   FROM registrations r JOIN attendees a ON a.user_id = r.user_id
                   WHERE r.state != 'cancelled' {"AND r.session_id = ?" if session_id else ""}
                   ORDER BY r.session_id, r.state = 'waitlisted', r.arrival, r.id""",
                (session_id,) if session_id else (),
            )
            return [
                ListedRegistration(
                    session_id=row["session_id"], user_id=row["user_id"],
                    name=f"{row['first_name']} {row['last_name']}".strip() or (row["username"] or str(row["user_id"])),
                    username=row["username"], state=row["state"],
                    position=row["rank"] if row["state"] == rules.WAITLISTED else None,
                    created_at=row["created_at"], updated_at=row["updated_at"],
                )
                for row in rows
            ]
        return await self._transaction(work, write=False)

    # --- bookmarks and reminders ----------------------------------------------------------

    async def toggle_bookmark(self, user_id: int, session_id: str, now: datetime) -> bool:
        """Bookmark a session, or remove the bookmark; returns whether it is bookmarked now."""
        def work(conn):
            removed = conn.execute("DELETE FROM bookmarks WHERE user_id = ? AND session_id = ?", (user_id, session_id)).rowcount
            if removed:
                return False
            conn.execute("INSERT INTO bookmarks (user_id, session_id, created_at) VALUES (?, ?, ?)",
                         (user_id, session_id, _iso(now)))
            return True
        return await self._transaction(work)

    async def bookmarks_of(self, user_id: int) -> list[str]:
        return await self._transaction(lambda conn: [row[0] for row in conn.execute(
            "SELECT session_id FROM bookmarks WHERE user_id = ? ORDER BY created_at", (user_id,))], write=False)

    async def set_reminder_minutes(self, user_id: int, minutes: int | None) -> None:
        self._forget_seen(user_id)
        await self._transaction(lambda conn: conn.execute(
            "UPDATE attendees SET reminder_minutes = ? WHERE user_id = ?", (minutes, user_id)))

    async def set_excursion_minutes(self, user_id: int, minutes: int | None) -> None:
        self._forget_seen(user_id)
        await self._transaction(lambda conn: conn.execute(
            "UPDATE attendees SET excursion_minutes = ? WHERE user_id = ?", (minutes, user_id)))

    async def reminder_subjects(self) -> list[Subject]:
        """Everything that can earn a reminder, for reachable attendees."""
        def work(conn):
            rows = conn.execute(
                """SELECT r.user_id, r.session_id, r.state AS relation, r.updated_at AS since, a.reminder_minutes,
                          a.excursion_minutes
                   FROM registrations r JOIN attendees a ON a.user_id = r.user_id
                   WHERE r.state IN ('confirmed', 'waitlisted') AND a.reachable = 1
                   UNION ALL
                   SELECT b.user_id, b.session_id, 'bookmark', b.created_at, a.reminder_minutes, a.excursion_minutes
                   FROM bookmarks b JOIN attendees a ON a.user_id = b.user_id WHERE a.reachable = 1""")
            return [Subject(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4], row[5]) for row in rows]
        return await self._transaction(work, write=False)

    async def enqueue_reminders(self, reminders: list[Reminder], now: datetime) -> int:
        """Queue due reminders; each key only ever once, so re-planning never duplicates."""
        def work(conn):
            count = sum(
                _enqueue(conn, r.user_id, r.kind, {"session_id": r.session_id, "start": r.expires.timestamp()}, r.key,
                         r.due.timestamp(), r.expires.timestamp(), None, now)
                for r in reminders
            )
            return count
        return await self._transaction(work)

    # --- audiences ---------------------------------------------------------------------------

    async def audience_ids(self, audience: Audience, session_ids: tuple[str, ...]) -> list[int]:
        """The reachable attendees an announcement to `audience` goes to."""
        return await self._transaction(lambda conn: _audience_ids(conn, audience, session_ids), write=False)

    async def affected_by(self, session_ids: list[str]) -> dict[int, set[str]]:
        """Attendees with a seat, a waitlist place or a bookmark in these sessions, and which."""
        return await self._transaction(lambda conn: _affected(conn, session_ids), write=False)

    # --- announcements -----------------------------------------------------------------------

    async def create_announcement(self, author_id: int | None, audience: str, text_html: str | None,
                                  photo_file_id: str | None, now: datetime, texts: dict | None = None) -> int:
        def work(conn):
            stamp = _iso(now)
            return conn.execute(
                """INSERT INTO announcements (author_id, audience, text_html, texts_json, photo_file_id, state, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, 'draft', ?, ?)""",
                (author_id, audience, text_html, json.dumps(texts, ensure_ascii=False) if texts else None,
                 photo_file_id, stamp, stamp)).lastrowid
        return await self._transaction(work)

    async def announcement(self, announcement_id: int) -> dict | None:
        def work(conn):
            row = conn.execute("SELECT * FROM announcements WHERE id = ?", (announcement_id,)).fetchone()
            return _announcement(row) if row else None
        return await self._transaction(work, write=False)

    async def announcements(self, limit: int = 20, states: tuple[str, ...] | None = None) -> list[dict]:
        def work(conn):
            where = f"WHERE state IN ({','.join('?' * len(states))})" if states else "WHERE state != 'draft'"
            rows = conn.execute(f"SELECT * FROM announcements {where} ORDER BY id DESC LIMIT ?", (*(states or ()), limit))
            return [_announcement(row) for row in rows]
        return await self._transaction(work, write=False)

    async def update_announcement(self, announcement_id: int, **fields) -> None:
        allowed = {"audience", "text_html", "photo_file_id", "progress_chat_id", "progress_message_id"}
        assert set(fields) <= allowed, fields

        def work(conn):
            assignments = ", ".join(f"{name} = ?" for name in fields)
            conn.execute(f"UPDATE announcements SET {assignments} WHERE id = ?", (*fields.values(), announcement_id))
        await self._transaction(work)

    async def schedule_announcement(self, announcement_id: int, send_at: datetime, now: datetime) -> bool:
        return await self._transaction(lambda conn: conn.execute(
            "UPDATE announcements SET state = 'scheduled', send_at = ?, updated_at = ? WHERE id = ? AND state IN ('draft', 'scheduled')",
            (send_at.timestamp(), _iso(now), announcement_id)).rowcount == 1)

    async def cancel_announcement(self, announcement_id: int, now: datetime) -> bool:
        return await self._transaction(lambda conn: conn.execute(
            "UPDATE announcements SET state = 'cancelled', updated_at = ? WHERE id = ? AND state IN ('draft', 'scheduled')",
            (_iso(now), announcement_id)).rowcount == 1)

    async def start_announcement(self, announcement_id: int, session_ids: tuple[str, ...], now: datetime) -> int | None:
        """Queue the announcement for its audience, once: a second call (a double tap on
        "send") finds it started already and returns None."""
        def work(conn):
            row = conn.execute("SELECT * FROM announcements WHERE id = ?", (announcement_id,)).fetchone()
            if row is None or row["state"] not in ("draft", "scheduled"):
                return None
            audience = Audience.parse(row["audience"])
            recipients = _audience_ids(conn, audience, session_ids) if audience else []
            batch = f"ann:{announcement_id}"
            for user_id in recipients:
                _enqueue(conn, user_id, "announcement", {"ann": announcement_id}, f"{batch}:{user_id}",
                         now.timestamp(), None, batch, now)
            conn.execute("UPDATE announcements SET state = 'sending', recipients = ?, sent_at = ?, updated_at = ? WHERE id = ?",
                         (len(recipients), _iso(now), _iso(now), announcement_id))
            return len(recipients)
        return await self._transaction(work)

    async def finish_announcement(self, announcement_id: int, now: datetime) -> None:
        await self._transaction(lambda conn: conn.execute(
            "UPDATE announcements SET state = 'done', updated_at = ? WHERE id = ? AND state = 'sending'",
            (_iso(now), announcement_id)))

    async def delivery_report(self, batch: str) -> dict[str, Any]:
        """Counts per outcome for one batch of the outbox, and the reasons of failures."""
        def work(conn):
            counts = dict(conn.execute("SELECT state, COUNT(*) FROM outbox WHERE batch = ? GROUP BY state", (batch,)).fetchall())
            blocked = conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE batch = ? AND state = 'failed' AND last_error LIKE 'blocked:%'", (batch,)).fetchone()[0]
            reasons = conn.execute(
                """SELECT last_error, COUNT(*) FROM outbox WHERE batch = ? AND state = 'failed' AND last_error NOT LIKE 'blocked:%'
                   GROUP BY last_error ORDER BY COUNT(*) DESC LIMIT 5""", (batch,)).fetchall()
            return {"sent": counts.get("sent", 0), "pending": counts.get("pending", 0) + counts.get("sending", 0),
                    "blocked": blocked, "failed": counts.get("failed", 0) - blocked, "dropped": counts.get("dropped", 0),
                    "reasons": [(reason, count) for reason, count in reasons]}
        return await self._transaction(work, write=False)

    async def edit_announcement(self, announcement_id: int, text_html: str, now: datetime) -> int:
        """Correct a sent announcement: messages already delivered are edited, queued ones go out
        with the new text. Returns the number of edits queued."""
        def work(conn):
            row = conn.execute("SELECT * FROM announcements WHERE id = ?", (announcement_id,)).fetchone()
            if row is None or row["state"] not in ("sending", "done"):
                return 0
            version = row["version"] + 1
            conn.execute("UPDATE announcements SET text_html = ?, version = ?, updated_at = ? WHERE id = ?",
                         (text_html, version, _iso(now), announcement_id))
            sent = conn.execute("SELECT user_id, message_id FROM outbox WHERE batch = ? AND state = 'sent' AND message_id IS NOT NULL",
                                (f"ann:{announcement_id}",)).fetchall()
            batch = f"annedit:{announcement_id}:{version}"
            for user_id, message_id in sent:
                _enqueue(conn, user_id, "announcement_edit", {"ann": announcement_id, "message_id": message_id, "version": version},
                         f"{batch}:{user_id}", now.timestamp(), None, batch, now)
            return len(sent)
        return await self._transaction(work)

    async def withdraw_announcement(self, announcement_id: int, now: datetime) -> int:
        """Take an announcement back: queued copies are dropped, delivered ones deleted."""
        def work(conn):
            row = conn.execute("SELECT state FROM announcements WHERE id = ?", (announcement_id,)).fetchone()
            if row is None or row["state"] not in ("sending", "done"):
                return 0
            conn.execute("UPDATE announcements SET state = 'withdrawn', updated_at = ? WHERE id = ?", (_iso(now), announcement_id))
            conn.execute("UPDATE outbox SET state = 'dropped', last_error = 'withdrawn' WHERE batch = ? AND state = 'pending'",
                         (f"ann:{announcement_id}",))
            sent = conn.execute("SELECT user_id, message_id FROM outbox WHERE batch = ? AND state = 'sent' AND message_id IS NOT NULL",
                                (f"ann:{announcement_id}",)).fetchall()
            batch = f"anndel:{announcement_id}"
            for user_id, message_id in sent:
                _enqueue(conn, user_id, "announcement_delete", {"message_id": message_id}, f"{batch}:{user_id}",
                         now.timestamp(), None, batch, now)
            return len(sent)
        return await self._transaction(work)

    async def due_announcements(self, now: datetime, grace_seconds: float = 1800) -> list[int]:
        """Scheduled announcements now due. One overdue by more than the grace period (the bot
        was down, or started late) is cancelled instead: "lunch is served" at 15:00 helps nobody."""
        def work(conn):
            stamp = now.timestamp()
            conn.execute("UPDATE announcements SET state = 'cancelled', updated_at = ? "
                         "WHERE state = 'scheduled' AND send_at < ?", (_iso(now), stamp - grace_seconds))
            return [row[0] for row in conn.execute(
                "SELECT id FROM announcements WHERE state = 'scheduled' AND send_at <= ? ORDER BY send_at, id", (stamp,))]
        return await self._transaction(work)

    async def next_announcement_at(self) -> float | None:
        return await self._transaction(lambda conn: conn.execute(
            "SELECT MIN(send_at) FROM announcements WHERE state = 'scheduled'").fetchone()[0], write=False)

    async def sync_file_announcements(self, planned: list, now: datetime) -> None:
        """Announcements written in program.yaml: added or updated while not yet sent; ones
        removed from the file are cancelled."""
        def work(conn):
            stamp = _iso(now)
            wanted = {f"file:{p.id}" for p in planned}
            for p in planned:
                texts = json.dumps(dict(p.text.values), ensure_ascii=False)
                conn.execute(
                    """INSERT INTO announcements (source, audience, texts_json, state, send_at, created_at, updated_at)
                       VALUES (?, ?, ?, 'scheduled', ?, ?, ?)
                       ON CONFLICT (source) DO UPDATE SET audience = excluded.audience, texts_json = excluded.texts_json,
                           send_at = excluded.send_at, updated_at = excluded.updated_at
                       WHERE announcements.state = 'scheduled'""",
                    (f"file:{p.id}", p.audience.key(), texts, p.at.timestamp(), stamp, stamp))
            for (source,) in conn.execute("SELECT source FROM announcements WHERE source LIKE 'file:%' AND state = 'scheduled'").fetchall():
                if source not in wanted:
                    conn.execute("UPDATE announcements SET state = 'cancelled', updated_at = ? WHERE source = ?", (stamp, source))
        await self._transaction(work)

    # --- live program changes ----------------------------------------------------------------

    async def overrides(self) -> list[Override]:
        def work(conn):
            rows = conn.execute("SELECT * FROM session_overrides")
            return [Override(row["session_id"], datetime.fromtimestamp(row["start"], timezone.utc),
                             datetime.fromtimestamp(row["end"], timezone.utc), row["room"], bool(row["cancelled"]))
                    for row in rows]
        return await self._transaction(work, write=False)

    async def record_change(self, overrides: list[Override], changes: list[Change], author_id: int | None,
                            description: str, now: datetime, program: Program | None = None,
                            expected_revision: int | None = None) -> tuple[int, int] | None:
        """Store overrides (if any), end the registrations of cancelled sessions and give them
        back to restored ones (`program` is the program after the change), and queue one notice
        per affected attendee, atomically. With `expected_revision`, nothing happens (None) when
        another change was applied since the preview. Returns (change id, notices queued)."""
        def work(conn):
            revision = _revision(conn)
            if expected_revision is not None and revision != expected_revision:
                return None
            stamp = _iso(now)
            affected = _affected(conn, [c.session_id for c in changes])  # before seats of cancelled sessions end
            for o in overrides:
                conn.execute(
                    """INSERT INTO session_overrides (session_id, start, end, room, cancelled, author_id, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (session_id) DO UPDATE SET start = excluded.start, end = excluded.end, room = excluded.room,
                           cancelled = excluded.cancelled, author_id = excluded.author_id, updated_at = excluded.updated_at""",
                    (o.session_id, o.start.timestamp(), o.end.timestamp(), o.room, int(o.cancelled), author_id, stamp))
            book = _SqlSeatBook(conn)
            for change in changes:
                was_cancelled = change.before is None or change.before.cancelled
                is_cancelled = change.after is None or change.after.cancelled
                if is_cancelled and not was_cancelled:
                    rules.release_cancelled(book, change.session_id, now)
                elif was_cancelled and not is_cancelled and change.before is not None and program is not None:
                    restored = rules.restore_cancelled(book, program, change.session_id, now)
                    for user_id in (*restored.confirmed, *restored.waitlisted, *restored.elsewhere):
                        affected.setdefault(user_id, set()).add(change.session_id)
            conn.execute("INSERT INTO meta (key, value) VALUES ('program_revision', ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(revision + 1),))
            change_id = conn.execute(
                "INSERT INTO program_changes (author_id, description, changes_json, recipients, created_at) VALUES (?, ?, ?, ?, ?)",
                (author_id, description, json.dumps([c.as_dict() for c in changes]), len(affected), stamp)).lastrowid
            by_session = {c.session_id: c.as_dict() for c in changes}
            order = list(by_session)
            batch = f"change:{change_id}"
            count = book.enqueued
            for user_id, session_ids in affected.items():
                mine = [by_session[s] for s in sorted(session_ids, key=order.index)]
                count += _enqueue(conn, user_id, "change", {"changes": mine}, f"{batch}:{user_id}", now.timestamp(), None, batch, now)
            return (change_id, count)
        return await self._transaction(work)

    # --- conversations: pending inputs and confirmations (bot/handlers/conversation.py) -------

    async def save_conversation(self, user_id: int, flow: str, step: str, data: dict, expires_at: datetime,
                                now: datetime) -> None:
        await self._transaction(lambda conn: conn.execute(
            """INSERT INTO conversations (user_id, flow, step, data, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step, data = excluded.data,
                   expires_at = excluded.expires_at, updated_at = excluded.updated_at""",
            (user_id, flow, step, json.dumps(data, ensure_ascii=False), expires_at.timestamp(), _iso(now))))

    async def conversation(self, user_id: int) -> tuple[str, str, dict, datetime] | None:
        """(flow, step, data, expires_at) of the person's pending input, if any."""
        def work(conn):
            row = conn.execute("SELECT * FROM conversations WHERE user_id = ?", (user_id,)).fetchone()
            if row is None:
                return None
            return (row["flow"], row["step"], json.loads(row["data"]),
                    datetime.fromtimestamp(row["expires_at"], timezone.utc))
        return await self._transaction(work, write=False)

    async def end_conversation(self, user_id: int) -> str | None:
        """End the pending input; returns the flow it belonged to, or None if there was none."""
        def work(conn):
            row = conn.execute("DELETE FROM conversations WHERE user_id = ? RETURNING flow", (user_id,)).fetchone()
            return row[0] if row else None
        return await self._transaction(work, durable=False)

    async def create_pending(self, admin_id: int, kind: str, payload: dict, now: datetime) -> int:
        return await self._transaction(lambda conn: conn.execute(
            "INSERT INTO pending_actions (admin_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            (admin_id, kind, json.dumps(payload, ensure_ascii=False), _iso(now))).lastrowid)

    async def take_pending(self, action_id: int, admin_id: int, state: str = "done",
                           not_before: datetime | None = None) -> tuple[str, dict] | None:
        """Claim a confirmation exactly once: a second tap, a confirmation made before
        `not_before` (expired) or someone else's gets None."""
        def work(conn):
            row = conn.execute("SELECT kind, payload, created_at FROM pending_actions "
                               "WHERE id = ? AND admin_id = ? AND state = 'open'", (action_id, admin_id)).fetchone()
            if row is None:
                return None
            if not_before is not None and datetime.fromisoformat(row["created_at"]) < not_before:
                conn.execute("UPDATE pending_actions SET state = 'dropped' WHERE id = ?", (action_id,))
                return None
            conn.execute("UPDATE pending_actions SET state = ? WHERE id = ?", (state, action_id))
            return row["kind"], json.loads(row["payload"])
        return await self._transaction(work)

    async def program_revision(self) -> int:
        """How many program changes (chat or reload) have been applied: previews record it."""
        return await self._transaction(lambda conn: _revision(conn), write=False)

    # --- feedback ------------------------------------------------------------------------------

    async def save_feedback(self, session_id: str, user_id: int, rating: int, now: datetime) -> bool:
        """One rating per attendee and session; False if they had rated already."""
        return await self._transaction(lambda conn: conn.execute(
            "INSERT INTO feedback (session_id, user_id, rating, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (session_id, user_id) DO NOTHING", (session_id, user_id, rating, _iso(now))).rowcount == 1)

    async def add_feedback_comment(self, session_id: str, user_id: int, comment: str) -> bool:
        return await self._transaction(lambda conn: conn.execute(
            "UPDATE feedback SET comment = ? WHERE session_id = ? AND user_id = ? AND comment IS NULL",
            (comment, session_id, user_id)).rowcount == 1)

    async def feedback_rows(self) -> list[dict]:
        return await self._transaction(lambda conn: [dict(row) for row in conn.execute(
            "SELECT session_id, rating, comment, created_at FROM feedback ORDER BY session_id, created_at")], write=False)

    async def enqueue_prompts(self, prompts: list[Reminder], now: datetime) -> int:
        def work(conn):
            count = sum(_enqueue(conn, p.user_id, p.kind, {"session_id": p.session_id}, p.key, p.due.timestamp(),
                                 p.expires.timestamp(), None, now) for p in prompts)
            return count
        return await self._transaction(work)

    # --- questions to the panel --------------------------------------------------------------------

    async def add_question(self, session_id: str, user_id: int, text: str, now: datetime) -> int:
        return await self._transaction(lambda conn: conn.execute(
            "INSERT INTO questions (session_id, user_id, text, created_at) VALUES (?, ?, ?, ?)",
            (session_id, user_id, text, _iso(now))).lastrowid)

    async def question(self, question_id: int) -> dict | None:
        def work(conn):
            row = conn.execute("SELECT * FROM questions WHERE id = ?", (question_id,)).fetchone()
            return dict(row) if row else None
        return await self._transaction(work, write=False)

    async def questions(self, session_id: str, include_hidden: bool = False) -> list[dict]:
        """Ranked by votes, then by age; with the asker's first name where they chose to show it."""
        def work(conn):
            hidden = "" if include_hidden else "AND q.state != 'hidden'"
            rows = conn.execute(
                f"""SELECT q.*, a.first_name, (SELECT COUNT(*) FROM question_votes v WHERE v.question_id = q.id) AS votes
                    FROM questions q LEFT JOIN attendees a ON a.user_id = q.user_id
                    WHERE q.session_id = ? {hidden} ORDER BY q.state = 'answered', votes DESC, q.id""", (session_id,))
            return [dict(row) for row in rows]
        return await self._transaction(work, write=False)

    async def vote(self, question_id: int, user_id: int) -> bool:
        """One vote per attendee and question, however often and fast they tap."""
        def work(conn):
            if conn.execute("SELECT 1 FROM questions WHERE id = ? AND state = 'open'", (question_id,)).fetchone() is None:
                return False
            return conn.execute("INSERT INTO question_votes (question_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                (question_id, user_id)).rowcount == 1
        return await self._transaction(work)

    async def set_question(self, question_id: int, **fields) -> bool:
        assert set(fields) <= {"state", "show_name"}, fields
        def work(conn):
            assignments = ", ".join(f"{name} = ?" for name in fields)
            return conn.execute(f"UPDATE questions SET {assignments} WHERE id = ?", (*fields.values(), question_id)).rowcount == 1
        return await self._transaction(work)

    # --- networking with consent ------------------------------------------------------------------

    async def profile(self, user_id: int) -> dict | None:
        def work(conn):
            row = conn.execute("SELECT * FROM profiles WHERE user_id = ?", (user_id,)).fetchone()
            return {**dict(row), "topics": json.loads(row["topics"])} if row else None
        return await self._transaction(work, write=False)

    async def save_profile(self, user_id: int, now: datetime, **fields) -> None:
        assert set(fields) <= {"organization", "role", "topics", "complete"}, fields
        if "topics" in fields:
            fields["topics"] = json.dumps(sorted(set(fields["topics"])))

        def work(conn):
            conn.execute("INSERT INTO profiles (user_id, created_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
                         (user_id, _iso(now)))
            if fields:
                assignments = ", ".join(f"{name} = ?" for name in fields)
                conn.execute(f"UPDATE profiles SET {assignments} WHERE user_id = ?", (*fields.values(), user_id))
        await self._transaction(work)

    async def leave_network(self, user_id: int) -> None:
        def work(conn):
            conn.execute("DELETE FROM contact_requests WHERE (from_user = ? OR to_user = ?) AND state = 'pending'", (user_id, user_id))
            conn.execute("DELETE FROM profiles WHERE user_id = ?", (user_id,))
        await self._transaction(work)

    async def matches(self, user_id: int) -> list[dict]:
        """Complete profiles of reachable others with at least one topic in common, most shared first."""
        def work(conn):
            mine = conn.execute("SELECT topics FROM profiles WHERE user_id = ? AND complete = 1", (user_id,)).fetchone()
            if mine is None:
                return []
            wanted = set(json.loads(mine[0]))
            found = []
            for row in conn.execute(
                    """SELECT p.*, a.first_name FROM profiles p JOIN attendees a ON a.user_id = p.user_id
                       WHERE p.complete = 1 AND p.user_id != ? AND a.reachable = 1""", (user_id,)):
                shared = wanted & set(json.loads(row["topics"]))
                if shared:
                    found.append({**dict(row), "shared": sorted(shared)})
            found.sort(key=lambda m: (-len(m["shared"]), m["user_id"]))
            return found
        return await self._transaction(work, write=False)

    async def request_contact(self, from_user: int, to_user: int, now: datetime) -> int | None:
        """A contact request, queued to the other side; None if one exists already or either
        side has no complete profile."""
        def work(conn):
            both = conn.execute("SELECT COUNT(*) FROM profiles WHERE complete = 1 AND user_id IN (?, ?)",
                                (from_user, to_user)).fetchone()[0]
            if both != 2 or from_user == to_user:
                return None
            cursor = conn.execute("INSERT INTO contact_requests (from_user, to_user, created_at) VALUES (?, ?, ?) "
                                  "ON CONFLICT (from_user, to_user) DO NOTHING", (from_user, to_user, _iso(now)))
            if cursor.rowcount != 1:
                return None
            request_id = cursor.lastrowid
            _enqueue(conn, to_user, "contact_request", {"request": request_id}, f"contact:{request_id}",
                             now.timestamp(), None, None, now)
            return request_id
        return await self._transaction(work)

    async def contact_request(self, request_id: int) -> dict | None:
        def work(conn):
            row = conn.execute("SELECT * FROM contact_requests WHERE id = ?", (request_id,)).fetchone()
            return dict(row) if row else None
        return await self._transaction(work, write=False)

    async def answer_contact(self, request_id: int, user_id: int, accept: bool, now: datetime) -> dict | None:
        """Only the addressee answers, once. On accepting, both sides are sent the other's contact."""
        def work(conn):
            row = conn.execute("SELECT * FROM contact_requests WHERE id = ? AND to_user = ? AND state = 'pending'",
                               (request_id, user_id)).fetchone()
            if row is None:
                return None
            state = "accepted" if accept else "declined"
            conn.execute("UPDATE contact_requests SET state = ? WHERE id = ?", (state, request_id))
            count = 0
            if accept:
                for receiver, other in ((row["from_user"], row["to_user"]), (row["to_user"], row["from_user"])):
                    count += _enqueue(conn, receiver, "contact_shared", {"other": other}, f"contact:{request_id}:{receiver}",
                                      now.timestamp(), None, None, now)
            else:
                count += _enqueue(conn, row["from_user"], "contact_declined", {"request": request_id},
                                  f"contact:{request_id}:declined", now.timestamp(), None, None, now)
            return {**dict(row), "state": state}
        return await self._transaction(work)

    # --- privacy: export, deletion, retention ----------------------------------------------------

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one person (GDPR Art. 15), table by table as PERSONAL_DATA says."""
        def work(conn):
            exported = {entry.export_as: _personal_rows(conn, entry, user_id) for entry in reversed(PERSONAL_DATA)}
            return {name: rows for name, rows in exported.items() if rows or name == "attendee"}
        return await self._transaction(work, write=False)

    async def delete_user(self, program: Program, user_id: int, now: datetime) -> dict[str, int]:
        """Erase one person (GDPR Art. 17): seats are freed first (the waitlist moves up), then
        every row about them goes; star ratings and the sign-up history stay, without their id."""
        def work(conn):
            book = _SqlSeatBook(conn)
            freed = 0
            for registration in book.registrations_of(user_id):
                if registration.state != rules.CANCELLED:
                    rules.cancel(book, program, registration.session_id, user_id, now, reason="erased")
                    freed += 1
            counts = {"seats_freed": freed}
            counts.update(_erase(conn, [user_id]))
            return counts
        self._forget_seen(user_id)
        return await self._transaction(work)

    async def purge_personal_data(self, now: datetime) -> dict[str, int]:
        """The retention period is over: every person's data goes, as with /loeschen but without
        moving waitlists (the conference is over)."""
        def work(conn):
            counts = {entry.table: _erase_rows(conn, entry, "", ()) for entry in PERSONAL_DATA}
            conn.execute("INSERT INTO meta (key, value) VALUES ('purged_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         (_iso(now),))
            return counts
        self._recently_seen.clear()
        return await self._transaction(work)

    async def meta(self, key: str) -> str | None:
        def work(conn):
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None
        return await self._transaction(work, write=False)

    # --- the outbox --------------------------------------------------------------------------

    async def enqueue(self, messages: Iterable[tuple[int, str, dict, str]], not_before: datetime,
                      now: datetime, expires_at: datetime | None = None, batch: str | None = None) -> int:
        """Queue (user_id, kind, payload, dedup_key) messages; returns how many were new."""
        items = list(messages)

        def work(conn):
            count = sum(
                _enqueue(conn, user_id, kind, payload, key, not_before.timestamp(),
                         expires_at.timestamp() if expires_at else None, batch, now)
                for user_id, kind, payload, key in items
            )
            return count
        return await self._transaction(work)

    async def requeue_in_flight(self) -> int:
        """At start-up: messages that were being sent when the bot stopped go out again."""
        return await self._transaction(lambda conn: conn.execute(
            "UPDATE outbox SET state = 'pending' WHERE state = 'sending'").rowcount, durable=False)

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Mark up to `limit` due messages as being sent, oldest first, and return them."""
        def work(conn):
            stamp = now.timestamp()
            conn.execute(
                "UPDATE outbox SET state = 'dropped', last_error = 'expired', updated_at = ? "
                "WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?",
                (_iso(now), stamp))
            rows = conn.execute(
                """SELECT o.*, a.language AS chosen_language, a.telegram_language FROM outbox o
                   LEFT JOIN attendees a ON a.user_id = o.user_id
                   WHERE o.state = 'pending' AND o.not_before <= ? ORDER BY o.not_before, o.id LIMIT ?""",
                (stamp, limit)).fetchall()
            if rows:
                conn.execute(
                    f"UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? "
                    f"WHERE id IN ({','.join('?' * len(rows))})", (_iso(now), *(row["id"] for row in rows)))
            return [
                OutboxMessage(row["id"], row["dedup_key"], row["user_id"], row["chat_id"], row["kind"],
                              json.loads(row["payload"]), row["not_before"], row["attempts"] + 1,
                              row["chosen_language"], row["telegram_language"])
                for row in rows
            ]
        return await self._transaction(work, durable=False)

    async def next_due(self) -> float | None:
        """When the earliest pending message falls due (epoch seconds of the bot's clock)."""
        return await self._transaction(lambda conn: conn.execute(
            "SELECT MIN(not_before) FROM outbox WHERE state = 'pending'").fetchone()[0], write=False)

    async def finish_delivery(self, message_id: int, state: str, now: datetime, telegram_message_id: int | None = None,
                              error: str | None = None, retry_at: datetime | None = None) -> None:
        """Record the outcome of one send: sent, failed, dropped, or pending again at retry_at."""
        def work(conn):
            conn.execute(
                """UPDATE outbox SET state = ?, message_id = COALESCE(?, message_id), last_error = ?,
                       not_before = COALESCE(?, not_before), updated_at = ? WHERE id = ?""",
                (state, telegram_message_id, error, retry_at.timestamp() if retry_at else None, _iso(now), message_id))
        await self._transaction(work, durable=False)

    async def update_chat(self, user_id: int, chat_id: int) -> None:
        """A chat migrated: send there from now on."""
        def work(conn):
            conn.execute("UPDATE attendees SET chat_id = ? WHERE user_id = ?", (chat_id, user_id))
            conn.execute("UPDATE outbox SET chat_id = ? WHERE user_id = ? AND state IN ('pending', 'sending')", (chat_id, user_id))
        await self._transaction(work)

    async def outbox_rows(self, kind: str | None = None) -> list[dict[str, Any]]:
        """For reports and tests: the outbox as plain rows."""
        def work(conn):
            where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
            return [dict(row) for row in conn.execute(f"SELECT * FROM outbox {where} ORDER BY id", params)]
        return await self._transaction(work, write=False)

    # --- webhook updates ---------------------------------------------------------------------
    # Each update id is handled once, whichever instance receives it and however often Telegram
    # retries it. Plain SQL with ? placeholders and ON CONFLICT: it runs on PostgreSQL as well.
    # Bookkeeping durability (synchronous=NORMAL): it survives kill -9; a power loss can at worst
    # let an update be handled twice, never lose one.

    async def claim_update(self, update_id: int, instance: str, now: float, stale_after: float) -> str:
        """'claimed' when this instance may handle the update now (a new one, or one whose claim
        went stale because its instance died mid-update); 'done' when it was handled already;
        'busy' when another claim younger than `stale_after` seconds is still working on it."""
        def work(conn):
            inserted = conn.execute(
                "INSERT INTO processed_updates (update_id, state, claimed_at, instance) VALUES (?, 'working', ?, ?) "
                "ON CONFLICT (update_id) DO NOTHING", (update_id, now, instance)).rowcount
            if inserted:
                return "claimed"
            taken_over = conn.execute(
                "UPDATE processed_updates SET claimed_at = ?, instance = ? "
                "WHERE update_id = ? AND state = 'working' AND claimed_at < ?",
                (now, instance, update_id, now - stale_after)).rowcount
            if taken_over:
                return "claimed"
            row = conn.execute("SELECT state FROM processed_updates WHERE update_id = ?", (update_id,)).fetchone()
            return "done" if row is not None and row[0] == "done" else "busy"
        return await self._transaction(work, durable=False)

    async def finish_update(self, update_id: int, now: float) -> None:
        """The update was handled: later deliveries of it are answered without handling it."""
        await self._transaction(lambda conn: conn.execute(
            "UPDATE processed_updates SET state = 'done', claimed_at = ? WHERE update_id = ?", (now, update_id)),
            durable=False)

    async def release_update(self, update_id: int, instance: str) -> None:
        """This instance gives up its claim (it could not handle the update): the next delivery handles it."""
        await self._transaction(lambda conn: conn.execute(
            "DELETE FROM processed_updates WHERE update_id = ? AND instance = ? AND state = 'working'",
            (update_id, instance)), durable=False)

    async def purge_updates(self, before: float) -> int:
        """Forget updates claimed before `before` (Telegram gives up retrying long before a day)."""
        return await self._transaction(lambda conn: conn.execute(
            "DELETE FROM processed_updates WHERE claimed_at < ?", (before,)).rowcount, durable=False)


class Transaction:
    """One open transaction: executes statements and counts the messages it put in the outbox,
    so that delivery is woken after the commit without any caller having to remember it."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.enqueued = 0

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, params: Any) -> sqlite3.Cursor:
        return self.conn.executemany(sql, params)


def _erase(conn, user_ids: list[int]) -> dict[str, int]:
    """Delete or anonymize every row about these people, as PERSONAL_DATA says; rows per table."""
    counts: dict[str, int] = {}
    for start in range(0, len(user_ids), 400):
        chunk = tuple(user_ids[start:start + 400])
        marks = ",".join("?" * len(chunk))
        for entry in PERSONAL_DATA:
            where = "WHERE " + " OR ".join(f"{key} IN ({marks})" for key in entry.keys)
            counts[entry.table] = counts.get(entry.table, 0) + _erase_rows(conn, entry, where, chunk * len(entry.keys))
    return counts


def _audience_ids(conn, audience: Audience, session_ids: tuple[str, ...]) -> list[int]:
    if audience.kind == "all":
        rows = conn.execute("SELECT user_id FROM attendees WHERE reachable = 1 ORDER BY user_id")
    elif audience.kind == "bookmarked":
        rows = conn.execute(
            f"""SELECT DISTINCT b.user_id FROM bookmarks b JOIN attendees a ON a.user_id = b.user_id
                WHERE a.reachable = 1 AND b.session_id IN ({','.join('?' * len(session_ids))}) ORDER BY b.user_id""", session_ids)
    else:
        state = "waitlisted" if audience.kind == "waitlisted" else "confirmed"
        rows = conn.execute(
            f"""SELECT DISTINCT r.user_id FROM registrations r JOIN attendees a ON a.user_id = r.user_id
                WHERE a.reachable = 1 AND r.state = ? AND r.session_id IN ({','.join('?' * len(session_ids))})
                ORDER BY r.user_id""", (state, *session_ids))
    return [row[0] for row in rows]


def _affected(conn, session_ids: list[str]) -> dict[int, set[str]]:
    affected: dict[int, set[str]] = {}
    if not session_ids:
        return affected
    marks = ",".join("?" * len(session_ids))
    rows = conn.execute(
        f"""SELECT r.user_id, r.session_id FROM registrations r JOIN attendees a ON a.user_id = r.user_id
            WHERE a.reachable = 1 AND r.state IN ('confirmed', 'waitlisted') AND r.session_id IN ({marks})
            UNION SELECT b.user_id, b.session_id FROM bookmarks b JOIN attendees a ON a.user_id = b.user_id
            WHERE a.reachable = 1 AND b.session_id IN ({marks})""", (*session_ids, *session_ids))
    for user_id, session_id in rows:
        affected.setdefault(user_id, set()).add(session_id)
    return affected


def _revision(conn) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'program_revision'").fetchone()
    return int(row[0]) if row else 0


def _announcement(row) -> dict:
    data = dict(row)
    data["texts"] = json.loads(data.pop("texts_json")) if data.get("texts_json") else None
    return data


def _attendee(conn, user_id: int) -> Attendee | None:
    row = conn.execute("SELECT * FROM attendees WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:
        return None
    return Attendee(
        user_id=row["user_id"], chat_id=row["chat_id"], first_name=row["first_name"], last_name=row["last_name"],
        username=row["username"], language=row["language"], telegram_language=row["telegram_language"],
        first_seen=row["first_seen"], last_seen=row["last_seen"], reachable=bool(row["reachable"]),
        reminder_minutes=row["reminder_minutes"], excursion_minutes=row["excursion_minutes"],
    )

