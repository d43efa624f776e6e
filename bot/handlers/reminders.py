"""Bookmarks ("Merken") and reminder settings: /merken, /erinnerung and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from ..domain.reminders import LEAD_CHOICES, REMINDERS_OFF
from ..texts import plain, t
from . import views
from .common import answer_query, asker, keyboard, parse_callback, send, services


async def bookmarks_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    sessions = [s for s in (program.session(i) for i in await svc.storage.bookmarks_of(who.user_id)) if s is not None]
    if not sessions:
        await send(update, context, t(who.lang, "bookmarks_none"), keyboard([[views.button(who.lang, "menu_program", "p:0")]]))
        return
    sessions.sort(key=lambda s: s.start)
    await send(update, context, t(who.lang, "bookmarks_title"), keyboard(views.session_buttons(program, sessions, who.lang)))


def _settings_view(lang: str, current: int | None) -> tuple[str, list]:
    if current is None:
        described = plain(lang, "reminder_current_default")
    elif current == REMINDERS_OFF:
        described = plain(lang, "reminder_current_off")
    else:
        described = plain(lang, "reminder_current_minutes", minutes=current)
    rows = [[(plain(lang, "reminder_button_minutes", minutes=m), f"rm:{m}") for m in LEAD_CHOICES],
            [(plain(lang, "reminder_button_off"), "rm:0")]]
    return t(lang, "reminder_settings", current=described), rows


async def reminders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    attendee = await services(context).storage.attendee(who.user_id)
    text, rows = _settings_view(who.lang, attendee.reminder_minutes if attendee else None)
    await send(update, context, text, keyboard(rows))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    parsed = parse_callback(update.callback_query.data if update.callback_query else None)
    assert parsed is not None
    action, argument, _ = parsed
    who = await asker(update, context)
    svc = services(context)
    if action == "rm":
        minutes = int(argument or "-1")
        if minutes != REMINDERS_OFF and minutes not in LEAD_CHOICES:
            from .fallback import stale_button

            await stale_button(update, context)
            return
        await answer_query(update)
        await svc.storage.set_reminder_minutes(who.user_id, minutes)
        svc.replan()
        await send(update, context, t(who.lang, "reminder_off") if minutes == REMINDERS_OFF
                   else t(who.lang, "reminder_set", minutes=minutes))
        return
    session = svc.program.current.session(argument or "")
    if session is None:
        from .fallback import stale_button

        await stale_button(update, context)
        return
    await answer_query(update)
    bookmarked = await svc.storage.toggle_bookmark(who.user_id, session.id, svc.now())
    svc.replan()
    title = session.title.get(who.lang)
    if not bookmarked:
        await send(update, context, t(who.lang, "bookmark_removed", title=title))
        return
    attendee = await svc.storage.attendee(who.user_id)
    off = attendee is not None and attendee.reminder_minutes == REMINDERS_OFF
    await send(update, context, t(who.lang, "bookmark_added_off" if off else "bookmark_added", title=title))


def handlers() -> list:
    return [
        CommandHandler(["merken", "bookmarks", "gemerkt"], bookmarks_command),
        CommandHandler(["erinnerung", "reminders", "erinnerungen"], reminders_command),
        CallbackQueryHandler(on_button, pattern=r"^(bm:[a-z0-9_-]{1,24}|rm:\d{1,2})$"),
    ]
