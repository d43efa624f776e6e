"""Feedback: one star rating per attendee and session, with an optional comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .engine import Database, iso as _iso


@dataclass(frozen=True)
class FeedbackRow:
    """One rating, without who gave it."""

    session_id: str
    rating: int  # 1 to 5 stars
    comment: str | None
    created_at: str


class Feedback:
    def __init__(self, db: Database):
        self._db = db

    async def save(self, session_id: str, user_id: int, rating: int, now: datetime) -> bool:
        """One rating per attendee and session; False if they had rated already."""
        return await self._db.run(lambda conn: conn.execute(
            "INSERT INTO feedback (conference_id, session_id, user_id, rating, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (conference_id, session_id, user_id) DO NOTHING",
            (conn.conference, session_id, user_id, rating, _iso(now))).rowcount == 1)

    async def add_comment(self, session_id: str, user_id: int, comment: str) -> bool:
        return await self._db.run(lambda conn: conn.execute(
            "UPDATE feedback SET comment = ? WHERE conference_id = ? AND session_id = ? AND user_id = ? AND comment IS NULL",
            (comment, conn.conference, session_id, user_id)).rowcount == 1)

    async def rows(self) -> list[FeedbackRow]:
        return await self._db.run(lambda conn: [FeedbackRow(*row) for row in conn.execute(
            "SELECT session_id, rating, comment, created_at FROM feedback WHERE conference_id = ? "
            "ORDER BY session_id, created_at", (conn.conference,))], write=False)

    async def of_person(self, user_id: int) -> list[FeedbackRow]:
        """One person's own ratings in this conference (what a past conference still shows them)."""
        return await self._db.run(lambda conn: [FeedbackRow(*row) for row in conn.execute(
            "SELECT session_id, rating, comment, created_at FROM feedback WHERE conference_id = ? AND user_id = ? "
            "ORDER BY created_at", (conn.conference, user_id))], write=False)

