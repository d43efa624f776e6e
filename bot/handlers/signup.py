"""Sign-up for workshops and the excursion: /anmelden, /abmelden, /meine and their buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update
from telegram.ext import CommandHandler, ContextTypes

from ..domain.program import Program
from ..domain.signup import Outcome, Status, closed
from ..services import Services
from ..texts import Html, t
from . import buttons as b
from . import views
from .common import Asker, arrival, asker, keyboard, room_of, send, services, when


SEAT_ACTIONS = ("signup", "waitlist", "switch", "cancel", "leave_waitlist")


async def change_seat(svc: Services, user_id: int, action: str, session_id: str, arrival: int,
                      from_id: str | None = None) -> Outcome:
    """The one way a seat changes, for the chat and the Mini App alike: the same rules, the
    same refusals, and the reminders follow. `action` is one of SEAT_ACTIONS."""
    program = svc.program.current
    now = svc.now()
    session = program.session(session_id)
    if session is None:
        return Outcome(Status.UNKNOWN_SESSION, session_id)
    if action == "signup":
        outcome = await svc.storage.sign_up(program, session_id, user_id, arrival, now)
    elif action == "waitlist":
        outcome = await svc.storage.join_waitlist(program, session_id, user_id, arrival, now)
    elif action == "switch":
        outcome = await svc.storage.switch(program, from_id or "", session_id, user_id, arrival, now)
    elif action in ("cancel", "leave_waitlist"):
        refusal = closed(session, now)  # a seat in a session under way is kept: the list at the door stays right
        if refusal:
            return Outcome(refusal, session_id)
        outcome = await svc.storage.cancel(program, session_id, user_id, now, only_waiting=action == "leave_waitlist")
    else:
        raise ValueError(f"unknown seat action {action!r}")
    # a change of seats changes which reminders this person and anyone who moved up are owed
    svc.replan([user_id, *(promotion.user_id for promotion in outcome.promotions)])
    return outcome


def outcome_message(program: Program, lang: str, outcome: Outcome) -> tuple[Html, list]:
    """What the attendee is told after a seat change, with its buttons: in the chat, in the
    Mini App (the text) and in the chat again after a change made in the Mini App."""
    session = program.session(outcome.session_id)
    if session is None:
        return t(lang, "unknown_session", session_id=outcome.session_id[:40]), []
    title = session.title.get(lang)
    other_session = program.session(outcome.other_session_id) if outcome.other_session_id else None
    other = other_session.title.get(lang) if other_session else outcome.other_session_id or ""
    status = outcome.status
    if status in (Status.CONFIRMED, Status.SWITCHED):
        key = "signup_confirmed" if status == Status.CONFIRMED else "signup_switched"
        text = t(lang, key, title=title, other=other, when=when(program, session, lang), room=room_of(session, lang))
        return text, [[b.GiveBack(session.id).labelled(lang, "button_cancel_seat")], [b.Mine().labelled(lang, "menu_mine")]]
    if status == Status.WAITLISTED:
        key = "signup_waitlisted_switch" if outcome.other_session_id else "signup_waitlisted"
        return (t(lang, key, title=title, other=other, position=outcome.position),
                [[b.LeaveWaitlist(session.id).labelled(lang, "button_leave_waitlist")]])
    if status == Status.ALREADY_CONFIRMED:
        return t(lang, "signup_already_confirmed", title=title), [[b.GiveBack(session.id).labelled(lang, "button_cancel_seat")]]
    if status == Status.ALREADY_WAITLISTED:
        return (t(lang, "signup_already_waitlisted", title=title, position=outcome.position),
                [[b.LeaveWaitlist(session.id).labelled(lang, "button_leave_waitlist")]])
    if status == Status.CONFLICT and outcome.other_session_id:
        return t(lang, "signup_conflict", title=title, other=other), [[
            b.Switch(outcome.other_session_id, session.id).labelled(lang, "button_switch"),
            b.KeepSeat(outcome.other_session_id).labelled(lang, "button_keep_old"),
        ]]
    if status == Status.SWITCH_FULL:
        if outcome.position:
            return t(lang, "signup_switch_full_waiting", title=title, other=other, position=outcome.position), []
        return t(lang, "signup_switch_full", title=title, other=other), [[b.JoinWaitlist(session.id).labelled(lang, "button_join_waitlist")]]
    if status == Status.CANCELLED:
        return t(lang, "cancel_done", title=title), [[b.SignUp(session.id).labelled(lang, "button_signup")]]
    if status == Status.LEFT_WAITLIST:
        return t(lang, "cancel_left_waitlist", title=title), []
    if status == Status.NOT_REGISTERED:
        return t(lang, "cancel_not_registered", title=title), []
    if status == Status.MOVED_UP:
        return (t(lang, "waitlist_moved_up", title=title, when=when(program, session, lang), room=room_of(session, lang)),
                [[b.GiveBack(session.id).labelled(lang, "button_cancel_seat")], [b.Mine().labelled(lang, "menu_mine")]])
    if status == Status.DEPARTED:
        return t(lang, "signup_departed", title=title, time=f"{program.local(session.begins):%H:%M}"), []
    key = {Status.NO_SIGNUP: "signup_no_signup", Status.SESSION_CANCELLED: "signup_session_cancelled",
           Status.CLOSED: "signup_closed"}.get(status, "error_generic")
    return t(lang, key, title=title), []


async def _change(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, action: str, session_id: str,
                  from_id: str | None = None) -> None:
    svc = services(context)
    outcome = await change_seat(svc, who.user_id, action, session_id, arrival(update, context), from_id)
    text, rows = outcome_message(svc.program.current, who.lang, outcome)
    await send(update, context, text, keyboard(rows))


async def sign_up_for(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session_id: str) -> None:
    await _change(update, context, who, "signup", session_id)


def _open_sessions(context: ContextTypes.DEFAULT_TYPE):
    svc = services(context)
    now = svc.now()
    return [s for s in svc.program.current.signup_sessions() if not closed(s, now)]


async def signup_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    if context.args:
        await sign_up_for(update, context, who, context.args[0].strip().lower())
        return
    sessions = _open_sessions(context)
    if not sessions:
        await send(update, context, t(who.lang, "signup_none_open"))
        return
    program = services(context).program.current
    await send(update, context, t(who.lang, "signup_choose"), keyboard(views.session_buttons(program, sessions, who.lang)))


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    if context.args:
        session_id = context.args[0].strip().lower()
        if program.session(session_id) is None:
            await send(update, context, t(who.lang, "unknown_session", session_id=session_id[:40]))
            return
        await _cancel(update, context, who, session_id)
        return
    text, rows = views.mine_view(program, who.lang, await svc.storage.registrations_of(who.user_id), svc.now())
    if not rows:
        await send(update, context, t(who.lang, "cancel_none"))
        return
    await send(update, context, t(who.lang, "cancel_choose") + "\n\n" + text, keyboard(rows))


async def _cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session_id: str) -> None:
    await _change(update, context, who, "cancel", session_id)


async def mine_command(update: Update, context: ContextTypes.DEFAULT_TYPE, intro: str = "") -> None:
    who = await asker(update, context)
    svc = services(context)
    text, rows = views.mine_view(svc.program.current, who.lang, await svc.storage.registrations_of(who.user_id),
                                 svc.now())
    await send(update, context, intro + "\n\n" + text if intro else text, keyboard(rows or [[views.program_button(who.lang)]]))


@b.handles(b.Mine)
async def _mine(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.Mine) -> None:
    await mine_command(update, context)


@b.handles(b.SignUp)
async def _sign_up(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.SignUp) -> None:
    await sign_up_for(update, context, who, value.session_id)


@b.handles(b.JoinWaitlist)
async def _join_waitlist(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.JoinWaitlist) -> None:
    await _change(update, context, who, "waitlist", value.session_id)


@b.handles(b.Switch)
async def _switch(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.Switch) -> None:
    await _change(update, context, who, "switch", value.to_id, from_id=value.from_id)


@b.handles(b.GiveBack)
async def _give_back(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.GiveBack) -> None:
    await _cancel(update, context, who, value.session_id)


@b.handles(b.LeaveWaitlist)
async def _leave_waitlist(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.LeaveWaitlist) -> None:
    await _change(update, context, who, "leave_waitlist", value.session_id)


@b.handles(b.KeepSeat)
async def _keep_seat(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.KeepSeat) -> None:
    svc = services(context)
    session = svc.program.current.session(value.session_id)
    title = session.title.get(who.lang) if session else value.session_id
    mine = await svc.storage.registration(value.session_id, who.user_id)
    if mine is None or mine.state != "confirmed":  # an old offer: the seat was switched or given back since
        await mine_command(update, context, intro=t(who.lang, "signup_keep_gone", title=title))
        return
    await send(update, context, t(who.lang, "signup_kept", title=title))


@b.handles(b.KeepPromotion)
async def _keep_promotion(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.KeepPromotion) -> None:
    svc = services(context)
    session = svc.program.current.session(value.session_id)
    mine = await svc.storage.registration(value.session_id, who.user_id)
    if mine is None or mine.state != "confirmed" or session is None or session.cancelled:
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
