"""Builds the texts and buttons for program queries; no Telegram calls here."""

from __future__ import annotations

from datetime import date, datetime

from telegram import InlineKeyboardButton

from ..domain.program import Program, Session, parallel_groups
from ..storage import MyRegistration, SessionCount
from ..texts import (Html, escape, format_date, format_day_short, format_duration, format_span, plain,
                     problem_text, shorten, t)
from . import buttons as b
from ..wording.sessions import (day_and_time, departure_note, details as session_text, is_full, room_of, short_label,
                                where)

Rows = list[list[InlineKeyboardButton]]

PAGE_BUDGET = 3500  # characters of program text per message, well under Telegram's 4096
PAGE_BUTTONS = 24


def main_menu(lang: str) -> Rows:
    return [
        [b.ProgramToday().labelled(lang, "menu_program"), b.Now().labelled(lang, "menu_now"),
         b.Next().labelled(lang, "menu_next")],
        [b.Venue().labelled(lang, "menu_venue"), b.Mine().labelled(lang, "menu_mine")],
        [b.MyPlan().labelled(lang, "menu_myplan"), b.Privacy().labelled(lang, "menu_privacy")],
        [b.Help().labelled(lang, "menu_help"), b.Language("en" if lang == "de" else "de").labelled(lang, "menu_language")],
    ]


def program_button(lang: str) -> InlineKeyboardButton:
    return b.ProgramToday().labelled(lang, "menu_program")


def welcome(program: Program, lang: str) -> Html:
    """The welcome, worded from the program itself: its name, dates, what takes sign-ups, an example."""
    conf = program.conference
    motto = t(lang, "welcome_motto", motto=conf.motto.get(lang)) if conf.motto.get(lang).strip() else ""
    names = signup_names(program, lang)
    if names is None:
        signup = t(lang, "welcome_remind") if not program.signup_sessions() else t(lang, "welcome_signup_many")
    else:
        signup = t(lang, "welcome_signup", names=names)
    return t(lang, "welcome", conference=conf.name.get(lang), motto=Html(motto), signup=Html(signup),
             when=format_span(lang, program.local(conf.start), program.local(conf.end)), example=example(program, lang),
             venue=f"{conf.venue.name.get(lang)}, {conf.venue.address.get(lang)}".strip(", "))


def signup_names(program: Program, lang: str) -> str | None:
    """What takes sign-ups, in words, as the sessions actually run: "einen der 3 parallelen
    Workshops und die Exkursion", or "die 3 Workshops" when they follow each other; None if too much."""
    parts = []
    by_kind: dict[str, list[Session]] = {}
    for session in program.signup_sessions():
        by_kind.setdefault(session.kind.value, []).append(session)
    for kind, sessions in by_kind.items():
        if len(sessions) > 1 and kind in ("workshop", "excursion"):
            groups = parallel_groups(sessions)
            if len(groups) == 1:
                key = "signup_parallel"  # one choice among all of them
            elif all(len(group) == 1 for group in groups):
                key = "signup_each"  # one after the other: each can be taken
            else:
                key = "signup_slots"
            parts.append(plain(lang, f"{key}_{kind}", count=len(sessions), slots=len(groups)))
        elif len(sessions) == 1 and kind == "excursion":
            parts.append(plain(lang, "signup_the_excursion"))
        else:
            parts.extend(plain(lang, "quoted", text=topic(s, lang)) for s in sessions)
    if not parts or len(parts) > 3:
        return None
    return parts[0] if len(parts) == 1 else plain(lang, "and_list", first=", ".join(parts[:-1]), last=parts[-1])


def topic(session: Session, lang: str) -> str:
    """A session's title without its numbering ("Workshop 1: Digitale Zwillinge" → "Digitale Zwillinge")."""
    return shorten(session.title.get(lang).split(": ", 1)[-1], 45)


def example(program: Program, lang: str) -> str:
    """A question to quote, made from one of the program's own sessions."""
    session = program.example_session()
    if session is None:
        return plain(lang, "menu_program")
    title = session.title.get(lang)
    return plain(lang, "example_when", title=shorten(title.split(": ", 1)[0] if ": " in title else title, 40))


def _session_line(program: Program, session: Session, lang: str, with_day: bool = False,
                  now: datetime | None = None) -> str:
    """One session in a list: time, title, room; `now` marks one that is over (in a list that
    mixes the morning with the afternoon, such as a search's)."""
    start, end = program.local(session.start), program.local(session.end)
    day = f"{escape(format_day_short(lang, start))} " if with_day and program.several_days else ""
    line = f"<b>{day}{start:%H:%M}–{end:%H:%M}</b> {escape(session.title.get(lang))}"
    if session.room or session.meeting_point:
        line += f" · <i>{escape(room_of(session, lang))}</i>"
    if note := departure_note(program, session, lang):  # the bus leaves before (or after) the session's start
        line += " · " + escape(note)
    if session.delay_minutes and not session.cancelled:  # moved in the chat: said, not only shown
        minutes = session.delay_minutes
        line += " · " + t(lang, "mark_later" if minutes > 0 else "mark_earlier", minutes=abs(minutes))
    if session.cancelled:
        line = f"<s>{line}</s> {t(lang, 'cancelled_mark')}"
    elif now is not None and session.end <= now:
        line += " · " + t(lang, "over_mark")
    return line


