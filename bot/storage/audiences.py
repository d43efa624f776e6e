"""Who is concerned by what: the reachable people with a seat, a waitlist place or a bookmark in
sessions, as reminders, announcements and change notices ask. Read-only queries across
registrations, bookmarks and attendees; `recipients` and `affected` are also used inside the
transactions that queue announcements (announcements.py) and change notices (program_changes.py)."""

from __future__ import annotations

from datetime import datetime

from ..domain import signup as rules
from ..domain.announcements import Audience
from ..domain.reminders import Subject
from .engine import Database
from .registrations import SeatBook


class Audiences:
    def __init__(self, db: Database):
        self._db = db

    async def recipients(self, audience: Audience, session_ids: tuple[str, ...]) -> list[int]:
        """The reachable attendees an announcement to `audience` goes to."""
        return await self._db.run(lambda conn: recipients(conn, audience, session_ids), write=False)

    async def affected_by(self, session_ids: list[str], restored: list[str] = (),
                          everybody: list[str] = (), moving_up: dict[str, int] | None = None) -> dict[int, set[str]]:
        """Attendees with a seat, a waitlist place or a bookmark in these sessions, and which;
        for `restored` sessions (cancelled, taking place again) also those whose seats or
        waitlist places the cancellation ended: they are told too; for `everybody` sessions
        (plenaries) every reachable attendee; `moving_up`: per session, how many of its waiting
        list move up (more seats), who are told that they did."""
        def work(conn):
            concerned = affected(conn, session_ids, everybody)
            book = SeatBook(conn)
            for session_id in restored:
                for former in book.cancelled_by(session_id, rules.SESSION_CANCELLED_REASON):
                    concerned.setdefault(former.registration.user_id, set()).add(session_id)
            for session_id, count in (moving_up or {}).items():
                for waiting in book.waitlist(session_id, count):
                    concerned.setdefault(waiting.user_id, set()).add(session_id)
            return concerned
        return await self._db.run(work, write=False)

    async def holdings(self, people: list[int]) -> dict[int, set[str]]:
        """The sessions these people hold a seat in or bookmarked (what a change may make clash)."""
        def work(conn):
            held: dict[int, set[str]] = {}
            for start in range(0, len(people), 400):
                chunk = tuple(people[start:start + 400])
                marks = ",".join("?" * len(chunk))
                for user_id, session_id in conn.execute(
                        f"""SELECT user_id, session_id FROM registrations
                            WHERE conference_id = ? AND state = 'confirmed' AND user_id IN ({marks})
                            UNION SELECT user_id, session_id FROM bookmarks WHERE conference_id = ? AND user_id IN ({marks})""",
                        (conn.conference, *chunk, conn.conference, *chunk)):
                    held.setdefault(user_id, set()).add(session_id)
            return held
        return await self._db.run(work, write=False)

    async def former_holders(self, session_ids: list[str]) -> dict[str, int]:
        """Per session, how many people a cancellation (or the session leaving the file) took a
        seat or a waiting-list place from: they get them back if it takes place again."""
        def work(conn):
            book = SeatBook(conn)
            counts = {session_id: len(book.cancelled_by(session_id, rules.SESSION_CANCELLED_REASON))
                      for session_id in session_ids}
            return {session_id: count for session_id, count in counts.items() if count}
        return await self._db.run(work, write=False)

    async def reminder_subjects(self, people: list[int] | None = None) -> list[Subject]:
        """Everything that can earn a reminder, for reachable attendees (all, or these people)."""
        def work(conn):
            subjects = []
            chunks = [()] if people is None else [tuple(people[i:i + 400]) for i in range(0, len(people), 400)]
            for chunk in chunks:  # () stands for everyone
                # The people's own rows (by the index on user_id): with only the conference to go
                # by, PostgreSQL read all of the conference's registrations for a few people
                # (0.2-0.7 s per call in a burst of 5,000 sign-ups, bench/profile_signup.py).
                marks = ",".join("?" * len(chunk))
                mine = (f"AND r.user_id IN ({marks})", f"AND b.user_id IN ({marks})") if chunk else ("", "")
                rows = conn.execute(
                    f"""SELECT r.user_id, r.session_id, r.state AS relation, r.updated_at AS since, a.reminder_minutes,
                               a.excursion_minutes
                        FROM registrations r JOIN attendees a ON a.user_id = r.user_id
                        WHERE r.conference_id = ? AND r.state IN ('confirmed', 'waitlisted') AND a.reachable = 1 {mine[0]}
                        UNION ALL
                        SELECT b.user_id, b.session_id, 'bookmark', b.created_at, a.reminder_minutes, a.excursion_minutes
                        FROM bookmarks b JOIN attendees a ON a.user_id = b.user_id
                        WHERE b.conference_id = ? AND a.reachable = 1 {mine[1]}""",
                    (conn.conference, *chunk, conn.conference, *chunk))
                subjects += [Subject(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4], row[5]) for row in rows]
            return subjects
        return await self._db.run(work, write=False)


