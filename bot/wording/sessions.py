"""A session in words: when, where, who, seats."""

from __future__ import annotations

from ..domain.program import Program, Session, Text
from ..storage import MyRegistration, SessionCount
from ..texts import Html, escape, format_date, format_day_short, format_range, plain, shorten, t


def when(program: Program, session: Session, lang: str) -> str:
    """"Dienstag, 3. Juni 2025, 13:15–14:30 Uhr"."""
    start, end = program.local(session.start), program.local(session.end)
    return f"{format_date(lang, start)}, {format_range(lang, start, end)}"


def room_of(session: Session, lang: str) -> str:
    """Where to go for it: an excursion's meeting point (its room is where the bus goes), else its room."""
    if session.meeting_point is not None:
        return session.meeting_point.name.get(lang)
    return session.room or "–"


def departure_note(program: Program, session: Session, lang: str) -> str:
    """"🚌 Abfahrt 14:30" when the bus leaves at another time than the session starts, else "":
    someone told only "14:45, bus stop" would miss a bus that leaves at 14:30."""
    if session.begins == session.start:
        return ""
    return plain(lang, "line_departure", time=f"{program.local(session.begins):%H:%M}")


def where(program: Program, session: Session, lang: str) -> str:
    """Where to go, and when the bus leaves if that is not the session's start."""
    note = departure_note(program, session, lang)
    return f"{room_of(session, lang)} · {note}" if note else room_of(session, lang)


def day_and_time(program: Program, moment, lang: str) -> str:
    """"13:15", or "Sa 25.10. 13:15" when the conference has several days."""
    local = program.local(moment)
    return f"{format_day_short(lang, local)} {local:%H:%M}" if program.several_days else f"{local:%H:%M}"


def short_label(program: Program, session: Session, lang: str, with_day: bool = True) -> str:
    """A session as a button label or a list entry: its start and title, after its day when the
    conference has several (`with_day=False` where the list is one day's already)."""
    start = day_and_time(program, session.start, lang) if with_day else f"{program.local(session.start):%H:%M}"
    label = f"{start} {session.title.get(lang)}"
    return "❌ " + label if session.cancelled else label


def summary(program: Program, session: Session, lang: str) -> str:
    """One plain line under a session's title in a list: "Di 3.6. 11:05–11:50 Uhr · Großer Saal"."""
    start, end = program.local(session.start), program.local(session.end)
    when_text = format_range(lang, start, end)
    if program.several_days:
        when_text = f"{format_day_short(lang, start)} {when_text}"
    return shorten(f"{when_text} · {room_of(session, lang)}", 200)


def basics(program: Program, session: Session, lang: str, fit: bool = False) -> list[str]:
    """Title, cancellation, day and time, room, speakers, meeting point: how every view of one
    session begins. `fit` shortens the free texts so that the lines always fit one message."""
    def cut(text: str, limit: int) -> str:
        return shorten(text, limit) if fit else text

    lines = [f"<b>{escape(cut(session.title.get(lang), 300))}</b>"]
    if session.cancelled:
        lines.append(t(lang, "details_cancelled"))
    start, end = program.local(session.start), program.local(session.end)
    lines.append(t(lang, "details_time", date=format_date(lang, start), time=format_range(lang, start, end)))
    if session.room:
        key = "details_destination" if session.meeting_point is not None else "details_room"
        lines.append(t(lang, key, room=cut(session.room, 200)))
    if session.speakers:
        speakers = ", ".join(
            f"{s.name.get(lang)} ({s.role.get(lang)})" if s.role else s.name.get(lang) for s in session.speakers
        )
        lines.append(t(lang, "details_speakers", speakers=cut(speakers, 1500)))
    point = session.meeting_point
    if point is not None:
        departure = program.local(point.departure) if point.departure else start
        lines.append(t(lang, "details_meeting_point", place=cut(point.name.get(lang), 200), time=departure.strftime("%H:%M")))
    return lines


def card(program: Program, session: Session, lang: str) -> Html:
    """A session as a message of its own (shared from inline mode): what, when, where, who;
    always short enough for one message."""
    return Html("\n".join(basics(program, session, lang, fit=True)))


def details(program: Program, session: Session, lang: str, count: SessionCount | None,
            mine: MyRegistration | None) -> Html:
    """Everything about a session for one person: its basics, the seats, their own seat or
    waiting-list place, the description."""
    lines = basics(program, session, lang)
    if session.capacity is not None and not session.cancelled:
        confirmed = count.confirmed if count else 0
        waiting = count.waitlisted if count else 0
        if confirmed > session.capacity:
            lines.append(t(lang, "details_overbooked", confirmed=confirmed, capacity=session.capacity))
        elif confirmed >= session.capacity:
            lines.append(t(lang, "details_seats_full", capacity=session.capacity, waiting=waiting))
        else:
            lines.append(t(lang, "details_seats_free", free=session.capacity - confirmed, capacity=session.capacity))
    if mine is not None and not session.cancelled:
        lines.append(t(lang, "details_you_confirmed") if mine.state == "confirmed"
                     else t(lang, "details_you_waiting", position=mine.position))
    if session.description:
        lines.append("\n" + escape(session.description.get(lang)))
    return Html("\n".join(lines))


def is_full(session: Session, count: SessionCount | None) -> bool:
    return session.capacity is not None and count is not None and count.confirmed >= session.capacity


def gone(lang: str, session_id: str, departed: Text | None) -> Html:
    """A session that is not in the program: one that left the file is named and called off; any
    other id (mistyped, forged) is quoted, cut short."""
    if departed is not None:
        return t(lang, "session_departed", title=departed.get(lang))
    return t(lang, "unknown_session", session_id=session_id[:40])