def day_headings(program: Program, sessions, lang: str):
    """(heading or None, session) in the given order: the day's date before the first session of
    each day, when the conference has several — for lists and reports that span days."""
    day = None
    for session in sessions:
        start = program.local(session.start)
        heading = None
        if program.several_days and start.date() != day:
            day = start.date()
            heading = f"<b>{escape(format_date(lang, start))}</b>"
        yield heading, session


def _paginate(program: Program, lang: str) -> list[tuple[str, list[InlineKeyboardButton], object]]:
    """(text, session buttons, day) per page, each small enough for one message. Over several
    days each day starts a page; a page that starts in the middle of a part of the day repeats
    that part's heading."""
    several = program.several_days
    pages: list[tuple[list[str], list[InlineKeyboardButton], object]] = []
    for day, part, sessions in program.by_day_part():
        part_name = escape(plain(lang, "daypart_" + part.value))
        heading = f"\n<b>{part_name}</b>"
        if not pages or (several and pages[-1][2] != day and pages[-1][1]):
            pages.append(([], [], day))
        pages[-1][0].append(heading)
        for session in sessions:
            line = _session_line(program, session, lang)
            lines, buttons, _ = pages[-1]
            if buttons and (sum(len(x) + 1 for x in lines) + len(line) > PAGE_BUDGET or len(buttons) >= PAGE_BUTTONS):
                pages.append(([heading], [], day))
                lines, buttons, _ = pages[-1]
            lines.append(line)
            buttons.append(b.ShowSession(session.id).button(short_label(program, session, lang, with_day=False)))
    if not pages:
        pages.append(([], [], program.local(program.conference.start).date()))
    result = []
    for lines, buttons, day in pages:
        title = t(lang, "program_title", date=format_date(lang, datetime.combine(day, datetime.min.time())))
        result.append((title + "\n" + "\n".join(lines) + "\n\n" + t(lang, "program_hint"), buttons, day))
    return result


def program_pages(program: Program, lang: str) -> list[tuple[str, list[InlineKeyboardButton]]]:
    return [(text, buttons) for text, buttons, _ in _paginate(program, lang)]


def program_page(program: Program, lang: str, page: int) -> tuple[str, Rows]:
    pages = _paginate(program, lang)
    page = max(0, min(page, len(pages) - 1))
    text, buttons, day = pages[page]
    rows = [[entry] for entry in buttons]
    if len(pages) > 1:
        text += "\n" + t(lang, "program_page", page=page + 1, pages=len(pages))
        nav = []
        if page > 0:
            nav.append(b.ProgramPage(page - 1).labelled(lang, "button_less"))
        if page < len(pages) - 1:
            nav.append(b.ProgramPage(page + 1).labelled(lang, "button_more"))
        rows.append(nav)
    if program.several_days:  # one button per day, to its first page
        first_pages: dict[object, int] = {}
        for index, (_, _, page_day) in enumerate(pages):
            first_pages.setdefault(page_day, index)
        rows.append([b.ProgramPage(index).button(("📍 " if page_day == day else "")
                                                  + format_day_short(lang, datetime.combine(page_day, datetime.min.time())))
                     for page_day, index in first_pages.items()][:8])
    return text, rows


def day_page(program: Program, lang: str, day: date) -> int:
    """The first page of the program's `day`; the first page when that day has no sessions."""
    for index, (_, _, page_day) in enumerate(_paginate(program, lang)):
        if page_day == day:
            return index
    return 0


def today_page(program: Program, lang: str, now: datetime) -> int:
    return day_page(program, lang, program.local(now).date())


