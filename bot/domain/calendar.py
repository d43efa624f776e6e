"""A personal agenda as an iCalendar file (RFC 5545), made with the icalendar library.

UIDs are stable (session id + conference id), so importing a newer file updates the
entries instead of duplicating them; SEQUENCE grows with every file, times carry the
conference's time zone (with its VTIMEZONE). Only the sessions the attendee chose (a seat,
a waitlist place, a bookmark) carry an alarm at their lead time, counted like the reminders
from the bus's departure where there is one; an excursion is located at its meeting point,
where people have to be.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Alarm, Calendar, Event

from .program import Program, Session


def uid(program: Program, session: Session) -> str:
    return f"{session.id}@{program.conference.id}.konferenz-bot"


def _shown_twice(moment: datetime) -> bool:
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


def agenda_ics(program: Program, sessions: list[Session], lang: str, now: datetime,
               alarms: dict[str, timedelta] | None = None, destination_label: str = "") -> bytes:
    """`alarms`: the lead time per session id that gets an alarm (the ones the attendee chose,
    at the lead time their reminders use); no entry, no alarm."""
    alarms = alarms or {}
    calendar = Calendar()
    calendar.add("prodid", "-//konferenz-bot//agenda//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", program.conference.name.get(lang))
    calendar.add("x-wr-timezone", program.conference.timezone)
    sequence = int(now.timestamp()) // 60  # grows with every file, so a re-import counts as an update
    for session in sessions:
        event = Event()
        event.add("uid", uid(program, session))
        event.add("dtstamp", now.astimezone(timezone.utc))
        event.add("sequence", sequence)
        start, end = program.local(session.start), program.local(session.end)
        if _shown_twice(start) or _shown_twice(end):  # the night the clocks go back: a wall time with a
            start, end = session.start.astimezone(timezone.utc), session.end.astimezone(timezone.utc)  # TZID is the first
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", session.title.get(lang))
        point = session.meeting_point
        description = session.description.get(lang) if session.description else ""
        if point is not None:
            event.add("location", ", ".join(part for part in (point.name.get(lang), point.address.get(lang)) if part))
            if session.room:
                description = f"{destination_label}{session.room}" + (f"\n\n{description}" if description else "")
        else:
            venue = program.conference.venue
            event.add("location", ", ".join(part for part in (session.room, venue.name.get(lang), venue.address.get(lang))
                                            if part))
        if description:
            event.add("description", description)
        event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
        before = alarms.get(session.id)
        if before is not None and not session.cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", session.title.get(lang))
            alarm.add("trigger", -(before + (session.start - session.begins)))  # before the bus, if it leaves first
            event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
