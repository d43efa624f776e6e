"""The attendee's own things: /meinplan with calendar files, feedback after sessions, and the
privacy self-service (/datenschutz, /meinedaten, /loeschen)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import CommandHandler

from ..delivery import Send, Skip
from ..domain import agenda
from ..domain.messages import FeedbackPrompt
from ..domain.program import Program
from ..domain.reminders import purge_moment
from ..exports import csv_bytes
from ..texts import format_date, format_decimal, format_moment, plain, t
from ..usecases import community, guests, my_day, privacy
from ..wording.sessions import room_of
from . import buttons as b
from . import conversation, orga, views
from .common import Asker, asker, keyboard, organizers_only, send, show, web_app_rows
from .context import BotContext
from .push import Push, renders

FEEDBACK = conversation.flow("feedback", "flow_feedback")

MARKS = {agenda.CONFIRMED: "✅", agenda.WAITLISTED: "⏳", agenda.BOOKMARKED: "⭐", agenda.EVERYBODY: "•"}


async def myplan_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    program = context.services.program.current
    entries = await my_day.entries(context.services, who.user_id)
    if not entries:
        await send(update, context, t(who.lang, "myplan_empty"), keyboard(web_app_rows(update, context, who.lang)))
        return
    lines = [t(who.lang, "myplan_title")]
    by_session = {entry.session.id: entry for entry in entries}
    for heading, session in views.day_headings(program, [entry.session for entry in entries], who.lang):
        entry = by_session[session.id]
        start, end = program.local(session.start), program.local(session.end)
        if heading:
            lines.append("\n" + heading)
        title = session.title.get(who.lang) + (" ❌" if session.cancelled else "")
        lines.append(t(who.lang, "myplan_line", mark=MARKS[entry.relation], time=f"{start:%H:%M}–{end:%H:%M}",
                       title=title, room=room_of(session, who.lang)))
        lines += [t(who.lang, "myplan_overlap", other=other.title.get(who.lang)) for other in entry.clashes]
    await send(update, context, "\n".join(lines), keyboard([[b.CalendarAll().labelled(who.lang, "myplan_ics")],
                                                            *web_app_rows(update, context, who.lang)]))


async def send_calendar(update: Update, context: BotContext, who: Asker, session_id: str) -> None:
    svc = context.services
    session = svc.program.current.session(session_id) if session_id != "all" else None
    if session_id != "all" and session is None:
        await send(update, context, t(who.lang, "stale_button"))
        return
    data = await my_day.calendar(svc, who.user_id, who.lang, session_id)
    if data is None:
        await send(update, context, t(who.lang, "myplan_empty"))
        return
    if session is None:
        caption, name = t(who.lang, "ics_caption"), plain(who.lang, "file_agenda")
    else:
        caption, name = t(who.lang, "ics_one_caption", title=session.title.get(who.lang)), f"{session.id}.ics"
    await context.bot.send_document(update.effective_chat.id, InputFile(data, filename=name), caption=caption,
                                    parse_mode="HTML")


@b.handles(b.CalendarAll)
async def _calendar_all(update: Update, context: BotContext, who: Asker, value: b.CalendarAll) -> None:
    await send_calendar(update, context, who, "all")


@b.handles(b.CalendarOne)
async def _calendar_one(update: Update, context: BotContext, who: Asker, value: b.CalendarOne) -> None:
    await send_calendar(update, context, who, value.session_id)


@b.handles(b.MyPlan)
async def _my_plan(update: Update, context: BotContext, who: Asker, value: b.MyPlan) -> None:
    await myplan_command(update, context)


@b.handles(b.Privacy)
async def _privacy(update: Update, context: BotContext, who: Asker, value: b.Privacy) -> None:
    await privacy_command(update, context)


@b.handles(b.DeleteConfirm)
async def _delete(update: Update, context: BotContext, who: Asker, value: b.DeleteConfirm) -> None:
    await privacy.erase(context.services, who.user_id)
    await show(update, context, t(who.lang, "delete_done"))


@b.handles(b.DeleteKeep)
async def _keep(update: Update, context: BotContext, who: Asker, value: b.DeleteKeep) -> None:
    await show(update, context, t(who.lang, "delete_kept"))


# --- feedback -------------------------------------------------------------------------------------


def feedback_buttons(session_id: str, chosen: int | None = None) -> list[list[InlineKeyboardButton]]:
    def star(n: int) -> InlineKeyboardButton:
        return b.Rate(session_id, n).button(("✅ " if n == chosen else "") + "⭐" * n)
    return [[star(n) for n in (1, 2, 3)], [star(n) for n in (4, 5)]]


@renders(FeedbackPrompt)
async def _feedback_prompt(push: Push, message: FeedbackPrompt) -> Send | Skip:
    session = push.svc.program.current.session(message.session_id)
    if session is None or session.cancelled:
        return Skip("the session was cancelled")
    if push.row.user_id is not None and not await guests.admitted(push.svc, push.row.user_id):
        return Skip("not a guest: only guests rate (guests_only)")
    return push.text(t(push.lang, "feedback_prompt", title=session.title.get(push.lang)),
                     keyboard(feedback_buttons(session.id)))


@b.handles(b.Rate)
async def _rate(update: Update, context: BotContext, who: Asker, value: b.Rate) -> None:
    svc = context.services
    session = svc.program.current.session(value.session_id)
    if session is None or not 1 <= value.stars <= 5:
        await b.refuse(update, who.lang)
        return
    title = session.title.get(who.lang)
    if not await community.rate(svc, who.user_id, session, value.stars):
        await send(update, context, t(who.lang, "feedback_twice", title=title))
        return
    await conversation.expect(context, who, FEEDBACK, "comment", session=session.id)
    await show(update, context, t(who.lang, "feedback_rated", title=title, stars="⭐" * value.stars),
               keyboard(feedback_buttons(session.id, value.stars)))
    await send(update, context, t(who.lang, "feedback_thanks"))


@FEEDBACK.step("comment")
async def _comment(update: Update, context: BotContext, who: Asker, pending: conversation.Pending) -> None:
    svc = context.services
    text = (update.effective_message.text or "").strip()[:1000] if update.effective_message else ""
    await conversation.done(context, who)
    if text:
        await svc.storage.feedback.add_comment(pending.get("session", ""), who.user_id, text)
    await send(update, context, t(who.lang, "feedback_comment_thanks"))


def _title(program: Program, session_id: str, lang: str) -> str:
    session = program.session(session_id)
    return session.title.get(lang) if session else ""


@organizers_only
async def feedback_command(update: Update, context: BotContext, who: Asker) -> None:
    svc = context.services
    program = svc.program.current
    rows = await svc.storage.feedback.rows()
    if context.args and context.args[0].lower() == "export":
        data = csv_bytes(["session_id", "session", "rating", "comment", "created_at"],
                         ([row.session_id, _title(program, row.session_id, who.lang), row.rating,
                           row.comment or "", row.created_at] for row in rows))
        await context.bot.send_document(update.effective_chat.id, InputFile(data, filename="feedback.csv"),
                                        caption=t(who.lang, "feedback_export_caption", count=len(rows)), parse_mode="HTML")
        return
    if not rows:
        await send(update, context, t(who.lang, "feedback_none"))
        return
    lines = [t(who.lang, "feedback_title")]
    rated = [s for s in program.sessions if any(r.session_id == s.id for r in rows)]
    for heading, session in views.day_headings(program, rated, who.lang):
        ratings = [r for r in rows if r.session_id == session.id]
        if heading:
            lines.append("\n" + heading)
        average = sum(r.rating for r in ratings) / len(ratings)
        lines.append(t(who.lang, "feedback_line", title=session.title.get(who.lang), average=format_decimal(who.lang, average), count=len(ratings)))
        lines += [t(who.lang, "feedback_comment", comment=r.comment[:300]) for r in ratings if r.comment]
    await send(update, context, "\n".join(lines))


# --- privacy ----------------------------------------------------------------------------------------


def privacy_text(program: Program, lang: str) -> str:
    conf = program.conference
    contact = ", ".join(part for part in (conf.organizer_email, conf.organizer_url, conf.organizer_phone) if part)
    controller = conf.privacy_controller.get(lang) or conf.organizer_name.get(lang) or "–"
    until = program.local(purge_moment(program))
    return t(lang, "privacy_notice", retention=conf.retention_days, until=format_date(lang, until), controller=controller,
             contact=t(lang, "privacy_contact", contact=contact) if contact else "")


async def privacy_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    program = context.services.program.current
    several = len(context.services.conferences) > 1
    await send(update, context, privacy_text(program, who.lang)
               + (t(who.lang, "privacy_series", retention=program.conference.retention_days) if several
                  else t(who.lang, "privacy_news")))


async def mydata_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    svc = context.services
    document = await privacy.export(svc, who.user_id, who.lang)
    stamp = svc.program.current.local(svc.now())
    await context.bot.send_document(update.effective_chat.id, InputFile(document, filename=plain(who.lang, "file_my_data")),
                                    caption=t(who.lang, "mydata_caption", time=format_moment(who.lang, stamp)), parse_mode="HTML")


async def delete_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    several = len(context.services.conferences) > 1
    await send(update, context, t(who.lang, "delete_confirm") + (t(who.lang, "delete_all_conferences") if several else ""),
               keyboard([[b.DeleteConfirm().labelled(who.lang, "delete_yes"), b.DeleteKeep().labelled(who.lang, "delete_no")]]))


orga.action("feedback")(feedback_command)


def handlers() -> list:
    return [
        CommandHandler(["meinplan", "myplan", "agenda_ics"], myplan_command),
        CommandHandler(["datenschutz", "privacy"], privacy_command),
        CommandHandler(["meinedaten", "mydata"], mydata_command),
        CommandHandler(["loeschen", "delete"], delete_command),
        CommandHandler("feedback", feedback_command),
    ]

