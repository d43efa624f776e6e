"""Confirmations: the previews an organizer confirms with a tap (a program change or reload,
an announcement's correction or withdrawal), each taken exactly once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from .engine import Database, iso as _iso


@dataclass(frozen=True)
class Confirmation:
    """A confirmation just taken: what kind of action, and what it would do."""

    kind: str
    payload: dict
    conference_id: str = ""  # the conference the preview was made in: it is confirmed within it


class Confirmations:
    def __init__(self, db: Database):
        self._db = db

    async def create(self, admin_id: int, kind: str, payload: dict, now: datetime) -> int:
        return await self._db.run(lambda conn: conn.insert(
            "INSERT INTO pending_actions (conference_id, admin_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            (conn.conference, admin_id, kind, json.dumps(payload, ensure_ascii=False), _iso(now))))

    async def take(self, action_id: int, admin_id: int, state: str = "done",
                   not_before: datetime | None = None) -> Confirmation | None:
        """Claim a confirmation exactly once: a second tap, a confirmation made before
        `not_before` (expired) or someone else's gets None."""
        def work(conn):
            row = conn.execute("SELECT kind, payload, created_at, conference_id FROM pending_actions "
                               "WHERE id = ? AND admin_id = ? AND state = 'open'", (action_id, admin_id)).fetchone()
            if row is None:
                return None
            if not_before is not None and datetime.fromisoformat(row["created_at"]) < not_before:
                conn.execute("UPDATE pending_actions SET state = 'dropped' WHERE id = ?", (action_id,))
                return None
            conn.execute("UPDATE pending_actions SET state = ? WHERE id = ?", (state, action_id))
            return Confirmation(row["kind"], json.loads(row["payload"]), row["conference_id"])
        return await self._db.run(work)
