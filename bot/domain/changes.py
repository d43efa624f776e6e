"""Live program changes: overrides on top of program.yaml, and what changed for whom.

An override holds the values the organizer set in the chat for one session (start, end, room,
cancelled), so applying it twice changes nothing and a restart restores it exactly, and what the
program file (or the schedule it links, e.g. pretalx) said of that session when the change was
made (`against`). Only what the chat changed wins over the file: a room changed in the chat
keeps the file's new time, and a delay is a shift from the time the file had then. When the
file later contradicts a change the chat made (the source moved, re-roomed or cancelled that
session), that is a `Conflict`, and the organizer chooses how to resolve it (`resolve`): keep
the chat's change, take the source's, or apply the delay on top of the source's new time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from .program import EMPTY_TEXT, MeetingPoint, Program, Session, Text


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
class Override:
    session_id: str
    start: datetime
    end: datetime
    room: str
    cancelled: bool
    against: SessionState | None = None  # the file's session when the change was made (None: as it is now)

    def changes_time(self, against: SessionState) -> bool:
        return (self.start, self.end) != (against.start, against.end)

    def changes_room(self, against: SessionState) -> bool:
        return self.room != against.room

    def changes_cancellation(self, against: SessionState) -> bool:
        return self.cancelled != against.cancelled

    def changes_anything(self, against: SessionState) -> bool:
        return self.changes_time(against) or self.changes_room(against) or self.changes_cancellation(against)


@dataclass(frozen=True)
class Change:
    session_id: str
    before: SessionState | None  # None: the session is new (or back in the file)
    after: SessionState | None  # None: the session was removed from the file (treated as cancelled)
    title: Text = EMPTY_TEXT  # its title, for notices about a session that is no longer in the program

    @property
    def restores(self) -> bool:
        """A cancelled session takes place again: its former seat holders get their seats back.
        One that comes back into the file may have had seats too (storage knows)."""
        return self.after is not None and not self.after.cancelled and (self.before is None or self.before.cancelled)

    def as_dict(self) -> dict:
        return {"session_id": self.session_id,
                "before": self.before.as_dict() if self.before else None,
                "after": self.after.as_dict() if self.after else None,
                "title": dict(self.title.values)}


def apply_overrides(program: Program, overrides: list[Override]) -> Program:
    """The program with the chat's changes on top: of each session, what the chat changed (time,
    room, cancellation) wins, everything else is the file's."""
    for override in overrides:
        session = program.session(override.session_id)
        if session is None:
            continue  # the file no longer has it: the change waits, dormant, until it is back
        against = override.against or SessionState.of(session)
        start, end = (override.start, override.end) if override.changes_time(against) else (session.start, session.end)
        program = program.replace_session(dataclasses.replace(
            session, start=start, end=end, planned_start=session.start if start != session.start else None,
            room=override.room if override.changes_room(against) else session.room,
            cancelled=override.cancelled if override.changes_cancellation(against) else session.cancelled,
            meeting_point=_moved_with(session.meeting_point, start - session.start)))
    return program


def anchored(overrides: list[Override], base: Program) -> list[Override]:
    """Changes made now in the chat, each with what the file says of its session now."""
    return [dataclasses.replace(o, against=SessionState.of(session)) if (session := base.session(o.session_id)) else o
            for o in overrides]


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
            changes.append(Change(session.id, None, after_state, session.title))
        elif SessionState.of(before) != after_state:
            changes.append(Change(session.id, SessionState.of(before), after_state, session.title))
    for session in old.sessions:
        if new.session(session.id) is None and not session.cancelled:
            changes.append(Change(session.id, SessionState.of(session), None, session.title))
    return changes


def new_clashes(before: Program, after: Program, changed: list[str], held: set[str]) -> list[tuple[str, str]]:
    """(changed session, other session) of someone's `held` sessions that overlap after a change
    and did not before: both take place, and a change moved one into the other."""
    found = []
    for session_id in changed:
        moved, was = after.session(session_id), before.session(session_id)
        if session_id not in held or moved is None or moved.cancelled:
            continue
        for other_id in sorted(held - {session_id}):
            other, other_was = after.session(other_id), before.session(other_id)
            if other is None or other.cancelled or not moved.overlaps(other):
                continue
            if was is None or other_was is None or not was.overlaps(other_was):
                found.append((session_id, other_id))
    return found


# --- the file re-released under the chat's changes ------------------------------------------------------

