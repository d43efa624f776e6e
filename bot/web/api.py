"""The Mini App's JSON API: what the page shows and the actions it offers, through the same use
cases as the chat (bot/usecases/) and in the chat's own words (bot/wording/, bot/texts/).

Every request carries Telegram's initData (`Authorization: tma <initData>`); without a valid,
fresh one the answer is 401 and nothing changes. Times are the conference's, whatever the server's.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from datetime import date, datetime, timezone
from typing import Callable
from urllib.parse import quote

from aiohttp import web

from ..domain.program import Program, Session
from ..domain.signup import Outcome, Status
from ..services import Services
from ..storage import Announcement, AttendeeInfo, DeliveryReport, FeedbackRow, MyRegistration, SessionCount
from ..texts import format_date, format_day_short, format_decimal, html_to_plain, pick_language, plain, template
from ..usecases import announcements as announcement_cases, bookmarks, conferences, my_day, seats
from ..usecases.seats import SeatAction
from ..wording.sessions import details as session_text, is_full
from ..wording.announcements import audience_label, excerpt
from ..wording.seats import outcome_text
from .. import links
from .initdata import InitDataError, WebAppUser, verify

log = logging.getLogger(__name__)

SLOT_MINUTES = 5  # the grid's row: sessions start and end on five-minute marks
MAX_BODY = 8192  # bytes of a request body; the page sends a few dozen
SEAT_ACTIONS = tuple(action.value for action in SeatAction)
PAGE_TEXTS = ("web_title", "web_tab_program", "web_tab_orga", "web_days", "web_views", "web_loading", "web_offline",
              "web_retrying", "web_error_auth", "web_error", "web_close", "web_now", "web_orga_seats",
              "web_orga_broadcasts", "web_orga_feedback", "web_orga_none", "web_heading_now", "web_heading_next",
              "web_heading_slot", "web_heading_past", "web_nothing_now", "web_filter_mine", "web_mine_empty",
              "web_jump_now", "web_calendar_mine", "web_home_screen", "web_calendar_started", "web_offline_actions",
              "web_details", "web_day_over")
CALENDAR_LINK_SECONDS = 600  # a download link lives long enough for Telegram to fetch it, not much longer


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class RateLimitedLog:
    """At most one line per `interval` seconds for a kind of refusal anybody can provoke (an
    oversized header, a forged login), with the count of those left out; never their content."""

    def __init__(self, logger: logging.Logger, interval: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.logger, self.interval, self.clock = logger, interval, clock
        self.next_line: dict[str, float] = {}
        self.left_out: dict[str, int] = {}

    def note(self, level: int, kind: str, what: str) -> None:
        now = self.clock()
        if now < self.next_line.get(kind, 0.0):
            self.left_out[kind] = self.left_out.get(kind, 0) + 1
            return
        more = self.left_out.pop(kind, 0)
        self.next_line[kind] = now + self.interval
        self.logger.log(level, "%s%s", what, f" (and {more} more like it in the last {self.interval:.0f} s)" if more else "")


REFUSALS = RateLimitedLog(log)


class WebApi:
    def __init__(self, svc: Services, next_arrival: Callable[[], int], prefix: str = "/app/"):
        self.svc = svc
        self.next_arrival = next_arrival
        self.prefix = prefix

    # --- who asks ----------------------------------------------------------------------------

    async def who(self, request: web.Request) -> tuple[WebAppUser, str]:
        """The verified user and their language; records them as an attendee like the chat does,
        so that the confirmation of a page action can reach their chat."""
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "tma" or not raw.strip():
            raise ApiError(401, "missing Telegram initData (Authorization: tma <initData>)")
        try:
            user = verify(raw.strip(), self.svc.settings.token, time.time(), self.svc.settings.web_max_age)
        except InitDataError as error:  # the reason only: the log never quotes initData
            REFUSALS.note(logging.INFO, "initdata", f"refused a Mini App login: {error}")
            raise ApiError(401, str(error)) from None
        # the page shows, and acts in, the conference the person is in (bot/scope.py)
        attendee = (await conferences.arrive(self.svc, AttendeeInfo(
            user.user_id, user.user_id, user.first_name, user.last_name, user.username, user.language_code))).attendee
        return user, pick_language(attendee.language if attendee else None, user.language_code)

    # --- endpoints -----------------------------------------------------------------------------

    async def state(self, request: web.Request) -> web.Response:
        user, lang = await self.who(request)
        svc = self.svc
        program = svc.program.current
        mine = {r.session_id: r for r in await svc.storage.registrations.of_person(user.user_id)}
        data = day_state(program, lang, svc.now(), await svc.storage.registrations.counts(), mine,
                         set(await svc.storage.bookmarks.of_person(user.user_id)))
        data["is_admin"] = svc.is_admin(user.user_id)
        return web.json_response(data)

    async def seat(self, request: web.Request) -> web.Response:
        user, lang = await self.who(request)
        body = await read_body(request)
        action, session = body.get("action"), self.session_of(body.get("session_id"))
        if action == "keep":  # "No, keep it" after a conflict: nothing changes
            return web.json_response({"status": "kept", "message": plain(lang, "signup_kept", title=session.title.get(lang))})
        if action not in SEAT_ACTIONS:
            raise ApiError(400, f"action must be one of {', '.join(SEAT_ACTIONS)} or keep")
        from_id = self.session_of(body.get("from_id")).id if action == "switch" else None
        outcome = await seats.change_seat(self.svc, user.user_id, SeatAction(action), session.id, self.next_arrival(),
                                          from_id, tell_chat=True)
        text = outcome_text(self.svc.program.current, lang, outcome)
        return web.json_response({"status": outcome.status.value, "message": html_to_plain(text),
                                  "offers": offers(lang, outcome)})

    async def bookmark(self, request: web.Request) -> web.Response:
        user, lang = await self.who(request)
        session = self.session_of((await read_body(request)).get("session_id"))
        result = await bookmarks.toggle(self.svc, user.user_id, session, self.next_arrival(), tell_chat=True)
        return web.json_response({"bookmarked": result.bookmarked,
                                  "message": plain(lang, result.text, title=session.title.get(lang))})

    async def calendar_link(self, request: web.Request) -> web.Response:
        """A short-lived signed address of a calendar file (one session, or "all": my day). The
        page hands it to Telegram (web_app_request_file_download) or the browser: neither can
        send the initData header with a download."""
        user, lang = await self.who(request)
        wanted = (await read_body(request)).get("session_id", "all")
        session_id = "all" if wanted == "all" else self.session_of(wanted).id
        file_name = plain(lang, "file_agenda") if session_id == "all" else f"{session_id}.ics"
        token = links.sign(self.svc.settings.token, links.CALENDAR, [str(user.user_id), session_id, lang],
                           int(time.time()) + CALENDAR_LINK_SECONDS)
        return web.json_response({"url": f"calendar/{quote(file_name)}?k={token}", "file_name": file_name})

    async def calendar_file(self, request: web.Request) -> web.Response:
        try:
            user_id, session_id, lang = links.verify(self.svc.settings.token, links.CALENDAR,
                                                     request.query.get("k", ""), time.time())
        except (links.LinkError, ValueError) as error:
            REFUSALS.note(logging.INFO, "calendar", f"refused a calendar download: {error}")
            raise ApiError(401, "this download link is invalid or has expired") from None
        data = await my_day.calendar(self.svc, int(user_id), lang, session_id)
        if data is None:
            raise ApiError(404, "nothing to put in a calendar")
        return web.Response(body=data, content_type="text/calendar", charset="utf-8", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(request.match_info['file_name'])}",
            "Cache-Control": "no-store"})

    async def orga(self, request: web.Request) -> web.Response:
        user, lang = await self.who(request)
        if not self.svc.is_admin(user.user_id):
            log.warning("refused the Mini App's organizer view for user %s", user.user_id)
            raise ApiError(403, "organizers only")
        storage, program = self.svc.storage, self.svc.program.current
        announcements = []
        for announcement in await storage.announcements.recent(limit=20):
            report = await announcement_cases.report(self.svc, announcement.id)
            announcements.append(announcement_entry(program, lang, announcement, report))
        return web.json_response({
            "seats": seat_entries(program, lang, await storage.registrations.counts()),
            "announcements": announcements,
            "feedback": feedback_entries(program, lang, await storage.feedback.rows()),
        })

    # --- helpers -------------------------------------------------------------------------------

    def session_of(self, session_id: object) -> Session:
        if not isinstance(session_id, str) or not session_id:
            raise ApiError(400, "session_id must be a session's id")
        session = self.svc.program.current.session(session_id)
        if session is None:
            raise ApiError(404, f"there is no session {session_id[:40]!r}")
        return session


async def read_body(request: web.Request) -> dict:
    try:
        raw = await request.read()  # the server refuses bodies over MAX_BODY (client_max_size)
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "request body too large") from None
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise ApiError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def offers(lang: str, outcome: Outcome) -> list[dict]:
    """The choices the chat offers after this outcome, as actions of the page."""
    if outcome.status == Status.CONFLICT and outcome.other_session_id:
        return [{"action": "switch", "session_id": outcome.session_id, "from_id": outcome.other_session_id,
                 "label": plain(lang, "button_switch")},
                {"action": "keep", "session_id": outcome.other_session_id, "label": plain(lang, "button_keep_old")}]
    if outcome.status == Status.SWITCH_FULL and not outcome.position:
        return [{"action": "waitlist", "session_id": outcome.session_id, "label": plain(lang, "button_join_waitlist")}]
    return []


# --- the day grid ------------------------------------------------------------------------------

def day_state(program: Program, lang: str, now: datetime, counts: dict[str, SessionCount],
              mine: dict[str, MyRegistration], bookmarks: set[str]) -> dict:
    """The program as the page shows it (each session's delay: Session.delay_minutes)."""
    local_now = program.local(now)
    days = sorted({program.local(s.start).date() for s in program.sessions}) or [program.local(program.conference.start).date()]
    entries, placements = [], {}
    for day in days:
        entry, placed = day_entry(program, lang, day)
        entries.append(entry)
        placements.update(placed)
    next_start = min((s.start for s in program.sessions if s.start > now and not s.cancelled), default=None)
    return {
        "lang": lang,
        "conference": program.conference.name.get(lang),
        "now": {"date": local_now.date().isoformat(), "minutes": local_now.hour * 60 + local_now.minute,
                "label": f"{local_now:%H:%M}", "date_label": format_date(lang, local_now),
                "next": f"{program.local(next_start):%H:%M}" if next_start else None},
        "texts": {key: template(lang, key) for key in PAGE_TEXTS},
        "days": entries,
        "sessions": [session_entry(program, lang, s, placements[s.id], counts.get(s.id), mine.get(s.id), s.id in bookmarks,
                                   now, phase(s, now, next_start))
                     for s in sorted(program.sessions, key=lambda s: (s.start, s.room))],
    }


def phase(session: Session, now: datetime, next_start: datetime | None) -> str:
    """Where the session stands: "past", "now" (running), "next" (the next sessions to begin) or "later"."""
    if session.end <= now:
        return "past"
    if session.start <= now:
        return "now"
    return "next" if session.start == next_start else "later"


def _minutes(program: Program, moment: datetime, day: date) -> int:
    """Minutes since the day's midnight, in the conference's time zone (past midnight: > 1440)."""
    local = program.local(moment)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def day_entry(program: Program, lang: str, day: date) -> tuple[dict, dict[str, tuple[int, str]]]:
    """The day's grid: one column per room in order of first use, and where each session goes:
    (column, 1-based; 0 = across all rooms) and the room as the page names it. A session without
    a room spans all rooms when nothing else runs then (a lunch break); else it gets a column of
    its own, so that it never hides another session. First use is by the program file's times
    (rooms first used at the same time by name): a delay made in the chat never swaps columns
    under an attendee's eyes."""
    sessions = sorted((s for s in program.sessions if program.local(s.start).date() == day), key=lambda s: s.start)
    as_planned = sorted(sessions, key=lambda s: (s.planned_start or s.start, s.room.casefold()))
    rooms = list(dict.fromkeys(s.room for s in as_planned if s.room))
    placements: dict[str, tuple[int, str]] = {}
    for session in sessions:
        if session.room:
            placements[session.id] = (rooms.index(session.room) + 1, session.room)
        elif any(other is not session and other.overlaps(session) for other in sessions):
            no_room = plain(lang, "web_no_room")
            if no_room not in rooms:
                rooms.append(no_room)
            placements[session.id] = (rooms.index(no_room) + 1, no_room)
        else:
            placements[session.id] = (0, plain(lang, "web_all_rooms"))
    first = min((_minutes(program, s.start, day) for s in sessions), default=9 * 60)
    last = max((_minutes(program, s.end, day) for s in sessions), default=18 * 60)
    midnight = datetime.combine(day, datetime.min.time())
    return {"date": day.isoformat(), "label": format_day_short(lang, midnight),
            "title": plain(lang, "web_grid_label", date=format_date(lang, midnight)),
            "date_label": format_date(lang, midnight),
            "start": first // 30 * 30, "end": -(-last // 30) * 30, "rooms": rooms}, placements


def session_entry(program: Program, lang: str, session: Session, placement: tuple[int, str],
                  count: SessionCount | None, mine: MyRegistration | None, bookmarked: bool, now: datetime,
                  where: str = "later") -> dict:
    day = program.local(session.start).date()
    delay = session.delay_minutes
    start, end = program.local(session.start), program.local(session.end)
    full = is_full(session, count)
    column, room = placement
    details = session_text(program, session, lang, count if session.capacity is not None else None,
                               mine if session.capacity is not None else None)
    return {
        "id": session.id, "title": session.title.get(lang), "day": day.isoformat(), "time": f"{start:%H:%M}–{end:%H:%M}",
        "start": _minutes(program, session.start, day), "end": _minutes(program, session.end, day),
        "room": room, "column": column, "cancelled": session.cancelled, "phase": where, "delay": delay,
        "mine": mine.state if mine else None, "bookmarked": bookmarked, "everybody": session.is_for_everybody,
        "marks": _marks(lang, session, count, mine, bookmarked, where, delay),
        "badges": [] if session.cancelled else badges(lang, where, delay),
        "details": [line for line in html_to_plain(details).split("\n")[1:] if line.strip()],
        "actions": _actions(lang, session, mine, bookmarked, now, full),
    }


def _marks(lang: str, session: Session, count: SessionCount | None, mine: MyRegistration | None,
           bookmarked: bool, where: str = "later", delay: int = 0) -> list[str]:
    """What a session says besides title, time and room: in words, never by colour alone."""
    if session.cancelled:
        return [plain(lang, "web_mark_cancelled")]
    marks = badges(lang, where, delay)
    if mine is not None:
        marks.append(plain(lang, "web_mark_confirmed") if mine.state == "confirmed"
                     else plain(lang, "web_mark_waiting", position=mine.position))
    elif session.capacity is not None and where not in ("now", "past"):
        free = session.capacity - (count.confirmed if count else 0)
        marks.append(plain(lang, "web_mark_free", free=free) if free > 0 else plain(lang, "web_mark_full"))
    if bookmarked:
        marks.append(plain(lang, "web_mark_bookmarked"))
    return marks


def badges(lang: str, where: str, delay: int) -> list[str]:
    """The marks the chat's card does not say: running or over, and a delay."""
    found = []
    if where in ("now", "past"):
        found.append(plain(lang, "web_mark_running" if where == "now" else "web_mark_past"))
    if delay:
        found.append(plain(lang, "mark_later" if delay > 0 else "mark_earlier", minutes=abs(delay)))
    return found


def _actions(lang: str, session: Session, mine: MyRegistration | None, bookmarked: bool, now: datetime,
             full: bool = False) -> list[dict]:
    """The choices of the session's card in the chat (handlers/views.session_details): seats only
    until the session begins (the bus's departure, else its start: the rules would refuse then
    anyway, with the chat's words), a bookmark and the calendar only until it is over. A full
    session offers its waiting list, and its button says so."""
    if session.cancelled:
        return []
    actions = []
    if session.takes_signups and now < session.begins:
        if mine is None:
            actions.append({"action": "waitlist" if full else "signup",
                            "label": plain(lang, "button_join_waitlist" if full else "button_signup")})
        elif mine.state == "confirmed":
            actions.append({"action": "cancel", "label": plain(lang, "button_cancel_seat")})
        else:
            actions.append({"action": "leave_waitlist", "label": plain(lang, "button_leave_waitlist")})
    if now < session.end:  # nothing to bookmark once it is over
        actions.append({"action": "bookmark", "label": plain(lang, "button_unbookmark" if bookmarked else "button_bookmark")})
        actions.append({"action": "calendar", "label": plain(lang, "button_calendar")})
    return actions


# --- the organizer view ------------------------------------------------------------------------

def seat_entries(program: Program, lang: str, counts: dict[str, SessionCount]) -> list[dict]:
    entries = []
    for session in sorted(program.signup_sessions(), key=lambda s: s.start):
        count = counts.get(session.id)
        confirmed, waiting = (count.confirmed, count.waitlisted) if count else (0, 0)
        entries.append({"id": session.id, "title": session.title.get(lang), "capacity": session.capacity,
                        "confirmed": confirmed, "waitlisted": waiting,
                        "line": plain(lang, "web_orga_seats_line", confirmed=confirmed, capacity=session.capacity,
                                      waiting=waiting)})
    return entries


def announcement_entry(program: Program, lang: str, announcement: Announcement, report: DeliveryReport) -> dict:
    if announcement.sent_at:
        moment = datetime.fromisoformat(announcement.sent_at)
    elif announcement.send_at:  # scheduled: when it will go out
        moment = datetime.fromtimestamp(announcement.send_at, timezone.utc)
    else:
        moment = None
    failed = report.failed + report.blocked
    return {"id": announcement.id, "excerpt": excerpt(announcement, lang),
            "audience": audience_label(program, lang, announcement.audience),
            "when": f"{program.local(moment):%H:%M}" if moment else "–",
            "sent": report.sent, "failed": failed, "pending": report.pending,
            "line": plain(lang, "web_orga_report", state=plain(lang, f"state_{announcement.state}"),
                          sent=report.sent, failed=failed, pending=report.pending)}


def feedback_entries(program: Program, lang: str, rows: list[FeedbackRow]) -> list[dict]:
    ratings: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ratings[row.session_id].append(row.rating)
    entries = []
    for session_id, values in ratings.items():
        session = program.session(session_id)
        average = sum(values) / len(values)
        entries.append({"id": session_id, "title": session.title.get(lang) if session else session_id,
                        "average": round(average, 2), "count": len(values),
                        "line": plain(lang, "web_orga_rating", average=format_decimal(lang, average), count=len(values))})
    return sorted(entries, key=lambda e: -e["average"])
