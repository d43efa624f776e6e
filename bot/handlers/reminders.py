"""Bookmarks ("Merken") and reminder settings: /merken, /erinnerung and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from ..delivery import Send, Skip
from ..domain import reminders as plan
from ..domain.messages import BookmarkChanged, PlannedMessage, SessionReminder, VenueReminder, WaitlistStatus
from ..domain.program import Session
from ..domain.reminders import LEAD_CHOICES, REMINDERS_OFF
from ..texts import format_day_short, format_range, format_time, plain, t
from ..usecases import bookmarks, reminder_settings
from ..wording.sessions import room_of
from . import buttons as b
from . import views
from .common import Asker, asker, keyboard, send, show
from .context import BotContext
from .program import details
from .push import Push, renders

BOOKMARK_TEXTS = ("bookmark_added", "bookmark_added_off", "bookmark_added_begun", "bookmark_removed")


async def bookmarks_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    svc = context.services
    program = svc.program.current
    sessions = [s for s in (program.session(i) for i in await svc.storage.bookmarks.of_person(who.user_id)) if s is not None]
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


def settings_view(context: BotContext, lang: str, sessions: int | None,
                  excursion: int | None) -> tuple[str, list]:
    """Both lead times with the current choice ticked; the excursion row only if there is one."""
    has_excursion = any(plan.is_excursion(s) for s in context.services.program.current.active_sessions())
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


async def _show_settings(update: Update, context: BotContext, who: Asker) -> None:
    attendee = await context.services.storage.attendees.get(who.user_id)
    text, rows = settings_view(context, who.lang, attendee.reminder_minutes if attendee else None,
                               attendee.excursion_minutes if attendee else None)
    await show(update, context, text, keyboard(rows))


async def reminders_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    await _show_settings(update, context, who)


async def _lead_chosen(update: Update, context: BotContext, who: Asker, stored: bool, minutes: int, prefix: str) -> None:
    """Say so briefly, and redraw the menu with the new tick; a forged choice is refused."""
    if not stored:
        await b.refuse(update, who.lang)
        return
    await b.answer(update, plain(who.lang, f"{prefix}_off") if minutes == REMINDERS_OFF
                   else plain(who.lang, f"{prefix}_set", minutes=minutes))
    await _show_settings(update, context, who)


@b.handles(b.ReminderLead)
async def _reminder_lead(update: Update, context: BotContext, who: Asker, value: b.ReminderLead) -> None:
    stored = await reminder_settings.set_session_lead(context.services, who.user_id, value.minutes)
    await _lead_chosen(update, context, who, stored, value.minutes, "reminder")


@b.handles(b.ExcursionLead)
async def _excursion_lead(update: Update, context: BotContext, who: Asker, value: b.ExcursionLead) -> None:
    stored = await reminder_settings.set_excursion_lead(context.services, who.user_id, value.minutes)
    await _lead_chosen(update, context, who, stored, value.minutes, "reminder_excursion")


@b.handles(b.Bookmark)
async def _bookmark(update: Update, context: BotContext, who: Asker, value: b.Bookmark) -> None:
    """Toggle, say so in a short note, and redraw the card the button sits on."""
    svc = context.services
    session = svc.program.current.session(value.session_id)
    assert session is not None  # the dispatcher checked
    result = await bookmarks.toggle(svc, who.user_id, session)
    await b.answer(update, plain(who.lang, result.text, title=session.title.get(who.lang)))
    await details(update, context, session.id, who)


# --- what the bot tells on its own ------------------------------------------------------------------


@renders(BookmarkChanged)
async def _bookmark_changed(push: Push, message: BookmarkChanged) -> Send | Skip:
    """A bookmark set or removed on the page: the chat hears it too."""
    session = push.svc.program.current.session(message.session_id)
    if session is None or message.text not in BOOKMARK_TEXTS:
        return Skip("the session is gone")
    return push.text(t(push.lang, message.text, title=session.title.get(push.lang)))


async def _session_of(push: Push, message: PlannedMessage) -> Session | Skip:
    """The session a reminder is for, re-checked at send time (domain.reminders.still_owed): a
    reminder for a session that was cancelled, has begun (the bus has left) or was moved since it
    was queued is dropped (a moved one has its own)."""
    session = push.svc.program.current.session(message.session_id)
    if not plan.still_owed(session, message.start, push.svc.now()):
        return Skip("the session was cancelled, has begun or was moved")
    if push.row.user_id is None:
        return Skip("nobody to remind")
    return session


async def _still_wanted(push: Push, session: Session) -> bool:
    """A seat still held, or the bookmark still set."""
    mine = await push.svc.storage.registrations.get(session.id, push.row.user_id)
    if mine is not None and mine.state == "confirmed":
        return True
    return session.id in await push.svc.storage.bookmarks.of_person(push.row.user_id)


@renders(SessionReminder)
async def _reminder(push: Push, message: SessionReminder) -> Send | Skip:
    session = await _session_of(push, message)
    if isinstance(session, Skip):
        return session
    if not await _still_wanted(push, session):
        return Skip("the seat was given back or the bookmark removed")
    program, lang = push.svc.program.current, push.lang
    minutes = plan.minutes_left(session, push.svc.now())
    point = session.meeting_point
    if point is not None:
        text = t(lang, "reminder_excursion", minutes=minutes, title=session.title.get(lang),
                 departure=format_time(lang, program.local(session.begins)), place=point.name.get(lang))
    else:
        start = program.local(session.start)
        text = t(lang, "reminder", minutes=minutes, title=session.title.get(lang),
                 time=(f"{format_day_short(lang, start)} " if program.several_days else "")
                 + format_range(lang, start, program.local(session.end)), room=room_of(session, lang))
    return push.text(text, keyboard([[b.ShowSession(session.id).labelled(lang, "button_details")]]))


@renders(VenueReminder)
async def _venue_reminder(push: Push, message: VenueReminder) -> Send | Skip:
    """The meeting point as a map pin, beside the excursion's reminder."""
    session = await _session_of(push, message)
    if isinstance(session, Skip):
        return session
    point = session.meeting_point
    if point is None or not point.has_coordinates:
        return Skip("the meeting point has no coordinates any more")
    if not await _still_wanted(push, session):
        return Skip("the seat was given back or the bookmark removed")
    return push.call("send_venue", latitude=point.latitude, longitude=point.longitude,
                     title=plain(push.lang, "meeting_point_title", place=point.name.get(push.lang))[:256],
                     address=point.address.get(push.lang) or point.name.get(push.lang))


@renders(WaitlistStatus)
async def _waitlist_status(push: Push, message: WaitlistStatus) -> Send | Skip:
    session = await _session_of(push, message)
    if isinstance(session, Skip):
        return session
    mine = await push.svc.storage.registrations.get(session.id, push.row.user_id)
    if mine is None or mine.state != "waitlisted":
        return Skip("no longer on the waiting list")
    return push.text(t(push.lang, "waitlist_still_waiting", title=session.title.get(push.lang),
                       minutes=plan.minutes_left(session, push.svc.now()), position=mine.position))


def handlers() -> list:
    return [
        CommandHandler(["merken", "bookmarks", "gemerkt"], bookmarks_command),
        CommandHandler(["erinnerung", "reminders", "erinnerungen"], reminders_command),
    ]
