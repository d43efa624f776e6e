"""The conference program as immutable values, and the questions attendees ask of it.

Nothing here knows about Telegram, YAML or the database: the loader builds a
`Program`, live changes produce a new `Program`, and handlers only ask it things.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"


class Kind(str, Enum):
    PLENARY = "plenary"
    TALK = "talk"
    PANEL = "panel"
    WORKSHOP = "workshop"
    EXCURSION = "excursion"
    EXHIBITION = "exhibition"
    BREAK = "break"
    NETWORKING = "networking"
    OTHER = "other"


@dataclass(frozen=True)
class Text:
    """A text in several languages; falls back to German, then to any language given."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, **values: str) -> "Text":
        return cls(tuple(values.items()))

    def get(self, lang: str) -> str:
        mapping = dict(self.values)
        for candidate in (lang, DEFAULT_LANGUAGE, *mapping):
            if mapping.get(candidate):
                return mapping[candidate]
        return ""

    def all(self) -> tuple[str, ...]:
        return tuple(value for _, value in self.values if value)

    def __bool__(self) -> bool:
        return bool(self.all())


EMPTY_TEXT = Text(())


@dataclass(frozen=True)
class Place:
    name: Text
    address: Text = EMPTY_TEXT
    latitude: float | None = None
    longitude: float | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class MeetingPoint(Place):
    departure: datetime | None = None


@dataclass(frozen=True)
class Speaker:
    name: Text
    role: Text = EMPTY_TEXT


@dataclass(frozen=True)
class Session:
    id: str
    kind: Kind
    title: Text
    start: datetime
    end: datetime
    room: str = ""
    description: Text = EMPTY_TEXT
    speakers: tuple[Speaker, ...] = ()
    capacity: int | None = None
    meeting_point: MeetingPoint | None = None
    questions: bool = False
    moderators: tuple[int, ...] = ()  # Telegram user ids who moderate this session's questions
    cancelled: bool = False
    keywords: tuple[str, ...] = ()  # extra words free-text search finds this session by (program.yaml)
    for_everybody: bool | None = None  # program.yaml's say; None: by kind (see is_for_everybody)
    planned_start: datetime | None = None  # the program file's start, where a change in the chat moved it

    @property
    def delay_minutes(self) -> int:
        """How much later (negative: earlier) than the program file it begins: a chat's delay."""
        return round((self.start - self.planned_start).total_seconds() / 60) if self.planned_start else 0

    @property
    def takes_signups(self) -> bool:
        return self.capacity is not None and not self.cancelled

    @property
    def is_for_everybody(self) -> bool:
        """Part of everyone's day (a plenary, a break, or what program.yaml marks
        `for_everybody: true`), as opposed to one choice among parallel tracks. A session
        without a capacity is not for everybody by that alone: on a multi-track conference
        most talks take no sign-up, and a person attends one room at a time."""
        if self.for_everybody is not None:
            return self.for_everybody
        return self.kind in (Kind.PLENARY, Kind.BREAK)

    @property
    def is_excursion(self) -> bool:
        """A session people travel to: its room is the destination, not a room of the venue."""
        return self.kind == Kind.EXCURSION or self.meeting_point is not None

    @property
    def departure(self) -> datetime | None:
        """When the bus leaves (an excursion's meeting point), if the program says."""
        return self.meeting_point.departure if self.meeting_point is not None else None

    @property
    def begins(self) -> datetime:
        """The moment that counts for its attendees: the departure where there is one (the bus
        does not wait for the start), else the start. Reminders count down to it, sign-up
        closes at it, and from it on the session is under way."""
        return self.departure or self.start

    def overlaps(self, other: "Session") -> bool:
        return self.id != other.id and self.start < other.end and other.start < self.end

    def is_running(self, now: datetime) -> bool:
        return self.start <= now < self.end

    def search_texts(self) -> tuple[str, ...]:
        parts = [*self.title.all(), *self.description.all(), self.room, self.id, *self.keywords]
        for speaker in self.speakers:
            parts.extend(speaker.name.all())
            parts.extend(speaker.role.all())
        return tuple(part for part in parts if part)


@dataclass(frozen=True)
class Exhibitor:
    """A stand at the "Markt der Möglichkeiten"."""

    name: Text
    municipality: Text = EMPTY_TEXT
    topic: Text = EMPTY_TEXT
    stand: Text = EMPTY_TEXT

    def search_texts(self) -> tuple[str, ...]:
        return tuple(part for text in (self.name, self.municipality, self.topic, self.stand) for part in text.all())


@dataclass(frozen=True)
class Conference:
    id: str
    name: Text
    motto: Text
    timezone: str
    start: datetime
    end: datetime
    venue: Place
    organizer_name: Text
    organizer_email: str = ""
    organizer_url: str = ""
    organizer_phone: str = ""
    privacy_controller: Text = EMPTY_TEXT
    retention_days: int = 30
    expected_attendees: int | None = None
    guests_only: bool = False  # only guests of the guest list who opened their link take part
    registration: Text = EMPTY_TEXT  # how to register (told to those not on the guest list)
    organizers: tuple[int, ...] = ()  # Telegram user ids who organize this conference (besides BOT_ADMINS)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> tuple[date, ...]:
        first, last = self.start.date(), self.end.date()
        return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


