"""Attendees: who wrote to the bot, their choices (language, reminder lead times), and
whether they can be reached.

The repository keeps who wrote recently in memory, so that a busy minute does not write "last
seen" on every tap. Whatever else changes or erases a person's row (privacy.py) is handed this
repository and tells it through `forget`."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from .engine import Database, iso as _iso


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
    conference_id: str | None = None  # the conference they chose (a deep link, a button); None: never chose
    conference_chosen_at: str | None = None  # when (ISO)

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or (f"@{self.username}" if self.username else str(self.user_id))


class Attendees:
    SEEN_REFRESH = 300.0  # real seconds between "last seen" writes for the same unchanged person

    def __init__(self, db: Database):
        self._db = db
        # Who wrote recently, so that a busy minute does not write "last seen" on every tap.
        self._recently_seen: dict[int, tuple[AttendeeInfo, float, Attendee]] = {}
        self._forgotten = 0  # how often cached people were forgotten: a touch under way then keeps nothing
        self._touches: list = []  # (info, now, future) waiting for the next combined upsert
        self._touch_writer: asyncio.Task | None = None
        self._sole_writer = False  # only then is what this process remembers still true
        self._joined: set[tuple[str, int]] = set()  # (conference, person) known to take part, while trusted

    def trust_memory(self, sole_writer: bool) -> None:
        """Whether this process is the only one writing (bot/cluster.py says so every beat).
        Another process may erase a person, change their language or mark them unreachable at
        any moment; what this one remembers would then be wrong (a sign-up of an erased person
        breaks a foreign key). So people are remembered only while no other process writes."""
        if not sole_writer:
            self.forget_all()
        self._sole_writer = sole_writer

    async def touch(self, info: AttendeeInfo, now: datetime) -> Attendee:
        """Record that this person used the bot; returns what is stored about them."""
        cached = self._recently_seen.get(info.user_id) if self._sole_writer else None
        if cached is not None and cached[0] == info and time.monotonic() - cached[1] < self.SEEN_REFRESH:
            return cached[2]
        forgotten = self._forgotten
        future = asyncio.get_running_loop().create_future()
        self._touches.append((info, now, future))
        if self._touch_writer is None or self._touch_writer.done():
            self._touch_writer = asyncio.create_task(self._write_touches())
        attendee = await future
        if forgotten == self._forgotten and self._sole_writer:  # else it may describe someone since erased
            if len(self._recently_seen) > 50_000:
                self._recently_seen.clear()
            self._recently_seen[info.user_id] = (info, time.monotonic(), attendee)
        return attendee

    def forget(self, user_id: int) -> None:
        """What is stored about this person changed (or is gone): the next touch reads it again."""
        self._forgotten += 1
        self._recently_seen.pop(user_id, None)
        self._joined = {known for known in self._joined if known[1] != user_id}

    def forget_all(self) -> None:
        self._forgotten += 1
        self._recently_seen.clear()
        self._joined.clear()

    async def take_part(self, conference_id: str, user_id: int, now: datetime) -> None:
        """This person takes part in this conference (what "everyone" of it means, and what the
        retention purge of another conference leaves them)."""
        if (conference_id, user_id) in self._joined:
            return
        await self._db.run(lambda conn: conn.execute(
            "INSERT INTO participants (conference_id, user_id, first_seen) VALUES (?, ?, ?) "
            "ON CONFLICT (conference_id, user_id) DO NOTHING", (conference_id, user_id, _iso(now))),
            durable=False, serialized=False)
        if self._sole_writer:
            if len(self._joined) > 200_000:
                self._joined.clear()
            self._joined.add((conference_id, user_id))

    async def choose_conference(self, user_id: int, conference_id: str, now: datetime) -> None:
        """They chose a conference (its deep link, a button, an organizer's /orga)."""
        await self._change(user_id, lambda conn: conn.execute(
            "UPDATE attendees SET conference_id = ?, conference_chosen_at = ? WHERE user_id = ?",
            (conference_id, _iso(now), user_id)))

    async def conferences_of(self, user_id: int) -> list[str]:
        """The conferences this person takes part in."""
        return await self._db.run(lambda conn: [row[0] for row in conn.execute(
            "SELECT conference_id FROM participants WHERE user_id = ? ORDER BY first_seen", (user_id,))], write=False)

    async def _write_touches(self) -> None:
        """Touches that arrive while one is written go together in the next statement: a burst
        of first messages costs one upsert per batch, not one per person (bench/signup.py)."""
        while self._touches:
            waiting, self._touches = self._touches, []
            if not await self._settle_touches(waiting, fail=len(waiting) == 1):
                for touch in waiting:  # one bad row spoils the statement: each alone, only it fails
                    await self._settle_touches([touch], fail=True)

    async def _settle_touches(self, waiting: list, fail: bool) -> bool:
        """Upsert these touches and answer their callers; False if it failed and `fail` is off."""
        latest = {info.user_id: (info, now) for info, now, _ in waiting}  # one row per person
        try:
            stored = await self._db.run(lambda conn: _upsert(conn, list(latest.values())),
                                        durable=False, serialized=False)  # nothing to decide
        except Exception as error:  # noqa: BLE001 - the callers get it
            if not fail:
                return False
            for *_, future in waiting:
                if not future.done():
                    future.set_exception(error)
            return True
        for info, _, future in waiting:
            if not future.done():
                future.set_result(stored[info.user_id])
        return True

    async def get(self, user_id: int) -> Attendee | None:
        return await self._db.run(lambda conn: _attendee(conn, user_id), write=False)

    async def set_language(self, user_id: int, language: str) -> None:
        await self._change(user_id, lambda conn: conn.execute(
            "UPDATE attendees SET language = ? WHERE user_id = ?", (language, user_id)))

    async def set_reminder_minutes(self, user_id: int, minutes: int | None) -> None:
        await self._change(user_id, lambda conn: conn.execute(
            "UPDATE attendees SET reminder_minutes = ? WHERE user_id = ?", (minutes, user_id)))

    async def set_excursion_minutes(self, user_id: int, minutes: int | None) -> None:
        await self._change(user_id, lambda conn: conn.execute(
            "UPDATE attendees SET excursion_minutes = ? WHERE user_id = ?", (minutes, user_id)))

    async def mark_unreachable(self, user_id: int, reason: str) -> int:
        """The user blocked the bot or is gone: stop sending; returns the pending messages dropped."""
        def work(conn):
            conn.execute("UPDATE attendees SET reachable = 0, unreachable_reason = ? WHERE user_id = ?", (reason, user_id))
            cursor = conn.execute(
                "UPDATE outbox SET state = 'dropped', last_error = ? WHERE user_id = ? AND state = 'pending'",
                (f"unreachable: {reason}", user_id))
            return cursor.rowcount
        return await self._change(user_id, work)

    async def move_chat(self, user_id: int, chat_id: int) -> None:
        """Their chat migrated: send there from now on, also what is queued already."""
        def work(conn):
            conn.execute("UPDATE attendees SET chat_id = ? WHERE user_id = ?", (chat_id, user_id))
            conn.execute("UPDATE outbox SET chat_id = ? WHERE user_id = ? AND state IN ('pending', 'sending')", (chat_id, user_id))
        await self._change(user_id, work)

    async def _change(self, user_id: int, work):
        """Change what is stored about one person; the cache forgets them once it is written (before,
        a touch could read the old row and keep it)."""
        result = await self._db.run(work)
        self.forget(user_id)
        return result

    async def count(self) -> int:
        return await self._db.run(lambda conn: conn.execute("SELECT COUNT(*) FROM attendees").fetchone()[0], write=False)


def _attendee(conn, user_id: int) -> Attendee | None:
    row = conn.execute("SELECT * FROM attendees WHERE user_id = ?", (user_id,)).fetchone()
    return None if row is None else _attendee_of(row)


def _attendee_of(row) -> Attendee:
    return Attendee(
        user_id=row["user_id"], chat_id=row["chat_id"], first_name=row["first_name"], last_name=row["last_name"],
        username=row["username"], language=row["language"], telegram_language=row["telegram_language"],
        first_seen=row["first_seen"], last_seen=row["last_seen"], reachable=bool(row["reachable"]),
        reminder_minutes=row["reminder_minutes"], excursion_minutes=row["excursion_minutes"],
        conference_id=row["conference_id"], conference_chosen_at=row["conference_chosen_at"],
    )


def _upsert(conn, people: list[tuple[AttendeeInfo, datetime]]) -> dict[int, Attendee]:
    """Insert or refresh these people (one row each) in statements of up to 200 rows."""
    stored: dict[int, Attendee] = {}
    for start in range(0, len(people), 200):
        chunk = people[start:start + 200]
        values = []
        for info, now in chunk:
            stamp = _iso(now)
            values += [info.user_id, info.chat_id, info.first_name or "", info.last_name or "", info.username,
                       info.language_code, stamp, stamp]
        rows = conn.execute(
            f"""INSERT INTO attendees (user_id, chat_id, first_name, last_name, username, telegram_language, first_seen, last_seen)
                VALUES {", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))}
                ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, first_name = excluded.first_name,
                    last_name = excluded.last_name, username = excluded.username,
                    telegram_language = excluded.telegram_language, last_seen = excluded.last_seen,
                    reachable = 1, unreachable_reason = NULL
                RETURNING *""", tuple(values)).fetchall()
        stored.update((row["user_id"], _attendee_of(row)) for row in rows)
    return stored
