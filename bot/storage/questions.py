"""Questions to the panel, with one vote per attendee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .engine import Database, iso as _iso


@dataclass(frozen=True)
class Question:
    id: int
    session_id: str
    user_id: int | None
    text: str
    show_name: bool  # the asker chose to show their first name
    state: str  # open, answered, hidden
    created_at: str
    votes: int = 0  # counted by of_session(); get() leaves it 0
    first_name: str | None = None  # the asker's, from of_session(); shown only with show_name


class Questions:
    def __init__(self, db: Database):
        self._db = db

    async def add(self, session_id: str, user_id: int, text: str, now: datetime) -> int:
        return await self._db.run(lambda conn: conn.insert(
            "INSERT INTO questions (conference_id, session_id, user_id, text, created_at) VALUES (?, ?, ?, ?, ?)",
            (conn.conference, session_id, user_id, text, _iso(now))))

    async def get(self, question_id: int) -> Question | None:
        def work(conn):
            row = conn.execute("SELECT * FROM questions WHERE id = ? AND conference_id = ?",
                               (question_id, conn.conference)).fetchone()
            return _question(row) if row else None
        return await self._db.run(work, write=False)

    async def of_session(self, session_id: str, include_hidden: bool = False) -> list[Question]:
        """Ranked by votes, then by age; with the asker's first name where they chose to show it."""
        def work(conn):
            hidden = "" if include_hidden else "AND q.state != 'hidden'"
            rows = conn.execute(
                f"""SELECT q.*, a.first_name, (SELECT COUNT(*) FROM question_votes v WHERE v.question_id = q.id) AS votes
                    FROM questions q LEFT JOIN attendees a ON a.user_id = q.user_id
                    WHERE q.conference_id = ? AND q.session_id = ? {hidden}
                    ORDER BY q.state = 'answered', votes DESC, q.id""", (conn.conference, session_id))
            return [_question(row, votes=row["votes"], first_name=row["first_name"]) for row in rows]
        return await self._db.run(work, write=False)

    async def vote(self, question_id: int, user_id: int) -> bool:
        """One vote per attendee and question, however often and fast they tap."""
        def work(conn):
            if conn.execute("SELECT 1 FROM questions WHERE id = ? AND conference_id = ? AND state = 'open'",
                            (question_id, conn.conference)).fetchone() is None:
                return False
            return conn.execute("INSERT INTO question_votes (question_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                (question_id, user_id)).rowcount == 1
        return await self._db.run(work)

    async def set_state(self, question_id: int, state: str) -> bool:
        """Open, answered or hidden (a moderator's choice)."""
        return await self._db.run(lambda conn: conn.execute(
            "UPDATE questions SET state = ? WHERE id = ? AND conference_id = ?",
            (state, question_id, conn.conference)).rowcount == 1)

    async def show_name(self, question_id: int) -> bool:
        """The asker chose to show their first name with their question."""
        return await self._db.run(lambda conn: conn.execute(
            "UPDATE questions SET show_name = 1 WHERE id = ? AND conference_id = ?",
            (question_id, conn.conference)).rowcount == 1)


def _question(row, **counted) -> Question:
    return Question(id=row["id"], session_id=row["session_id"], user_id=row["user_id"], text=row["text"],
                    show_name=bool(row["show_name"]), state=row["state"], created_at=row["created_at"], **counted)
