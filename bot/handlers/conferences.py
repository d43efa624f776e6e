"""The series in the chat: which conference one is in and switching (/konferenz, a conference's
deep link), the archive of past conferences (/archiv), the consent to hear when the next one
opens (/bescheid), and, for organizers, choosing the conference they organize in /orga and
announcing an opening to those who consented."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from ..delivery import Send, Skip
from ..domain import deeplink, series
from ..domain.messages import ConferenceOpening
from ..domain.program import Program
from ..texts import Html, escape, format_span, plain, t
from ..usecases import conferences
from . import buttons as b
from . import conversation, orga, views
from .common import Asker, asker, keyboard, organizers_only, send, show
from .context import BotContext
from .push import Push, renders

log = logging.getLogger(__name__)


def describe(program: Program, lang: str) -> str:
    """"22. Regionalkonferenz … · Dienstag, 3. Juni 2025, 09:30–16:00 Uhr · MMZ, Halle"."""
    conference = program.conference
    when = format_span(lang, program.local(conference.start), program.local(conference.end))
    return t(lang, "conference_line", name=conference.name.get(lang), when=when, venue=conference.venue.name.get(lang))


def switch_rows(context: BotContext, who: Asker) -> list[list[InlineKeyboardButton]]:
    """A button to switch when this person could be in another conference too."""
    others = [p for p in conferences.choosable(context.services, who.user_id) if p.conference.id != who.conference_id]
    return [[b.ConferenceMenu().labelled(who.lang, "conference_switch")]] if others else []


async def conference_command(update: Update, context: BotContext, for_orga: bool = False) -> None:
    """/konferenz: the conference one is in, and the others one may switch to (`for_orga`: from
    /orga, whose buttons lead back to /orga of the conference chosen)."""
    who = await asker(update, context)
    svc = context.services
    lines = [t(who.lang, "conference_current", line=Html(describe(svc.program.current, who.lang)))]
    rows = []
    for program in conferences.choosable(svc, who.user_id):
        if program.conference.id == who.conference_id:
            continue
        mark = "📚 " if series.is_over(program, svc.now()) else ""
        choice = b.OrgaConference(program.conference.id) if for_orga else b.ChooseConference(program.conference.id)
        rows.append([choice.button(mark + program.conference.name.get(who.lang))])
    lines.append(t(who.lang, "conference_choose" if rows else "conference_only"))
    if conferences.archive(svc):
        rows.append([b.Archive().labelled(who.lang, "archive_button")])
    await send(update, context, "\n\n".join(lines), keyboard(rows))


@b.handles(b.ConferenceMenu)
async def _menu(update: Update, context: BotContext, who: Asker, value: b.ConferenceMenu) -> None:
    await conference_command(update, context)


@b.handles(b.ChooseConference)
async def _choose(update: Update, context: BotContext, who: Asker, value: b.ChooseConference) -> None:
    if await enter_conference(update, context, who, value.conference_id):
        await welcome(update, context, await asker(update, context))


@b.handles(b.OrgaConference)
async def _choose_to_organize(update: Update, context: BotContext, who: Asker, value: b.OrgaConference) -> None:
    if await enter_conference(update, context, who, value.conference_id):
        await orga.orga_command(update, context)  # organizers_only asks again: organizers of that one


async def enter_conference(update: Update, context: BotContext, who: Asker, conference_id: str) -> bool:
    """Switch to a conference (a button, a deep link); False (and said why) if one cannot."""
    svc = context.services
    if await conferences.choose(svc, who.user_id, conference_id):
        return True
    program = conferences.program_of(svc, conference_id)
    if program is None:
        await welcome(update, context, who, t(who.lang, "deeplink_invalid"))
    else:  # over: readable in the archive
        await send(update, context, t(who.lang, "conference_over", conference=program.conference.name.get(who.lang)),
                   keyboard([[b.ArchiveShow(conference_id).labelled(who.lang, "archive_show")]]))
    return False


async def welcome(update: Update, context: BotContext, who: Asker, note: str = "") -> None:
    """The welcome of the conference one is in, with the main menu (and the switch, if any);
    `note` first, when a link led here that named nothing this bot knows."""
    program = context.services.program.current
    text = views.welcome(program, who.lang)
    await send(update, context, note + "\n\n" + text if note else text,
               keyboard(views.main_menu(who.lang) + switch_rows(context, who)))


# --- the archive ---------------------------------------------------------------------------------------


async def archive_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    past = conferences.archive(context.services)
    if not past:
        await send(update, context, t(who.lang, "archive_empty"))
        return
    rows = [[b.ArchiveShow(p.conference.id).button("📚 " + p.conference.name.get(who.lang))] for p in past]
    await send(update, context, t(who.lang, "archive_title"), keyboard(rows))


@b.handles(b.Archive)
async def _archive(update: Update, context: BotContext, who: Asker, value: b.Archive) -> None:
    await archive_command(update, context)


@b.handles(b.ArchiveShow)
async def _archive_show(update: Update, context: BotContext, who: Asker, value: b.ArchiveShow) -> None:
    """A past conference, to read: its program, and what one rated there."""
    svc = context.services
    program = conferences.program_of(svc, value.conference_id)
    if program is None or program not in conferences.archive(svc):
        await b.refuse(update, who.lang)
        return
    lang = who.lang
    lines = [t(lang, "archive_conference", line=Html(describe(program, lang)))]
    for heading, session in views.day_headings(program, list(program.active_sessions()), lang):
        if heading:
            lines.append("\n" + heading)
        room = f" · {escape(session.room)}" if session.room else ""
        lines.append(f"{program.local(session.start):%H:%M} {escape(session.title.get(lang))}{room}")
    ratings = await conferences.own_ratings(svc, who.user_id, program.conference.id)
    if ratings:
        lines.append("\n" + t(lang, "archive_ratings"))
        for rating in ratings:
            session = program.session(rating.session_id)
            lines.append(t(lang, "archive_rating", title=session.title.get(lang) if session else rating.session_id,
                           stars="⭐" * rating.rating))
    await send(update, context, "\n".join(lines))


# --- hearing about the next conference -----------------------------------------------------------------


async def news_command(update: Update, context: BotContext) -> None:
    """/bescheid: a consent of its own, apart from taking part, withdrawable at any time."""
    who = await asker(update, context)
    consented = await conferences.wants_news(context.services, who.chat_id)
    await send(update, context, t(who.lang, "news_on" if consented else "news_offer"),
               keyboard([[b.NewsConsent(False).labelled(who.lang, "news_withdraw")] if consented
                         else [b.NewsConsent(True).labelled(who.lang, "news_yes")]]))


@b.handles(b.NewsConsent)
async def _news(update: Update, context: BotContext, who: Asker, value: b.NewsConsent) -> None:
    svc = context.services
    if value.on:
        await conferences.consent_to_news(svc, who.chat_id, who.lang)
        await show(update, context, t(who.lang, "news_given"))
    else:
        await conferences.withdraw_news(svc, who.chat_id)
        await show(update, context, t(who.lang, "news_withdrawn"))


def news_button(lang: str) -> list[list[InlineKeyboardButton]]:
    return [[b.NewsConsent(True).labelled(lang, "news_yes")]]


@renders(ConferenceOpening)
async def _opening(push: Push, message: ConferenceOpening) -> Send | Skip:
    """Worded within the conference that opens, in the language the consent was given in."""
    program = push.svc.program.current
    lang = message.language
    text = t(lang, "opening_text", line=Html(describe(program, lang)),
             motto=program.conference.motto.get(lang) or "")
    username = push.svc.bot_username
    markup = None
    if username:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(plain(lang, "opening_open"),
                                                             url=deeplink.conference_link(username, program.conference.id))]])
    return push.text(text, markup)


# --- organizers -------------------------------------------------------------------------------------------


@organizers_only
async def orga_conference(update: Update, context: BotContext, who: Asker) -> None:
    """/orga → "Konferenz wechseln": the conferences this organizer organizes, past ones too."""
    await conference_command(update, context, for_orga=True)


@organizers_only
async def opening_command(update: Update, context: BotContext, who: Asker) -> None:
    """Announce the opening of the conference in scope to those who asked to hear of it: the
    message as it will read, how many it reaches, then confirm."""
    svc = context.services
    program = svc.program.current
    count = await conferences.opening_audience(svc)
    preview = t(who.lang, "opening_text", line=Html(describe(program, who.lang)), motto=program.conference.motto.get(who.lang) or "")
    if not count:
        await send(update, context, t(who.lang, "opening_nobody"), keyboard([[b.OpeningReport().labelled(who.lang, "opening_report_button")]]))
        return
    confirm = await conversation.propose(svc, who, "opening", {})
    await send(update, context, t(who.lang, "opening_preview", count=count, preview=preview), keyboard([confirm]))


@conversation.confirmation("opening")
async def _announce(update: Update, context: BotContext, who: Asker, data: dict) -> None:
    svc = context.services
    queued = await conferences.announce_opening(svc)
    log.info("opening of %s announced by %s to %d chats", svc.conference_id, who.user_id, queued)
    await send(update, context, t(who.lang, "opening_sent", count=queued),
               keyboard([[b.OpeningReport().labelled(who.lang, "opening_report_button")]]))


@b.handles(b.OpeningReport)
async def _report(update: Update, context: BotContext, who: Asker, value: b.OpeningReport) -> None:
    report = await conferences.opening_report(context.services)
    await send(update, context, t(who.lang, "opening_report", sent=report.sent, pending=report.pending,
                                  blocked=report.blocked, failed=report.failed))


orga.action("conference")(orga_conference)
orga.action("opening")(opening_command)


def handlers() -> list:
    return [
        CommandHandler(["konferenz", "conference"], conference_command),
        CommandHandler(["archiv", "archive"], archive_command),
        CommandHandler(["bescheid", "notify"], news_command),
        CommandHandler(["eroeffnung", "opening"], opening_command),
    ]
