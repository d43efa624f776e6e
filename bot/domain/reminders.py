"""Which reminders are owed, and when — derived from registrations, bookmarks and the program.

Nothing is remembered here: the plan is computed again whenever something changes or a
reminder falls due, so a cancelled sign-up simply stops producing its reminder and a
moved session produces a reminder at the new time. Arithmetic is done in UTC, so lead
times are right across daylight-saving changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .messages import FeedbackPrompt, Message, SessionReminder, VenueReminder, WaitlistStatus
from .program import Program, Session

DEFAULT_LEAD_MINUTES = 15
EXCURSION_LEAD_MINUTES = 30
LEAD_CHOICES = (5, 10, 15, 30)
EXCURSION_LEAD_CHOICES = (15, 30, 45, 60)
REMINDERS_OFF = 0


@dataclass(frozen=True)
class Subject:
    """Why someone may be owed a reminder: a registration (confirmed or waitlisted) or a bookmark."""

    user_id: int
    session_id: str
    relation: str  # "confirmed", "waitlisted" or "bookmark"
    since: datetime  # when the registration or bookmark was made (bot clock)
    lead_minutes: int | None  # the attendee's choice for sessions; None = default, 0 = off
    excursion_lead_minutes: int | None = None  # their choice for the excursion bus; None = default, 0 = off


@dataclass(frozen=True)
class Planned:
    """A message owed to someone at a moment (a reminder, a feedback question): due then, and
    pointless after `expires`. Its key (domain.messages) makes re-planning idempotent."""

    user_id: int
    message: Message
    due: datetime  # UTC
    expires: datetime  # the moment it counts down to (Session.begins): after that it is pointless

    @property
    def key(self) -> str:
        return self.message.key(self.user_id)

    @property
    def kind(self) -> str:
        return self.message.kind

    @property
    def session_id(self) -> str:
        return self.message.session_id  # type: ignore[attr-defined] - every planned message is about a session


def is_excursion(session: Session) -> bool:
    """A session people travel to: it has its own lead time and a meeting point."""
    return session.is_excursion


def lead_time(session: Session, chosen: int | None, excursion_chosen: int | None = None) -> timedelta | None:
    """How long before the session begins (Session.begins: the bus's departure, else the start)
    the attendee is reminded; None when they turned it off. The excursion keeps its own
    setting (default 30 minutes): a 5-minute lead would miss the bus."""
    if is_excursion(session):
        minutes = EXCURSION_LEAD_MINUTES if excursion_chosen is None else excursion_chosen
    else:
        minutes = DEFAULT_LEAD_MINUTES if chosen is None else chosen
    return None if minutes == REMINDERS_OFF else timedelta(minutes=minutes)


def plan(program: Program, subjects: list[Subject]) -> list[Planned]:
    """Every reminder owed, whether due yet or not; one per attendee and session."""
    strongest: dict[tuple[int, str], Subject] = {}
    rank = {"confirmed": 0, "waitlisted": 1, "bookmark": 2}
    for subject in subjects:
        key = (subject.user_id, subject.session_id)
        if key not in strongest or rank[subject.relation] < rank[strongest[key].relation]:
            strongest[key] = subject
    reminders: list[Planned] = []
    for subject in strongest.values():
        session = program.session(subject.session_id)
        if session is None or session.cancelled:
            continue
        lead = lead_time(session, subject.lead_minutes, subject.excursion_lead_minutes)
        if lead is None:
            continue
        start = session.begins.astimezone(timezone.utc)
        since = subject.since.astimezone(timezone.utc)
        if since >= start:
            continue
        # Signed up (or bookmarked) inside the reminder window: remind at once, not never.
        due = max(start - lead, since)
        planned_for = start.timestamp()  # a moved session is owed its reminder anew
        if subject.relation == "waitlisted":
            reminders.append(Planned(subject.user_id, WaitlistStatus(subject.session_id, planned_for), due, start))
            continue
        reminders.append(Planned(subject.user_id, SessionReminder(subject.session_id, planned_for), due, start))
        if session.meeting_point is not None and session.meeting_point.has_coordinates:
            reminders.append(Planned(subject.user_id, VenueReminder(subject.session_id, planned_for), due, start))
    reminders.sort(key=lambda r: (r.due, r.user_id, r.key))
    return reminders


def minutes_left(session: Session, now: datetime) -> int:
    """What a reminder sent now says: whole minutes until the session begins (at least 1)."""
    return max(1, math.ceil((session.begins - now).total_seconds() / 60))


def still_owed(session: Session | None, reminder_start: float, now: datetime) -> bool:
    """Whether a reminder queued for the moment `reminder_start` (a timestamp) still applies
    when it goes out: the session is on, has not begun, and begins when it did then (a moved
    session has a reminder of its own)."""
    if session is None or session.cancelled or now >= session.begins:
        return False
    return abs(session.begins.timestamp() - reminder_start) <= 1


def due_now(reminders: list[Planned], now: datetime) -> list[Planned]:
    """Owed now: due, and the session has not started (a reminder missed while the bot was
    down is still sent if it can still help, and dropped otherwise)."""
    return [r for r in reminders if r.due <= now < r.expires]


def next_due(reminders: list[Planned], now: datetime) -> datetime | None:
    later = [r.due for r in reminders if r.due > now]
    return min(later) if later else None


FEEDBACK_WINDOW = timedelta(hours=6)  # after this, a question about a session is stale


def feedback_prompts(program: Program, subjects: list[Subject]) -> list[Planned]:
    """One feedback question per attendee and session they held a seat in or bookmarked, when
    the session ends."""
    seen: set[tuple[int, str]] = set()
    prompts = []
    for subject in subjects:
        key = (subject.user_id, subject.session_id)
        session = program.session(subject.session_id)
        if key in seen or subject.relation == "waitlisted" or session is None or session.cancelled:
            continue
        seen.add(key)
        end = session.end.astimezone(timezone.utc)
        if subject.since >= end:
            continue  # bookmarked (or kept) only after it was over: nothing to ask about
        prompts.append(Planned(subject.user_id, FeedbackPrompt(session.id), end, end + FEEDBACK_WINDOW))
    return prompts


def quiet_until(program: Program) -> datetime:
    """Before this moment nothing can be owed for the conference (its first session begins,
    less the longest lead time one can choose): a series plans a conference months ahead only
    from then on."""
    first = min((s.begins for s in program.sessions), default=program.conference.start)
    return min(first, program.conference.start) - timedelta(minutes=max(*LEAD_CHOICES, *EXCURSION_LEAD_CHOICES))


def may_owe(program: Program, now: datetime) -> bool:
    """Whether anything can still be owed for this conference: not once its last feedback
    question is stale (a series keeps past conferences; planning them would only cost time)."""
    last_end = max((s.end for s in program.sessions), default=program.conference.end)
    return now < max(last_end, program.conference.end) + FEEDBACK_WINDOW


def purge_moment(program: Program) -> datetime:
    """When personal data is deleted: the retention period after the conference's end."""
    return (program.conference.end + timedelta(days=program.conference.retention_days)).astimezone(timezone.utc)
