"""The checks a program must pass, whether it comes from the file or from a change made in the
chat: every session inside the conference, ending after it starts, and no room used by two
sessions at once. The loader reports every finding as a problem of the file; a live change
reports only what it newly causes, so a file that was fine stays changeable."""

from __future__ import annotations

from dataclasses import dataclass

from .program import Program, Session

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


def _session_findings(program: Program, session: Session) -> list[Finding]:
    found = []
    if session.end <= session.start:
        found.append(Finding("end_before_start", ERROR, session.id))
    conference = program.conference
    if session.start < conference.start or session.end > conference.end:
        found.append(Finding("outside_conference", ERROR, session.id))
    return found


def _room_clashes(program: Program) -> list[Finding]:
    by_room: dict[str, list[Session]] = {}
    for session in program.active_sessions():
        if session.room.strip():
            by_room.setdefault(session.room.strip().casefold(), []).append(session)
    found = []
    for sessions in by_room.values():
        sessions.sort(key=lambda s: (s.start, s.id))
        for index, first in enumerate(sessions):
            for second in sessions[index + 1:]:
                if second.start >= first.end:
                    break
                found.append(Finding("room_clash", ERROR, second.id, first.id, second.room))
    return found


def check_program(program: Program) -> list[Finding]:
    """Every finding in a whole program (all errors), in program order."""
    found = []
    for session in program.sessions:
        found.extend(_session_findings(program, session))
    found.extend(_room_clashes(program))
    order = {s.id: i for i, s in enumerate(program.sessions)}
    return sorted(found, key=lambda f: (order.get(f.session_id, 0), f.code, f.other_session_id or ""))


def _state(session: Session | None) -> tuple | None:
    return None if session is None else (session.start, session.end, session.room.strip().casefold(), session.cancelled)


def check_change(before: Program, after: Program) -> list[Finding]:
    """What a change newly causes, for the sessions it touches. A room clash is an error when a
    session's room changed (or it came back from a cancellation) and a warning when only its
    time moved: an organizer may go ahead with a delay that creates an overlap."""
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
        if finding.session_id not in changed and finding.other_session_id in changed:
            finding = Finding(finding.code, severity, finding.other_session_id, finding.session_id, finding.room)
        else:
            finding = Finding(finding.code, severity, finding.session_id, finding.other_session_id, finding.room)
        found.append(finding)
    return sorted(found, key=lambda f: (f.severity != ERROR, f.session_id, f.code, f.other_session_id or ""))


def _room_moved(before: Program, after: Program, session_id: str | None) -> bool:
    old, new = before.session(session_id or ""), after.session(session_id or "")
    if old is None or new is None:
        return True
    return old.room.strip().casefold() != new.room.strip().casefold() or (old.cancelled and not new.cancelled)
