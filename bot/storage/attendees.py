"""Attendees: who wrote to the bot, their choices (language, reminder lead times), and
whether they can be reached."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from .engine import Aggregate, iso as _iso


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


class Attendees(Aggregate):
    # Who wrote recently, so that a busy minute does not write "last seen" on every tap.
    _recently_seen: dict

    SEEN_REFRESH = 300.0  # real seconds between "last seen" writes for the same unchanged person

    async def touch_attendee(self, info: AttendeeInfo, now: datetime) -> Attendee:
        """Record that this person used the bot; returns what is stored about them."""
        cached = self._recently_seen.get(info.user_id)
        if cached is not None and cached[0] == info and time.monotonic() - cached[1] < self.SEEN_REFRESH:
            return cached[2]

        def work(conn):
            stamp = _iso(now)
            row = conn.execute(
                """INSERT INTO attendees (user_id, chat_id, first_name, last_name, username, telegram_language, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, first_name = excluded.first_name,
                       last_name = excluded.last_name, username = excluded.username,
                       telegram_language = excluded.telegram_language, last_seen = excluded.last_seen,
                       reachable = 1, unreachable_reason = NULL
                   RETURNING *""",
                (info.user_id, info.chat_id, info.first_name or "", info.last_name or "", info.username,
                 info.language_code, stamp, stamp),
            ).fetchone()
            return _attendee_of(row)
        attendee = await self._transaction(work, durable=False, serialized=False)  # one upsert: nothing to decide
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

    async def set_reminder_minutes(self, user_id: int, minutes: int | None) -> None:
        self._forget_seen(user_id)
        await self._transaction(lambda conn: conn.execute(
            "UPDATE attendees SET reminder_minutes = ? WHERE user_id = ?", (minutes, user_id)))

    async def set_excursion_minutes(self, user_id: int, minutes: int | None) -> None:
        self._forget_seen(user_id)
        await self._transaction(lambda conn: conn.execute(
            "UPDATE attendees SET excursion_minutes = ? WHERE user_id = ?", (minutes, user_id)))


def _attendee(conn, user_id: int) -> Attendee | None:
    row = conn.execute("SELECT * FROM attendees WHERE user_id = ?", (user_id,)).fetchone()
    return None if row is None else _attendee_of(row)


def _attendee_of(row) -> Attendee:
    return Attendee(
        user_id=row["user_id"], chat_id=row["chat_id"], first_name=row["first_name"], last_name=row["last_name"],
        username=row["username"], language=row["language"], telegram_language=row["telegram_language"],
        first_seen=row["first_seen"], last_seen=row["last_seen"], reachable=bool(row["reachable"]),
        reminder_minutes=row["reminder_minutes"], excursion_minutes=row["excursion_minutes"],
    )
