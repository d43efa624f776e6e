"""Sign-up for workshops and the excursion: /anmelden, /abmelden, /meine and their buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update
from telegram.ext import CommandHandler

from ..delivery import Send, Skip
from ..domain.messages import Promoted, SeatChanged
from ..domain.program import Program
from ..domain.signup import Outcome, Status, closed
from ..texts import Html, t
from ..usecases import seats
from ..usecases.seats import SeatAction
from ..wording.seats import outcome_text
from ..wording.sessions import when, where
from . import buttons as b
from . import views
from .common import Asker, arrival, asker, keyboard, send
from .context import BotContext
from .push import Push, renders


def outcome_message(program: Program, lang: str, outcome: Outcome) -> tuple[Html, list]:
    """What the attendee is told after a seat change (wording/seats.py), with the chat's buttons."""
    text = outcome_text(program, lang, outcome)
    session = program.session(outcome.session_id)
    if session is None:
        return text, []
    status = outcome.status
    if status in (Status.CONFIRMED, Status.SWITCHED, Status.MOVED_UP):
        return text, [[b.GiveBack(session.id).labelled(lang, "button_cancel_seat")], [b.Mine().labelled(lang, "menu_mine")]]
    if status in (Status.WAITLISTED, Status.ALREADY_WAITLISTED):
        return text, [[b.LeaveWaitlist(session.id).labelled(lang, "button_leave_waitlist")]]
    if status == Status.ALREADY_CONFIRMED:
        return text, [[b.GiveBack(session.id).labelled(lang, "button_cancel_seat")]]
    if status == Status.CONFLICT and outcome.other_session_id:
        return text, [[b.Switch(outcome.other_session_id, session.id).labelled(lang, "button_switch"),
                       b.KeepSeat(outcome.other_session_id).labelled(lang, "button_keep_old")]]
    if status == Status.SWITCH_FULL and not outcome.position:
        return text, [[b.JoinWaitlist(session.id).labelled(lang, "button_join_waitlist")]]
    if status == Status.CANCELLED:
        return text, [[b.SignUp(session.id).labelled(lang, "button_signup")]]
    return text, []


async def _change(update: Update, context: BotContext, who: Asker, action: SeatAction, session_id: str,
                  from_id: str | None = None) -> None:
    svc = context.services
    outcome = await seats.change_seat(svc, who.user_id, action, session_id, arrival(update, context), from_id)
    text, rows = outcome_message(svc.program.current, who.lang, outcome)
    await send(update, context, text, keyboard(rows))


async def sign_up_for(update: Update, context: BotContext, who: Asker, session_id: str) -> None:
    await _change(update, context, who, SeatAction.SIGN_UP, session_id)


def _open_sessions(context: BotContext):
    svc = context.services
    now = svc.now()
    return [s for s in svc.program.current.signup_sessions() if not closed(s, now)]


async def signup_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    if context.args:
        await sign_up_for(update, context, who, context.args[0].strip().lower())
        return
    sessions = _open_sessions(context)
    if not sessions:
        await send(update, context, t(who.lang, "signup_none_open"))
        return
    program = context.services.program.current
    await send(update, context, t(who.lang, "signup_choose"), keyboard(views.session_buttons(program, sessions, who.lang)))


async def cancel_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    svc = context.services
    program = svc.program.current
    if context.args:
        session_id = context.args[0].strip().lower()
        if program.session(session_id) is None:
            await send(update, context, t(who.lang, "unknown_session", session_id=session_id[:40]))
            return
        await _cancel(update, context, who, session_id)
        return
    text, rows = views.mine_view(program, who.lang, await svc.storage.registrations.of_person(who.user_id), svc.now())
    if not rows:
        await send(update, context, t(who.lang, "cancel_none"))
        return
    await send(update, context, t(who.lang, "cancel_choose") + "\n\n" + text, keyboard(rows))


async def _cancel(update: Update, context: BotContext, who: Asker, session_id: str) -> None:
    await _change(update, context, who, SeatAction.GIVE_BACK, session_id)


