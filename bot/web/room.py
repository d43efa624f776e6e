"""Room screens: a read-only page per room for the screen beside the door or the projector in
the break. What runs now and next in the room, with the live delay; the top questions of a
session that takes them, as moderators allow (hidden ones never); a QR code of the session's
deep link, made here (segno), no web service.

Organizers get each room's link from /orga: signed (links.ROOM) and valid until midnight after
the conference's last day by the bot's clock; without a valid link the answer is 401.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from functools import lru_cache
from typing import Callable

import segno
from aiohttp import web

from ..domain import deeplink
from ..domain.program import Program, Session
from ..services import Services
from ..storage import SessionCount
from ..storage.questions import Question
from ..texts import format_date, format_day_short, plain, template
from .. import links
from ..wording.sessions import is_full
from .api import REFUSALS, ApiError, badges

log = logging.getLogger(__name__)

TOP_QUESTIONS = 5
ROOM_TEXTS = ("web_room_now", "web_room_next", "web_room_nothing_now", "web_room_day_over", "web_room_questions",
              "web_room_no_questions", "web_room_scan", "web_offline", "web_room_updated", "web_room_screen")
LANGUAGES = ("de", "en")


@lru_cache(maxsize=64)
def qr_code(url: str) -> str:
    """The QR code of `url` as an SVG data URI: black on white whatever the theme, so that every
    phone camera reads it; sized by the page."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=1, border=2, omitsize=True, dark="#000",
                                                                light="#fff")


def session_entry(program: Program, lang: str, session: Session, now: datetime, count: SessionCount | None = None) -> dict:
    start, end = program.local(session.start), program.local(session.end)
    delay = session.delay_minutes
    marks = [plain(lang, "web_mark_cancelled")] if session.cancelled else []
    marks += badges(lang, "later", delay)  # the delay; "now" and "next" are the screen's headings
    if session.takes_signups and now < session.begins and is_full(session, count):  # the QR code leads to a waiting list
        marks.append(plain(lang, "web_mark_full"))
    day = "" if start.date() == program.local(now).date() else format_day_short(lang, start) + " "
    return {"id": session.id, "title": session.title.get(lang), "time": f"{day}{start:%H:%M}–{end:%H:%M}",
            "delay": delay, "marks": marks, "speakers": ", ".join(speaker.name.get(lang) for speaker in session.speakers)}


def now_and_next(program: Program, room: str, now: datetime) -> tuple[Session | None, Session | None]:
    in_room = sorted((s for s in program.sessions if s.room == room), key=lambda s: s.start)
    return (next((s for s in in_room if s.start <= now < s.end), None),
            next((s for s in in_room if s.start > now), None))


def featured(current: Session | None, following: Session | None) -> tuple[Session | None, Session | None]:
    """(the session whose questions the screen shows, the session its QR code opens): the
    running one while it takes questions, else the next one (to sign up, bookmark or ask)."""
    asking = next((s for s in (current, following) if s is not None and s.questions and not s.cancelled), None)
    if current is not None and current.questions and not current.cancelled:
        return asking, current
    return asking, following or current


def room_state(program: Program, lang: str, now: datetime, room: str, questions: list[Question],
               asking: Session | None, link: str | None, counts: dict[str, SessionCount] | None = None) -> dict:
    """What the room's screen shows; `questions` are those of `asking`, ranked and without the
    hidden ones; `counts`: the seats taken, so that a full session says so."""
    counts = counts or {}
    current, following = now_and_next(program, room, now)
    _, linked = featured(current, following)
    local_now = program.local(now)
    return {
        "lang": lang, "room": room, "conference": program.conference.name.get(lang),
        "now": {"label": f"{local_now:%H:%M}", "date_label": format_date(lang, local_now)},
        "texts": {key: template(lang, key) for key in ROOM_TEXTS},
        "current": session_entry(program, lang, current, now, counts.get(current.id)) if current else None,
        "next": session_entry(program, lang, following, now, counts.get(following.id)) if following else None,
        "questions_for": asking.title.get(lang) if asking else None,
        "questions": [{"id": q.id, "text": q.text, "votes": plain(lang, "web_room_votes", votes=q.votes),
                       "answered": q.state == "answered"} for q in questions[:TOP_QUESTIONS]],
        "qr": {"title": linked.title.get(lang), "image": qr_code(link), "link": link} if linked and link else None,
    }


class RoomScreens:
    def __init__(self, svc: Services, bot_username: Callable[[], str | None]):
        self.svc = svc
        self.bot_username = bot_username

    def room_of(self, request: web.Request) -> str | None:
        """The room a valid link names, else None (one rate-limited log line, no token in it)."""
        try:
            (room,) = links.verify(self.svc.settings.token, links.ROOM, request.query.get("k", ""),
                                   self.svc.now().timestamp())
        except (links.LinkError, ValueError) as error:
            REFUSALS.note(logging.INFO, "room", f"refused a room screen link: {error}")
            return None
        return room

    def link_is_valid(self, request: web.Request) -> bool:
        return self.room_of(request) is not None

    @staticmethod
    def refusal_page() -> str:
        words = " / ".join(html.escape(plain(lang, "web_room_invalid")) for lang in LANGUAGES)
        return (f'<!doctype html><html lang="de"><meta charset="utf-8"><meta name="viewport" '
                f'content="width=device-width, initial-scale=1"><title>401</title><p>{words}</p></html>')

    async def state(self, request: web.Request) -> web.Response:
        room = self.room_of(request)
        if room is None:
            raise ApiError(401, "this room screen link is invalid or has expired")
        lang = request.query.get("lang", "de") if request.query.get("lang") in LANGUAGES else "de"
        svc = self.svc
        program, now = svc.program.current, svc.now()
        asking, linked = featured(*now_and_next(program, room, now))
        questions = await svc.storage.questions.of_session(asking.id) if asking else []
        username = self.bot_username()
        link = deeplink.session_link(username, linked.id) if username and linked else None
        counts = await svc.storage.registrations.counts()
        return web.json_response(room_state(program, lang, now, room, questions, asking, link, counts))
