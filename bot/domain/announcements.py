"""Who an announcement goes to, and announcements planned in the program file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .program import Kind, Program, Text

ALL = "all"
EXCURSION = "excursion"
# confirmed attendees, the waitlist, and bookmarks of one session
AUDIENCE_PATTERN = re.compile(r"^(all|excursion|(confirmed|waitlisted|bookmarked):[a-z0-9][a-z0-9_-]{0,23})$")


@dataclass(frozen=True)
class Audience:
    kind: str  # all, excursion, confirmed, waitlisted, bookmarked
    session_id: str | None = None

    @classmethod
    def parse(cls, value: str) -> "Audience | None":
        if not isinstance(value, str) or not AUDIENCE_PATTERN.match(value):
            return None
        kind, _, session_id = value.partition(":")
        return cls(kind, session_id or None)

    def key(self) -> str:
        return f"{self.kind}:{self.session_id}" if self.session_id else self.kind

    def session_ids(self, program: Program) -> tuple[str, ...]:
        """The sessions whose people this audience is made of (for 'excursion': every excursion)."""
        if self.kind == EXCURSION:
            return tuple(s.id for s in program.sessions if s.kind == Kind.EXCURSION)
        return (self.session_id,) if self.session_id else ()

    def valid_for(self, program: Program) -> bool:
        return self.kind in (ALL, EXCURSION) or program.session(self.session_id or "") is not None


@dataclass(frozen=True)
class PlannedAnnouncement:
    """An announcement written into program.yaml, sent at its time."""

    id: str
    at: datetime
    audience: Audience
    text: Text
