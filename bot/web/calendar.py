"""The Mini App's calendar files: the same .ics the chat sends (bot/domain/calendar.py), for one
session or for "my day" — seats, bookmarks and the sessions for everybody, with alarms at the
lead time the attendee's reminders use."""

from __future__ import annotations

from ..domain.calendar import agenda_ics
from ..domain.reminders import lead_time
from ..handlers.personal import FIXED_KINDS
from ..services import Services
from ..texts import plain


async def calendar_file(svc: Services, user_id: int, lang: str, session_id: str) -> bytes | None:
    """The file, or None when there is nothing to put in it (no such session, an empty day)."""
    program = svc.program.current
    registrations = await svc.storage.registrations_of(user_id)
    waiting = {r.session_id for r in registrations if r.state != "confirmed"}
    chosen = {r.session_id for r in registrations} | set(await svc.storage.bookmarks_of(user_id))
    if session_id == "all":
        sessions = [s for s in program.sessions if (s.id in chosen and s.id not in waiting)
                    or (s.capacity is None and s.kind.value in FIXED_KINDS)]
    else:
        session = program.session(session_id)
        sessions = [session] if session is not None else []
    if not sessions:
        return None
    attendee = await svc.storage.attendee(user_id)
    minutes = attendee.reminder_minutes if attendee else None
    excursion = attendee.excursion_minutes if attendee else None
    alarms = {}
    for session in program.sessions:
        lead = lead_time(session, minutes, excursion)
        if session.id in chosen and lead is not None:
            alarms[session.id] = lead
    return agenda_ics(program, sessions, lang, svc.now(), alarms=alarms, destination_label=plain(lang, "ics_destination"))
