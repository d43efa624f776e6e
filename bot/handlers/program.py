"""Program queries: /start, /programm, /jetzt, /danach, /ort, session details, free-text search,
/hilfe and /sprache."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from ..domain import deeplink
from ..domain.intents import Intent, intent_of
from ..domain.search import search, search_exhibitors
from ..texts import LANGUAGES, plain, t
from ..wording.sessions import gone
from . import buttons as b
from . import views
from .common import Asker, asker, keyboard, send, set_chat_commands, set_menu_button, show, web_app_rows
from .context import BotContext


async def start(update: Update, context: BotContext) -> None:
    """/start, also from a deep link (t.me/<bot>?start=<parameter>): the session it names, a
    sign-up, or the welcome. Anyone can type "/start <anything>", so deeplink.parse decides."""
    who = await asker(update, context)
    link = deeplink.parse(" ".join(context.args or ()))
    if isinstance(link, deeplink.InConference):  # a conference of the series, or a session of it
        from .conferences import enter_conference

        if not await enter_conference(update, context, who, link.conference_id):
            return
        who = await asker(update, context)
        link = link.link
    if isinstance(link, deeplink.SignUp):
        from .signup import sign_up_for  # deep link "signup-<id>": sign up straight away

        await sign_up_for(update, context, who, link.session_id)
    elif isinstance(link, deeplink.Invite):
        from .guests import open_invitation  # a guest's personal link: connect this account

        await open_invitation(update, context, who, link.code)
    elif isinstance(link, deeplink.ShowSession) and context.services.program.current.session(link.session_id):
        await details(update, context, link.session_id, who)
    else:  # the welcome; after a link that names nothing here (cut off, mistyped, a session gone), said so first
        from .conferences import welcome

        note = ""
        if isinstance(link, deeplink.ShowSession):
            departed = await context.services.storage.program_changes.departed_title(link.session_id)
            note = (gone(who.lang, link.session_id, departed) if departed
                    else t(who.lang, "unknown_session_link", session_id=link.session_id[:64]))
        elif isinstance(link, deeplink.Invalid):
            note = t(who.lang, "deeplink_invalid")
        await welcome(update, context, who, note)
    if who.lang != "de" and update.effective_chat and update.effective_chat.type == "private":
        await set_menu_button(context.bot, context.services.settings.web_url, who.lang, who.chat_id)


async def program_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    await send(update, context, *_today_page(update, context, who))


def _today_page(update: Update, context: BotContext, who: Asker):
    """The program at today's day (its first day before and after the conference)."""
    program = context.services.program.current
    text, rows = views.program_page(program, who.lang, views.today_page(program, who.lang, context.services.now()))
    return text, keyboard(rows + web_app_rows(update, context, who.lang))


async def now_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    svc = context.services
    program = svc.program.current
    now = svc.now()
    text = views.now_view(program, who.lang, now)
    rows = views.session_buttons(program, program.running(now) + program.upcoming(now), who.lang)
    if program.phase(now) == "after":  # over: hear about the next one? (a consent of its own, /bescheid)
        from .conferences import news_button

        rows += news_button(who.lang)
    await send(update, context, text, keyboard(rows))


async def next_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    svc = context.services
    program = svc.program.current
    now = svc.now()
    await send(update, context, views.next_view(program, who.lang, now),
               keyboard(views.session_buttons(program, program.upcoming(now), who.lang)))


async def venue_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    venue = context.services.program.current.conference.venue
    chat = update.effective_chat
    assert chat is not None
    if venue.has_coordinates:
        name = venue.name.get(who.lang)
        await context.bot.send_venue(chat.id, venue.latitude, venue.longitude, name, venue.address.get(who.lang) or name)
    else:
        await send(update, context, t(who.lang, "venue_text", venue=venue.name.get(who.lang), address=venue.address.get(who.lang)))


async def details(update: Update, context: BotContext, session_id: str, who=None) -> None:
    who = who or await asker(update, context)
    svc = context.services
    program = svc.program.current
    session = program.session(session_id)
    if session is None:
        await show(update, context, gone(who.lang, session_id, await svc.storage.program_changes.departed_title(session_id)))
        return
    count = (await svc.storage.registrations.counts()).get(session_id) if session.capacity is not None else None
    mine = await svc.storage.registrations.get(session_id, who.user_id) if session.capacity is not None else None
    bookmarked = session_id in await svc.storage.bookmarks.of_person(who.user_id)
    text, rows = views.session_details(program, session, who.lang, count, mine, bookmarked, svc.now())
    await show(update, context, text, keyboard(rows))


async def meeting_point(update: Update, context: BotContext, session_id: str) -> None:
    who = await asker(update, context)
    session = context.services.program.current.session(session_id)
    point = session.meeting_point if session else None
    chat = update.effective_chat
    if point is None or not point.has_coordinates or chat is None:
        await send(update, context, t(who.lang, "stale_button"))
        return
    await context.bot.send_venue(chat.id, point.latitude, point.longitude,
                                 plain(who.lang, "meeting_point_title", place=point.name.get(who.lang))[:256],
                                 point.address.get(who.lang) or point.name.get(who.lang))


