"""Questions to the panel (/frage, /fragen) and networking with consent (/vernetzen)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from ..domain.program import Kind, Program, Session
from ..texts import plain, t
from .common import Asker, answer_query, asker, keyboard, send, services

QUESTION_LIMIT = 500


# --- questions ------------------------------------------------------------------------------------


def question_sessions(program: Program) -> list[Session]:
    return [s for s in program.active_sessions() if s.questions]


def current_question_session(program: Program, now) -> Session | None:
    """The running session that takes questions, else the next one."""
    open_now = [s for s in question_sessions(program) if s.is_running(now)]
    if open_now:
        return open_now[0]
    later = [s for s in question_sessions(program) if s.start > now]
    return later[0] if later else None


def can_moderate(who: Asker, session: Session) -> bool:
    return who.is_admin or who.user_id in session.moderators


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    text = " ".join(context.args or []).strip()
    session = current_question_session(program, svc.now())
    if session is None:
        names = ", ".join(s.title.get(who.lang) for s in question_sessions(program)) or "–"
        await send(update, context, t(who.lang, "q_none_open", sessions=names))
        return
    if not text:
        rows = [[(s.title.get(who.lang)[:50], f"qs:{s.id}")] for s in question_sessions(program) if s.end > svc.now()]
        await send(update, context, t(who.lang, "q_choose"), keyboard(rows))
        return
    await submit_question(update, context, who, session, text)


async def submit_question(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session, text: str) -> None:
    svc = services(context)
    if len(text) > QUESTION_LIMIT:
        await send(update, context, t(who.lang, "q_too_long"))
        return
    await svc.storage.set_admin_state(who.user_id, None, None, svc.now())
    question_id = await svc.storage.add_question(session.id, who.user_id, text, svc.now())
    await send(update, context, t(who.lang, "q_received", title=session.title.get(who.lang)),
               keyboard([[(plain(who.lang, "q_show_name"), f"qn:{question_id}")]]))


async def list_questions(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session) -> None:
    svc = services(context)
    moderator = can_moderate(who, session)
    questions = (await svc.storage.questions(session.id, include_hidden=moderator))[:15]
    title = session.title.get(who.lang)
    if not questions:
        await send(update, context, t(who.lang, "q_empty", title=title))
        return
    lines, rows = [t(who.lang, "q_list_title", title=title)], []
    for q in questions:
        mark = {"answered": "✅ ", "hidden": "🙈 "}.get(q["state"], "") + f"#{q['id']} "
        who_asked = t(who.lang, "q_line_by", name=q["first_name"]) if q["show_name"] and q["first_name"] else ""
        lines.append(t(who.lang, "q_line", mark=mark, votes=q["votes"], text=q["text"], who=who_asked))
        row = []
        if q["state"] == "open":
            row.append((plain(who.lang, "q_vote_button", id=q["id"]), f"qv:{q['id']}"))
        if moderator and q["state"] != "answered":
            row.append((plain(who.lang, "q_answered_button", id=q["id"]), f"qa:{q['id']}"))
        if moderator and q["state"] != "hidden":
            row.append((plain(who.lang, "q_hide_button", id=q["id"]), f"qh:{q['id']}"))
        if row:
            rows.append(row)
    await send(update, context, "\n".join(lines), keyboard(rows))


async def questions_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    session = program.session(context.args[0].lower()) if context.args else current_question_session(program, svc.now())
    if session is None:
        names = ", ".join(s.title.get(who.lang) for s in question_sessions(program)) or "–"
        await send(update, context, t(who.lang, "q_none_open", sessions=names))
        return
    await list_questions(update, context, who, session)


# --- networking ----------------------------------------------------------------------------------


def topics(program: Program) -> list[tuple[str, Session]]:
    """Topics are the program's workshops (digital twins, mobility, participation …)."""
    return [(s.id, s) for s in program.sessions if s.kind == Kind.WORKSHOP]


def topic_names(program: Program, keys: list[str], lang: str) -> str:
    names = []
    for key in keys:
        session = program.session(key)
        names.append(session.title.get(lang).split(": ", 1)[-1] if session else key)
    return ", ".join(names)


async def network_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    profile = await svc.storage.profile(who.user_id)
    if profile is None or not profile["complete"]:
        await send(update, context, t(who.lang, "net_intro"), keyboard([[(plain(who.lang, "net_join"), "nw:join")]]))
        return
    await show_matches(update, context, who)