class DayPart(str, Enum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


def day_part(moment: datetime) -> DayPart:
    if moment.hour < 12:
        return DayPart.MORNING
    if moment.hour < 18:
        return DayPart.AFTERNOON
    return DayPart.EVENING


@dataclass(frozen=True)
class Program:
    conference: Conference
    sessions: tuple[Session, ...] = field(default_factory=tuple)
    announcements: tuple = ()  # domain.announcements.PlannedAnnouncement, sent at their time
    exhibitors: tuple[Exhibitor, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)  # what the loader noticed; the file still loads

    def __post_init__(self) -> None:
        # Stable sort: sessions that start together keep the order of the program file.
        ordered = tuple(sorted(self.sessions, key=lambda s: (s.start, s.end)))
        object.__setattr__(self, "sessions", ordered)
        object.__setattr__(self, "_by_id", {s.id: s for s in ordered})

    @property
    def tz(self) -> ZoneInfo:
        return self.conference.tz

    def fingerprint(self) -> str:
        """Identifies the program's content, the same in every process that reads the same file:
        a reload preview is confirmed only for the file it showed, and the bot's other processes
        know from it which file a reload put in force."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:16]

    def session(self, session_id: str) -> Session | None:
        return self._by_id.get(session_id)  # type: ignore[attr-defined]

    @property
    def several_days(self) -> bool:
        """Whether times must name their day (the conference or a session spans several)."""
        days = {self.local(self.conference.start).date(), self.local(self.conference.end).date()}
        days |= {self.local(s.start).date() for s in self.sessions}
        return len(days) > 1

    def example_session(self) -> Session | None:
        """A session to quote in examples ("When is …?"): a panel, else a talk, else any."""
        for kind in (Kind.PANEL, Kind.TALK, Kind.WORKSHOP):
            for session in self.active_sessions():
                if session.kind == kind:
                    return session
        return self.active_sessions()[0] if self.active_sessions() else None

    def active_sessions(self) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if not s.cancelled)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def running(self, now: datetime) -> tuple[Session, ...]:
        """Under way: begun (an excursion once its bus has left) and not yet over."""
        return tuple(s for s in self.active_sessions() if s.begins <= now < s.end)

    def upcoming(self, now: datetime) -> tuple[Session, ...]:
        """The sessions that begin next (an excursion at its departure): all of those sharing
        the earliest moment after now."""
        later = [s for s in self.active_sessions() if s.begins > now]
        if not later:
            return ()
        first = min(s.begins for s in later)
        return tuple(s for s in later if s.begins == first)

    def phase(self, now: datetime) -> str:
        if now < self.conference.start:
            return "before"
        if now >= self.conference.end:
            return "after"
        return "during"

    def by_day_part(self) -> list[tuple[date, DayPart, list[Session]]]:
        groups: list[tuple[date, DayPart, list[Session]]] = []
        for session in self.sessions:
            local_start = self.local(session.start)
            key = (local_start.date(), day_part(local_start))
            if not groups or groups[-1][:2] != key:
                groups.append((key[0], key[1], []))
            groups[-1][2].append(session)
        return groups

    def overlapping(self, session: Session) -> tuple[Session, ...]:
        return tuple(s for s in self.active_sessions() if s.overlaps(session))

    def rooms(self) -> tuple[str, ...]:
        """The venue's rooms, in a stable order: every room a session uses, except where an
        excursion goes (that is where the bus takes people, not a room anyone can be moved to)."""
        return tuple(sorted({s.room for s in self.sessions if s.room and not s.is_excursion}, key=str.casefold))

    def day_of(self, moment: datetime) -> date:
        """The conference's calendar day of a moment, in its time zone."""
        return self.local(moment).date()

    def signup_sessions(self) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if s.takes_signups)

    def replace_session(self, session: Session) -> "Program":
        if self.session(session.id) is None:
            return dataclasses.replace(self, sessions=(*self.sessions, session))
        return dataclasses.replace(
            self, sessions=tuple(session if s.id == session.id else s for s in self.sessions)
        )


def parallel_groups(sessions: Iterable[Session]) -> list[tuple[Session, ...]]:
    """The sessions in groups that run in parallel: two sessions are in one group when they
    overlap, directly or through others of the group. A group of one can be taken besides
    all the others; among a group, one person attends one at a time."""
    groups: list[list[Session]] = []
    for session in sorted(sessions, key=lambda s: (s.start, s.end)):
        # sorted by start: a session can join only the group whose latest end is after its start
        if groups and any(session.overlaps(other) for other in groups[-1]):
            groups[-1].append(session)
        else:
            groups.append([session])
    return [tuple(group) for group in groups]
