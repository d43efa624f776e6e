"""Bookmarks ("Merken") and reminder settings: /merken, /erinnerung and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from ..domain import reminders as plan
from ..domain.program import Session
from ..domain.reminders import LEAD_CHOICES, REMINDERS_OFF
from ..services import Services
from ..texts import plain, t
from . import buttons as b
from . import views
from .common import Asker, asker, keyboard, send, services, show
from .program import details


async def bookmarks_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    sessions = [s for s in (program.session(i) for i in await svc.storage.bookmarks_of(who.user_id)) if s is not None]
    if not sessions:
        await send(update, context, t(who.lang, "bookmarks_none"), keyboard([[views.program_button(who.lang)]]))
        return
    sessions.sort(key=lambda s: s.start)
    await send(update, context, t(who.lang, "bookmarks_title"), keyboard(views.session_buttons(program, sessions, who.lang)))


def _described(lang: str, chosen: int | None, prefix: str, default_minutes: int) -> str:
    if chosen == REMINDERS_OFF:
        return plain(lang, f"{prefix}_current_off")
    if chosen is None:
        return plain(lang, f"{prefix}_current_default", minutes=default_minutes)
    return plain(lang, f"{prefix}_current_minutes", minutes=chosen)


def _mark(label: str, chosen: bool) -> str:
    return f"✅ {label}" if chosen else label


def settings_view(context: ContextTypes.DEFAULT_TYPE, lang: str, sessions: int | None,
                  excursion: int | None) -> tuple[str, list]:
    """Both lead times with the current choice ticked; the excursion row only if there is one."""
    has_excursion = any(plan.is_excursion(s) for s in services(context).program.current.active_sessions())
    effective = plan.DEFAULT_LEAD_MINUTES if sessions is None else sessions
    rows = [[b.ReminderLead(m).button(_mark(plain(lang, "reminder_button_minutes", minutes=m), effective == m))
             for m in LEAD_CHOICES],
            [b.ReminderLead(REMINDERS_OFF).button(_mark(plain(lang, "reminder_button_off"), effective == REMINDERS_OFF))]]
    current = _described(lang, sessions, "reminder", plan.DEFAULT_LEAD_MINUTES)
    if not has_excursion:
        return t(lang, "reminder_settings", current=current), rows
    effective = plan.EXCURSION_LEAD_MINUTES if excursion is None else excursion
    rows.append([b.ExcursionLead(m).button(_mark(plain(lang, "reminder_excursion_button_minutes", minutes=m), effective == m))
                 for m in plan.EXCURSION_LEAD_CHOICES])
    rows.append([b.ExcursionLead(REMINDERS_OFF).button(
        _mark(plain(lang, "reminder_excursion_button_off"), effective == REMINDERS_OFF))])
    excursion_text = _described(lang, excursion, "reminder_excursion", plan.EXCURSION_LEAD_MINUTES)
    return t(lang, "reminder_settings_both", current=current, excursion=excursion_text), rows


async def _show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    attendee = await services(context).storage.attendee(who.user_id)
    text, rows = settings_view(context, who.lang, attendee.reminder_minutes if attendee else None,
                               attendee.excursion_minutes if attendee else None)
    await show(update, context, text, keyboard(rows))


async def reminders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    await _show_settings(update, context, who)


async def _set_lead(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, minutes: int,
                    choices: tuple[int, ...], store, prefix: str) -> None:
    """Store one of the two lead times, say so briefly, and redraw the menu with the new tick."""
    if minutes != REMINDERS_OFF and minutes not in choices:
        await b.refuse(update, who.lang)
        return
    svc = services(context)
    await store(who.user_id, minutes)
    svc.replan([who.user_id])
    await b.answer(update, plain(who.lang, f"{prefix}_off") if minutes == REMINDERS_OFF
                   else plain(who.lang, f"{prefix}_set", minutes=minutes))
    await _show_settings(update, context, who)


@b.handles(b.ReminderLead)
async def _reminder_lead(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.ReminderLead) -> None:
    await _set_lead(update, context, who, value.minutes, LEAD_CHOICES, services(context).storage.set_reminder_minutes,
                    "reminder")


@b.handles(b.ExcursionLead)
async def _excursion_lead(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.ExcursionLead) -> None:
    await _set_lead(update, context, who, value.minutes, plan.EXCURSION_LEAD_CHOICES,
                    services(context).storage.set_excursion_minutes, "reminder_excursion")


@b.handles(b.Bookmark)
async def _bookmark(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.Bookmark) -> None:
    """Toggle, say so in a short note, and redraw the card the button sits on."""
    svc = services(context)
    session = svc.program.current.session(value.session_id)
    assert session is not None  # the dispatcher checked
    _, key = await toggle_bookmark(svc, who.user_id, session)
    await b.answer(update, plain(who.lang, key, title=session.title.get(who.lang)))
    await details(update, context, session.id, who)


async def toggle_bookmark(svc: Services, user_id: int, session: Session) -> tuple[bool, str]:
    """Bookmark or un-bookmark, for the chat and the Mini App: whether it is bookmarked now, and
    the key of the text that says so (it mentions reminders being off, if they are)."""
    bookmarked = await svc.storage.toggle_bookmark(user_id, session.id, svc.now())
    svc.replan([user_id])
    if not bookmarked:
        return False, "bookmark_removed"
    if session.begins <= svc.now():
        return True, "bookmark_added_begun"  # no reminder to promise
    attendee = await svc.storage.attendee(user_id)
    off = attendee is not None and attendee.reminder_minutes == REMINDERS_OFF
    return True, "bookmark_added_off" if off else "bookmark_added"


def handlers() -> list:
    return [
        CommandHandler(["merken", "bookmarks", "gemerkt"], bookmarks_command),
        CommandHandler(["erinnerung", "reminders", "erinnerungen"], reminders_command),
    ]
