"""Organizer functions, only for the numeric user ids in BOT_ADMINS: /teilnehmer, /export, and the
guard every organizer handler wears."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import InputFile, Update
from telegram.ext import CommandHandler

from ..exports import csv_bytes
from ..texts import Html, escape, t
from . import orga, views
from .common import Asker, organizers_only, send
from .context import BotContext

log = logging.getLogger(__name__)


@organizers_only
async def attendees_command(update: Update, context: BotContext, who: Asker) -> None:
    """/teilnehmer [id]: seats per session (with ids), and buttons for each session's names."""
    svc = context.services
    program = svc.program.current
    if context.args:
        session = program.session(context.args[0].lower())
        if session is None:
            await send(update, context, t(who.lang, "unknown_session", session_id=context.args[0][:40]))
            return
        await _attendees_of(update, context, who, session)
        return
    counts = await svc.storage.registrations.counts()
    lines = [t(who.lang, "admin_attendees_title")]
    for heading, session in views.day_headings(program, _with_registrations(program, counts), who.lang):
        count = counts.get(session.id)
        if heading:
            lines.append("\n" + heading)
        lines.append(t(who.lang, "admin_attendees_line", title=session.title.get(who.lang), id=session.id,
                       confirmed=count.confirmed if count else 0, capacity=session.capacity or "–",
                       waiting=count.waitlisted if count else 0))
    await send(update, context, "\n".join(lines))
    await orga.pick_session(update, context, who, "attendees")


def _with_registrations(program, counts):
    return [s for s in program.sessions if s.capacity is not None or s.id in counts]


async def _attendees_of(update: Update, context: BotContext, who: Asker, session) -> None:
    svc = context.services
    listed = await svc.storage.registrations.listed(session.id)
    confirmed = [r for r in listed if r.state == "confirmed"]
    waiting = [r for r in listed if r.state == "waitlisted"]
    lines = [t(who.lang, "admin_attendees_session", title=session.title.get(who.lang), id=session.id,
               confirmed=len(confirmed), capacity=session.capacity or "–", waiting=len(waiting))]
    if confirmed:
        lines.append(t(who.lang, "admin_attendees_confirmed"))
        lines += [f"{i}. {_who(who.lang, r)}" for i, r in enumerate(confirmed, 1)]
    if waiting:
        lines.append(t(who.lang, "admin_attendees_waiting"))
        lines += [f"{r.position}. {_who(who.lang, r)}" for r in waiting]
    if not listed:
        lines.append(t(who.lang, "admin_attendees_empty"))
    await send(update, context, "\n".join(lines))


def _who(lang: str, registration) -> str:
    """The name the guest list gives (with the organization), else the Telegram name; HTML."""
    telegram = escape(registration.name) + (f" (@{escape(registration.username)})" if registration.username else "")
    if registration.registered_as is None:
        return telegram
    return t(lang, "admin_attendees_guest", name=registration.registered_as,
             organization=f" ({registration.organization})" if registration.organization else "", telegram=Html(telegram))


@orga.purpose("attendees", lambda program, now: [s for s in program.sessions if s.capacity is not None], "admin_attendees_choose")
async def _picked(update: Update, context: BotContext, who: Asker, session, argument: str) -> None:
    await _attendees_of(update, context, who, session)


def registrations_csv(rows, program, lang: str) -> bytes:
    """Every registration, safe to open in a spreadsheet (see bot.exports)."""
    header = ["session_id", "session", "start", "user_id", "name", "username", "state", "position",
              "registered_at", "updated_at", "registered_name", "organization"]
    lines = []
    for row in rows:
        session = program.session(row.session_id)
        lines.append([
            row.session_id, session.title.get(lang) if session else "",
            program.local(session.start).strftime("%Y-%m-%d %H:%M") if session else "",
            row.user_id, row.name, row.username or "", row.state, row.position or "",
            _local_stamp(program, row.created_at), _local_stamp(program, row.updated_at),
            row.registered_as or "", row.organization,
        ])
    return csv_bytes(header, lines)


def _local_stamp(program, stamp: str) -> str:
    try:
        return program.local(datetime.fromisoformat(stamp)).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return stamp


@organizers_only
async def export_command(update: Update, context: BotContext, who: Asker) -> None:
    svc = context.services
    program = svc.program.current
    rows = await svc.storage.registrations.listed()
    data = registrations_csv(rows, program, who.lang)
    stamp = program.local(svc.now())
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id, InputFile(data, filename=f"anmeldungen-{stamp:%Y%m%d-%H%M}.csv"),
        caption=t(who.lang, "admin_export_caption", count=len(rows), time=stamp.strftime("%H:%M")), parse_mode="HTML",
    )


orga.action("attendees")(attendees_command)
orga.action("export")(export_command)


def handlers() -> list:
    return [
        CommandHandler(["teilnehmer", "attendees"], attendees_command),
        CommandHandler("export", export_command),
    ]
