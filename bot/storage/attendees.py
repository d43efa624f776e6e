"""Attendees: who wrote to the bot, their choices (language, reminder lead times), and
whether they can be reached.

The repository keeps who wrote recently in memory, so that a busy minute does not write "last
seen" on every tap. Whatever else changes or erases a person's row (privacy.py) is handed this
repository and tells it through `forget`."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

from .coalesce import Coalesced
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
    joined: str | None = None  # the conference the touch that read this recorded them taking part in

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or (f"@{self.username}" if self.username else str(self.user_id))


ConferenceOf = Callable[[str | None, str | None], str]  # (chosen, chosen at) → the conference one is in


class Attendees:
    SEEN_REFRESH = 300.0  # real seconds between "last seen" writes for the same unchanged person

    def __init__(self, db: Database):
        self._db = db
        # Who wrote recently, so that a busy minute does not write "last seen" on every tap.
        self._recently_seen: dict[int, tuple[AttendeeInfo, float, Attendee]] = {}
        self._forgotten = 0  # how often cached people were forgotten: a touch under way then keeps nothing
        self._touch = Coalesced(self._upsert_touches)  # a burst of first messages: one upsert per batch
        self._join = Coalesced(self._insert_participants)
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

    async def touch(self, info: AttendeeInfo, now: datetime, conference_of: ConferenceOf | None = None) -> Attendee:
        """Record that this person used the bot; returns what is stored about them. With
        `conference_of` (their stored choice → the conference they are in), the same statement
        batch records them taking part in it (`Attendee.joined`): one trip, not two, per update."""
        cached = self._recently_seen.get(info.user_id) if self._sole_writer else None
        if cached is not None and cached[0] == info and time.monotonic() - cached[1] < self.SEEN_REFRESH:
            return cached[2]
        forgotten = self._forgotten
        attendee = await self._touch((info, now, conference_of))
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
        await self._join((conference_id, user_id, _iso(now)))
        self._remember_joined([(conference_id, user_id)])

    def _remember_joined(self, pairs: list[tuple[str, int]]) -> None:
        """(conference, person) known to take part, remembered while this process writes alone."""
        if not self._sole_writer:
            return
        if len(self._joined) > 200_000:
            self._joined.clear()
        self._joined.update(pairs)

    async def choose_conference(self, user_id: int, conference_id: str, now: datetime) -> None:
        """They chose a conference (its deep link, a button, an organizer's /orga)."""
        await self._change(user_id, lambda conn: conn.execute(
            "UPDATE attendees SET conference_id = ?, conference_chosen_at = ? WHERE user_id = ?",
            (conference_id, _iso(now), user_id)))

    async def drop_conference_choice(self, user_id: int, conference_id: str) -> bool:
        """Their choice of this conference has lapsed (it is over): forget it, once. False when
        another process (or an earlier update) did so already, or they chose anew meanwhile."""
        def work(conn):
            return bool(conn.execute("UPDATE attendees SET conference_id = NULL, conference_chosen_at = NULL "
                                     "WHERE user_id = ? AND conference_id = ? RETURNING user_id",
                                     (user_id, conference_id)).fetchall())
        return await self._change(user_id, work)

    async def conferences_of(self, user_id: int) -> list[str]:
        """The conferences this person takes part in."""
        return await self._db.run(lambda conn: [row[0] for row in conn.execute(
            "SELECT conference_id FROM participants WHERE user_id = ? ORDER BY first_seen", (user_id,))], write=False)

    async def _upsert_touches(self, touches: list[tuple[AttendeeInfo, datetime, ConferenceOf | None]]) -> list[Attendee]:
        latest = {info.user_id: (info, now) for info, now, _ in touches}  # one row per person
        placing = {info.user_id: (conference_of, now) for info, now, conference_of in touches if conference_of}

        def work(conn) -> dict[int, Attendee]:
            stored = _upsert(conn, list(latest.values()))
            joins = []
            for user_id, (conference_of, now) in placing.items():
                attendee = stored[user_id]
                joined = conference_of(attendee.conference_id, attendee.conference_chosen_at)
                stored[user_id] = replace(attendee, joined=joined)
                joins.append((joined, user_id, _iso(now)))
            _insert_participants(conn, joins)
            return stored

        stored = await self._db.run(work, durable=False, serialized=False)  # nothing to decide
        self._remember_joined([(a.joined, a.user_id) for a in stored.values() if a.joined])
        return [stored[info.user_id] for info, _, _ in touches]

    async def _insert_participants(self, joins: list[tuple[str, int, str]]) -> list[None]:
        first: dict[tuple[str, int], tuple[str, int, str]] = {}
        for join in joins:  # one row per (conference, person): the first time seen
            first.setdefault(join[:2], join)
        rows = list(first.values())
        await self._db.run(lambda conn: _insert_participants(conn, rows), durable=False, serialized=False)
        return [None] * len(joins)

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


def _insert_participants(conn, rows: list[tuple[str, int, str]]) -> None:
    """(conference, person, first seen): who takes part, in statements of up to 300 rows."""
    for start in range(0, len(rows), 300):
        chunk = rows[start:start + 300]
        conn.execute(f"""INSERT INTO participants (conference_id, user_id, first_seen)
                         VALUES {", ".join(["(?, ?, ?)"] * len(chunk))}
                         ON CONFLICT (conference_id, user_id) DO NOTHING""", tuple(v for row in chunk for v in row))
