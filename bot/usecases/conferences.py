"""The series: which conference a person is in and how they change it, the archive of past
conferences, the consent to hear when the next one opens, and organizers announcing an opening
to those who gave it.

A person is in one conference at a time (domain/series.py): the one they chose (its deep link, a
button) while it is not over, else the running or next one. Attendees choose among the open
conferences; organizers among those they organize, past ones too (to look back, to export). A
conference that is over stays readable (its program, one's own ratings) and closes for the rest:
`require_open` raises ConferenceOver, which the chat words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import series
from ..domain.messages import ConferenceOpening
from ..domain.program import Program
from ..services import Services
from ..storage import AttendeeInfo, DeliveryReport, FeedbackRow
from ..storage.attendees import Attendee
from .. import scope


class ConferenceOver(Exception):
    """The conference in scope is over: only reading is left."""


def current(svc: Services) -> Program:
    return svc.program.current


def choosable(svc: Services, user_id: int) -> list[Program]:
    """The conferences this person may switch to: the open ones; for an organizer also those
    they organize that are over."""
    now = svc.now()
    programs = svc.conferences.programs()
    return [p for p in series.ordered(programs)
            if not series.is_over(p, now) or svc.organizes(user_id, p.conference.id)]


@dataclass(frozen=True)
class Arrival:
    attendee: Attendee
    conference_id: str  # the conference they are in, now in scope
    lapsed: Program | None = None  # the conference they had chosen, over since: tell them once


async def arrive(svc: Services, info: AttendeeInfo) -> Arrival:
    """A person writes to the bot or opens the page: record them (name, language, last seen),
    put the conference they are in in scope for the rest of the request (bot/scope.py), and
    count them among its participants (what "everyone" of it means). A choice of a conference
    that is over since lapses here, once (`Arrival.lapsed`), so that they can be told."""
    now = svc.now()
    attendee = await svc.storage.attendees.touch(info, now, svc.conference_of)
    conference_id = svc.conference_of(attendee.conference_id, attendee.conference_chosen_at)
    scope.enter(conference_id)
    if attendee.joined != conference_id:  # a conference's turn came since the touch that was remembered
        await svc.storage.attendees.take_part(conference_id, info.user_id, now)
    lapsed = None
    chosen = attendee.conference_id
    if chosen and chosen != conference_id and await svc.storage.attendees.drop_conference_choice(info.user_id, chosen):
        lapsed = program_of(svc, chosen)
    return Arrival(attendee, conference_id, lapsed)


async def choose(svc: Services, user_id: int, conference_id: str) -> bool:
    """Switch this person to a conference (a button, a deep link); it is in scope from now on.
    False for a conference they may not choose (unknown, or over for an attendee)."""
    if conference_id not in {p.conference.id for p in choosable(svc, user_id)}:
        return False
    await svc.storage.attendees.choose_conference(user_id, conference_id, svc.now())
    scope.enter(conference_id)
    await svc.storage.attendees.take_part(conference_id, user_id, svc.now())
    return True


def is_over(svc: Services) -> bool:
    """Whether the conference in scope is over (readable, closed for the rest)."""
    return series.is_over(svc.program.current, svc.now())


def require_open(svc: Services) -> None:
    if is_over(svc):
        raise ConferenceOver()


def archive(svc: Services) -> list[Program]:
    """Past conferences, the most recent first."""
    return series.past_conferences(svc.conferences.programs(), svc.now())


async def own_ratings(svc: Services, user_id: int, conference_id: str) -> list[FeedbackRow]:
    """What this person rated in that conference (a past conference still shows it)."""
    with scope.within(conference_id):
        return await svc.storage.feedback.of_person(user_id)


def program_of(svc: Services, conference_id: str) -> Program | None:
    holder = svc.conferences.get(conference_id)
    return holder.current if holder else None


# --- hearing about the next conference ---------------------------------------------------------------


async def consent_to_news(svc: Services, chat_id: int, lang: str) -> None:
    """Tell me when the next conference opens: a consent of its own, apart from taking part."""
    await svc.storage.next_conference.consent(chat_id, lang, svc.now())


async def withdraw_news(svc: Services, chat_id: int) -> bool:
    return await svc.storage.next_conference.withdraw(chat_id)


async def wants_news(svc: Services, chat_id: int) -> bool:
    return await svc.storage.next_conference.consented(chat_id)


async def opening_audience(svc: Services) -> int:
    """How many would hear of the opening of the conference in scope."""
    return await svc.storage.next_conference.audience()


async def announce_opening(svc: Services) -> int:
    """Tell everyone who consented that the conference in scope opens; returns messages queued
    (once per chat: a second announcement reaches only those who consented since)."""
    return await svc.storage.next_conference.announce_opening(svc.now())


async def opening_report(svc: Services) -> DeliveryReport:
    return await svc.storage.outbox.report(ConferenceOpening(svc.conference_id).batch())
