"""The organizer's way in without session ids: /orga lists everything an organizer can do,
and `pick_session` offers sessions as buttons, grouped by day and part of day, for any
purpose a module registers (/teilnehmer, /verschieben, /raum, /absagen, announcement
audiences …). The picker's text names each session's id, so typing stays possible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Iterable

from telegram import InlineKeyboardButton, Update
from telegram.ext import CommandHandler

from ..domain.program import Program, Session
from ..links import link_expiry, room_link, rooms_of
from ..texts import escape, format_date, format_moment, plain, t
from ..wording.sessions import short_label
from . import buttons as b
from .common import Asker, keyboard, organizers_only, send, show
from .context import BotContext

ONE_MESSAGE = 16  # up to this many sessions are offered at once; more are grouped first

OnPick = Callable[[Update, BotContext, Asker, Session, str], Awaitable[None]]


@dataclass(frozen=True)
class Purpose:
    sessions: Callable[[Program, datetime], Iterable[Session]]  # the program and now
    prompt: str  # text key of the question
    on_pick: OnPick


PURPOSES: dict[str, Purpose] = {}


def purpose(name: str, sessions: Callable[[Program, datetime], Iterable[Session]], prompt: str):
    """Register what picking a session for `name` does. A purpose may carry an argument after a
    dot ("aud.17": the audience of announcement 17); the handler receives it."""
    def register(function: OnPick) -> OnPick:
        if name in PURPOSES or "." in name:
            raise ValueError(f"purpose {name} registered twice or malformed")
        PURPOSES[name] = Purpose(sessions, prompt, function)
        return function
    return register


def _split(purpose_key: str) -> tuple[Purpose | None, str]:
    name, _, argument = purpose_key.partition(".")
    return PURPOSES.get(name), argument


Heading = tuple  # (day, part of day, whether the conference has several days)


def _groups(program: Program, sessions: list[Session]) -> list[tuple[Heading, list[Session]]]:
    """The sessions by day (when there are several) and part of day, in program order."""
    wanted = {s.id for s in sessions}
    groups = []
    for day, part, members in program.by_day_part():
        chosen = [s for s in members if s.id in wanted]
        if chosen:
            groups.append(((day, part, program.several_days), chosen))
    return groups


def _heading_text(lang: str, heading: Heading) -> str:
    day, part, several_days = heading
    name = plain(lang, f"daypart_{part.value}")
    if not several_days:
        return name
    return f"{format_date(lang, datetime.combine(day, datetime.min.time()))} · {name}"


def _listing(program: Program, lang: str, groups) -> list[str]:
    lines = []
    for heading, members in groups:
        lines.append(f"\n<b>{escape(_heading_text(lang, heading))}</b>")
        for session in members:
            mark = "❌ " if session.cancelled else ""
            lines.append(f"{mark}{program.local(session.start):%H:%M} {escape(session.title.get(lang))} · "
                         f"<code>{escape(session.id)}</code>")
    return lines


async def pick_session(update: Update, context: BotContext, who: Asker, purpose_key: str,
                       group: int | None = None) -> None:
    """Offer the purpose's sessions as buttons: all at once, or first the groups when many."""
    spec, _ = _split(purpose_key)
    if spec is None:
        await b.refuse(update, who.lang)
        return
    program = context.services.program.current
    sessions = list(spec.sessions(program, context.services.now()))
    if not sessions:
        await send(update, context, t(who.lang, "orga_no_sessions"))
        return
    groups = _groups(program, sessions)
    prompt = t(who.lang, spec.prompt)
    if len(sessions) > ONE_MESSAGE and (group is None or not 0 <= group < len(groups)):
        rows = [[b.PickGroup(purpose_key, index).button(f"{_heading_text(who.lang, heading)} ({len(members)})")]
                for index, (heading, members) in enumerate(groups)]
        await show(update, context, prompt + "\n" + "\n".join(_listing(program, who.lang, groups)), keyboard(rows))
        return
    if group is not None and 0 <= group < len(groups):
        groups = [groups[group]]
    rows = [[b.PickSession(purpose_key, s.id).button(short_label(program, s, who.lang))]
            for _, members in groups for s in members]
    await show(update, context, prompt + "\n" + "\n".join(_listing(program, who.lang, groups)), keyboard(rows))


@b.handles(b.PickGroup)
async def _pick_group(update: Update, context: BotContext, who: Asker, value: b.PickGroup) -> None:
    await pick_session(update, context, who, value.purpose, value.group)


@b.handles(b.PickSession)
async def _pick(update: Update, context: BotContext, who: Asker, value: b.PickSession) -> None:
    spec, argument = _split(value.purpose)
    program = context.services.program.current
    session = program.session(value.session_id)
    if spec is None or session is None or session.id not in {s.id for s in spec.sessions(program, context.services.now())}:
        await b.refuse(update, who.lang)
        return
    await spec.on_pick(update, context, who, session, argument)


# --- /orga ------------------------------------------------------------------------------------------

MENU = (  # (action, text key of the button); each runs the command of the same meaning
    ("attendees", "orga_attendees"), ("export", "orga_export"),
    ("broadcast", "orga_broadcast"), ("broadcasts", "orga_broadcasts"), ("scheduled", "orga_scheduled"),
    ("delay", "orga_delay"), ("room", "orga_room"), ("cancel", "orga_cancel"), ("restore", "orga_restore"),
    ("reload", "orga_reload"), ("changes", "orga_changes"), ("questions", "orga_questions"), ("feedback", "orga_feedback"),
    ("screens", "orga_screens"), ("guests", "orga_guests"), ("opening", "orga_opening"), ("conference", "orga_conference"),
)
ACTIONS: dict[str, Callable] = {}


def action(name: str):
    """Register the function an /orga button runs (the same one its command runs)."""
    def register(function):
        ACTIONS[name] = function
        return function
    return register


@organizers_only
async def orga_command(update: Update, context: BotContext, who: Asker) -> None:
    rows, pair = [], []
    for name, key in MENU:
        if name in ACTIONS:
            pair.append(b.OrgaMenu(name).labelled(who.lang, key))
        if len(pair) == 2:
            rows.append(pair)
            pair = []
    rows.append(pair)
    conference = context.services.program.current.conference.name.get(who.lang)
    await send(update, context, t(who.lang, "orga_conference_now", conference=conference) + "\n\n" + t(who.lang, "orga_menu"),
               keyboard(rows))


@b.handles(b.OrgaMenu)
async def _orga_menu(update: Update, context: BotContext, who: Asker, value: b.OrgaMenu) -> None:
    function = ACTIONS.get(value.action)
    if function is None:
        await b.refuse(update, who.lang)
        return
    context.args = []
    await function(update, context)


@organizers_only
async def room_screens(update: Update, context: BotContext, who: Asker) -> None:
    """One URL button per room: its screen (bot/web/room.py), signed, valid until the conference is over."""
    svc = context.services
    program = svc.program.current
    rooms = rooms_of(program)
    if not svc.settings.web_url or not rooms:
        await send(update, context, t(who.lang, "orga_screens_none" if not svc.settings.web_url else "orga_screens_no_rooms"))
        return
    until = program.local(datetime.fromtimestamp(link_expiry(program), program.tz) - timedelta(minutes=1))
    rows = [[InlineKeyboardButton(f"🖥 {room}", url=room_link(svc.settings, program, room, who.lang))] for room in rooms]
    await send(update, context, t(who.lang, "orga_screens_list", until=format_moment(who.lang, until)), keyboard(rows))


action("screens")(room_screens)


def handlers() -> list:
    return [CommandHandler(["orga", "organizers"], orga_command)]