async def show_matches(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    svc = services(context)
    program = svc.program.current
    matches = (await svc.storage.matches(who.user_id))[:10]
    if not matches:
        await send(update, context, t(who.lang, "net_no_matches"))
        return
    lines = [t(who.lang, "net_matches_title")]
    rows = []
    for match in matches:
        lines.append(t(who.lang, "net_match_line", name=match["first_name"], role=match["role"] or "–",
                       organization=match["organization"] or "–", topics=topic_names(program, match["shared"], who.lang)))
        rows.append([(plain(who.lang, "net_request_button", name=match["first_name"][:20]), f"nr:{match['user_id']}")])
    await send(update, context, "\n".join(lines), keyboard(rows))


async def leave_network_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    await svc.storage.leave_network(who.user_id)
    await svc.storage.set_admin_state(who.user_id, None, None, svc.now())
    await send(update, context, t(who.lang, "net_left"))


async def topic_keyboard(context: ContextTypes.DEFAULT_TYPE, who: Asker) -> list:
    svc = services(context)
    profile = await svc.storage.profile(who.user_id) or {"topics": []}
    rows = [[(("✅ " if key in profile["topics"] else "▫️ ") + session.title.get(who.lang).split(": ", 1)[-1][:40], f"nt:{key}")]
            for key, session in topics(svc.program.current)]
    rows.append([(plain(who.lang, "net_done_button"), "nw:done")])
    return rows


async def take_network_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, step: str) -> None:
    """The organization, then the role, typed by the attendee while joining."""
    svc = services(context)
    text = (update.effective_message.text or "").strip()[:120] if update.effective_message else ""
    if not text:
        return
    if step == "net_org":
        await svc.storage.save_profile(who.user_id, svc.now(), organization=text)
        await svc.storage.set_admin_state(who.user_id, "net_role", {}, svc.now())
        await send(update, context, t(who.lang, "net_ask_role"))
    else:
        await svc.storage.save_profile(who.user_id, svc.now(), role=text)
        await svc.storage.set_admin_state(who.user_id, None, None, svc.now())
        await send(update, context, t(who.lang, "net_choose_topics"), keyboard(await topic_keyboard(context, who)))


# --- buttons ---------------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    action, _, rest = (update.callback_query.data or "").partition(":")
    if action in ("qv", "qa", "qh", "qn"):
        question = await svc.storage.question(int(rest))
        session = program.session(question["session_id"]) if question else None
        if question is None or session is None:
            from .fallback import stale_button

            await stale_button(update, context)
            return
        if action == "qv":
            voted = await svc.storage.vote(question["id"], who.user_id)
            await answer_query(update, plain(who.lang, "q_voted" if voted else "q_voted_before"))
        elif action == "qn":
            await answer_query(update)
            if question["user_id"] == who.user_id:
                await svc.storage.set_question(question["id"], show_name=1)
                await send(update, context, t(who.lang, "q_named"))
        else:
            if not can_moderate(who, session):
                await answer_query(update, plain(who.lang, "q_not_moderator"), alert=True)
                return
            state = "answered" if action == "qa" else "hidden"
            await svc.storage.set_question(question["id"], state=state)
            await answer_query(update, plain(who.lang, "q_marked", id=question["id"], state=plain(who.lang, f"q_state_{state}")))
            await list_questions(update, context, who, session)
        return
    await answer_query(update)
    if action == "qs":
        session = program.session(rest)
        if session is None or not session.questions:
            await send(update, context, t(who.lang, "stale_button"))
            return
        await svc.storage.set_admin_state(who.user_id, "question", {"session": session.id}, svc.now())
        await send(update, context, t(who.lang, "q_write", title=session.title.get(who.lang)))
    elif action == "nw" and rest == "join":
        await svc.storage.save_profile(who.user_id, svc.now())
        await svc.storage.set_admin_state(who.user_id, "net_org", {}, svc.now())
        await send(update, context, t(who.lang, "net_ask_org"))
    elif action == "nw" and rest == "done":
        profile = await svc.storage.profile(who.user_id)
        if not profile or not profile["topics"]:
            await send(update, context, t(who.lang, "net_need_topic"))
            return
        await svc.storage.save_profile(who.user_id, svc.now(), complete=1)
        await show_matches(update, context, who)
    elif action == "nt":
        profile = await svc.storage.profile(who.user_id)
        if profile is None or program.session(rest) is None:
            await send(update, context, t(who.lang, "stale_button"))
            return
        chosen = set(profile["topics"]) ^ {rest}
        await svc.storage.save_profile(who.user_id, svc.now(), topics=list(chosen))
        await update.callback_query.edit_message_reply_markup(keyboard(await topic_keyboard(context, who)))
    elif action == "nr":
        other = await svc.storage.attendee(int(rest))
        request_id = await svc.storage.request_contact(who.user_id, int(rest), svc.now())
        if request_id is None or other is None:
            await send(update, context, t(who.lang, "net_request_exists"))
            return
        await send(update, context, t(who.lang, "net_requested", name=other.first_name))
    elif action in ("na", "nd"):
        answered = await svc.storage.answer_contact(int(rest), who.user_id, action == "na", svc.now())
        await send(update, context, t(who.lang, "net_answer_recorded" if answered else "action_taken"))


async def take_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, kind: str, payload: dict) -> bool:
    """Typed answers that belong to a step started here; True if handled."""
    if kind == "question":
        session = services(context).program.current.session(payload.get("session", ""))
        if session is not None:
            await submit_question(update, context, who, session, (update.effective_message.text or "").strip())
        return True
    if kind in ("net_org", "net_role"):
        await take_network_answer(update, context, who, kind)
        return True
    return False


def handlers() -> list:
    return [
        CommandHandler(["frage", "question", "ask"], ask_command),
        CommandHandler(["fragen", "questions"], questions_command),
        CommandHandler(["vernetzen", "network"], network_command),
        CommandHandler(["vernetzen_aus", "network_off"], leave_network_command),
        CallbackQueryHandler(on_button, pattern=r"^(q[vahn]:\d{1,9}|qs:[a-z0-9_-]{1,24}|nw:(join|done)|nt:[a-z0-9_-]{1,24}"
                                                r"|n[rad]:\d{1,12})$"),
    ]
