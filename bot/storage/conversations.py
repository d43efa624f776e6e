"""Conversations: one pending input per person (bot/handlers/conversation.py), with the flow
and step it belongs to, until it is answered, ended or expired."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from .engine import Database, iso as _iso


@dataclass(frozen=True)
class PendingInput:
    """The input the bot waits for from one person: a step of a flow, with the flow's data."""

    flow: str
    step: str
    data: dict
    expires_at: datetime  # aware, UTC


class Conversations:
    def __init__(self, db: Database):
        self._db = db
        # Most messages find nothing pending. While this process is the only one that writes (the
        # cluster says so every beat), it knows everyone who may have something pending, and asks
        # the database only about them (bench/signup.py: a round trip per message on PostgreSQL).
        self._maybe_pending: set[int] | None = None  # None: not known, ask the database
        self._writes = 0  # a read or delete that overlapped a write leaves the set alone

    async def know_pending(self, sole: bool) -> None:
        """Keep the people who may have a pending input, while this process writes alone."""
        if not sole:
            self._maybe_pending = None
        elif self._maybe_pending is None:
            writes = self._writes
            people = await self._db.run(
                lambda conn: {row[0] for row in conn.execute("SELECT user_id FROM conversations")}, write=False)
            if writes == self._writes:
                self._maybe_pending = people

    async def save(self, user_id: int, flow: str, step: str, data: dict, expires_at: datetime, now: datetime) -> None:
        self._writes += 1
        if self._maybe_pending is not None:
            self._maybe_pending.add(user_id)
        await self._db.run(lambda conn: conn.execute(
            """INSERT INTO conversations (user_id, flow, step, data, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step, data = excluded.data,
                   expires_at = excluded.expires_at, updated_at = excluded.updated_at""",
            (user_id, flow, step, json.dumps(data, ensure_ascii=False), expires_at.timestamp(), _iso(now))))

    async def get(self, user_id: int) -> PendingInput | None:
        """The person's pending input, if any."""
        if self._maybe_pending is not None and user_id not in self._maybe_pending:
            return None

        def work(conn):
            row = conn.execute("SELECT * FROM conversations WHERE user_id = ?", (user_id,)).fetchone()
            if row is None:
                return None
            return PendingInput(row["flow"], row["step"], json.loads(row["data"]),
                                datetime.fromtimestamp(row["expires_at"], timezone.utc))
        return await self._db.run(work, write=False)

    async def end(self, user_id: int) -> str | None:
        """End the pending input; returns the flow it belonged to, or None if there was none."""
        def work(conn):
            row = conn.execute("DELETE FROM conversations WHERE user_id = ? RETURNING flow", (user_id,)).fetchone()
            return row[0] if row else None
        writes = self._writes = self._writes + 1
        flow = await self._db.run(work, durable=False)
        if self._maybe_pending is not None and writes == self._writes:
            self._maybe_pending.discard(user_id)
        return flow