def recipients(conn, audience: Audience, session_ids: tuple[str, ...]) -> list[int]:
    conference = conn.conference
    if audience.kind == "all":  # everyone of this conference
        rows = conn.execute("""SELECT a.user_id FROM participants p JOIN attendees a ON a.user_id = p.user_id
                               WHERE p.conference_id = ? AND a.reachable = 1 ORDER BY a.user_id""", (conference,))
    elif audience.kind == "bookmarked":
        rows = conn.execute(
            f"""SELECT DISTINCT b.user_id FROM bookmarks b JOIN attendees a ON a.user_id = b.user_id
                WHERE b.conference_id = ? AND a.reachable = 1 AND b.session_id IN ({','.join('?' * len(session_ids))})
                ORDER BY b.user_id""", (conference, *session_ids))
    else:
        state = "waitlisted" if audience.kind == "waitlisted" else "confirmed"
        rows = conn.execute(
            f"""SELECT DISTINCT r.user_id FROM registrations r JOIN attendees a ON a.user_id = r.user_id
                WHERE r.conference_id = ? AND a.reachable = 1 AND r.state = ?
                AND r.session_id IN ({','.join('?' * len(session_ids))}) ORDER BY r.user_id""",
            (conference, state, *session_ids))
    return [row[0] for row in rows]


def affected(conn, session_ids: list[str], everybody: list[str] = ()) -> dict[int, set[str]]:
    """Who holds a seat, a waitlist place or a bookmark in these sessions, and which; for the
    sessions in `everybody` (a plenary: everyone is there), every reachable attendee."""
    concerned: dict[int, set[str]] = {}
    if not session_ids:
        return concerned
    marks = ",".join("?" * len(session_ids))
    rows = conn.execute(
        f"""SELECT r.user_id, r.session_id FROM registrations r JOIN attendees a ON a.user_id = r.user_id
            WHERE r.conference_id = ? AND a.reachable = 1 AND r.state IN ('confirmed', 'waitlisted')
            AND r.session_id IN ({marks})
            UNION SELECT b.user_id, b.session_id FROM bookmarks b JOIN attendees a ON a.user_id = b.user_id
            WHERE b.conference_id = ? AND a.reachable = 1 AND b.session_id IN ({marks})""",
        (conn.conference, *session_ids, conn.conference, *session_ids))
    for user_id, session_id in rows:
        concerned.setdefault(user_id, set()).add(session_id)
    if everybody:  # everyone of this conference
        for (user_id,) in conn.execute("""SELECT a.user_id FROM participants p JOIN attendees a ON a.user_id = p.user_id
                                          WHERE p.conference_id = ? AND a.reachable = 1""", (conn.conference,)):
            concerned.setdefault(user_id, set()).update(everybody)
    return concerned