async def mine_command(update: Update, context: BotContext, intro: str = "") -> None:
    who = await asker(update, context)
    svc = context.services
    text, rows = views.mine_view(svc.program.current, who.lang, await svc.storage.registrations.of_person(who.user_id),
                                 svc.now())
    await send(update, context, intro + "\n\n" + text if intro else text, keyboard(rows or [[views.program_button(who.lang)]]))


@b.handles(b.Mine)
async def _mine(update: Update, context: BotContext, who: Asker, value: b.Mine) -> None:
    await mine_command(update, context)


@b.handles(b.SignUp)
async def _sign_up(update: Update, context: BotContext, who: Asker, value: b.SignUp) -> None:
    await sign_up_for(update, context, who, value.session_id)


@b.handles(b.JoinWaitlist)
async def _join_waitlist(update: Update, context: BotContext, who: Asker, value: b.JoinWaitlist) -> None:
    await _change(update, context, who, SeatAction.WAITLIST, value.session_id)


@b.handles(b.Switch)
async def _switch(update: Update, context: BotContext, who: Asker, value: b.Switch) -> None:
    await _change(update, context, who, SeatAction.SWITCH, value.to_id, from_id=value.from_id)


@b.handles(b.GiveBack)
async def _give_back(update: Update, context: BotContext, who: Asker, value: b.GiveBack) -> None:
    await _cancel(update, context, who, value.session_id)


@b.handles(b.LeaveWaitlist)
async def _leave_waitlist(update: Update, context: BotContext, who: Asker, value: b.LeaveWaitlist) -> None:
    await _change(update, context, who, SeatAction.LEAVE_WAITLIST, value.session_id)


@b.handles(b.KeepSeat)
async def _keep_seat(update: Update, context: BotContext, who: Asker, value: b.KeepSeat) -> None:
    svc = context.services
    session = svc.program.current.session(value.session_id)
    title = session.title.get(who.lang) if session else value.session_id
    if not await seats.holds_seat(svc, who.user_id, value.session_id):  # an old offer: switched or given back since
        await mine_command(update, context, intro=t(who.lang, "signup_keep_gone", title=title))
        return
    await send(update, context, t(who.lang, "signup_kept", title=title))


@b.handles(b.KeepPromotion)
async def _keep_promotion(update: Update, context: BotContext, who: Asker, value: b.KeepPromotion) -> None:
    svc = context.services
    session = svc.program.current.session(value.session_id)
    if session is None or not await seats.holds_seat(svc, who.user_id, value.session_id):
        await b.refuse(update, who.lang)
        return
    await send(update, context, t(who.lang, "promotion_kept", title=session.title.get(who.lang)))


def handlers() -> list:
    return [
        CommandHandler(["anmelden", "signup"], signup_command),
        CommandHandler(["abmelden", "unregister", "leave"], cancel_command),
        CommandHandler(["meine", "mine", "my"], mine_command),
    ]


def promotion_buttons(lang: str, session_id: str) -> list[list[InlineKeyboardButton]]:
    return [[b.KeepPromotion(session_id).labelled(lang, "button_keep_seat"),
             b.GiveBack(session_id).labelled(lang, "button_release_seat")]]


# --- what the bot tells on its own ------------------------------------------------------------------


@renders(Promoted)
async def _promoted(push: Push, message: Promoted) -> Send | Skip:
    program, lang = push.svc.program.current, push.lang
    session = program.session(message.session_id)
    if session is None or session.cancelled:
        return Skip("the session was cancelled")
    text = t(lang, "promoted", title=session.title.get(lang), when=when(program, session, lang), room=where(program, session, lang))
    released = program.session(message.released) if message.released else None
    if released is not None:
        text += t(lang, "promoted_released", other=released.title.get(lang))
    return push.text(text, keyboard(promotion_buttons(lang, session.id)))


@renders(SeatChanged)
async def _seat_changed(push: Push, message: SeatChanged) -> Send | Skip:
    """A seat changed on the page: the chat hears it too, worded as if tapped there."""
    outcome = Outcome(Status(message.status), message.session_id, message.position, message.other_session_id)
    text, rows = outcome_message(push.svc.program.current, push.lang, outcome)
    return push.text(text, keyboard(rows))
