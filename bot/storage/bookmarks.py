"""Bookmarks: sessions a person marked for themselves, without taking a seat. A bookmark earns
reminders and change notices like a seat does (audiences.py)."""

from __future__ import annotations

from datetime import datetime

from .engine import Database, iso as _iso


class Bookmarks:
    def __init__(self, db: Database):
        self._db = db

    async def toggle(self, user_id: int, session_id: str, now: datetime) -> bool:
        """Bookmark a session, or remove the bookmark; returns whether it is bookmarked now."""
        def work(conn):
            removed = conn.execute("DELETE FROM bookmarks WHERE conference_id = ? AND user_id = ? AND session_id = ?",
                                   (conn.conference, user_id, session_id)).rowcount
            if removed:
                return False
            conn.execute("INSERT INTO bookmarks (conference_id, user_id, session_id, created_at) VALUES (?, ?, ?, ?)",
                         (conn.conference, user_id, session_id, _iso(now)))
            return True
        return await self._db.run(work)

    async def of_person(self, user_id: int) -> list[str]:
        """The sessions they bookmarked, oldest bookmark first."""
        return await self._db.run(lambda conn: [row[0] for row in conn.execute(
            "SELECT session_id FROM bookmarks WHERE conference_id = ? AND user_id = ? ORDER BY created_at",
            (conn.conference, user_id))], write=False)
