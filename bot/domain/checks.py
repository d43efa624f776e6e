"""The checks a program must pass, whether it comes from the file or from a change made in the
chat: every session inside the conference, ending after it starts, and no room used by two
sessions at once. The loader reports every finding as a problem of the file; a live change
reports only what it newly causes, so a file that was fine stays changeable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .program import Conference, Program, Session

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    code: str  # "outside_conference" | "end_before_start" | "room_clash"
    severity: str  # "error" | "warning"
    session_id: str
    other_session_id: str | None = None  # for room_clash
    room: str = ""  # for room_clash

    @property
    def key(self) -> tuple:
        """The same problem, whichever of the two sessions it is reported for."""
        pair = tuple(sorted((self.session_id, self.other_session_id or "")))
        return (self.code, pair)


def _room_key(session: Session) -> str:
    return session.room.strip().casefold()


def _session_findings(session: Session, conference: Conference | None) -> list[Finding]:
    found = []
    if session.end <= session.start:
        found.append(Finding("end_before_start", ERROR, session.id))
    if conference is not None and (session.start < conference.start or session.end > conference.end):
        found.append(Finding("outside_conference", ERROR, session.id))
    return found


def _room_clashes(sessions: Sequence[Session]) -> list[Finding]:
    """Each pair of non-cancelled sessions that use one room (ignoring case and blanks) at once,
    reported once, for the one that starts later."""
    by_room: dict[str, list[Session]] = {}
    for session in sessions:
        if not session.cancelled and _room_key(session):
            by_room.setdefault(_room_key(session), []).append(session)
    found = []
    for in_room in by_room.values():
        in_room = sorted(in_room, key=lambda s: (s.start, s.end))  # stable: file order among equals
        for index, first in enumerate(in_room):
            for second in in_room[index + 1:]:
                if second.start >= first.end:
                    break  # sorted by start: every later one starts after `first` has ended too
                if second.end > second.start:  # an empty or reversed session is reported as such
                    found.append(Finding("room_clash", ERROR, second.id, first.id, second.room))
    return found


def check_sessions(sessions: Sequence[Session], conference: Conference | None = None) -> list[Finding]:
    """Every finding among these sessions (all errors), in their order; whether they lie inside
    the conference only when one is given. The loader uses this while the conference itself
    may still be broken, so that one run names every problem of a file."""
    found = []
    for session in sessions:
        found.extend(_session_findings(session, conference))
    found.extend(_room_clashes(sessions))
    order: dict[str, int] = {}
    for index, session in enumerate(sessions):
        order.setdefault(session.id, index)
    return sorted(found, key=lambda f: (order.get(f.session_id, 0), f.code, order.get(f.other_session_id or "", -1)))


def check_program(program: Program) -> list[Finding]:
    """Every finding in a whole program (all errors), in program order."""
    return check_sessions(program.sessions, program.conference)


def _state(session: Session | None) -> tuple | None:
    return None if session is None else (session.start, session.end, _room_key(session), session.cancelled)


def check_change(before: Program, after: Program) -> list[Finding]:
    """What a change newly causes (not already a finding of `before`), for the sessions whose
    start, end, room or cancellation it changes. A room clash is an error when such a session's
    room changed (or it came back from a cancellation) and a warning when only its time moved:
    an organizer may go ahead with a delay that creates an overlap. Errors first, then by
    session id."""
    changed = {s.id for s in after.sessions if _state(before.session(s.id)) != _state(s)}
    if not changed:
        return []
    existing = {f.key for f in check_program(before)}
    found: list[Finding] = []
    for finding in check_program(after):
        involved = {finding.session_id, finding.other_session_id} & changed
        if not involved or finding.key in existing:
            continue
        severity = ERROR
        if finding.code == "room_clash" and not any(_room_moved(before, after, sid) for sid in involved):
            severity = WARNING
        if finding.code == "outside_conference" and _runs_over(after, finding.session_id):
            severity = WARNING  # a late bus or a long get-together: the organizer may let it run over
        session_id, other = finding.session_id, finding.other_session_id
        if session_id not in changed:  # name the session the change is about first
            session_id, other = other or session_id, session_id
        found.append(Finding(finding.code, severity, session_id, other, finding.room))
    return sorted(found, key=lambda f: (f.severity != ERROR, f.session_id, f.code, f.other_session_id or ""))


def _runs_over(program: Program, session_id: str) -> bool:
    """Starts within the conference and only ends after it."""
    session, conference = program.session(session_id), program.conference
    return session is not None and conference.start <= session.start < conference.end < session.end


def _room_moved(before: Program, after: Program, session_id: str | None) -> bool:
    old, new = before.session(session_id or ""), after.session(session_id or "")
    if old is None or new is None:
        return True
    return _room_key(old) != _room_key(new) or (old.cancelled and not new.cancelled)
