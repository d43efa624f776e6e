"""A person's own day: their seats, waiting-list places and bookmarks, and the sessions for
everybody (domain.agenda), and the same as a calendar file with alarms at the lead time their
reminders use. The chat's /meinplan and the Mini App's "mine" and calendar button share it."""

from __future__ import annotations

from ..domain import agenda
from ..domain.calendar import agenda_ics
from ..domain.reminders import lead_time
from ..services import Services
from ..texts import plain


async def entries(svc: Services, user_id: int) -> list[agenda.Entry]:
    registrations = {r.session_id: r.state for r in await svc.storage.registrations.of_person(user_id)}
    return agenda.personal_day(svc.program.current, registrations, await svc.storage.bookmarks.of_person(user_id))


async def calendar(svc: Services, user_id: int, lang: str, session_id: str = "all") -> bytes | None:
    """The .ics of one session, or ("all") of the person's day without waiting-list places; None
    when there is nothing to put in it (no such session, an empty day)."""
    program, day = svc.program.current, await entries(svc, user_id)
    if session_id == "all":
        sessions = [entry.session for entry in day if entry.relation != agenda.WAITLISTED]
    else:
        session = program.session(session_id)
        sessions = [session] if session is not None else []
    if not sessions:
        return None
    attendee = await svc.storage.attendees.get(user_id)
    chosen = attendee.reminder_minutes if attendee else None
    excursion = attendee.excursion_minutes if attendee else None
    alarms = {}
    for entry in day:
        lead = lead_time(entry.session, chosen, excursion)  # the same lead time the reminders use
        if entry.relation != agenda.EVERYBODY and lead is not None:
            alarms[entry.session.id] = lead
    return agenda_ics(program, sessions, lang, svc.now(), alarms=alarms, destination_label=plain(lang, "ics_destination"))