def problem_lines(problems, lang: str, limit: int = 30) -> Html:
    """The program file's problems or warnings (domain.problems) as bullet lines in `lang`."""
    lines = [f"• {escape(problem_text(lang, problem))}" for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append("• " + escape(plain(lang, "problems_more", count=len(problems) - limit)))
    return Html("\n".join(lines))


def session_details(program: Program, session: Session, lang: str, count: SessionCount | None,
                    mine: MyRegistration | None, bookmarked: bool = False,
                    now: datetime | None = None) -> tuple[str, Rows]:
    """A session's card in the chat: its details (wording/sessions.py) and what one can do."""
    text = session_text(program, session, lang, count, mine)
    point = session.meeting_point
    rows: Rows = []
    if now is not None and not session.cancelled and now >= session.begins:  # seats are closed: say why
        state = "details_over" if now >= session.end else "details_running" if now >= session.start else "details_departed"
        text = Html(text + "\n" + t(lang, state))
    if session.takes_signups and (now is None or now < session.begins):
        if mine is None:
            full = is_full(session, count)
            # the same tap either way: the rules put a sign-up for a full session on its waiting list
            rows.append([b.SignUp(session.id).labelled(lang, "button_join_waitlist" if full else "button_signup")])
        elif mine.state == "confirmed":
            rows.append([b.GiveBack(session.id).labelled(lang, "button_cancel_seat")])
        else:
            rows.append([b.LeaveWaitlist(session.id).labelled(lang, "button_leave_waitlist")])
    if point is not None and point.has_coordinates and not session.cancelled:
        rows.append([b.MeetingPointPin(session.id).labelled(lang, "button_meeting_point")])
    if session.questions and not session.cancelled and now is not None and session.end > now:
        rows.append([b.AskAbout(session.id).labelled(lang, "button_ask_question")])
    if not session.cancelled and (now is None or now < session.end):  # nothing to bookmark once it is over
        rows.append([b.Bookmark(session.id).labelled(lang, "button_unbookmark" if bookmarked else "button_bookmark"),
                     b.CalendarOne(session.id).labelled(lang, "button_calendar")])
    back = day_page(program, lang, program.local(session.start).date()) if program.several_days else 0
    rows.append([b.ProgramPage(back).labelled(lang, "button_back_program")])
    return text, rows


def now_view(program: Program, lang: str, now: datetime) -> str:
    phase = program.phase(now)
    conf = program.conference
    if phase == "before":
        start = program.local(conf.start)
        return t(lang, "before_conference", duration=format_duration(lang, conf.start - now),
                 date=format_date(lang, start), time=start.strftime("%H:%M"), venue=conf.venue.name.get(lang))
    if phase == "after":
        return t(lang, "after_conference", conference=conf.name.get(lang))
    running = program.running(now)
    lines = [t(lang, "now_running")]
    lines += [_session_line(program, s, lang, with_day=True) for s in running] or [t(lang, "now_nothing")]
    lines.append("")
    lines.append(next_view(program, lang, now))
    return "\n".join(lines)


def next_view(program: Program, lang: str, now: datetime) -> str:
    phase = program.phase(now)
    if phase != "during":
        return now_view(program, lang, now)
    upcoming = program.upcoming(now)
    if not upcoming:
        return t(lang, "next_title") + "\n" + t(lang, "next_nothing")
    lines = [t(lang, "next_title") + " – " + t(lang, "next_in", duration=format_duration(lang, upcoming[0].begins - now))]
    lines += [_session_line(program, s, lang, with_day=True) for s in upcoming]
    return "\n".join(lines)


def search_view(program: Program, lang: str, sessions: list[Session], now: datetime) -> str:
    """The sessions a search found, each with its time and room: "wo ist der Workshop?" is
    answered in the list itself, not only behind its buttons. Lines that would not fit one
    message (titles of any length come from imports) are left to the buttons."""
    lines = [t(lang, "search_results")]
    for session in sessions:
        line = _session_line(program, session, lang, with_day=True, now=now)
        if sum(len(kept) + 1 for kept in lines) + len(line) > PAGE_BUDGET:
            break
        lines.append(line)
    return "\n".join(lines)


def session_buttons(program: Program, sessions: list[Session] | tuple[Session, ...], lang: str) -> Rows:
    return [[b.ShowSession(s.id).button(short_label(program, s, lang))] for s in sessions]


def mine_view(program: Program, lang: str, registrations: list[MyRegistration],
              now: datetime | None = None) -> tuple[str, Rows]:
    """My seats and waitlist places, with a button to give back each one that has not begun
    (a seat in a running session is kept: the list at the door stays right)."""
    entries = []
    for registration in registrations:
        session = program.session(registration.session_id)
        if session is not None and not session.cancelled:
            entries.append((session, registration))
    if not entries:
        return t(lang, "mine_none"), []
    entries.sort(key=lambda pair: pair[0].start)
    lines = [t(lang, "mine_title")]
    rows = []
    for session, registration in entries:
        start = day_and_time(program, session.start, lang)
        if registration.state == "confirmed":
            lines.append(t(lang, "mine_confirmed", time=start, title=session.title.get(lang), room=where(program, session, lang)))
            label = plain(lang, "button_cancel_seat")
        else:
            lines.append(t(lang, "mine_waiting", time=start, title=session.title.get(lang), position=registration.position))
            label = plain(lang, "button_leave_waitlist")
        payload = b.GiveBack(session.id) if registration.state == "confirmed" else b.LeaveWaitlist(session.id)
        if now is None or session.begins > now:
            rows.append([payload.button(f"{label}: {session.title.get(lang)}")])
    return "\n".join(lines), rows
