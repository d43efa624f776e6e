"""Announcements: drafts, scheduled ones (also those written in the program file), sending,
correction and withdrawal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ..domain.announcements import Audience
from ..domain.messages import (AnnouncementCopy, AnnouncementDelete, AnnouncementEdit, AnnouncementProgress,
                               announcement_batch)
from . import audiences
from .engine import Database, iso as _iso
from .outbox import queue_message


@dataclass(frozen=True)
class Announcement:
    """One announcement: written in the chat (`text_html`, as the organizer wrote it) or in
    program.yaml (`texts`, plain text per language; `source` is "file:<conference>:<id>")."""

    id: int
    source: str | None
    author_id: int | None
    audience: str  # an Audience key ("all", "confirmed:podium" …)
    text_html: str | None
    texts: dict[str, str] | None
    photo_file_id: str | None
    state: str  # draft, scheduled, sending, done, withdrawn, cancelled
    send_at: float | None  # a timestamp, for scheduled ones
    recipients: int | None
    version: int  # 1, then one more per correction
    progress_chat_id: int | None  # the organizer shown its progress (their private chat)
    progress_message_id: int | None  # no longer written: the progress message is an outbox message
    created_at: str
    sent_at: str | None
    updated_at: str


class Announcements:
    def __init__(self, db: Database):
        self._db = db

    async def create(self, author_id: int | None, audience: str, text_html: str | None,
                     photo_file_id: str | None, now: datetime, texts: dict | None = None) -> int:
        def work(conn):
            stamp = _iso(now)
            return conn.insert(
                """INSERT INTO announcements (conference_id, author_id, audience, text_html, texts_json, photo_file_id, state,
                                              created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?)""",
                (conn.conference, author_id, audience, text_html, json.dumps(texts, ensure_ascii=False) if texts else None,
                 photo_file_id, stamp, stamp))
        return await self._db.run(work)

    async def get(self, announcement_id: int) -> Announcement | None:
        def work(conn):
            row = _row(conn, announcement_id)
            return _announcement(row) if row else None
        return await self._db.run(work, write=False)

    async def recent(self, limit: int = 20, states: tuple[str, ...] | None = None) -> list[Announcement]:
        def work(conn):
            where = f"AND state IN ({','.join('?' * len(states))})" if states else "AND state != 'draft'"
            rows = conn.execute(f"SELECT * FROM announcements WHERE conference_id = ? {where} ORDER BY id DESC LIMIT ?",
                                (conn.conference, *(states or ()), limit))
            return [_announcement(row) for row in rows]
        return await self._db.run(work, write=False)

    async def update(self, announcement_id: int, **fields) -> None:
        allowed = {"audience", "text_html", "photo_file_id"}
        assert set(fields) <= allowed, fields

        def work(conn):
            assignments = ", ".join(f"{name} = ?" for name in fields)
            conn.execute(f"UPDATE announcements SET {assignments} WHERE id = ? AND conference_id = ?",
                         (*fields.values(), announcement_id, conn.conference))
        await self._db.run(work)

    async def schedule(self, announcement_id: int, send_at: datetime, now: datetime) -> bool:
        return await self._db.run(lambda conn: conn.execute(
            "UPDATE announcements SET state = 'scheduled', send_at = ?, updated_at = ? WHERE id = ? AND conference_id = ? "
            "AND state IN ('draft', 'scheduled')",
            (send_at.timestamp(), _iso(now), announcement_id, conn.conference)).rowcount == 1)

    async def cancel(self, announcement_id: int, now: datetime) -> bool:
        return await self._db.run(lambda conn: conn.execute(
            "UPDATE announcements SET state = 'cancelled', updated_at = ? WHERE id = ? AND conference_id = ? "
            "AND state IN ('draft', 'scheduled')", (_iso(now), announcement_id, conn.conference)).rowcount == 1)

    async def start(self, announcement_id: int, session_ids: tuple[str, ...], now: datetime,
                    report_to: int | None = None) -> int | None:
        """Queue the announcement for its audience, once: a second call (a double tap on
        "send") finds it started already and returns None. `report_to`: the organizer who is
        shown its progress (a message queued with the copies, edited as they go out)."""
        def work(conn):
            row = _row(conn, announcement_id)
            if row is None or row["state"] not in ("draft", "scheduled"):
                return None
            audience = Audience.parse(row["audience"])
            people = audiences.recipients(conn, audience, session_ids) if audience else []
            if report_to is not None:
                queue_message(conn, report_to, AnnouncementProgress(announcement_id), now.timestamp(), now)
            for user_id in people:
                queue_message(conn, user_id, AnnouncementCopy(announcement_id), now.timestamp(), now)
            conn.execute("UPDATE announcements SET state = 'sending', recipients = ?, sent_at = ?, updated_at = ?, "
                         "progress_chat_id = ? WHERE id = ?", (len(people), _iso(now), _iso(now), report_to, announcement_id))
            return len(people)
        return await self._db.run(work)

    async def finish(self, announcement_id: int, now: datetime) -> None:
        await self._db.run(lambda conn: conn.execute(
            "UPDATE announcements SET state = 'done', updated_at = ? WHERE id = ? AND conference_id = ? AND state = 'sending'",
            (_iso(now), announcement_id, conn.conference)))

    async def edit(self, announcement_id: int, text_html: str, now: datetime) -> int:
        """Correct a sent announcement: messages already delivered are edited, queued ones go out
        with the new text. Returns the number of edits queued."""
        def work(conn):
            row = _row(conn, announcement_id)
            if row is None or row["state"] not in ("sending", "done"):
                return 0
            version = row["version"] + 1
            conn.execute("UPDATE announcements SET text_html = ?, version = ?, updated_at = ? WHERE id = ?",
                         (text_html, version, _iso(now), announcement_id))
            sent = _delivered(conn, announcement_id)
            for user_id, message_id in sent:
                queue_message(conn, user_id, AnnouncementEdit(announcement_id, message_id, version), now.timestamp(), now)
            return len(sent)
        return await self._db.run(work)

    async def withdraw(self, announcement_id: int, now: datetime) -> int:
        """Take an announcement back: queued copies are dropped, delivered ones deleted."""
        def work(conn):
            row = _row(conn, announcement_id)
            if row is None or row["state"] not in ("sending", "done"):
                return 0
            conn.execute("UPDATE announcements SET state = 'withdrawn', updated_at = ? WHERE id = ?", (_iso(now), announcement_id))
            conn.execute("UPDATE outbox SET state = 'dropped', last_error = 'withdrawn' WHERE batch = ? AND state = 'pending'",
                         (announcement_batch(announcement_id),))
            sent = _delivered(conn, announcement_id)
            for user_id, message_id in sent:
                queue_message(conn, user_id, AnnouncementDelete(message_id, announcement_id), now.timestamp(), now)
            return len(sent)
        return await self._db.run(work)

    async def due(self, now: datetime, grace_seconds: float = 1800) -> list[int]:
        """Scheduled announcements now due. One overdue by more than the grace period (the bot
        was down, or started late) is cancelled instead: "lunch is served" at 15:00 helps nobody."""
        def work(conn):
            stamp = now.timestamp()
            conn.execute("UPDATE announcements SET state = 'cancelled', updated_at = ? "
                         "WHERE conference_id = ? AND state = 'scheduled' AND send_at < ?",
                         (_iso(now), conn.conference, stamp - grace_seconds))
            return [row[0] for row in conn.execute(
                "SELECT id FROM announcements WHERE conference_id = ? AND state = 'scheduled' AND send_at <= ? "
                "ORDER BY send_at, id", (conn.conference, stamp))]
        return await self._db.run(work)

    async def next_at(self) -> float | None:
        return await self._db.run(lambda conn: conn.execute(
            "SELECT MIN(send_at) FROM announcements WHERE conference_id = ? AND state = 'scheduled'",
            (conn.conference,)).fetchone()[0], write=False)

    async def sync_file(self, planned: list, now: datetime) -> None:
        """Announcements written in program.yaml: added or updated while not yet sent; ones
        removed from the file are cancelled."""
        def work(conn):
            stamp = _iso(now)
            wanted = {file_source(conn.conference, p.id) for p in planned}
            for p in planned:
                texts = json.dumps(dict(p.text.values), ensure_ascii=False)
                conn.execute(
                    """INSERT INTO announcements (conference_id, source, audience, texts_json, state, send_at, created_at,
                                                  updated_at)
                       VALUES (?, ?, ?, ?, 'scheduled', ?, ?, ?)
                       ON CONFLICT (source) DO UPDATE SET audience = excluded.audience, texts_json = excluded.texts_json,
                           send_at = excluded.send_at, updated_at = excluded.updated_at
                       WHERE announcements.state = 'scheduled'""",
                    (conn.conference, file_source(conn.conference, p.id), p.audience.key(), texts, p.at.timestamp(),
                     stamp, stamp))
            for (source,) in conn.execute("SELECT source FROM announcements WHERE conference_id = ? AND source LIKE 'file:%' "
                                          "AND state = 'scheduled'", (conn.conference,)).fetchall():
                if source not in wanted:
                    conn.execute("UPDATE announcements SET state = 'cancelled', updated_at = ? WHERE source = ?", (stamp, source))
        await self._db.run(work)


def file_source(conference_id: str, planned_id: str) -> str:
    """The key of an announcement written in a conference's program file (unique in the bot)."""
    return f"file:{conference_id}:{planned_id}" if conference_id else f"file:{planned_id}"


def _row(conn, announcement_id: int):
    """An announcement of the conference in scope (ids are the bot's, but buttons carry them)."""
    return conn.execute("SELECT * FROM announcements WHERE id = ? AND conference_id = ?",
                        (announcement_id, conn.conference)).fetchone()


def _delivered(conn, announcement_id: int) -> list[tuple[int, int]]:
    """(person, message id) of every copy of the announcement Telegram took."""
    return conn.execute("SELECT user_id, message_id FROM outbox WHERE batch = ? AND state = 'sent' AND message_id IS NOT NULL",
                        (announcement_batch(announcement_id),)).fetchall()


def _announcement(row) -> Announcement:
    return Announcement(
        id=row["id"], source=row["source"], author_id=row["author_id"], audience=row["audience"],
        text_html=row["text_html"], texts=json.loads(row["texts_json"]) if row["texts_json"] else None,
        photo_file_id=row["photo_file_id"], state=row["state"], send_at=row["send_at"], recipients=row["recipients"],
        version=row["version"], progress_chat_id=row["progress_chat_id"], progress_message_id=row["progress_message_id"],
        created_at=row["created_at"], sent_at=row["sent_at"], updated_at=row["updated_at"])
