"""Personal data: the one registry of where a person is stored, and export (Art. 15),
erasure (Art. 17) and the retention purge, which all follow it. Export and erasure cover every
conference of the series; the retention purge runs per conference, and forgets entirely whoever
has no other conference left (a consent to hear of the next one keeps only chat and language)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ..domain import signup as rules
from ..domain.program import Program
from .attendees import Attendees
from .coordination import budget_salt, chat_budget_key
from .engine import Database, iso as _iso, meta_key, read_meta, write_meta
from .registrations import SeatBook


@dataclass(frozen=True)
class PersonalData:
    """Where a table keeps something about a person, and what happens to it: the one list that
    export (Art. 15), erasure (Art. 17) and the retention purge all follow. A test compares it
    with the schema, so a new personal column cannot be forgotten."""

    table: str
    keys: tuple[str, ...]  # the columns that name the person (any of them matches)
    export_as: str
    anonymize: tuple[tuple[str, Any], ...] = ()  # empty: rows are deleted; else these columns are set
    export_columns: str = "*"
    # how people's ids appear in the key columns, if not as themselves: (transaction, ids) -> values
    stored_as: Callable[[Any, tuple], tuple] | None = None
    per_conference: bool = True  # the rows belong to one conference (a conference_id column)
    outlives_conferences: bool = False  # a consent of its own: the retention purge leaves it, /loeschen not

    def key_values(self, conn, user_ids) -> tuple:
        values = tuple(user_ids) if self.stored_as is None else self.stored_as(conn, tuple(user_ids))
        return values * len(self.keys)


def _chat_budget_keys(conn, user_ids: tuple) -> tuple:
    salt = budget_salt(conn)  # None: no chat was ever counted, no key can match
    return tuple(None if salt is None else chat_budget_key(salt, user_id) for user_id in user_ids)


PERSONAL_DATA: tuple[PersonalData, ...] = (
    PersonalData("participants", ("user_id",), "conferences_taken_part_in"),
    PersonalData("registrations", ("user_id",), "registrations"),
    # the history of seats stays, without the person
    PersonalData("registration_history", ("user_id",), "registration_history", anonymize=(("user_id", 0),)),
    PersonalData("bookmarks", ("user_id",), "bookmarks"),
    # the rating stays, anonymous; a free-text comment may name people, so it goes
    PersonalData("feedback", ("user_id",), "feedback", anonymize=(("user_id", None), ("comment", None))),
    PersonalData("question_votes", ("user_id",), "question_votes", per_conference=False),  # go with their question too
    PersonalData("questions", ("user_id",), "questions"),
    PersonalData("contact_requests", ("from_user", "to_user"), "contact_requests"),
    PersonalData("profiles", ("user_id",), "networking_profile"),
    PersonalData("outbox", ("user_id",), "messages_to_you",
                 export_columns="id, kind, payload, state, created_at, updated_at, message_id"),
    PersonalData("conversations", ("user_id",), "conversation_state", per_conference=False),
    PersonalData("pending_actions", ("admin_id",), "confirmations"),
    PersonalData("announcements", ("author_id",), "announcements_written",
                 anonymize=(("author_id", None), ("progress_chat_id", None), ("progress_message_id", None)),
                 export_columns="id, audience, text_html, state, created_at"),
    PersonalData("program_changes", ("author_id",), "program_changes_made", anonymize=(("author_id", None),),
                 export_columns="id, description, created_at"),
    PersonalData("session_overrides", ("author_id",), "session_changes_made", anonymize=(("author_id", None),),
                 export_columns="session_id, updated_at"),
    # the organizers' guest list: the entry of the person this account is connected to goes whole
    PersonalData("guests", ("user_id",), "guest_list_entry",
                 export_columns="conference_id, name, email, organization, reference, connected_at"),
    PersonalData("invite_attempts", ("user_id",), "invitation_attempts", export_columns="at", per_conference=False),
    # the separate consent to hear when the next conference opens: its chat, language and date only
    PersonalData("next_conference", ("chat_id",), "next_conference_consent", per_conference=False,
                 outlives_conferences=True),
    # when the bot last wrote to the person's private chat (under a hash of its id), for Telegram's limits
    PersonalData("rate_budget", ("key",), "recent_messages_count", stored_as=_chat_budget_keys, per_conference=False),
    PersonalData("attendees", ("user_id",), "attendee", per_conference=False),  # last: other tables refer to it
)


def _personal_rows(conn, entry: PersonalData, user_id: int) -> list[dict]:
    where = " OR ".join(f"{key} = ?" for key in entry.keys)
    return [dict(row) for row in conn.execute(f"SELECT {entry.export_columns} FROM {entry.table} WHERE {where}",
                                              entry.key_values(conn, (user_id,)))]


def _erase_rows(conn, entry: PersonalData, where: str, params: tuple) -> int:
    conn.batch.clear()  # registrations change outside the seat book: its cached counts are stale
    if entry.anonymize:
        assignments = ", ".join(f"{column} = ?" for column, _ in entry.anonymize)
        values = tuple(value for _, value in entry.anonymize)
        return conn.execute(f"UPDATE {entry.table} SET {assignments} {where}", values + params).rowcount
    return conn.execute(f"DELETE FROM {entry.table} {where}", params).rowcount



class Privacy:
    """Export, erasure and purge: they touch every aggregate's tables (as PERSONAL_DATA says), and
    tell the attendees' repository, whose memory of who wrote recently must not outlive them."""

    def __init__(self, db: Database, attendees: Attendees):
        self._db = db
        self._attendees = attendees

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one person (GDPR Art. 15), table by table as PERSONAL_DATA says."""
        def work(conn):
            exported = {entry.export_as: _personal_rows(conn, entry, user_id) for entry in reversed(PERSONAL_DATA)}
            return {name: rows for name, rows in exported.items() if rows or name == "attendee"}
        return await self._db.run(work, write=False)

    async def erase(self, programs: Program | dict[str, Program], user_id: int, now: datetime) -> dict[str, int]:
        """Erase one person (GDPR Art. 17) in every conference: seats are freed first (the waitlist
        moves up), then every row about them goes; star ratings and the sign-up history stay,
        without their id. `programs`: each conference's program in force, by id (or the one)."""
        def work(conn):
            freed = 0
            books = programs.items() if isinstance(programs, dict) else [(conn.conference, programs)]
            for conference_id, program in books:
                book = SeatBook(conn, conference_id)
                for registration in book.registrations_of(user_id):
                    if registration.state != rules.CANCELLED:
                        rules.cancel(book, program, registration.session_id, user_id, now, reason="erased")
                        freed += 1
            counts = {"seats_freed": freed}
            counts.update(_erase(conn, [user_id]))
            return counts
        counts = await self._db.run(work)
        self._attendees.forget(user_id)
        return counts

    async def purge(self, now: datetime) -> dict[str, int]:
        """The retention period is over: every person's data goes, as with /loeschen but without
        moving waitlists (the conference is over)."""
        def work(conn):
            counts = {entry.table: _erase_rows(conn, entry, "", ()) for entry in PERSONAL_DATA}
            write_meta(conn, "purged_at", _iso(now))
            return counts
        counts = await self._db.run(work)
        self._attendees.forget_all()
        return counts

    async def purge_conference(self, now: datetime) -> dict[str, int]:
        """The retention period of the conference in scope is over: its rows go (ratings and the
        history of seats stay, anonymous), as do the people who have no other conference left."""
        def work(conn):
            conference = conn.conference
            counts = {entry.table: _erase_rows(conn, entry, "WHERE conference_id = ?", (conference,))
                      for entry in PERSONAL_DATA if entry.per_conference}
            gone = [row[0] for row in conn.execute(
                "SELECT user_id FROM attendees WHERE user_id NOT IN (SELECT user_id FROM participants)")]
            counts["forgotten"] = len(gone)
            _erase(conn, gone, [entry for entry in PERSONAL_DATA if not entry.outlives_conferences])
            write_meta(conn, meta_key("purged_at", conference), _iso(now))
            return counts
        counts = await self._db.run(work)
        self._attendees.forget_all()
        return counts

    async def purged_at(self) -> str | None:
        """When the retention purge of the conference in scope ran (ISO), None while it has not."""
        return await self._db.run(lambda conn: read_meta(conn, meta_key("purged_at", conn.conference)), write=False)


def _erase(conn, user_ids: list[int], entries=PERSONAL_DATA) -> dict[str, int]:
    """Delete or anonymize every row about these people, as PERSONAL_DATA (or `entries`) says;
    rows per table."""
    counts: dict[str, int] = {}
    for start in range(0, len(user_ids), 400):
        chunk = tuple(user_ids[start:start + 400])
        marks = ",".join("?" * len(chunk))
        for entry in entries:
            where = "WHERE " + " OR ".join(f"{key} IN ({marks})" for key in entry.keys)
            counts[entry.table] = counts.get(entry.table, 0) + _erase_rows(conn, entry, where, entry.key_values(conn, chunk))
    return counts