KEEP, SOURCE, SHIFT = "keep", "source", "shift"  # how a conflict is resolved


@dataclass(frozen=True)
class Conflict:
    """A change made in the chat that the re-released file contradicts: it moved, re-roomed,
    cancelled or dropped a session whose time, room or cancellation the chat had changed."""

    override: Override
    against: SessionState  # what the file said when the chat's change was made
    source: SessionState | None  # what it says now (None: the session left it)
    time: bool = False  # the file moved a session the chat had moved
    room: bool = False
    cancellation: bool = False

    @property
    def session_id(self) -> str:
        return self.override.session_id

    @property
    def shift(self) -> timedelta:
        """The chat's delay: how far it moved the session from where the file had it."""
        return self.override.start - self.against.start


def conflicts(overrides: list[Override], old_base: Program, new_base: Program) -> list[Conflict]:
    """The chat's changes the new file contradicts. What the file changed and the chat did not
    (a new time under a room changed in the chat) is no conflict: it simply applies."""
    found = []
    for override in overrides:
        old = old_base.session(override.session_id)
        against = override.against or (SessionState.of(old) if old is not None else None)
        if against is None or not override.changes_anything(against):
            continue
        new = new_base.session(override.session_id)
        if new is None:
            if old is not None:  # it left the file just now (a dormant change is no news)
                found.append(Conflict(override, against, None))
            continue
        source = SessionState.of(new)
        conflict = Conflict(override, against, source,
                            time=override.changes_time(against) and (source.start, source.end) != (against.start, against.end),
                            room=override.changes_room(against) and source.room != against.room,
                            cancellation=override.changes_cancellation(against) and source.cancelled != against.cancelled)
        if conflict.time or conflict.room or conflict.cancellation:
            found.append(conflict)
    return found


def resolve(found: list[Conflict], choice: str) -> tuple[list[Override], list[str]]:
    """The chat's changes after the organizer's choice, anchored to the new file: (overrides to
    store, sessions whose chat change ends). KEEP: the chat's values stay. SOURCE: the file's
    values replace what they contradict (what the chat changed besides stays). SHIFT: the chat's
    delay moves the file's new time by as much; rooms and cancellations as KEEP. A session that
    left the file keeps its change, dormant, whatever the choice."""
    kept, ended = [], []
    for conflict in found:
        override, source = conflict.override, conflict.source
        if source is None:
            kept.append(override)
            continue
        if choice == SOURCE:
            resolved = dataclasses.replace(
                override, against=source,
                start=source.start if conflict.time else override.start, end=source.end if conflict.time else override.end,
                room=source.room if conflict.room else override.room,
                cancelled=source.cancelled if conflict.cancellation else override.cancelled)
        elif choice == SHIFT and conflict.time:
            resolved = dataclasses.replace(override, against=source, start=source.start + conflict.shift,
                                           end=source.end + conflict.shift)
        else:
            resolved = dataclasses.replace(override, against=source)
        if choice == SOURCE and not _still_changes(resolved, conflict):
            ended.append(override.session_id)
        else:
            kept.append(_re_anchored(resolved, conflict))
    return kept, ended


def _still_changes(resolved: Override, conflict: Conflict) -> bool:
    """Whether anything the chat changed is left once the file's values were taken."""
    against = conflict.against
    return ((resolved.start, resolved.end) != (conflict.source.start, conflict.source.end) and resolved.changes_time(against)) \
        or (resolved.room != conflict.source.room and resolved.changes_room(against)) \
        or (resolved.cancelled != conflict.source.cancelled and resolved.changes_cancellation(against))


def _re_anchored(resolved: Override, conflict: Conflict) -> Override:
    """Anchored to the new file: a field the chat did not change (or whose change was just
    given up) follows the file from now on."""
    source, against = conflict.source, conflict.against
    start, end = (resolved.start, resolved.end) if resolved.changes_time(against) and \
        (resolved.start, resolved.end) != (source.start, source.end) else (source.start, source.end)
    room = resolved.room if resolved.changes_room(against) and resolved.room != source.room else source.room
    cancelled = resolved.cancelled if resolved.changes_cancellation(against) else source.cancelled
    return dataclasses.replace(resolved, start=start, end=end, room=room, cancelled=cancelled, against=source)


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
                                         cancelled=session.cancelled, capacity=session.capacity,
                                         planned_start=session.planned_start, meeting_point=session.meeting_point)
        if same_state != session:
            found.append(session.id)
    return found
