"""Live program changes: overrides on top of program.yaml, and what changed for whom.

An override holds the absolute values in force for one session (start, end, room,
cancelled), so applying it twice changes nothing and a restart restores it exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from .program import MeetingPoint, Program, Session


@dataclass(frozen=True)
class Override:
    session_id: str
    start: datetime
    end: datetime
    room: str
    cancelled: bool


@dataclass(frozen=True)
class SessionState:
    """The parts of a session an attendee must know about when they change."""

    start: datetime
    end: datetime
    room: str
    cancelled: bool

    @classmethod
    def of(cls, session: Session) -> "SessionState":
        return cls(session.start, session.end, session.room, session.cancelled)

    def as_dict(self) -> dict:
        return {"start": self.start.timestamp(), "end": self.end.timestamp(), "room": self.room, "cancelled": self.cancelled}


@dataclass(frozen=True)
class Change:
    session_id: str
    before: SessionState | None  # None: the session is new
    after: SessionState | None  # None: the session was removed from the file (treated as cancelled)

    @property
    def restores(self) -> bool:
        """A cancelled session takes place again: its former seat holders get their seats back."""
        return self.before is not None and self.before.cancelled and self.after is not None and not self.after.cancelled

    def as_dict(self) -> dict:
        return {"session_id": self.session_id,
                "before": self.before.as_dict() if self.before else None,
                "after": self.after.as_dict() if self.after else None}


def apply_overrides(program: Program, overrides: list[Override]) -> Program:
    for override in overrides:
        session = program.session(override.session_id)
        if session is None:
            continue  # the file no longer has it: nothing to override
        program = program.replace_session(dataclasses.replace(
            session, start=override.start, end=override.end, room=override.room, cancelled=override.cancelled,
            meeting_point=_moved_with(session.meeting_point, override.start - session.start)))
    return program


def _moved_with(point: MeetingPoint | None, shift: timedelta) -> MeetingPoint | None:
    """A departure moves with its session: the bus of an excursion delayed by 10 minutes leaves
    10 minutes later too (its details and the bus reminder say so)."""
    if point is None or point.departure is None or not shift:
        return point
    return dataclasses.replace(point, departure=point.departure + shift)


def override_of(session: Session) -> Override:
    return Override(session.id, session.start, session.end, session.room, session.cancelled)


def delay(program: Program, session_id: str, minutes: int, following: bool = False) -> list[Override]:
    """Move a session by some minutes; with `following`, every later session in the same room too."""
    session = program.session(session_id)
    if session is None:
        return []
    shift = timedelta(minutes=minutes)
    moved = [session, *(later_in_room(program, session_id) if following else ())]
    return [Override(s.id, s.start + shift, s.end + shift, s.room, s.cancelled) for s in moved]


def change_room(program: Program, session_id: str, room: str) -> list[Override]:
    session = program.session(session_id)
    return [] if session is None else [dataclasses.replace(override_of(session), room=room)]


def cancel_session(program: Program, session_id: str) -> list[Override]:
    session = program.session(session_id)
    return [] if session is None else [dataclasses.replace(override_of(session), cancelled=True)]


def diff(old: Program, new: Program) -> list[Change]:
    """Sessions whose time, room or cancellation differ, matched by their stable ids."""
    changes = []
    for session in new.sessions:
        before = old.session(session.id)
        after_state = SessionState.of(session)
        if before is None:
            changes.append(Change(session.id, None, after_state))
        elif SessionState.of(before) != after_state:
            changes.append(Change(session.id, SessionState.of(before), after_state))
    for session in old.sessions:
        if new.session(session.id) is None and not session.cancelled:
            changes.append(Change(session.id, SessionState.of(session), None))
    return changes


def restore_session(program: Program, session_id: str) -> list[Override]:
    session = program.session(session_id)
    return [] if session is None else [dataclasses.replace(override_of(session), cancelled=False)]


def intent_overrides(program: Program, intent: dict) -> list[Override]:
    """What an organizer's intended change means for the program as it is now. Previews store
    the intent, not the absolute result, so a preview confirmed after another change can be
    recomputed instead of silently undoing that change."""
    session_id = str(intent.get("session", ""))
    operation = intent.get("op")
    if operation == "delay":
        return delay(program, session_id, int(intent.get("minutes", 0)), bool(intent.get("following")))
    if operation == "room":
        return change_room(program, session_id, str(intent.get("room", "")))
    if operation == "cancel":
        return cancel_session(program, session_id)
    if operation == "restore":
        return restore_session(program, session_id)
    return []


def later_in_room(program: Program, session_id: str) -> tuple[Session, ...]:
    """The sessions after this one in the same room on the same day (what "and all following"
    moves too): a delay in the afternoon does not move the next morning."""
    session = program.session(session_id)
    if session is None or not session.room:
        return ()
    day = program.day_of(session.start)
    return tuple(s for s in program.sessions if s.id != session.id and s.room.casefold() == session.room.casefold()
                 and s.start >= session.end and program.day_of(s.start) == day)


@dataclass(frozen=True)
class CapacityChange:
    session_id: str
    before: int | None
    after: int | None


def capacity_changes(old: Program, new: Program) -> list[CapacityChange]:
    found = []
    for session in new.sessions:
        before = old.session(session.id)
        if before is not None and before.capacity != session.capacity:
            found.append(CapacityChange(session.id, before.capacity, session.capacity))
    return found


def text_changes(old: Program, new: Program) -> list[str]:
    """Sessions in both whose other details (title, description, speakers …) differ."""
    found = []
    for session in new.sessions:
        before = old.session(session.id)
        if before is None:
            continue
        same_state = dataclasses.replace(before, start=session.start, end=session.end, room=session.room,
                                         cancelled=session.cancelled, capacity=session.capacity)
        if same_state != session:
            found.append(session.id)
    return found
