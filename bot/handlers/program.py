"""Program queries: /start, /programm, /jetzt, /danach, /ort, session details, free-text search,
/hilfe and /sprache."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from ..domain.search import search, search_exhibitors
from ..texts import LANGUAGES, plain, t
from . import views
from .common import answer_query, asker, keyboard, parse_callback, send, services, show


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    argument = context.args[0] if context.args else ""
    if argument.startswith("signup-"):
        from .signup import sign_up_for  # deep link "signup-<id>": sign up straight away

        await sign_up_for(update, context, who, argument[len("signup-"):])
        return
    program = services(context).program.current
    if argument:
        await details(update, context, argument, who)
        return
    await send(update, context, views.welcome(program, who.lang), keyboard(views.main_menu(who.lang)))


async def program_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    text, rows = views.program_page(services(context).program.current, who.lang, 0)
    await send(update, context, text, keyboard(rows))


async def now_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    now = svc.now()
    text = views.now_view(program, who.lang, now)
    rows = views.session_buttons(program, program.running(now) + program.upcoming(now), who.lang)
    await send(update, context, text, keyboard(rows))


async def next_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    svc = services(context)
    program = svc.program.current
    now = svc.now()
    await send(update, context, views.next_view(program, who.lang, now),
               keyboard(views.session_buttons(program, program.upcoming(now), who.lang)))


async def venue_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    venue = services(context).program.current.conference.venue
    chat = update.effective_chat
    assert chat is not None
    if venue.has_coordinates:
        await context.bot.send_venue(chat.id, venue.latitude, venue.longitude, venue.name, venue.address or venue.name)
    else:
        await send(update, context, t(who.lang, "venue_text", venue=venue.name, address=venue.address))


async def details(update: Update, context: ContextTypes.DEFAULT_TYPE, session_id: str, who=None) -> None:
    who = who or await asker(update, context)
    svc = services(context)
    program = svc.program.current
    session = program.session(session_id)
    if session is None:
        await show(update, context, t(who.lang, "unknown_session", session_id=session_id))
        return
    count = (await svc.storage.session_counts()).get(session_id) if session.capacity is not None else None
    mine = await svc.storage.registration(session_id, who.user_id) if session.capacity is not None else None
    bookmarked = session_id in await svc.storage.bookmarks_of(who.user_id)
    text, rows = views.session_details(program, session, who.lang, count, mine, bookmarked)
    await show(update, context, text, keyboard(rows))


async def meeting_point(update: Update, context: ContextTypes.DEFAULT_TYPE, session_id: str) -> None:
    who = await asker(update, context)
    session = services(context).program.current.session(session_id)
    point = session.meeting_point if session else None
    chat = update.effective_chat
    if point is None or not point.has_coordinates or chat is None:
        await send(update, context, t(who.lang, "stale_button"))
        return
    await context.bot.send_venue(chat.id, point.latitude, point.longitude,
                                 plain(who.lang, "meeting_point_title", place=point.name)[:256],
                                 point.address or point.name)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    text = t(who.lang, "help") + (t(who.lang, "help_admin") if who.is_admin else "")
    await send(update, context, text, keyboard(views.main_menu(who.lang)))


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    if context.args and context.args[0].lower()[:2] in LANGUAGES:
        await set_language(update, context, context.args[0].lower()[:2])
        return
    await send(update, context, t(who.lang, "language_choose"),
               keyboard([[("🇩🇪 Deutsch", "l:de"), ("🇬🇧 English", "l:en")]]))


async def set_language(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    who = await asker(update, context)
    await services(context).storage.set_language(who.user_id, lang)
    await send(update, context, t(lang, "language_set"), keyboard(views.main_menu(lang)))


async def free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    state = await services(context).storage.admin_state(who.user_id)
    if state is not None and await continue_conversation(update, context, who, *state):
        return
    program = services(context).program.current
    query = (update.effective_message.text or "").strip() if update.effective_message else ""
    hits = search(program, query)
    stands = search_exhibitors(program, query)
    if stands:
        lines = [t(who.lang, "exhibitors_title")] + [_stand_line(e, who.lang) for e in stands]
        await send(update, context, "\n".join(lines))
        if not hits:
            return
    if len(hits) == 1:
        await details(update, context, hits[0].session.id, who)
        return
    if not hits:
        await send(update, context, t(who.lang, "search_none", query=query[:200]),
                   keyboard([[views.button(who.lang, "menu_program", "p:0")]]))
        return
    await send(update, context, t(who.lang, "search_results"),
               keyboard(views.session_buttons(program, [hit.session for hit in hits], who.lang)))


async def continue_conversation(update: Update, context: ContextTypes.DEFAULT_TYPE, who, kind: str, payload: dict) -> bool:
    """Typed text that answers a question the bot asked (a comment, a question, a profile field)."""
    from .community import take_typed
    from .personal import take_comment

    if kind == "feedback_comment":
        await take_comment(update, context, who, payload["session"])
        return True
    return await take_typed(update, context, who, kind, payload)


def _stand_line(exhibitor, lang: str) -> str:
    return t(lang, "exhibitor_line", name=exhibitor.name, municipality=exhibitor.municipality or "–",
             topic=exhibitor.topic.get(lang) or "–", stand=exhibitor.stand or "–")


async def exhibitors_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    who = await asker(update, context)
    program = services(context).program.current
    if not program.exhibitors:
        await send(update, context, t(who.lang, "exhibitors_none"))
        return
    lines = [t(who.lang, "exhibitors_title")] + [_stand_line(e, who.lang) for e in program.exhibitors]
    markt = [s for s in program.sessions if s.kind.value == "exhibition"]
    await send(update, context, "\n".join(lines), keyboard(views.session_buttons(program, markt, who.lang)))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Navigation buttons: menu, program pages, details, now/next, venue, language."""
    parsed = parse_callback(update.callback_query.data if update.callback_query else None)
    assert parsed is not None  # the pattern below only lets well-formed data through
    action, first, _ = parsed
    await answer_query(update)
    if action == "p":
        who = await asker(update, context)
        page = int(first) if first and first.isdigit() else 0
        text, rows = views.program_page(services(context).program.current, who.lang, page)
        await show(update, context, text, keyboard(rows))
    elif action == "s" and first:
        await details(update, context, first)
    elif action == "mp" and first:
        await meeting_point(update, context, first)
    elif action == "n":
        await now_command(update, context)
    elif action == "x":
        await next_command(update, context)
    elif action == "v":
        await venue_command(update, context)
    elif action == "h":
        await help_command(update, context)
    elif action == "l" and first in LANGUAGES:
        await set_language(update, context, first)
    elif action == "m":
        who = await asker(update, context)
        await send(update, context, views.welcome(services(context).program.current, who.lang),
                   keyboard(views.main_menu(who.lang)))
    else:
        from .fallback import stale_button

        await stale_button(update, context)


def handlers() -> list:
    return [
        CommandHandler("start", start),
        CommandHandler(["programm", "program", "agenda"], program_command),
        CommandHandler(["jetzt", "now"], now_command),
        CommandHandler(["danach", "next"], next_command),
        CommandHandler(["ort", "venue"], venue_command),
        CommandHandler(["hilfe", "help"], help_command),
        CommandHandler(["sprache", "language"], language_command),
        CommandHandler(["aussteller", "exhibitors", "markt"], exhibitors_command),
        CallbackQueryHandler(on_button, pattern=r"^(p:\d{1,3}|s:[a-z0-9_-]{1,24}|mp:[a-z0-9_-]{1,24}|n|x|v|h|m|l:(de|en))$"),
    ]


def text_handler() -> MessageHandler:
    """Free text goes to the search; it is registered last so commands win."""
    return MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, free_text)
