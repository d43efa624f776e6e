"""The guest list of each conference, the Telegram accounts connected to its guests, and the
failed attempts to open an invitation (counted here, so that the limit holds across processes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.guests import Comparison, Connecting, Connection, Guest, fingerprint, new_code
from .engine import Database, iso as _iso

ATTEMPT_WINDOW = 3600.0  # seconds: failed attempts count for an hour


@dataclass(frozen=True)
class GuestCount:
    total: int
    connected: int


@dataclass(frozen=True)
class Loaded:
    added: int
    changed: int
    removed: int


class Guests:
    def __init__(self, db: Database):
        self._db = db

    async def of_conference(self, conference_id: str) -> list[Guest]:
        """The whole list, in the order it was loaded."""
        return await self._db.run(lambda conn: _all(conn, conference_id), write=False)

    async def count(self, conference_id: str) -> GuestCount:
        def work(conn):
            total, connected = conn.execute("SELECT COUNT(*), COUNT(user_id) FROM guests WHERE conference_id = ?",
                                            (conference_id,)).fetchone()
            return GuestCount(total, connected)
        return await self._db.run(work, write=False)

    async def load(self, conference_id: str, comparison: Comparison, expected: str, now: datetime) -> Loaded | None:
        """Apply a comparison made against the list whose fingerprint is `expected`; None (nothing
        changes) when the list changed since. New guests get a code of their own; removed
        guests go, with their connection."""
        def work(conn):
            if fingerprint(_all(conn, conference_id)) != expected:
                return None
            stamp = _iso(now)
            if comparison.removed:
                conn.executemany("DELETE FROM guests WHERE id = ?", [(g.id,) for g in comparison.removed])
            if comparison.changed:
                conn.executemany(
                    "UPDATE guests SET name = ?, email = ?, organization = ?, reference = ?, updated_at = ? WHERE id = ?",
                    [(c.entry.name, c.entry.email, c.entry.organization, c.entry.reference, stamp, c.guest.id)
                     for c in comparison.changed])
            if comparison.added:
                conn.executemany(
                    """INSERT INTO guests (conference_id, name, email, organization, reference, code, created_at, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    [(conference_id, e.name, e.email, e.organization, e.reference, new_code(), stamp, stamp)
                     for e in comparison.added])
            return Loaded(len(comparison.added), len(comparison.changed), len(comparison.removed))
        return await self._db.run(work)

    async def connect(self, conferences: str | list[str], code: str, user_id: int, now: datetime, limit: int) -> Connecting:
        """Connect the account that opened the invitation `code` (of one of these conferences)
        to its guest. After `limit` failed attempts within the hour the code is not even looked at."""
        known = [conferences] if isinstance(conferences, str) else list(conferences)
        def work(conn):
            moment = now.timestamp()
            conn.execute("DELETE FROM invite_attempts WHERE user_id = ? AND at < ?", (user_id, moment - ATTEMPT_WINDOW))
            failures = conn.execute("SELECT COUNT(*) FROM invite_attempts WHERE user_id = ?", (user_id,)).fetchone()[0]
            if failures >= limit:
                return Connecting(Connection.LIMITED)
            row = conn.execute("SELECT * FROM guests WHERE code = ?", (code,)).fetchone()
            found = _guest(row) if row and row["conference_id"] in known else None
            outcome = _connection(conn, found, user_id)
            if outcome in (Connection.UNKNOWN, Connection.TAKEN, Connection.OTHER_GUEST):
                conn.execute("INSERT INTO invite_attempts (user_id, at) VALUES (?, ?)", (user_id, moment))
            elif outcome is Connection.CONNECTED:
                conn.execute("UPDATE guests SET user_id = ?, connected_at = ?, updated_at = ? WHERE id = ?",
                             (user_id, _iso(now), _iso(now), found.id))
                found = _guest(conn.execute("SELECT * FROM guests WHERE id = ?", (found.id,)).fetchone())
            return Connecting(outcome, found if outcome is not Connection.UNKNOWN else None)
        return await self._db.run(work, person=user_id)

    async def of_person(self, conference_id: str, user_id: int) -> Guest | None:
        """The guest this account is connected to, if any."""
        def work(conn):
            row = conn.execute("SELECT * FROM guests WHERE conference_id = ? AND user_id = ?",
                               (conference_id, user_id)).fetchone()
            return _guest(row) if row else None
        return await self._db.run(work, write=False)

    async def get(self, guest_id: int) -> Guest | None:
        def work(conn):
            row = conn.execute("SELECT * FROM guests WHERE id = ?", (guest_id,)).fetchone()
            return _guest(row) if row else None
        return await self._db.run(work, write=False)

    async def find(self, conference_id: str, words: str, limit: int = 10) -> list[Guest]:
        """Guests whose name, e-mail, organization, registration code or invitation code contain
        every word typed (ignoring case)."""
        wanted = [word.casefold() for word in words.split() if word]
        if not wanted:
            return []
        return [g for g in await self.of_conference(conference_id)
                if all(any(w in field.casefold() for field in (g.name, g.email, g.organization, g.reference, g.code))
                       for w in wanted)][:limit]

    async def unlink(self, guest_id: int, now: datetime) -> Guest | None:
        """An organizer re-links a guest: the account connected goes, and the guest's link works
        again for the next account that opens it. None if the guest is gone."""
        def work(conn):
            conn.execute("UPDATE guests SET user_id = NULL, connected_at = NULL, updated_at = ? WHERE id = ?",
                         (_iso(now), guest_id))
            row = conn.execute("SELECT * FROM guests WHERE id = ?", (guest_id,)).fetchone()
            return _guest(row) if row else None
        return await self._db.run(work)


def _connection(conn, guest: Guest | None, user_id: int) -> Connection:
    if guest is None:
        return Connection.UNKNOWN
    if guest.user_id == user_id:
        return Connection.ALREADY
    if guest.user_id is not None:
        return Connection.TAKEN
    other = conn.execute("SELECT 1 FROM guests WHERE conference_id = ? AND user_id = ?",
                         (guest.conference_id, user_id)).fetchone()
    return Connection.OTHER_GUEST if other else Connection.CONNECTED


def _all(conn, conference_id: str) -> list[Guest]:
    return [_guest(row) for row in conn.execute("SELECT * FROM guests WHERE conference_id = ? ORDER BY id",
                                                (conference_id,))]


def _guest(row) -> Guest:
    return Guest(id=row["id"], conference_id=row["conference_id"], name=row["name"], email=row["email"],
                 organization=row["organization"], reference=row["reference"], code=row["code"],
                 user_id=row["user_id"], connected_at=row["connected_at"])
