"""Conversations: one pending input per person (bot/handlers/conversation.py) and the
organizers' confirmations, each taken exactly once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from .engine import Aggregate, iso as _iso


@dataclass(frozen=True)
class PendingInput:
    """The input the bot waits for from one person: a step of a flow, with the flow's data."""

    flow: str
    step: str
    data: dict
    expires_at: datetime  # aware, UTC


@dataclass(frozen=True)
class Confirmation:
    """A confirmation just taken: what kind of action, and what it would do."""

    kind: str
    payload: dict


class Conversations(Aggregate):
    # Most messages find nothing pending. While this process is the only one that writes (the
    # cluster says so every beat), it knows everyone who may have something pending, and asks
    # the database only about them (bench/signup.py: a round trip per message on PostgreSQL).
    _maybe_pending: set[int] | None = None  # None: not known, ask the database
    _conversation_writes: int = 0  # a read or delete that overlapped a write leaves the set alone

    async def _know_pending(self, sole: bool) -> None:
        """Keep the people who may have a pending input, while this process writes alone."""
        if not sole:
            self._maybe_pending = None
        elif self._maybe_pending is None:
            writes = self._conversation_writes
            people = await self._transaction(
                lambda conn: {row[0] for row in conn.execute("SELECT user_id FROM conversations")}, write=False)
            if writes == self._conversation_writes:
                self._maybe_pending = people

    async def save_conversation(self, user_id: int, flow: str, step: str, data: dict, expires_at: datetime,
                                now: datetime) -> None:
        self._conversation_writes += 1
        if self._maybe_pending is not None:
            self._maybe_pending.add(user_id)
        await self._transaction(lambda conn: conn.execute(
            """INSERT INTO conversations (user_id, flow, step, data, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step, data = excluded.data,
                   expires_at = excluded.expires_at, updated_at = excluded.updated_at""",
            (user_id, flow, step, json.dumps(data, ensure_ascii=False), expires_at.timestamp(), _iso(now))))

    async def conversation(self, user_id: int) -> PendingInput | None:
        """The person's pending input, if any."""
        if self._maybe_pending is not None and user_id not in self._maybe_pending:
            return None

        def work(conn):
            row = conn.execute("SELECT * FROM conversations WHERE user_id = ?", (user_id,)).fetchone()
            if row is None:
                return None
            return PendingInput(row["flow"], row["step"], json.loads(row["data"]),
                                datetime.fromtimestamp(row["expires_at"], timezone.utc))
        return await self._transaction(work, write=False)

    async def end_conversation(self, user_id: int) -> str | None:
        """End the pending input; returns the flow it belonged to, or None if there was none."""
        def work(conn):
            row = conn.execute("DELETE FROM conversations WHERE user_id = ? RETURNING flow", (user_id,)).fetchone()
            return row[0] if row else None
        writes = self._conversation_writes = self._conversation_writes + 1
        flow = await self._transaction(work, durable=False)
        if self._maybe_pending is not None and writes == self._conversation_writes:
            self._maybe_pending.discard(user_id)
        return flow

    async def create_pending(self, admin_id: int, kind: str, payload: dict, now: datetime) -> int:
        return await self._transaction(lambda conn: conn.insert(
            "INSERT INTO pending_actions (admin_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            (admin_id, kind, json.dumps(payload, ensure_ascii=False), _iso(now))))

    async def take_pending(self, action_id: int, admin_id: int, state: str = "done",
                           not_before: datetime | None = None) -> Confirmation | None:
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
            return Confirmation(row["kind"], json.loads(row["payload"]))
        return await self._transaction(work)