async def help_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    text = t(who.lang, "help", example=views.example(context.services.program.current, who.lang)) + \
        (t(who.lang, "help_admin") if who.is_admin else "")
    await send(update, context, text, keyboard(views.main_menu(who.lang)))


async def language_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    if context.args and context.args[0].lower()[:2] in LANGUAGES:
        await set_language(update, context, context.args[0].lower()[:2])
        return
    await send(update, context, t(who.lang, "language_choose"),
               keyboard([[b.Language("de").button("🇩🇪 Deutsch"), b.Language("en").button("🇬🇧 English")]]))


async def set_language(update: Update, context: BotContext, lang: str) -> None:
    who = await asker(update, context)
    await context.services.storage.attendees.set_language(who.user_id, lang)
    await send(update, context, t(lang, "language_set"), keyboard(views.main_menu(lang)))
    if update.effective_chat and update.effective_chat.type == "private":
        await set_chat_commands(context.bot, who.chat_id, lang)
        await set_menu_button(context.bot, context.services.settings.web_url, lang, who.chat_id)


async def free_text(update: Update, context: BotContext) -> None:
    """Typed text when no input is pending: what "jetzt", "Programm" or "danke" ask for, else a
    search of the program and the exhibitors."""
    query = (update.effective_message.text or "").strip() if update.effective_message else ""
    if (wanted := intent_of(query)) is not None:
        await _INTENT_ANSWERS[wanted](update, context)
        return
    who = await asker(update, context)
    program = context.services.program.current
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
                   keyboard([[views.program_button(who.lang)]]))
        return
    found = [hit.session for hit in hits]
    await send(update, context, views.search_view(program, who.lang, found, context.services.now()),
               keyboard(views.session_buttons(program, found, who.lang)))


async def thanks(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    await send(update, context, t(who.lang, "you_are_welcome"))


_INTENT_ANSWERS = {
    Intent.NOW: now_command, Intent.NEXT: next_command, Intent.PROGRAM: program_command,
    Intent.VENUE: venue_command, Intent.HELP: help_command, Intent.THANKS: thanks,
}


def _stand_line(exhibitor, lang: str) -> str:
    return t(lang, "exhibitor_line", name=exhibitor.name.get(lang), municipality=exhibitor.municipality.get(lang) or "–",
             topic=exhibitor.topic.get(lang) or "–", stand=exhibitor.stand.get(lang) or "–")


async def exhibitors_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    program = context.services.program.current
    if not program.exhibitors:
        await send(update, context, t(who.lang, "exhibitors_none"))
        return
    lines = [t(who.lang, "exhibitors_title")] + [_stand_line(e, who.lang) for e in program.exhibitors]
    markt = [s for s in program.sessions if s.kind.value == "exhibition"]
    await send(update, context, "\n".join(lines), keyboard(views.session_buttons(program, markt, who.lang)))


@b.handles(b.ProgramPage)
async def _program_page(update: Update, context: BotContext, who: Asker, value: b.ProgramPage) -> None:
    text, rows = views.program_page(context.services.program.current, who.lang, value.page)
    await show(update, context, text, keyboard(rows + web_app_rows(update, context, who.lang)))


@b.handles(b.ProgramToday)
async def _program_today(update: Update, context: BotContext, who: Asker, value: b.ProgramToday) -> None:
    await show(update, context, *_today_page(update, context, who))


@b.handles(b.ShowSession)
async def _show_session(update: Update, context: BotContext, who: Asker, value: b.ShowSession) -> None:
    await details(update, context, value.session_id, who)


@b.handles(b.MeetingPointPin)
async def _meeting_point(update: Update, context: BotContext, who: Asker, value: b.MeetingPointPin) -> None:
    await meeting_point(update, context, value.session_id)


@b.handles(b.Now)
async def _now(update: Update, context: BotContext, who: Asker, value: b.Now) -> None:
    await now_command(update, context)


@b.handles(b.Next)
async def _next(update: Update, context: BotContext, who: Asker, value: b.Next) -> None:
    await next_command(update, context)


@b.handles(b.Venue)
async def _venue(update: Update, context: BotContext, who: Asker, value: b.Venue) -> None:
    await venue_command(update, context)


@b.handles(b.Help)
async def _help(update: Update, context: BotContext, who: Asker, value: b.Help) -> None:
    await help_command(update, context)


@b.handles(b.Language)
async def _language(update: Update, context: BotContext, who: Asker, value: b.Language) -> None:
    if value.lang not in LANGUAGES:
        await b.refuse(update, who.lang)
        return
    await set_language(update, context, value.lang)


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
    ]
