"""Registrations: seats and waitlist places, with their history. Every change goes through the
domain's sign-up rules (domain/signup.py), run on a `SeatBook` inside one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain import signup as rules
from ..domain.program import Program
from ..domain.signup import Outcome, Overbooking, Promotion, Registration
from ..domain.messages import Message
from .engine import Database, Transaction, iso as _iso
from .outbox import queue_message


@dataclass(frozen=True)
class MyRegistration:
    session_id: str
    state: str
    position: int | None


@dataclass(frozen=True)
class SessionCount:
    session_id: str
    confirmed: int
    waitlisted: int


@dataclass(frozen=True)
class ListedRegistration:
    session_id: str
    user_id: int
    name: str
    username: str | None
    state: str
    position: int | None
    created_at: str
    updated_at: str
    registered_as: str | None = None  # the name on the guest list, when the account is connected to a guest
    organization: str = ""  # the guest's organization, from the guest list


class SeatBook:
    """The registrations inside one open transaction, for the domain's sign-up rules.

    Every change of a registration goes through `save` in a serialized transaction, so what
    was read stays true until the commit: a person's registrations are read once per call, and
    a session's confirmed count once per batch of calls (the counts live in `conn.batch`,
    which the engine starts afresh for every attempt at a batch)."""

    def __init__(self, conn: Transaction, conference: str | None = None):
        self.conn = conn
        # the book of one conference (a session id is unique within it): the call's, or the one named
        self.conference = conn.conference if conference is None else conference
        self.enqueued = 0
        # What the batch knows, keyed by conference too (one batch may serve several conferences):
        # a person's registrations (read for all its people at once), confirmed seats per session,
        # and per session (waitlisted, an upper bound of their latest arrival) to place a newcomer.
        self._of_user: dict[tuple[str, int], dict[str, Registration]] = conn.batch.setdefault("registrations", {})
        self._confirmed: dict[tuple[str, str], int] = conn.batch.setdefault("confirmed", {})
        self._waiting: dict[tuple[str, str], tuple[int, int]] = conn.batch.setdefault("waiting", {})
        self._newcomer: tuple[str, int, int] | None = None  # (session, user, position) of the last save

    def _row(self, row) -> Registration:
        return Registration(row["session_id"], row["user_id"], row["state"], row["arrival"], row["switch_from"])

    def _user(self, user_id: int) -> dict[str, Registration]:
        conference = self.conference
        if (conference, user_id) not in self._of_user:
            wanted = sorted({user_id, *self.conn.batch.get("people", ())}
                            - {user for known, user in self._of_user if known == conference})[:500]
            for user in wanted:
                self._of_user[(conference, user)] = {}
            rows = self.conn.execute(
                f"""SELECT * FROM registrations WHERE conference_id = ? AND user_id IN ({','.join('?' * len(wanted))})
                    ORDER BY id""", (conference, *wanted))
            for row in rows:
                self._of_user[(conference, row["user_id"])][row["session_id"]] = self._row(row)
        return self._of_user[(conference, user_id)]

    def registration(self, session_id: str, user_id: int) -> Registration | None:
        return self._user(user_id).get(session_id)

    def registrations_of(self, user_id: int) -> list[Registration]:
        return list(self._user(user_id).values())

    def confirmed_count(self, session_id: str) -> int:
        key = (self.conference, session_id)
        if key not in self._confirmed:
            self._confirmed[key] = self.conn.execute(
                "SELECT COUNT(*) FROM registrations WHERE conference_id = ? AND session_id = ? AND state = 'confirmed'",
                key).fetchone()[0]
        return self._confirmed[key]

    def waitlist(self, session_id: str, limit: int | None = None) -> list[Registration]:
        rows = self.conn.execute(
            """SELECT * FROM registrations WHERE conference_id = ? AND session_id = ? AND state = 'waitlisted'
               ORDER BY arrival, id LIMIT ?""",
            (self.conference, session_id, self.conn.dialect.no_limit if limit is None else limit),
        )
        return [self._row(row) for row in rows]

    def waitlist_position(self, session_id: str, user_id: int) -> int | None:
        """Someone who just joined after everyone waiting is last in line; otherwise the
        position is counted in the database (a long waitlist is never read row by row)."""
        if self._newcomer is not None and self._newcomer[:2] == (session_id, user_id):
            return self._newcomer[2]
        row = self.conn.execute(
            """SELECT (SELECT COUNT(*) FROM registrations o WHERE o.conference_id = r.conference_id
                       AND o.session_id = r.session_id AND o.state = 'waitlisted'
                       AND (o.arrival < r.arrival OR (o.arrival = r.arrival AND o.id <= r.id)))
               FROM registrations r WHERE r.conference_id = ? AND r.session_id = ? AND r.user_id = ?
               AND r.state = 'waitlisted'""",
            (self.conference, session_id, user_id)).fetchone()
        return row[0] if row else None

    def save(self, registration: Registration, reason: str, now: datetime) -> None:
        previous = self.registration(registration.session_id, registration.user_id)
        self._user(registration.user_id)[registration.session_id] = registration
        self._count(registration, previous)
        stamp = _iso(now)
        with self.conn.pipeline():  # two writes, one round trip (PostgreSQL)
            self._write(registration, previous, reason, stamp)

    def _count(self, registration: Registration, previous: Registration | None) -> None:
        """Keep the cached counts true across a change of state."""
        session_id, old = registration.session_id, previous.state if previous else None
        key = (self.conference, session_id)
        if (old == rules.CONFIRMED) != (registration.state == rules.CONFIRMED) and key in self._confirmed:
            self._confirmed[key] += 1 if registration.state == rules.CONFIRMED else -1
        self._newcomer = None
        if registration.state == rules.WAITLISTED and old != rules.WAITLISTED:
            count, latest = self._waiting_now(session_id)
            if count == 0 or registration.arrival > latest:
                self._newcomer = (session_id, registration.user_id, count + 1)
            self._waiting[key] = (count + 1, max(latest, registration.arrival))
        elif old == rules.WAITLISTED and registration.state != rules.WAITLISTED and key in self._waiting:
            count, latest = self._waiting[key]
            self._waiting[key] = (count - 1, latest)  # still an upper bound

    def _waiting_now(self, session_id: str) -> tuple[int, int]:
        key = (self.conference, session_id)
        if key not in self._waiting:
            count, latest = self.conn.execute(
                """SELECT COUNT(*), MAX(arrival) FROM registrations
                   WHERE conference_id = ? AND session_id = ? AND state = 'waitlisted'""", key).fetchone()
            self._waiting[key] = (count, latest if latest is not None else 0)
        return self._waiting[key]

    def _write(self, registration: Registration, previous: Registration | None, reason: str, stamp: str) -> None:
        self.conn.execute(
            """INSERT INTO registrations (conference_id, session_id, user_id, state, arrival, switch_from, created_at,
                                          updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (conference_id, session_id, user_id) DO UPDATE SET
                   state = excluded.state, arrival = excluded.arrival,
                   switch_from = excluded.switch_from, updated_at = excluded.updated_at""",
            (self.conference, registration.session_id, registration.user_id, registration.state, registration.arrival,
             registration.switch_from, stamp, stamp),
        )
        self.conn.execute(
            """INSERT INTO registration_history (conference_id, session_id, user_id, old_state, new_state, reason, at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (self.conference, registration.session_id, registration.user_id, previous.state if previous else None,
             registration.state, reason, stamp),
        )

    def notify(self, user_id: int, message: Message, now: datetime) -> None:
        self.enqueued += queue_message(self.conn, user_id, message, now.timestamp(), now, conference=self.conference)

    def registrations_of_session(self, session_id: str) -> list[Registration]:
        rows = self.conn.execute("SELECT * FROM registrations WHERE conference_id = ? AND session_id = ? ORDER BY arrival, id",
                                 (self.conference, session_id))
        return [self._row(row) for row in rows]

    def cancelled_by(self, session_id: str, reason: str) -> list[rules.FormerRegistration]:
        """Registrations whose latest change was `reason`, with the state that change ended."""
        rows = self.conn.execute(
            """SELECT r.*, h.old_state FROM registrations r
               JOIN registration_history h ON h.id = (SELECT MAX(id) FROM registration_history
                                                      WHERE conference_id = r.conference_id
                                                      AND session_id = r.session_id AND user_id = r.user_id)
               WHERE r.conference_id = ? AND r.session_id = ? AND r.state = 'cancelled' AND h.reason = ?
               ORDER BY r.arrival, r.id""", (self.conference, session_id, reason))
        return [rules.FormerRegistration(self._row(row), row["old_state"]) for row in rows]


class Registrations:
    def __init__(self, db: Database):
        self._db = db

    async def _rules(self, rule, person: int | None = None):
        """Run one of the domain's sign-up rules on the book, serialized, in one transaction."""
        return await self._db.run(lambda conn: rule(SeatBook(conn)), person=person)

    async def sign_up(self, program: Program, session_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
        return await self._rules(lambda book: rules.sign_up(book, program, session_id, user_id, arrival, now), person=user_id)

    async def join_waitlist(self, program: Program, session_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
        return await self._rules(lambda book: rules.join_waitlist(book, program, session_id, user_id, arrival, now), person=user_id)

    async def switch(self, program: Program, from_id: str, to_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
        return await self._rules(lambda book: rules.switch(book, program, from_id, to_id, user_id, arrival, now), person=user_id)

    async def cancel(self, program: Program, session_id: str, user_id: int, now: datetime,
                     only_waiting: bool = False) -> Outcome:
        return await self._rules(lambda book: rules.cancel(book, program, session_id, user_id, now,
                                                           only_waiting=only_waiting), person=user_id)

    async def reconcile_capacities(self, program: Program, now: datetime) -> tuple[list[Promotion], list[Overbooking]]:
        return await self._rules(lambda book: rules.reconcile_capacities(book, program, now))

    async def get(self, session_id: str, user_id: int) -> MyRegistration | None:
        def work(conn):
            book = SeatBook(conn)
            found = book.registration(session_id, user_id)
            if found is None or found.state == rules.CANCELLED:
                return None
            position = rules.waitlist_position(book, session_id, user_id) if found.state == rules.WAITLISTED else None
            return MyRegistration(session_id, found.state, position)
        return await self._db.run(work, write=False)

    async def of_person(self, user_id: int) -> list[MyRegistration]:
        """My seats and waitlist places, each waitlist place with its current position."""
        def work(conn):
            rows = conn.execute(
                """SELECT r.session_id, r.state,
                          CASE WHEN r.state = 'waitlisted' THEN
                              (SELECT COUNT(*) FROM registrations o WHERE o.conference_id = r.conference_id
                               AND o.session_id = r.session_id AND o.state = 'waitlisted'
                               AND (o.arrival < r.arrival OR (o.arrival = r.arrival AND o.id <= r.id)))
                          END AS position
                   FROM registrations r WHERE r.conference_id = ? AND r.user_id = ? AND r.state != 'cancelled'""",
                (conn.conference, user_id),
            )
            return [MyRegistration(row["session_id"], row["state"], row["position"]) for row in rows]
        return await self._db.run(work, write=False)

    async def counts(self) -> dict[str, SessionCount]:
        def work(conn):
            rows = conn.execute(
                """SELECT session_id, COUNT(CASE WHEN state = 'confirmed' THEN 1 END) AS confirmed,
                          COUNT(CASE WHEN state = 'waitlisted' THEN 1 END) AS waitlisted
                   FROM registrations WHERE conference_id = ? GROUP BY session_id""", (conn.conference,))
            return {row["session_id"]: SessionCount(row["session_id"], row["confirmed"], row["waitlisted"]) for row in rows}
        return await self._db.run(work, write=False)

    async def confirmed_count(self, session_id: str) -> int:
        return await self._db.run(lambda conn: SeatBook(conn).confirmed_count(session_id), write=False)

    async def listed(self, session_id: str | None = None) -> list[ListedRegistration]:
        """Every live registration, by session, confirmed first, then the waitlist in order; with
        the name and organization the conference's guest list gives, where the account is a guest's."""
        def work(conn):
            rows = conn.execute(
                f"""SELECT r.*, a.first_name, a.last_name, a.username, g.name AS guest_name, g.organization,
                          ROW_NUMBER() OVER (PARTITION BY r.session_id, r.state ORDER BY r.arrival, r.id) AS rank
                   FROM registrations r JOIN attendees a ON a.user_id = r.user_id
                   LEFT JOIN guests g ON g.user_id = r.user_id AND g.conference_id = r.conference_id
                   WHERE r.conference_id = ? AND r.state != 'cancelled' {"AND r.session_id = ?" if session_id else ""}
                   ORDER BY r.session_id, r.state = 'waitlisted', r.arrival, r.id""",
                (conn.conference, session_id) if session_id else (conn.conference,),
            )
            return [
                ListedRegistration(
                    session_id=row["session_id"], user_id=row["user_id"],
                    name=f"{row['first_name']} {row['last_name']}".strip() or (row["username"] or str(row["user_id"])),
                    username=row["username"], state=row["state"],
                    position=row["rank"] if row["state"] == rules.WAITLISTED else None,
                    created_at=row["created_at"], updated_at=row["updated_at"],
                    registered_as=row["guest_name"], organization=row["organization"] or "",
                )
                for row in rows
            ]
        return await self._db.run(work, write=False)
