"""A person's own day: what /meinplan lists and its calendar file holds.

On a multi-track conference a person attends one room at a time, so their day is what they
chose — seats, waitlist places, bookmarks — and the sessions that are for everybody (plenaries,
breaks, and what the program marks so; see Session.is_for_everybody), never a whole room.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .program import Program, Session

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
BOOKMARKED = "bookmarked"
EVERYBODY = "everybody"
CHOSEN = (CONFIRMED, BOOKMARKED)  # what a person means to attend: a waitlist place is only a hope


@dataclass(frozen=True)
class Entry:
    session: Session
    relation: str  # CONFIRMED, WAITLISTED, BOOKMARKED or EVERYBODY
    clashes: tuple[Session, ...] = ()  # other chosen sessions at the same time (for a chosen one)


def personal_day(program: Program, registrations: Mapping[str, str], bookmarks: Iterable[str]) -> list[Entry]:
    """The person's sessions in time order. `registrations`: session id → "confirmed" or
    "waitlisted" (their seats and waitlist places); a seat counts before a bookmark."""
    relations: dict[str, str] = {}
    for session_id, state in registrations.items():
        relations[session_id] = CONFIRMED if state == CONFIRMED else WAITLISTED
    for session_id in bookmarks:
        relations.setdefault(session_id, BOOKMARKED)
    chosen = [s for s in program.sessions if relations.get(s.id) in CHOSEN and not s.cancelled]
    entries = []
    for session in program.sessions:
        relation = relations.get(session.id) or (EVERYBODY if session.is_for_everybody else None)
        if relation is None:
            continue
        clashes = ()
        if relation in CHOSEN and not session.cancelled:
            clashes = tuple(other for other in chosen if other.overlaps(session))
        entries.append(Entry(session, relation, clashes))
    return entries
