"""Sign-up for workshops and the excursion: /anmelden, /abmelden, /meine and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from ..domain.signup import Outcome, Status
from ..texts import plain, t
from . import views
from .common import Asker, answer_query, arrival, asker, button, keyboard, parse_callback, room_of, send, services, when


def _outcome_message(context: ContextTypes.DEFAULT_TYPE, who: Asker, outcome: Outcome) -> tuple[str, list]:
    program = services(context).program.current
    session = program.session(outcome.session_id)
    if session is None:
        return t(who.lang, "unknown_session", session_id=outcome.session_id), []
    lang = who.lang
    title = session.title.get(lang)
    other_session = program.session(outcome.other_session_id) if outcome.other_session_id else None
    other = other_session.title.get(lang) if other_session else outcome.other_session_id or ""
    status = outcome.status
    if status in (Status.CONFIRMED, Status.SWITCHED):
        key = "signup_confirmed" if status == Status.CONFIRMED else "signup_switched"
        text = t(lang, key, title=title, other=other, when=when(program, session, lang), room=room_of(session, lang))
        return text, [[button(lang, "button_cancel_seat", f"cx:{session.id}")], [button(lang, "menu_mine", "me")]]
    if status == Status.WAITLISTED:
        key = "signup_waitlisted_switch" if outcome.other_session_id else "signup_waitlisted"
        return (t(lang, key, title=title, other=other, position=outcome.position),
                [[button(lang, "button_leave_waitlist", f"cx:{session.id}")]])
    if status == Status.ALREADY_CONFIRMED:
        return t(lang, "signup_already_confirmed", title=title), [[button(lang, "button_cancel_seat", f"cx:{session.id}")]]
    if status == Status.ALREADY_WAITLISTED:
        return (t(lang, "signup_already_waitlisted", title=title, position=outcome.position),
                [[button(lang, "button_leave_waitlist", f"cx:{session.id}")]])
    if status == Status.CONFLICT:
        return t(lang, "signup_conflict", title=title, other=other), [[
            button(lang, "button_switch", f"sw:{outcome.other_session_id}:{session.id}"),
            button(lang, "button_keep_old", f"ko:{outcome.other_session_id}"),
        ]]
    if status == Status.SWITCH_FULL:
        if outcome.position:
            return t(lang, "signup_switch_full_waiting", title=title, other=other, position=outcome.position), []
        return t(lang, "signup_switch_full", title=title, other=other), [[button(lang, "button_join_waitlist", f"wl:{session.id}")]]
    if status == Status.CANCELLED:
        return t(lang, "cancel_done", title=title), [[button(lang, "button_signup", f"su:{session.id}")]]
    if status == Status.LEFT_WAITLIST:
        return t(lang, "cancel_left_waitlist", title=title), []
    if status == Status.NOT_REGISTERED:
        return t(lang, "cancel_not_registered", title=title), []
    key = {Status.NO_SIGNUP: "signup_no_signup", Status.SESSION_CANCELLED: "signup_session_cancelled",
           Status.CLOSED: "signup_closed"}.get(status, "error_generic")
    return t(lang, key, title=title), []


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, outcome: Outcome) -> None:
    services(context).replan()  # any change of seats changes who is owed which reminder
    text, rows = _outcome_message(context, who, outcome)
    await send(update, context, text, keyboard(rows))


async def sign_up_for(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session_id: str) -> None:
    svc = services(context)
    program = svc.program.current
    if program.session(session_id) is None:
        await send(update, context, t(who.lang, "unknown_session", session_id=session_id[:40]))
        return
    outcome = await svc.storage.sign_up(program, session_id, who.user_id, arrival(update, context), svc.now())
    await _reply(update, context, who, outcome)


def _open_sessions(context: ContextTypes.DEFAULT_TYPE):
    svc = services(context)
    now = svc.now()
    return [s for s in svc.program.current.signup_sessions() if s.start > now]


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
    text, rows = views.mine_view(program, who.lang, await svc.storage.registrations_of(who.user_id))
    if not rows or rows[0][0][1] == "p:0":
        await send(update, context, t(who.lang, "cancel_none"))
        return
    await send(update, context, t(who.lang, "cancel_choose") + "\n\n" + text, keyboard(rows))


async def _cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session_id: str) -> None:
    svc = services(context)
    program = svc.program.current
    session = program.session(session_id)
    if session is not None and svc.now() >= session.start:
        await send(update, context, t(who.lang, "signup_closed", title=session.title.get(who.lang)))
        return
    outcome = await svc.storage.cancel(program, session_id, who.user_id, svc.now())
    await _reply(update, context, who, outcome)


async def mine_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    text, rows = views.mine_view(svc.program.current, who.lang, await svc.storage.registrations_of(who.user_id))
    await send(update, context, text, keyboard(rows))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    parsed = parse_callback(update.callback_query.data if update.callback_query else None)
    assert parsed is not None
    action, first, second = parsed
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    if action == "me":
        await answer_query(update)
        await mine_command(update, context)
        return
    if first is None or program.session(first) is None or (second is not None and program.session(second) is None):
        from .fallback import stale_button

        await stale_button(update, context)
        return
    await answer_query(update)
    now = svc.now()
    if action == "su":
        outcome = await svc.storage.sign_up(program, first, who.user_id, arrival(update, context), now)
    elif action == "wl":
        outcome = await svc.storage.join_waitlist(program, first, who.user_id, arrival(update, context), now)
    elif action == "sw" and second:
        outcome = await svc.storage.switch(program, first, second, who.user_id, arrival(update, context), now)
    elif action == "cx":
        await _cancel(update, context, who, first)
        return
    elif action == "ko":
        session = program.session(first)
        await send(update, context, t(who.lang, "signup_kept", title=session.title.get(who.lang) if session else first))
        return
    elif action == "kp":
        session = program.session(first)
        mine = await svc.storage.registration(first, who.user_id)
        if mine is None or mine.state != "confirmed" or session is None:
            await send(update, context, t(who.lang, "stale_button"))
            return
        await send(update, context, t(who.lang, "promotion_kept", title=session.title.get(who.lang)))
        return
    else:
        return
    await _reply(update, context, who, outcome)


def handlers() -> list:
    return [
        CommandHandler(["anmelden", "signup"], signup_command),
        CommandHandler(["abmelden", "cancel"], cancel_command),
        CommandHandler(["meine", "mine", "my"], mine_command),
        CallbackQueryHandler(on_button, pattern=r"^(me|(su|wl|cx|ko|kp):[a-z0-9_-]{1,24}|sw:[a-z0-9_-]{1,24}:[a-z0-9_-]{1,24})$"),
    ]


def promotion_buttons(lang: str, session_id: str) -> list[list[tuple[str, str]]]:
    return [[(plain(lang, "button_keep_seat"), f"kp:{session_id}"), (plain(lang, "button_release_seat"), f"cx:{session_id}")]]
