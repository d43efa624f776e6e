"""The outbox: every message the bot owes someone, until Telegram took it or it expired."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from ..domain.messages import Message
from ..domain.reminders import Planned
from .engine import Database, Transaction, iso as _iso

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    dedup_key: str
    user_id: int | None
    chat_id: int
    kind: str
    payload: dict
    not_before: float
    attempts: int
    language: str | None = None  # the attendee's choice, if any
    telegram_language: str | None = None
    conference_id: str = ""  # the conference it was queued in: it is worded within it (bot/scope.py)


@dataclass(frozen=True)
class DeliveryReport:
    """How one batch of the outbox (an announcement, say) went."""

    sent: int
    pending: int  # not yet sent, or being sent
    blocked: int  # the person blocked the bot
    failed: int  # refused for another reason
    dropped: int
    reasons: list[tuple[str, int]]  # the commonest other reasons, with how often


@dataclass(frozen=True)
class OutboxRow:
    """One message as stored, for reports and tests."""

    id: int
    dedup_key: str
    user_id: int | None
    chat_id: int
    kind: str
    payload: dict
    state: str
    attempts: int
    message_id: int | None
    last_error: str | None
    batch: str | None
    not_before: float
    claimed_by: str | None
    conference_id: str = ""


def queue_message(conn: Transaction, user_id: int, message: Message, not_before: float, now: datetime,
                  expires_at: float | None = None, conference: str | None = None) -> int:
    """Add one message to the outbox unless its key is there already; returns rows added. A
    person who blocked the bot gets nothing more (their row says why). One who is not stored
    (erased meanwhile, perhaps through another process) is not written to the outbox again, which
    would store their id after the erasure: a warning says what was not sent, naming nobody."""
    row = conn.execute("SELECT chat_id, reachable FROM attendees WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:
        log.warning("a %s message was not queued: its addressee's data has been erased", message.kind)
        return 0
    if not row["reachable"]:
        return 0
    return _insert(conn, user_id, row["chat_id"], message, message.key(user_id), not_before, now, expires_at, conference)


def queue_to_chat(conn: Transaction, chat_id: int, message: Message, now: datetime) -> int:
    """A message to a private chat whose person the bot no longer keeps (only their consent to
    hear of the next conference: its chat and language); returns rows added."""
    return _insert(conn, None, chat_id, message, message.key(chat_id), now.timestamp(), now, None)


def scoped_key(conference_id: str, key: str) -> str:
    """A message's key within its conference: session ids repeat from one conference to the next."""
    return f"{conference_id}/{key}" if conference_id else key


def _insert(conn: Transaction, user_id: int | None, chat_id: int, message: Message, key: str, not_before: float,
            now: datetime, expires_at: float | None, conference: str | None = None) -> int:
    """`conference`: the one the message belongs to, where not the call's (an erasure frees seats
    in every conference within one transaction)."""
    conference = conn.conference if conference is None else conference
    stamp = _iso(now)
    cursor = conn.execute(
        """INSERT INTO outbox (conference_id, dedup_key, user_id, chat_id, kind, payload, not_before, expires_at, batch,
                               created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING""",
        (conference, scoped_key(conference, key), user_id, chat_id, message.kind,
         json.dumps(message.payload(), ensure_ascii=False), not_before, expires_at, message.batch(), stamp, stamp),
    )
    if cursor.rowcount > 0:
        conn.enqueued += cursor.rowcount  # delivery is woken after the commit
    return cursor.rowcount


