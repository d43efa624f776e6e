"""Live program changes: the overrides in force, the history of changes, and the program's
revision that previews check against."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ..domain import signup as rules
from ..domain.changes import Change, Override, SessionState
from ..domain.messages import ChangeNotice
from ..domain.program import Program, Text
from . import audiences
from .engine import Database, iso as _iso, meta_key, read_meta, write_meta
from .outbox import queue_message
from .registrations import SeatBook


DEPARTED_LOOKBACK = 200  # program changes searched for a departed session's title (newest first)


class ProgramChanges:
    def __init__(self, db: Database):
        self._db = db

    async def overrides(self) -> list[Override]:
        """The chat's changes in force, each with what the file said when it was made."""
        def work(conn):
            rows = conn.execute("SELECT * FROM session_overrides WHERE conference_id = ? ORDER BY session_id",
                                (conn.conference,))
            return [_override(row) for row in rows]
        return await self._db.run(work, write=False)

    async def record(self, overrides: list[Override], changes: list[Change], author_id: int | None,
                     description: str, now: datetime, program: Program | None = None,
                     expected_revision: int | None = None, base: str | None = None,
                     ended: list[str] = (), everybody: list[str] = ()) -> tuple[int, int] | None:
        """Store overrides (if any) and end the chat's changes of `ended` sessions, end the
        registrations of cancelled sessions (also of sessions that left the file) and give them
        back to restored ones (also to sessions back in the file; `program` is the program after
        the change), and queue one notice per affected attendee, atomically. With
        `expected_revision`, nothing happens (None) when another change was applied since the
        preview. `base`: the fingerprint of the program file a reload puts in force, for the
        bot's other processes. Returns (change id, notices queued)."""
        def work(conn):
            revision = _revision(conn)
            if expected_revision is not None and revision != expected_revision:
                return None
            stamp = _iso(now)
            # before seats of cancelled sessions end; a plenary's change concerns everybody
            affected = audiences.affected(conn, [c.session_id for c in changes], list(everybody))
            for o in overrides:
                _store(conn, o, author_id, stamp)
            for session_id in ended:
                conn.execute("DELETE FROM session_overrides WHERE conference_id = ? AND session_id = ?",
                             (conn.conference, session_id))
            book = SeatBook(conn)
            back: dict[int, dict[str, str]] = {}  # who got what back of a restored session
            returning: set[str] = set()
            for change in changes:
                was_cancelled = change.before is None or change.before.cancelled
                is_cancelled = change.after is None or change.after.cancelled
                if is_cancelled and not was_cancelled:
                    rules.release_cancelled(book, change.session_id, now)
                elif change.restores and program is not None:
                    restored = rules.restore_cancelled(book, program, change.session_id, now)
                    if change.before is None and (restored.confirmed or restored.waitlisted or restored.elsewhere):
                        returning.add(change.session_id)  # back in the file: its notice says so
                    for outcome, people in (("confirmed", restored.confirmed), ("waitlisted", restored.waitlisted),
                                            ("elsewhere", restored.elsewhere)):
                        for user_id in people:
                            affected.setdefault(user_id, set()).add(change.session_id)
                            back.setdefault(user_id, {})[change.session_id] = outcome
            write_meta(conn, meta_key("program_revision", conn.conference), str(revision + 1))
            if base is not None:
                write_meta(conn, meta_key("program_base", conn.conference), base)
            change_id = conn.insert(
                """INSERT INTO program_changes (conference_id, author_id, description, changes_json, recipients, created_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (conn.conference, author_id, description, json.dumps([c.as_dict() for c in changes]), len(affected), stamp))
            by_session = {c.session_id: {**c.as_dict(), **({"returns": True} if c.session_id in returning else {})}
                          for c in changes}
            order = list(by_session)
            count = book.enqueued
            for user_id, session_ids in affected.items():
                mine = [by_session[s] for s in sorted(session_ids, key=order.index)]
                notice = ChangeNotice(mine, back.get(user_id, {}), change_id)
                count += queue_message(conn, user_id, notice, now.timestamp(), now)
            return (change_id, count)
        return await self._db.run(work)

    async def departed_title(self, session_id: str) -> Text | None:
        """The title of a session that left the program file, from the newest change that took it
        out: an old card, reminder or button of it then names it, not an id nobody knows.
        None for an id no change ever took out (mistyped, forged)."""
        def work(conn):
            rows = conn.execute("SELECT changes_json FROM program_changes WHERE conference_id = ? ORDER BY id DESC LIMIT ?",
                                (conn.conference, DEPARTED_LOOKBACK))
            for (changes_json,) in rows:
                for change in json.loads(changes_json):
                    if change.get("session_id") == session_id and change.get("after") is None and change.get("title"):
                        return Text(tuple(change["title"].items()))
            return None
        return await self._db.run(work, write=False)

    async def revision(self) -> int:
        """How many program changes (chat or reload) have been applied: previews record it."""
        return await self._db.run(lambda conn: _revision(conn), write=False)

    async def revisions(self) -> dict[str, int]:
        """Every conference's revision at once (a process checks them before each update)."""
        def work(conn):
            rows = conn.execute("SELECT key, value FROM meta WHERE key = 'program_revision' OR key LIKE 'program_revision:%'")
            return {key.partition(":")[2]: int(value) for key, value in rows}
        return await self._db.run(work, write=False)

    async def base(self) -> str | None:
        """The fingerprint of the program file in force: the last one reloaded or started with."""
        return await self._db.run(lambda conn: read_meta(conn, meta_key("program_base", conn.conference)), write=False)

    async def start_with_file(self, base: str) -> str | None:
        """A process starts with its program file: that file is in force from now on. Returns
        the fingerprint that was in force before (None if none was recorded)."""
        def work(conn):
            key = meta_key("program_base", conn.conference)
            before = read_meta(conn, key)
            if before != base:
                write_meta(conn, key, base)
            return before
        return await self._db.run(work)


def _store(conn, override: Override, author_id: int | None, stamp: str) -> None:
    against = override.against
    made_against = ((against.start.timestamp(), against.end.timestamp(), against.room, int(against.cancelled))
                    if against else (None, None, None, None))
    conn.execute(
        """INSERT INTO session_overrides (conference_id, session_id, start, "end", room, cancelled, author_id, updated_at,
                                          base_start, base_end, base_room, base_cancelled)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (conference_id, session_id) DO UPDATE SET start = excluded.start, "end" = excluded."end",
               room = excluded.room, cancelled = excluded.cancelled, author_id = excluded.author_id,
               updated_at = excluded.updated_at, base_start = excluded.base_start, base_end = excluded.base_end,
               base_room = excluded.base_room, base_cancelled = excluded.base_cancelled""",
        (conn.conference, override.session_id, override.start.timestamp(), override.end.timestamp(), override.room,
         int(override.cancelled), author_id, stamp, *made_against))


def _override(row) -> Override:
    def moment(value: float) -> datetime:
        return datetime.fromtimestamp(value, timezone.utc)
    against = None
    if row["base_start"] is not None:  # made before the file's state was kept: as the file is now
        against = SessionState(moment(row["base_start"]), moment(row["base_end"]), row["base_room"], bool(row["base_cancelled"]))
    return Override(row["session_id"], moment(row["start"]), moment(row["end"]), row["room"], bool(row["cancelled"]), against)


def _revision(conn) -> int:
    return int(read_meta(conn, meta_key("program_revision", conn.conference)) or 0)
