"""The series: what the database holds about its conferences as a whole. A database from before
the bot served several conferences has its rows under no conference (''); at start the bot
adopts them for the conference of its program (app.py chooses which)."""

from __future__ import annotations

from .engine import Database

# The tables whose rows belong to one conference (schema migration 9).
PER_CONFERENCE = ("registrations", "registration_history", "bookmarks", "feedback", "questions", "profiles",
                  "contact_requests", "announcements", "session_overrides", "program_changes", "outbox",
                  "pending_actions", "participants")
SESSION_TABLES = ("registrations", "bookmarks", "feedback", "questions", "session_overrides")
META = ("program_revision", "program_base", "purged_at")


class Series:
    def __init__(self, db: Database):
        self._db = db

    async def legacy(self) -> set[str] | None:
        """None when no row waits for a conference; else the session ids such rows name (the
        conference to adopt them must have all of these)."""
        def work(conn):
            waiting = any(conn.execute(f"SELECT 1 FROM {table} WHERE conference_id = '' LIMIT 1").fetchone()
                          for table in PER_CONFERENCE)
            if not waiting:
                return None
            return {row[0] for table in SESSION_TABLES
                    for row in conn.execute(f"SELECT DISTINCT session_id FROM {table} WHERE conference_id = ''")}
        return await self._db.run(work, write=False)

    async def adopt_legacy(self, conference_id: str) -> dict[str, int]:
        """Rows under no conference become the conference's, with their keys: outbox keys and
        program-file announcements are unique across the series, the program's revision is per
        conference. Returns rows adopted per table."""
        def work(conn):
            conn.execute("UPDATE outbox SET dedup_key = ? || '/' || dedup_key WHERE conference_id = ''", (conference_id,))
            conn.execute("UPDATE announcements SET source = 'file:' || ? || ':' || substr(source, 6) "
                         "WHERE conference_id = '' AND source LIKE 'file:%'", (conference_id,))
            marks = ",".join("?" * len(META))
            conn.execute(f"UPDATE meta SET key = key || ':' || ? WHERE key IN ({marks})", (conference_id, *META))
            counts = {table: conn.execute(f"UPDATE {table} SET conference_id = ? WHERE conference_id = ''",
                                          (conference_id,)).rowcount for table in PER_CONFERENCE}
            conn.batch.clear()  # registrations changed outside the seat book
            return counts
        return await self._db.run(work)