class Outbox:
    def __init__(self, db: Database):
        self._db = db

    async def enqueue(self, messages: Iterable[tuple[int, Message]], not_before: datetime, now: datetime,
                      expires_at: datetime | None = None) -> int:
        """Queue (user_id, message) pairs; returns how many were new."""
        items = list(messages)
        due, expires = not_before.timestamp(), expires_at.timestamp() if expires_at else None
        return await self._db.run(lambda conn: sum(queue_message(conn, user_id, message, due, now, expires)
                                                   for user_id, message in items))

    async def enqueue_planned(self, planned: list[Planned], now: datetime) -> int:
        """Queue planned messages (reminders, feedback questions) that are due; each key only
        ever once, so re-planning never duplicates."""
        return await self._db.run(lambda conn: sum(
            queue_message(conn, p.user_id, p.message, p.due.timestamp(), now, p.expires.timestamp()) for p in planned))

    async def sent_copy(self, key: str) -> tuple[int, int] | None:
        """(chat, message id) of the message with this key, once Telegram took it: a message the
        bot edits afterwards (an announcement's progress) is found by its key."""
        def work(conn):
            row = conn.execute("SELECT chat_id, message_id FROM outbox WHERE dedup_key = ? AND state = 'sent' "
                               "AND message_id IS NOT NULL", (scoped_key(conn.conference, key),)).fetchone()
            return (row[0], row[1]) if row else None
        return await self._db.run(work, write=False)

    async def requeue_in_flight(self, live: list[str] | None = None) -> int:
        """Messages that were being sent when their process stopped go out again. With `live`
        (the processes still alive, this one among them), only those claimed by a process that
        is gone; without, all of them (one process on a SQLite file, at its start)."""
        def work(conn):
            if not live:
                requeued = conn.execute("UPDATE outbox SET state = 'pending', claimed_by = NULL WHERE state = 'sending'").rowcount
            else:
                requeued = conn.execute(
                    f"""UPDATE outbox SET state = 'pending', claimed_by = NULL WHERE state = 'sending'
                        AND (claimed_by IS NULL OR claimed_by NOT IN ({','.join('?' * len(live))}))""", tuple(live)).rowcount
            conn.enqueued += max(0, requeued)  # delivery wakes for them after the commit
            return requeued
        return await self._db.run(work, durable=False, serialized=False)

    async def claim_due(self, now: datetime, limit: int, instance: str | None = None) -> list[OutboxMessage]:
        """Mark up to `limit` due messages as being sent by `instance`, oldest first, and return
        them. Rows another process is claiming at this moment are skipped, never waited for, so
        two processes never send the same message."""
        def work(conn):
            stamp = now.timestamp()
            conn.execute(
                "UPDATE outbox SET state = 'dropped', last_error = 'expired', updated_at = ? "
                "WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?",
                (_iso(now), stamp))
            due = [row[0] for row in conn.execute(
                f"""SELECT id FROM outbox WHERE state = 'pending' AND not_before <= ?
                    ORDER BY not_before, id LIMIT ?{conn.dialect.skip_locked}""", (stamp, limit))]
            if not due:
                return []
            marks = ",".join("?" * len(due))
            rows = conn.execute(
                f"""UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?, claimed_by = ?,
                        claimed_at = ? WHERE id IN ({marks}) RETURNING *""",
                (_iso(now), instance, time.time(), *due)).fetchall()
            users = sorted({row["user_id"] for row in rows if row["user_id"] is not None})
            languages = {row[0]: (row[1], row[2]) for row in conn.execute(
                f"SELECT user_id, language, telegram_language FROM attendees WHERE user_id IN ({','.join('?' * len(users))})",
                tuple(users))} if users else {}
            messages = [
                OutboxMessage(row["id"], row["dedup_key"], row["user_id"], row["chat_id"], row["kind"],
                              json.loads(row["payload"]), row["not_before"], row["attempts"],
                              *languages.get(row["user_id"], (None, None)), conference_id=row["conference_id"])
                for row in rows
            ]
            return sorted(messages, key=lambda m: (m.not_before, m.id))
        return await self._db.run(work, durable=False, serialized=False)

    async def next_due(self) -> float | None:
        """When the earliest pending message falls due (epoch seconds of the bot's clock)."""
        return await self._db.run(lambda conn: conn.execute(
            "SELECT MIN(not_before) FROM outbox WHERE state = 'pending'").fetchone()[0], write=False)

    async def finish_delivery(self, message_id: int, state: str, now: datetime, telegram_message_id: int | None = None,
                              error: str | None = None, retry_at: datetime | None = None) -> None:
        """Record the outcome of one send: sent, failed, dropped, or pending again at retry_at."""
        def work(conn):
            conn.execute(
                """UPDATE outbox SET state = ?, message_id = COALESCE(?, message_id), last_error = ?,
                       not_before = COALESCE(?, not_before), updated_at = ? WHERE id = ?""",
                (state, telegram_message_id, error, retry_at.timestamp() if retry_at else None, _iso(now), message_id))
        await self._db.run(work, durable=False, serialized=False)

    async def rows(self, kind: str | None = None) -> list[OutboxRow]:
        """For reports and tests: the outbox, row by row."""
        def work(conn):
            where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
            return [OutboxRow(row["id"], row["dedup_key"], row["user_id"], row["chat_id"], row["kind"],
                              json.loads(row["payload"]), row["state"], row["attempts"], row["message_id"],
                              row["last_error"], row["batch"], row["not_before"], row["claimed_by"], row["conference_id"])
                    for row in conn.execute(f"SELECT * FROM outbox {where} ORDER BY id", params)]
        return await self._db.run(work, write=False)

    async def report(self, batch: str) -> DeliveryReport:
        """Counts per outcome for one batch of the outbox, and the reasons of failures."""
        def work(conn):
            counts = dict(conn.execute("SELECT state, COUNT(*) FROM outbox WHERE batch = ? GROUP BY state", (batch,)).fetchall())
            blocked = conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE batch = ? AND state = 'failed' AND last_error LIKE 'blocked:%'", (batch,)).fetchone()[0]
            reasons = conn.execute(
                """SELECT last_error, COUNT(*) FROM outbox WHERE batch = ? AND state = 'failed' AND last_error NOT LIKE 'blocked:%'
                   GROUP BY last_error ORDER BY COUNT(*) DESC LIMIT 5""", (batch,)).fetchall()
            return DeliveryReport(sent=counts.get("sent", 0), pending=counts.get("pending", 0) + counts.get("sending", 0),
                                  blocked=blocked, failed=counts.get("failed", 0) - blocked, dropped=counts.get("dropped", 0),
                                  reasons=[(reason, count) for reason, count in reasons])
        return await self._db.run(work, write=False)
