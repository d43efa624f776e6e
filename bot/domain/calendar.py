"""A personal agenda as an iCalendar file (RFC 5545), made with the icalendar library.

UIDs are stable (session id + conference id), so importing a newer file updates the
entries instead of duplicating them; SEQUENCE grows with every file, times carry the
conference's time zone (with its VTIMEZONE), and each entry has an alarm at the
attendee's lead time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Alarm, Calendar, Event

from .program import Program, Session


def uid(program: Program, session: Session) -> str:
    return f"{session.id}@{program.conference.id}.konferenz-bot"


def agenda_ics(program: Program, sessions: list[Session], lang: str, lead: timedelta | None, now: datetime) -> bytes:
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
        event.add("dtstart", program.local(session.start))
        event.add("dtend", program.local(session.end))
        event.add("summary", session.title.get(lang))
        place = ", ".join(part for part in (session.room, program.conference.venue.name, program.conference.venue.address) if part)
        event.add("location", place)
        if session.description:
            event.add("description", session.description.get(lang))
        event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
        if lead is not None and not session.cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", session.title.get(lang))
            alarm.add("trigger", -lead)
            event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
