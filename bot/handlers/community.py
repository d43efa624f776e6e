"""Questions to the panel (/frage, /fragen) and networking with consent (/vernetzen)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from ..domain.program import Kind, Program, Session
from ..delivery import Send, Skip
from ..domain.messages import ContactDeclined, ContactRequested, ContactShared
from ..storage import Question
from ..texts import Html, escape, plain, t
from ..usecases import community
from . import buttons as b
from . import conversation, orga
from .common import Asker, asker, keyboard, send, show
from .context import BotContext
from .push import Push, renders

QUESTION_LIMIT = 500
QUESTION = conversation.flow("question", "flow_question")
NETWORK = conversation.flow("network", "flow_network")


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


def _none_open(program: Program, lang: str, now) -> str:
    """No question round now: the ones still to come, or that none is left."""
    later = [s for s in question_sessions(program) if s.end > now]
    if not later:
        return t(lang, "q_none_left")
    return t(lang, "q_none_open", sessions=", ".join(s.title.get(lang) for s in later))


def can_moderate(who: Asker, session: Session) -> bool:
    return who.is_admin or who.user_id in session.moderators


async def ask_command(update: Update, context: BotContext) -> None:
    """/frage [text]: a question to the running (or next) session that takes questions; without
    text, choose the session, then write."""
    who = await asker(update, context)
    svc = context.services
    await community.may_take_part(svc, who.user_id)  # told at once, before typing a question in vain
    program = svc.program.current
    text = " ".join(context.args or []).strip()
    session = current_question_session(program, svc.now())
    if session is None:
        await send(update, context, _none_open(program, who.lang, svc.now()))
        return
    if not text:
        rows = [[b.AskAbout(s.id).button(s.title.get(who.lang))]
                for s in question_sessions(program) if s.end > svc.now()]
        await send(update, context, t(who.lang, "q_choose"), keyboard(rows))
        return
    await submit_question(update, context, who, session, text)


@b.handles(b.AskAbout)
async def _ask_about(update: Update, context: BotContext, who: Asker, value: b.AskAbout) -> None:
    session = context.services.program.current.session(value.session_id)
    if session is None or not session.questions or session.cancelled:
        await b.refuse(update, who.lang)
        return
    await community.may_take_part(context.services, who.user_id)
    await conversation.expect(context, who, QUESTION, "text", session=session.id)
    await send(update, context, t(who.lang, "q_write", title=session.title.get(who.lang)))


@QUESTION.step("text")
async def _question_typed(update: Update, context: BotContext, who: Asker,
                          pending: conversation.Pending) -> None:
    session = context.services.program.current.session(pending.get("session", ""))
    if session is None or session.cancelled:
        await conversation.done(context, who)
        await send(update, context, t(who.lang, "stale_session"))
        return
    await submit_question(update, context, who, session, (update.effective_message.text or "").strip())


async def submit_question(update: Update, context: BotContext, who: Asker, session: Session, text: str) -> None:
    svc = context.services
    if len(text) > QUESTION_LIMIT:
        await send(update, context, t(who.lang, "q_too_long"))  # the prompt stays open for a shorter one
        return
    await conversation.done(context, who)
    question_id = await community.ask(svc, who.user_id, session, text)
    await send(update, context, t(who.lang, "q_received", title=session.title.get(who.lang)),
               keyboard([[b.ShowMyName(question_id).labelled(who.lang, "q_show_name")]]))


async def list_questions(update: Update, context: BotContext, who: Asker, session: Session) -> None:
    """The questions, ranked; from a button, the list the button sits on is redrawn."""
    svc = context.services
    moderator = can_moderate(who, session)
    questions = (await svc.storage.questions.of_session(session.id, include_hidden=moderator))[:15]
    if moderator:  # in the order they came: a tap never moves the row under the next tap
        questions.sort(key=lambda q: q.id)
    title = session.title.get(who.lang)
    others = [[b.ListQuestions(s.id).button("❓ " + s.title.get(who.lang))]
              for s in question_sessions(svc.program.current) if s.id != session.id and s.end > svc.now()]
    if not questions:
        await show(update, context, t(who.lang, "q_empty", title=title), keyboard(others))
        return
    lines, rows = [t(who.lang, "q_list_title", title=title)], []
    for q in questions:
        mark = {"answered": "✅ ", "hidden": "🙈 "}.get(q.state, "") + f"#{q.id} "
        who_asked = t(who.lang, "q_line_by", name=q.first_name) if q.show_name and q.first_name else ""
        lines.append(t(who.lang, "q_line", mark=mark, votes=q.votes, text=q.text, who=who_asked))
        row = []
        if q.state == "open":
            row.append(b.Vote(q.id).labelled(who.lang, "q_vote_button", id=q.id))
        if moderator:
            row += moderation_buttons(q, who.lang)
        if row:
            rows.append(row)
    await show(update, context, "\n".join(lines), keyboard(rows + others))


def moderation_buttons(question: Question, lang: str) -> list:
    """What a moderator can do with a question, labelled with what it does: a hidden one can
    only be shown again (marking it answered must not publish it)."""
    if question.state == "hidden":
        return [b.ShowQuestion(question.id).labelled(lang, "q_show_button", id=question.id)]
    buttons = [b.HideQuestion(question.id).labelled(lang, "q_hide_button", id=question.id)]
    if question.state == "open":
        buttons.insert(0, b.MarkAnswered(question.id).labelled(lang, "q_answered_button", id=question.id))
    return buttons


async def questions_command(update: Update, context: BotContext) -> None:
    """/fragen [id]: the questions of a session; without an id, the running or next one, with
    buttons for the others (moderators need no ids)."""
    who = await asker(update, context)
    svc = context.services
    program = svc.program.current
    session = program.session(context.args[0].lower()) if context.args else current_question_session(program, svc.now())
    if session is None or not session.questions:
        await send(update, context, _none_open(program, who.lang, svc.now()))
        return
    await list_questions(update, context, who, session)


@b.handles(b.ListQuestions)
async def _list_questions(update: Update, context: BotContext, who: Asker, value: b.ListQuestions) -> None:
    session = context.services.program.current.session(value.session_id)
    if session is None or not session.questions:
        await b.refuse(update, who.lang)
        return
    await list_questions(update, context, who, session)


async def _question_and_session(context, question_id: int) -> tuple[Question, Session] | tuple[None, None]:
    svc = context.services
    question = await svc.storage.questions.get(question_id)
    session = svc.program.current.session(question.session_id) if question else None
    return (question, session) if question and session else (None, None)


@b.handles(b.Vote)
async def _vote(update: Update, context: BotContext, who: Asker, value: b.Vote) -> None:
    question, session = await _question_and_session(context, value.question_id)
    if question is None:
        await b.refuse(update, who.lang)
        return
    voted = await community.vote(context.services, who.user_id, question.id)
    await b.answer(update, plain(who.lang, "q_voted" if voted else "q_voted_before"))
    await list_questions(update, context, who, session)


async def _moderate(update: Update, context: BotContext, who: Asker, question_id: int, state: str) -> None:
    question, session = await _question_and_session(context, question_id)
    if question is None:
        await b.refuse(update, who.lang)
        return
    if not can_moderate(who, session):
        await b.refuse(update, who.lang, "q_not_moderator")
        return
    if question.state == "hidden" and state == "answered":  # an older button: showing it needs 👁
        await b.answer(update, plain(who.lang, "q_still_hidden", id=question.id))
        await list_questions(update, context, who, session)
        return
    await context.services.storage.questions.set_state(question.id, state)
    await b.answer(update, plain(who.lang, "q_marked", id=question.id, state=plain(who.lang, f"q_state_{state}")))
    await list_questions(update, context, who, session)


@b.handles(b.MarkAnswered)
async def _answered(update: Update, context: BotContext, who: Asker, value: b.MarkAnswered) -> None:
    await _moderate(update, context, who, value.question_id, "answered")


@b.handles(b.HideQuestion)
async def _hide(update: Update, context: BotContext, who: Asker, value: b.HideQuestion) -> None:
    await _moderate(update, context, who, value.question_id, "hidden")


@b.handles(b.ShowQuestion)
async def _show(update: Update, context: BotContext, who: Asker, value: b.ShowQuestion) -> None:
    await _moderate(update, context, who, value.question_id, "open")


@b.handles(b.ShowMyName)
async def _show_name(update: Update, context: BotContext, who: Asker, value: b.ShowMyName) -> None:
    question, _ = await _question_and_session(context, value.question_id)
    if question is None or question.user_id != who.user_id:
        await b.refuse(update, who.lang)
        return
    await context.services.storage.questions.show_name(question.id)
    await b.answer(update, plain(who.lang, "q_named"))
    await show(update, context, t(who.lang, "q_named"))


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


async def network_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    svc = context.services
    await community.may_take_part(svc, who.user_id)
    profile = await svc.storage.networking.profile(who.user_id)
    if profile is None or not profile.complete:
        await send(update, context, t(who.lang, "net_intro"), keyboard([[b.NetworkJoin().labelled(who.lang, "net_join")]]))
        return
    await show_matches(update, context, who)


async def show_matches(update: Update, context: BotContext, who: Asker) -> None:
    svc = context.services
    program = svc.program.current
    matches = (await svc.storage.networking.matches(who.user_id))[:10]
    if not matches:
        await send(update, context, t(who.lang, "net_no_matches"))
        return
    lines = [t(who.lang, "net_matches_title")]
    rows = []
    for match in matches:
        lines.append(t(who.lang, "net_match_line", name=match.first_name, role=match.role or "–",
                       organization=match.organization or "–", topics=topic_names(program, match.shared, who.lang)))
        rows.append([b.ContactRequest(match.user_id).labelled(who.lang, "net_request_button", name=match.first_name)])
    await send(update, context, "\n".join(lines), keyboard(rows))


async def leave_network_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    storage = context.services.storage
    had_profile = await storage.networking.profile(who.user_id) is not None
    await storage.networking.leave(who.user_id)
    await send(update, context, t(who.lang, "net_left" if had_profile else "net_left_none"))


async def topic_keyboard(context: BotContext, who: Asker) -> list:
    svc = context.services
    profile = await svc.storage.networking.profile(who.user_id)
    chosen = profile.topics if profile else []
    rows = [[b.NetworkTopic(key).button(("✅ " if key in chosen else "▫️ ") + session.title.get(who.lang).split(": ", 1)[-1])]
            for key, session in topics(svc.program.current)]
    rows.append([b.NetworkDone().labelled(who.lang, "net_done_button")])
    return rows


@b.handles(b.NetworkJoin)
async def _join(update: Update, context: BotContext, who: Asker, value: b.NetworkJoin) -> None:
    svc = context.services
    await community.join_network(svc, who.user_id)
    await conversation.expect(context, who, NETWORK, "organization")
    await send(update, context, t(who.lang, "net_ask_org"))


def _typed(update: Update) -> str:
    return (update.effective_message.text or "").strip()[:120] if update.effective_message else ""


@NETWORK.step("organization")
async def _organization(update: Update, context: BotContext, who: Asker, pending: conversation.Pending) -> None:
    svc = context.services
    text = _typed(update)
    if not text:
        await send(update, context, t(who.lang, "net_ask_org"))
        return
    await svc.storage.networking.save_profile(who.user_id, svc.now(), organization=text)
    await conversation.expect(context, who, NETWORK, "role")
    await send(update, context, t(who.lang, "net_ask_role"))


@NETWORK.step("role")
async def _role(update: Update, context: BotContext, who: Asker, pending: conversation.Pending) -> None:
    svc = context.services
    text = _typed(update)
    if not text:
        await send(update, context, t(who.lang, "net_ask_role"))
        return
    await svc.storage.networking.save_profile(who.user_id, svc.now(), role=text)
    await conversation.done(context, who)
    await send(update, context, t(who.lang, "net_choose_topics"), keyboard(await topic_keyboard(context, who)))


@b.handles(b.NetworkTopic)
async def _topic(update: Update, context: BotContext, who: Asker, value: b.NetworkTopic) -> None:
    svc = context.services
    profile = await svc.storage.networking.profile(who.user_id)
    if profile is None:
        await b.refuse(update, who.lang)
        return
    chosen = set(profile.topics) ^ {value.session_id}
    await svc.storage.networking.save_profile(who.user_id, svc.now(), topics=list(chosen))
    await show(update, context, t(who.lang, "net_choose_topics"), keyboard(await topic_keyboard(context, who)))


@b.handles(b.NetworkDone)
async def _done(update: Update, context: BotContext, who: Asker, value: b.NetworkDone) -> None:
    svc = context.services
    profile = await svc.storage.networking.profile(who.user_id)
    if not profile or not profile.topics:
        await b.answer(update, plain(who.lang, "net_need_topic"), alert=True)
        return
    await svc.storage.networking.save_profile(who.user_id, svc.now(), complete=1)
    await show_matches(update, context, who)


@b.handles(b.ContactRequest)
async def _request(update: Update, context: BotContext, who: Asker, value: b.ContactRequest) -> None:
    svc = context.services
    other = await svc.storage.attendees.get(value.user_id)
    request_id = await community.request_contact(svc, who.user_id, value.user_id)
    if request_id is None or other is None:
        await send(update, context, t(who.lang, "net_request_exists"))
        return
    await send(update, context, t(who.lang, "net_requested", name=other.first_name))


async def _answer_contact(update: Update, context: BotContext, who: Asker, request_id: int, accept: bool) -> None:
    svc = context.services
    answered = await svc.storage.networking.answer_contact(request_id, who.user_id, accept, svc.now())
    await send(update, context, t(who.lang, "net_answer_recorded" if answered else "action_taken"))


@b.handles(b.ContactAccept)
async def _accept(update: Update, context: BotContext, who: Asker, value: b.ContactAccept) -> None:
    await _answer_contact(update, context, who, value.request_id, True)


@b.handles(b.ContactDecline)
async def _decline(update: Update, context: BotContext, who: Asker, value: b.ContactDecline) -> None:
    await _answer_contact(update, context, who, value.request_id, False)


orga.action("questions")(questions_command)


# --- what the bot sends on its own ------------------------------------------------------------------


@renders(ContactDeclined)
async def _contact_declined(push: Push, message: ContactDeclined) -> Send | Skip:
    return push.text(t(push.lang, "net_declined"))


@renders(ContactRequested)
async def _contact_requested(push: Push, message: ContactRequested) -> Send | Skip:
    request = await push.svc.storage.networking.contact_request(message.request)
    if request is None or request.state != "pending":
        return Skip("the request was answered or withdrawn")
    introduction = await _introduction(push, request.from_user)
    if isinstance(introduction, Skip):
        return introduction
    values, shared = introduction
    lang = push.lang
    text = t(lang, "net_request_received", topics=topic_names(push.svc.program.current, shared, lang), **values)
    return push.text(text, keyboard([[b.ContactAccept(message.request).labelled(lang, "net_accept"),
                                      b.ContactDecline(message.request).labelled(lang, "net_decline")]]))


@renders(ContactShared)
async def _contact_shared(push: Push, message: ContactShared) -> Send | Skip:
    """Contact details go out only after the addressee accepted (storage queues this message then)."""
    introduction = await _introduction(push, message.other)
    if isinstance(introduction, Skip):
        return introduction
    values, _ = introduction
    other = await push.svc.storage.attendees.get(message.other)
    link = f'<a href="tg://user?id={other.user_id}">{escape(other.display_name)}</a>'
    contact = Html(link + (f" (@{escape(other.username)})" if other.username else ""))
    return push.text(t(push.lang, "net_shared", contact=contact, **values))


async def _introduction(push: Push, other_id: int) -> tuple[dict, list[str]] | Skip:
    """Who the other person is (name, role, organization) and the topics both share."""
    storage = push.svc.storage
    other = await storage.attendees.get(other_id)
    profile = await storage.networking.profile(other_id)
    if other is None or profile is None:
        return Skip("they left the network or deleted their data")
    mine = await storage.networking.profile(push.row.user_id) if push.row.user_id else None
    shared = sorted(set(profile.topics) & set(mine.topics if mine else []))
    return {"name": other.first_name, "role": profile.role or "–", "organization": profile.organization or "–"}, shared


def handlers() -> list:
    return [
        CommandHandler(["frage", "question", "ask"], ask_command),
        CommandHandler(["fragen", "questions"], questions_command),
        CommandHandler(["vernetzen", "network"], network_command),
        CommandHandler(["vernetzen_aus", "network_off"], leave_network_command),
    ]
