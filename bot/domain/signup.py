"""Sign-up rules for sessions with limited seats: capacity, waitlist, safe switching.

The rules run against a `SeatBook`, the registrations as seen inside one storage
transaction. Storage supplies the book and commits or rolls back around a rule, so
every rule here is atomic and sees no concurrent change.

Invariants the rules keep:
- a session never has more confirmed seats than its capacity (unless an organizer
  lowered the capacity afterwards: then nobody is dropped, and no one new gets in);
- an attendee holds at most one confirmed seat among sessions that overlap in time;
- the waitlist is served in the order the bot received the taps (`arrival`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Iterator, Protocol

from .messages import Message, Promoted
from .program import Program, Session, Text

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Registration:
    session_id: str
    user_id: int
    state: str
    arrival: int
    switch_from: str | None = None  # waitlisted while holding a seat in this overlapping session


class SeatBook(Protocol):
    def registration(self, session_id: str, user_id: int) -> Registration | None: ...
    def registrations_of(self, user_id: int) -> list[Registration]: ...
    def confirmed_count(self, session_id: str) -> int: ...
    def waitlist(self, session_id: str, limit: int | None = None) -> list[Registration]: ...
    def waitlist_position(self, session_id: str, user_id: int) -> int | None: ...
    def save(self, registration: Registration, reason: str, now: datetime) -> None: ...
    def notify(self, user_id: int, message: Message, now: datetime) -> None: ...
    def registrations_of_session(self, session_id: str) -> list[Registration]: ...
    def cancelled_by(self, session_id: str, reason: str) -> list["FormerRegistration"]: ...


class Status(str, Enum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    ALREADY_CONFIRMED = "already_confirmed"
    ALREADY_WAITLISTED = "already_waitlisted"
    CONFLICT = "conflict"  # holds a seat in an overlapping session: offer to switch
    SWITCHED = "switched"
    SWITCH_FULL = "switch_full"  # kept the old seat; may join the waitlist of the new one
    CANCELLED = "cancelled"
    LEFT_WAITLIST = "left_waitlist"
    NOT_REGISTERED = "not_registered"
    UNKNOWN_SESSION = "unknown_session"
    NO_SIGNUP = "no_signup"
    SESSION_CANCELLED = "session_cancelled"
    CLOSED = "closed"  # the session has started
    DEPARTED = "departed"  # the excursion's bus has left (its departure may come before the start)
    MOVED_UP = "moved_up"  # asked to leave the waitlist, but has moved up meanwhile: the seat is kept
    NOT_A_GUEST = "not_a_guest"  # the conference is for its guests only, and this person is not one


@dataclass(frozen=True)
class Promotion:
    session_id: str
    user_id: int
    released: str | None = None  # the overlapping seat given up for this one


@dataclass(frozen=True)
class Outcome:
    status: Status
    session_id: str
    position: int | None = None  # waitlist position, 1-based
    other_session_id: str | None = None  # conflict or switch partner
    promotions: tuple[Promotion, ...] = field(default_factory=tuple)
    departed: Text | None = None  # UNKNOWN_SESSION: the title of a session that left the program


def waitlist_position(book: SeatBook, session_id: str, user_id: int) -> int | None:
    return book.waitlist_position(session_id, user_id)


def closed(session: Session, now: datetime) -> Status | None:
    """Why seats of this session can no longer change, or None while they can: from the moment
    it begins (Session.begins: the bus's departure, else the start) the list at the door or
    on the bus stays as it is."""
    if now < session.begins:
        return None
    return Status.DEPARTED if session.departure is not None else Status.CLOSED


def _check_open(program: Program, session_id: str, now: datetime) -> tuple[Session | None, Status | None]:
    session = program.session(session_id)
    if session is None:
        return None, Status.UNKNOWN_SESSION
    if session.cancelled:
        return session, Status.SESSION_CANCELLED
    if session.capacity is None:
        return session, Status.NO_SIGNUP
    return session, closed(session, now)


def _has_free_seat(book: SeatBook, session: Session) -> bool:
    return book.confirmed_count(session.id) < (session.capacity or 0)


def _conflicting_seat(book: SeatBook, program: Program, session: Session, user_id: int) -> Registration | None:
    for registration in book.registrations_of(user_id):
        other = program.session(registration.session_id)
        if registration.state == CONFIRMED and other is not None and not other.cancelled and other.overlaps(session):
            return registration
    return None


def _already(book: SeatBook, session_id: str, user_id: int) -> Outcome | None:
    """Signing up twice changes nothing, and says where the attendee stands."""
    current = book.registration(session_id, user_id)
    if current and current.state == CONFIRMED:
        return Outcome(Status.ALREADY_CONFIRMED, session_id)
    if current and current.state == WAITLISTED:
        return Outcome(Status.ALREADY_WAITLISTED, session_id, waitlist_position(book, session_id, user_id))
    return None


def _take_seat(book: SeatBook, session_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
    book.save(Registration(session_id, user_id, CONFIRMED, arrival), "signup", now)
    return Outcome(Status.CONFIRMED, session_id)


def _new_request(book: SeatBook, program: Program, session_id: str, user_id: int,
                 now: datetime) -> tuple[Session | None, Outcome | None]:
    """The session if a new sign-up for it can go ahead; else the answer that ends the matter."""
    session, refusal = _check_open(program, session_id, now)
    if refusal:
        return None, Outcome(refusal, session_id)
    return session, _already(book, session_id, user_id)


def sign_up(book: SeatBook, program: Program, session_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
    """Take a seat, or a place on the waitlist when the session is full."""
    session, answer = _new_request(book, program, session_id, user_id, now)
    if answer or session is None:
        return answer  # type: ignore[return-value]
    conflict = _conflicting_seat(book, program, session, user_id)
    if conflict and not _has_free_seat(book, session):
        # Full first: a switch would only end on the waiting list, so that is what is offered
        # (keeping the seat held), not a "switch?" that then says it is full.
        return Outcome(Status.SWITCH_FULL, session_id, other_session_id=conflict.session_id)
    if conflict:
        return Outcome(Status.CONFLICT, session_id, other_session_id=conflict.session_id)
    if _has_free_seat(book, session):
        return _take_seat(book, session_id, user_id, arrival, now)
    return _wait(book, session_id, user_id, arrival, now, switch_from=None)


def join_waitlist(book: SeatBook, program: Program, session_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
    """Queue for a full session while keeping an overlapping seat (offered after a failed switch)."""
    session, answer = _new_request(book, program, session_id, user_id, now)
    if answer or session is None:
        return answer  # type: ignore[return-value]
    conflict = _conflicting_seat(book, program, session, user_id)
    if _has_free_seat(book, session) and not conflict:
        return _take_seat(book, session_id, user_id, arrival, now)
    if _has_free_seat(book, session) and conflict:
        return switch(book, program, conflict.session_id, session_id, user_id, arrival, now)
    return _wait(book, session_id, user_id, arrival, now, conflict.session_id if conflict else None)


def _wait(book: SeatBook, session_id: str, user_id: int, arrival: int, now: datetime, switch_from: str | None) -> Outcome:
    book.save(Registration(session_id, user_id, WAITLISTED, arrival, switch_from), "waitlist", now)
    return Outcome(Status.WAITLISTED, session_id, waitlist_position(book, session_id, user_id), switch_from)


def switch(book: SeatBook, program: Program, from_id: str, to_id: str, user_id: int, arrival: int, now: datetime) -> Outcome:
    """Move from one seat to an overlapping session: the new seat is taken before the old one is
    released, and a full target leaves the old seat untouched."""
    target, refusal = _check_open(program, to_id, now)
    if refusal:
        return Outcome(refusal, to_id)
    assert target is not None
    current = book.registration(to_id, user_id)
    if current and current.state == CONFIRMED:
        return Outcome(Status.ALREADY_CONFIRMED, to_id)
    held = book.registration(from_id, user_id)
    if held is None or held.state != CONFIRMED:
        return sign_up(book, program, to_id, user_id, arrival, now)  # nothing to switch from any more
    if not _has_free_seat(book, target):
        position = waitlist_position(book, to_id, user_id) if current and current.state == WAITLISTED else None
        return Outcome(Status.SWITCH_FULL, to_id, position, other_session_id=from_id)
    book.save(Registration(to_id, user_id, CONFIRMED, arrival), "switch", now)
    book.save(replace(held, state=CANCELLED, switch_from=None), f"switched to {to_id}", now)
    promotions = promote(book, program, from_id, now)
    return Outcome(Status.SWITCHED, to_id, other_session_id=from_id, promotions=tuple(promotions))


def cancel(book: SeatBook, program: Program, session_id: str, user_id: int, now: datetime, reason: str = "cancel",
           only_waiting: bool = False) -> Outcome:
    """Give up a seat or a waitlist place; a freed seat goes to the first on the waitlist at once.
    `only_waiting`: a waitlist place only (a "leave the waiting list" button tapped after its
    owner moved up must not give the seat away)."""
    current = book.registration(session_id, user_id)
    if current is None or current.state == CANCELLED:
        return Outcome(Status.NOT_REGISTERED, session_id)
    if only_waiting and current.state == CONFIRMED:
        return Outcome(Status.MOVED_UP, session_id)
    book.save(replace(current, state=CANCELLED, switch_from=None), reason, now)
    if current.state == WAITLISTED:
        return Outcome(Status.LEFT_WAITLIST, session_id)
    promotions = promote(book, program, session_id, now)
    return Outcome(Status.CANCELLED, session_id, promotions=tuple(promotions))


def promote(book: SeatBook, program: Program, session_id: str, now: datetime) -> list[Promotion]:
    """Fill free seats from the waitlist, in arrival order. A promoted attendee who queued to
    move from an overlapping seat gives that one up, which may free a seat elsewhere: the work
    list follows that chain until no seat is free. One who holds an overlapping seat they never
    offered to give up (signed up for it later, or a delay made the two overlap) is passed over
    and keeps their place in line: a seat is never taken from anyone without their word."""
    promotions: list[Promotion] = []
    pending = [session_id]
    while pending:
        session = program.session(pending.pop(0))
        if session is None or session.cancelled or session.capacity is None or closed(session, now):
            continue
        while _has_free_seat(book, session):
            head = _next_in_line(book, program, session)
            if head is None:
                break
            book.save(replace(head, state=CONFIRMED, switch_from=None), "promoted", now)
            released = _release_overlapping(book, program, session, head.user_id, now)
            promotions.append(Promotion(session.id, head.user_id, released))
            book.notify(head.user_id, Promoted(session.id, released, head.arrival), now)
            if released:
                pending.append(released)
    return promotions


def _next_in_line(book: SeatBook, program: Program, session: Session) -> Registration | None:
    """The first on the waitlist who may take a seat now: holding no overlapping seat, or only
    the one they queued to move from."""
    for waiting in _in_line(book, session.id):
        conflict = _conflicting_seat(book, program, session, waiting.user_id)
        if conflict is None or conflict.session_id == waiting.switch_from:
            return waiting
    return None


def _in_line(book: SeatBook, session_id: str) -> Iterator[Registration]:
    """The waitlist in order; usually the first may take the seat, and no more is read."""
    head = book.waitlist(session_id, limit=1)
    yield from head
    if head:
        yield from book.waitlist(session_id)[1:]


def _release_overlapping(book: SeatBook, program: Program, session: Session, user_id: int, now: datetime) -> str | None:
    released = None
    for registration in book.registrations_of(user_id):
        other = program.session(registration.session_id)
        if registration.state == CONFIRMED and other is not None and other.overlaps(session):
            book.save(replace(registration, state=CANCELLED), f"moved to {session.id}", now)
            released = registration.session_id
    return released


@dataclass(frozen=True)
class Overbooking:
    session_id: str
    confirmed: int
    capacity: int


def reconcile_capacities(book: SeatBook, program: Program, now: datetime) -> tuple[list[Promotion], list[Overbooking]]:
    """After a program reload: raised capacities promote from the waitlist; lowered ones keep
    everybody and are reported to the organizer as overbooked."""
    promotions: list[Promotion] = []
    overbooked: list[Overbooking] = []
    for session in program.signup_sessions():
        confirmed = book.confirmed_count(session.id)
        if confirmed > (session.capacity or 0):
            overbooked.append(Overbooking(session.id, confirmed, session.capacity or 0))
        else:
            promotions.extend(promote(book, program, session.id, now))
    return promotions, overbooked


SESSION_CANCELLED_REASON = "session cancelled"


def release_cancelled(book: SeatBook, session_id: str, now: datetime) -> list[Registration]:
    """A session was cancelled: its seats and waitlist places end (the history keeps them, with
    their arrival, so a restore can give them back in order). Returns the registrations ended."""
    ended = []
    for registration in book.registrations_of_session(session_id):
        if registration.state in (CONFIRMED, WAITLISTED):
            book.save(replace(registration, state=CANCELLED, switch_from=None), SESSION_CANCELLED_REASON, now)
            ended.append(registration)
    return ended


@dataclass(frozen=True)
class Restored:
    confirmed: tuple[int, ...] = ()
    waitlisted: tuple[int, ...] = ()
    elsewhere: tuple[int, ...] = ()  # hold an overlapping seat now: told, not moved


def restore_cancelled(book: SeatBook, program: Program, session_id: str, now: datetime) -> Restored:
    """A cancelled session takes place after all: the people whose seats or waitlist places the
    cancellation ended get them back in their original order while seats last; the rest are
    waitlisted. Someone who took an overlapping seat meanwhile keeps it and is only told."""
    session = program.session(session_id)
    if session is None or session.cancelled:
        return Restored()
    former = list(book.cancelled_by(session_id, SESSION_CANCELLED_REASON))
    former.sort(key=lambda r: (r.state_before != CONFIRMED, r.registration.arrival))
    confirmed, waitlisted, elsewhere = [], [], []
    for item in former:
        registration = item.registration
        if _conflicting_seat(book, program, session, registration.user_id):
            elsewhere.append(registration.user_id)
        elif item.state_before == CONFIRMED and session.capacity is not None and _has_free_seat(book, session):
            book.save(replace(registration, state=CONFIRMED, switch_from=None), "session restored", now)
            confirmed.append(registration.user_id)
        else:
            book.save(replace(registration, state=WAITLISTED, switch_from=None), "session restored", now)
            waitlisted.append(registration.user_id)
    return Restored(tuple(confirmed), tuple(waitlisted), tuple(elsewhere))


@dataclass(frozen=True)
class FormerRegistration:
    registration: Registration  # as it is now (cancelled), with its original arrival
    state_before: str  # what the cancellation ended: confirmed or waitlisted
