"""Networking with consent: profiles, matches by shared topics, contact requests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from .engine import Database, iso as _iso
from ..domain.messages import ContactDeclined, ContactRequested, ContactShared
from .outbox import queue_message


@dataclass(frozen=True)
class Profile:
    user_id: int
    organization: str
    role: str
    topics: list[str]  # session ids of workshops, sorted
    complete: bool  # organization, role and topics given: others can find them
    created_at: str


@dataclass(frozen=True)
class Match(Profile):
    """Another person's complete profile, with their first name and the topics in common."""

    first_name: str
    shared: list[str]  # sorted


@dataclass(frozen=True)
class ContactRequest:
    id: int
    from_user: int
    to_user: int
    state: str  # pending, accepted, declined
    created_at: str


class Networking:
    def __init__(self, db: Database):
        self._db = db

    async def profile(self, user_id: int) -> Profile | None:
        def work(conn):
            row = conn.execute("SELECT * FROM profiles WHERE conference_id = ? AND user_id = ?",
                               (conn.conference, user_id)).fetchone()
            return Profile(**_profile_fields(row)) if row else None
        return await self._db.run(work, write=False)

    async def save_profile(self, user_id: int, now: datetime, **fields) -> None:
        assert set(fields) <= {"organization", "role", "topics", "complete"}, fields
        if "topics" in fields:
            fields["topics"] = json.dumps(sorted(set(fields["topics"])))

        def work(conn):
            conn.execute("INSERT INTO profiles (conference_id, user_id, created_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (conference_id, user_id) DO NOTHING", (conn.conference, user_id, _iso(now)))
            if fields:
                assignments = ", ".join(f"{name} = ?" for name in fields)
                conn.execute(f"UPDATE profiles SET {assignments} WHERE conference_id = ? AND user_id = ?",
                             (*fields.values(), conn.conference, user_id))
        await self._db.run(work)

    async def leave(self, user_id: int) -> None:
        def work(conn):
            conn.execute("DELETE FROM contact_requests WHERE conference_id = ? AND (from_user = ? OR to_user = ?) "
                         "AND state = 'pending'", (conn.conference, user_id, user_id))
            conn.execute("DELETE FROM profiles WHERE conference_id = ? AND user_id = ?", (conn.conference, user_id))
        await self._db.run(work)

    async def matches(self, user_id: int) -> list[Match]:
        """Complete profiles of reachable others with at least one topic in common, most shared first."""
        def work(conn):
            mine = conn.execute("SELECT topics FROM profiles WHERE conference_id = ? AND user_id = ? AND complete = 1",
                                (conn.conference, user_id)).fetchone()
            if mine is None:
                return []
            wanted = set(json.loads(mine[0]))
            found = []
            for row in conn.execute(
                    """SELECT p.*, a.first_name FROM profiles p JOIN attendees a ON a.user_id = p.user_id
                       WHERE p.conference_id = ? AND p.complete = 1 AND p.user_id != ? AND a.reachable = 1""",
                    (conn.conference, user_id)):
                shared = wanted & set(json.loads(row["topics"]))
                if shared:
                    found.append(Match(**_profile_fields(row), first_name=row["first_name"], shared=sorted(shared)))
            found.sort(key=lambda m: (-len(m.shared), m.user_id))
            return found
        return await self._db.run(work, write=False)

    async def request_contact(self, from_user: int, to_user: int, now: datetime) -> int | None:
        """A contact request, queued to the other side; None if one exists already or either
        side has no complete profile."""
        def work(conn):
            both = conn.execute("SELECT COUNT(*) FROM profiles WHERE conference_id = ? AND complete = 1 AND user_id IN (?, ?)",
                                (conn.conference, from_user, to_user)).fetchone()[0]
            if both != 2 or from_user == to_user:
                return None
            row = conn.execute("INSERT INTO contact_requests (conference_id, from_user, to_user, created_at) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (conference_id, from_user, to_user) DO NOTHING RETURNING id",
                               (conn.conference, from_user, to_user, _iso(now))).fetchone()
            if row is None:
                return None
            request_id = row[0]
            queue_message(conn, to_user, ContactRequested(request_id), now.timestamp(), now)
            return request_id
        return await self._db.run(work)

    async def contact_request(self, request_id: int) -> ContactRequest | None:
        def work(conn):
            row = conn.execute("SELECT * FROM contact_requests WHERE id = ? AND conference_id = ?",
                               (request_id, conn.conference)).fetchone()
            return _contact_request(row) if row else None
        return await self._db.run(work, write=False)

    async def answer_contact(self, request_id: int, user_id: int, accept: bool, now: datetime) -> ContactRequest | None:
        """Only the addressee answers, once. On accepting, both sides are sent the other's contact."""
        def work(conn):
            row = conn.execute("SELECT * FROM contact_requests WHERE id = ? AND conference_id = ? AND to_user = ? "
                               "AND state = 'pending'",
                               (request_id, conn.conference, user_id)).fetchone()
            if row is None:
                return None
            state = "accepted" if accept else "declined"
            conn.execute("UPDATE contact_requests SET state = ? WHERE id = ?", (state, request_id))
            count = 0
            if accept:
                for receiver, other in ((row["from_user"], row["to_user"]), (row["to_user"], row["from_user"])):
                    count += queue_message(conn, receiver, ContactShared(other, request_id), now.timestamp(), now)
            else:
                count += queue_message(conn, row["from_user"], ContactDeclined(request_id), now.timestamp(), now)
            return _contact_request(row, state)
        return await self._db.run(work)


def _profile_fields(row) -> dict:
    return {"user_id": row["user_id"], "organization": row["organization"], "role": row["role"],
            "topics": json.loads(row["topics"]), "complete": bool(row["complete"]), "created_at": row["created_at"]}


def _contact_request(row, state: str | None = None) -> ContactRequest:
    return ContactRequest(id=row["id"], from_user=row["from_user"], to_user=row["to_user"], state=state or row["state"],
                          created_at=row["created_at"])
