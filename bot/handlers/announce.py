"""Organizer announcements: /durchsage (write, choose audience, preview, confirm or schedule),
/durchsagen (reports, correct, withdraw), /geplant (scheduled ones).

Writing, scheduling and correcting are flows of the conversation module; every button is a
payload of the buttons module."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from ..delivery import Send, Skip
from ..domain.announcements import Audience
from ..domain.messages import AnnouncementCopy, AnnouncementDelete, AnnouncementEdit, AnnouncementProgress
from ..storage import Announcement
from ..texts import Html, escape, format_moment, plain, t
from ..usecases import announcements
from ..wording import announcements as wording
from . import buttons as b
from . import conversation, orga, views
from .common import Asker, keyboard, organizers_only, send, show, telegram_length
from .context import BotContext
from .push import Push, renders

log = logging.getLogger(__name__)

TEXT_LIMIT = 3800  # leaves room for the header within Telegram's 4096
CAPTION_LIMIT = 900  # of 1024
COMMAND_PREFIX = re.compile(r"^/\S+\s*")

BROADCAST = conversation.flow("broadcast", "flow_broadcast", photos=True)
CORRECTION = conversation.flow("correction", "flow_correction", photos=True)


def _audience_label(context: BotContext, lang: str, key: str) -> str:
    return wording.audience_label(context.services.program.current, lang, key)


def _html_of(message: Message) -> tuple[str | None, str | None, int]:
    """The organizer's message as HTML (entities kept, everything else escaped), a photo if
    any, and the length Telegram will count."""
    if message.photo:
        caption = message.caption_html or ""
        return caption, message.photo[-1].file_id, telegram_length(message.caption or "")
    html = COMMAND_PREFIX.sub("", message.text_html or "", count=1) if (message.text or "").startswith("/") else (message.text_html or "")
    plain_text = COMMAND_PREFIX.sub("", message.text or "", count=1) if (message.text or "").startswith("/") else (message.text or "")
    return html, None, telegram_length(plain_text)


# --- writing --------------------------------------------------------------------------------


@organizers_only
async def broadcast_command(update: Update, context: BotContext, who: Asker) -> None:
    message = update.effective_message
    assert message is not None
    if context.args:
        await _take_text(update, context, who, message)
        return
    await conversation.expect(context, who, BROADCAST, "text")
    await send(update, context, t(who.lang, "bc_prompt"))


@BROADCAST.step("text")
async def _broadcast_typed(update: Update, context: BotContext, who: Asker,
                           pending: conversation.Pending) -> None:
    await _take_text(update, context, who, update.effective_message)


async def _take_text(update: Update, context: BotContext, who: Asker, message: Message) -> None:
    svc = context.services
    html_text, photo, length = _html_of(message)
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    if length > limit:
        await send(update, context, t(who.lang, "bc_too_long", length=length, limit=limit))
        return
    if not (html_text or "").strip() and not photo:
        await conversation.expect(context, who, BROADCAST, "text")
        await send(update, context, t(who.lang, "bc_prompt"))
        return
    announcement_id = await announcements.draft(svc, who.user_id, html_text, photo)
    await conversation.done(context, who)
    await _choose_audience(update, context, who, announcement_id)


async def _count(context: BotContext, key: str) -> int:
    return await announcements.audience_size(context.services, key)


async def _choose_audience(update: Update, context: BotContext, who: Asker, announcement_id: int) -> None:
    lang = who.lang
    rows = [[b.AudienceAll(announcement_id, "all").labelled(lang, "bc_audience_all", count=await _count(context, "all"))]]
    if any(s.kind.value == "excursion" for s in context.services.program.current.active_sessions()):
        rows.append([b.AudienceAll(announcement_id, "excursion").labelled(
            lang, "bc_audience_excursion", count=await _count(context, "excursion"))])
    rows.append([b.AudienceSessions(announcement_id).labelled(lang, "bc_audience_session")])
    rows.append([b.Discard(announcement_id).labelled(lang, "bc_discard")])
    await send(update, context, t(lang, "bc_choose_audience"), keyboard(rows))


async def _choose_group(update: Update, context: BotContext, who: Asker, announcement_id: int, session_id: str) -> None:
    rows = []
    for kind in ("confirmed", "waitlisted", "bookmarked"):
        count = await _count(context, f"{kind}:{session_id}")
        rows.append([b.AudienceGroup(announcement_id, kind, session_id).labelled(who.lang, f"bc_audience_{kind}", count=count)])
    rows.append([b.Discard(announcement_id).labelled(who.lang, "bc_discard")])
    session = context.services.program.current.session(session_id)
    await show(update, context, escape(session.title.get(who.lang)) if session else session_id, keyboard(rows))


async def _preview(update: Update, context: BotContext, who: Asker, announcement_id: int, audience_key: str) -> None:
    svc = context.services
    announcement = await announcements.address(svc, announcement_id, audience_key)
    count = await _count(context, audience_key)
    rows = [[b.SendNow(announcement_id).labelled(who.lang, "bc_send_now"),
             b.SendLater(announcement_id).labelled(who.lang, "bc_send_later")],
            [b.Discard(announcement_id).labelled(who.lang, "bc_discard")]]
    body = Html(wording.body(announcement, who.lang))
    label = _audience_label(context, who.lang, audience_key)
    text = t(who.lang, "bc_preview", body=body, count=count, audience=label)
    if announcement.photo_file_id:
        await context.bot.send_photo(update.effective_chat.id, announcement.photo_file_id, caption=body, parse_mode="HTML")
        text = t(who.lang, "bc_preview", body=Html("🖼"), count=count, audience=label)
    await send(update, context, text, keyboard(rows))


def parse_send_time(text: str, svc) -> datetime | None:
    program = svc.program.current
    now = program.local(svc.now())
    text = text.strip()
    try:
        if re.fullmatch(r"\d{1,2}[:.]\d{2}", text):
            hour, minute = map(int, re.split(r"[:.]", text))
            day = now.date() if now.date() in program.conference.days else program.conference.days[0]
            moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=program.tz)
        else:
            moment = datetime.fromisoformat(text.replace(" ", "T"))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=program.tz)
    except ValueError:
        return None
    return moment if moment > now else None


@BROADCAST.step("time")
async def _time_typed(update: Update, context: BotContext, who: Asker, pending: conversation.Pending) -> None:
    svc = context.services
    announcement_id = int(pending.get("ann", 0))
    moment = parse_send_time(update.effective_message.text or "", svc)
    if moment is None:
        await send(update, context, t(who.lang, "bc_bad_time"))  # the prompt stays open
        return
    await conversation.done(context, who)
    announcement = await svc.storage.announcements.get(announcement_id)
    if announcement is None or not await announcements.schedule(svc, announcement_id, moment):
        await send(update, context, t(who.lang, "bc_already"))
        return
    await send(update, context, t(who.lang, "bc_scheduled", when=format_moment(who.lang, svc.program.current.local(moment)), id=announcement_id,
                                  audience=_audience_label(context, who.lang, announcement.audience)))


@CORRECTION.step("text")
async def _correction_typed(update: Update, context: BotContext, who: Asker,
                            pending: conversation.Pending) -> None:
    svc = context.services
    announcement_id = int(pending.get("ann", 0))
    message = update.effective_message
    html_text, photo, length = _html_of(message)
    announcement = await svc.storage.announcements.get(announcement_id)
    if announcement is None or announcement.state not in ("sending", "done"):
        await conversation.done(context, who)
        await send(update, context, t(who.lang, "bc_not_editable", id=announcement_id))
        return
    limit = CAPTION_LIMIT if announcement.photo_file_id else TEXT_LIMIT
    if photo or not (html_text or "").strip() or length > limit:  # the prompt stays open
        await send(update, context, t(who.lang, "bc_too_long", length=length, limit=limit) if length > limit
                   else t(who.lang, "bc_edit_prompt", id=announcement_id))
        return
    await conversation.done(context, who)
    report = await announcements.report(svc, announcement_id)
    row = await conversation.propose(context.services, who, "edit", {"ann": announcement_id, "html": html_text,
                                                            "version": announcement.version})
    body = Html(wording.body(dataclasses.replace(announcement, text_html=html_text), who.lang))
    await send(update, context, t(who.lang, "bc_edit_preview", id=announcement_id,
                                  count=report.sent + report.pending, body=body), keyboard([row]))


@conversation.confirmation("edit")
async def _apply_edit(update: Update, context: BotContext, who: Asker, data: dict) -> None:
    count = await announcements.correct(context.services, int(data["ann"]), data["html"], data.get("version"))
    if count is None:
        await send(update, context, t(who.lang, "bc_edit_stale", id=data["ann"]))
        return
    await send(update, context, t(who.lang, "bc_edit_done", count=count))


@conversation.confirmation("withdraw")
async def _apply_withdraw(update: Update, context: BotContext, who: Asker, data: dict) -> None:
    count = await announcements.withdraw(context.services, int(data["ann"]))
    await send(update, context, t(who.lang, "bc_withdraw_done", id=data["ann"], count=count))


# --- lists ---------------------------------------------------------------------------------------


@organizers_only
async def list_command(update: Update, context: BotContext, who: Asker) -> None:
    svc = context.services
    sent = await svc.storage.announcements.recent(limit=10, states=("sending", "done", "withdrawn"))
    if not sent:
        await send(update, context, t(who.lang, "bc_list_empty"))
        return
    program = svc.program.current
    lines, rows = [t(who.lang, "bc_list_title")], []
    for announcement in sent:
        report = await announcements.report(svc, announcement.id)
        sent_at = datetime.fromisoformat(announcement.sent_at) if announcement.sent_at else None
        lines.append(t(who.lang, "bc_list_line", id=announcement.id, when=views.day_and_time(program, sent_at, who.lang) if sent_at else "–",
                       audience=_audience_label(context, who.lang, announcement.audience),
                       state=plain(who.lang, f"state_{announcement.state}"), sent=report.sent,
                       count=announcement.recipients or 0, blocked=report.blocked, failed=report.failed,
                       excerpt=wording.excerpt(announcement, who.lang)))
        if announcement.state in ("sending", "done"):
            rows.append([b.Correct(announcement.id).labelled(who.lang, "bc_edit_button", id=announcement.id),
                         b.Withdraw(announcement.id).labelled(who.lang, "bc_withdraw_button", id=announcement.id)])
    await send(update, context, "\n\n".join(lines), keyboard(rows))


@organizers_only
async def scheduled_command(update: Update, context: BotContext, who: Asker) -> None:
    svc = context.services
    scheduled = await svc.storage.announcements.recent(limit=50, states=("scheduled",))
    if not scheduled:
        await send(update, context, t(who.lang, "scheduled_empty"))
        return
    program = svc.program.current
    lines, rows = [t(who.lang, "scheduled_title")], []
    for announcement in sorted(scheduled, key=lambda a: a.send_at):
        when = program.local(datetime.fromtimestamp(announcement.send_at, program.tz))
        lines.append(t(who.lang, "scheduled_line", id=announcement.id, when=format_moment(who.lang, when),
                       audience=_audience_label(context, who.lang, announcement.audience),
                       excerpt=wording.excerpt(announcement, who.lang)))
        rows.append([b.CancelScheduled(announcement.id).labelled(who.lang, "scheduled_cancel_button", id=announcement.id)])
    await send(update, context, "\n\n".join(lines), keyboard(rows))


# --- buttons ---------------------------------------------------------------------------------------


async def _draft(update: Update, context: BotContext, who: Asker, announcement_id: int,
                 states: tuple[str, ...] = ("draft",)) -> Announcement | None:
    """The announcement a button acts on, if it is still in one of `states`; else say why not."""
    announcement = await context.services.storage.announcements.get(announcement_id)
    if announcement is None:
        await b.refuse(update, who.lang)
        return None
    if announcement.state not in states:
        key = ("bc_was_cancelled" if announcement.state == "cancelled"  # discarded: not "under way"
               else "bc_already" if "draft" in states else "bc_not_editable")
        await send(update, context, t(who.lang, key, id=announcement_id))
        return None
    return announcement


async def _audience_chosen(update: Update, context: BotContext, who: Asker, announcement_id: int,
                           key: str, kinds: tuple[str, ...]) -> None:
    """An audience button: a valid audience of these kinds for a draft leads to the preview."""
    audience = Audience.parse(key)
    if audience is None or audience.kind not in kinds:
        await b.refuse(update, who.lang)
        return
    if await _draft(update, context, who, announcement_id):
        await _preview(update, context, who, announcement_id, audience.key())


@b.handles(b.AudienceAll)
async def _audience_all(update: Update, context: BotContext, who: Asker, value: b.AudienceAll) -> None:
    await _audience_chosen(update, context, who, value.announcement_id, value.kind, ("all", "excursion"))


@b.handles(b.AudienceSessions)
async def _audience_sessions(update: Update, context: BotContext, who: Asker, value: b.AudienceSessions) -> None:
    if await _draft(update, context, who, value.announcement_id):
        await orga.pick_session(update, context, who, f"aud.{value.announcement_id}")


@orga.purpose("aud", lambda program, now: program.active_sessions(), "bc_choose_session")
async def _audience_session(update: Update, context: BotContext, who: Asker, session, argument: str) -> None:
    if not argument.isdigit():
        await b.refuse(update, who.lang)
        return
    if await _draft(update, context, who, int(argument)):
        await _choose_group(update, context, who, int(argument), session.id)


@b.handles(b.AudienceGroup)
async def _audience_group(update: Update, context: BotContext, who: Asker, value: b.AudienceGroup) -> None:
    await _audience_chosen(update, context, who, value.announcement_id, f"{value.kind}:{value.session_id}",
                           ("confirmed", "waitlisted", "bookmarked"))


@b.handles(b.SendNow)
async def _send_now(update: Update, context: BotContext, who: Asker, value: b.SendNow) -> None:
    if not await _draft(update, context, who, value.announcement_id):
        return
    recipients = await announcements.send_now(context.services, value.announcement_id, who.user_id)
    if recipients is None:
        await send(update, context, t(who.lang, "bc_already"))


@b.handles(b.SendLater)
async def _send_later(update: Update, context: BotContext, who: Asker, value: b.SendLater) -> None:
    if await _draft(update, context, who, value.announcement_id, ("draft", "scheduled")):
        await conversation.expect(context, who, BROADCAST, "time", ann=value.announcement_id)
        await send(update, context, t(who.lang, "bc_ask_time"))


@b.handles(b.Discard)
async def _discard(update: Update, context: BotContext, who: Asker, value: b.Discard) -> None:
    if await _draft(update, context, who, value.announcement_id):
        await announcements.discard(context.services, value.announcement_id)
        await show(update, context, t(who.lang, "bc_discarded"))


@b.handles(b.CancelScheduled)
async def _cancel_scheduled(update: Update, context: BotContext, who: Asker, value: b.CancelScheduled) -> None:
    if await announcements.discard(context.services, value.announcement_id):
        await send(update, context, t(who.lang, "scheduled_cancelled", id=value.announcement_id))
    else:
        await send(update, context, t(who.lang, "action_taken"))


@b.handles(b.Correct)
async def _correct(update: Update, context: BotContext, who: Asker, value: b.Correct) -> None:
    if await _draft(update, context, who, value.announcement_id, ("sending", "done")):
        await conversation.expect(context, who, CORRECTION, "text", ann=value.announcement_id)
        await send(update, context, t(who.lang, "bc_edit_prompt", id=value.announcement_id))


@b.handles(b.Withdraw)
async def _withdraw(update: Update, context: BotContext, who: Asker, value: b.Withdraw) -> None:
    if not await _draft(update, context, who, value.announcement_id, ("sending", "done")):
        return
    report = await announcements.report(context.services, value.announcement_id)
    row = await conversation.propose(context.services, who, "withdraw", {"ann": value.announcement_id})
    await send(update, context, t(who.lang, "bc_withdraw_confirm", id=value.announcement_id, count=report.sent),
               keyboard([row]))


# --- what the bot sends on its own -------------------------------------------------------------------


async def _sendable(push: Push, announcement_id: int) -> Announcement | Skip:
    announcement = await push.svc.storage.announcements.get(announcement_id)
    if announcement is None or announcement.state == "withdrawn":
        return Skip("the announcement was withdrawn")
    return announcement


@renders(AnnouncementCopy)
async def _copy(push: Push, message: AnnouncementCopy) -> Send | Skip:
    announcement = await _sendable(push, message.ann)
    if isinstance(announcement, Skip):
        return announcement
    body = wording.body(announcement, push.lang)
    if announcement.photo_file_id:
        return push.call("send_photo", photo=announcement.photo_file_id, caption=body, parse_mode=ParseMode.HTML)
    return push.text(body)


@renders(AnnouncementEdit)
async def _edit(push: Push, message: AnnouncementEdit) -> Send | Skip:
    announcement = await _sendable(push, message.ann)
    if isinstance(announcement, Skip):
        return announcement
    if message.version != announcement.version:
        return Skip("a newer correction is queued behind this one")
    body = wording.body(announcement, push.lang, corrected=True)
    if announcement.photo_file_id:
        return push.call("edit_message_caption", message_id=message.message_id, caption=body, parse_mode=ParseMode.HTML)
    return push.call("edit_message_text", message_id=message.message_id, text=body, parse_mode=ParseMode.HTML)


@renders(AnnouncementDelete)
async def _delete(push: Push, message: AnnouncementDelete) -> Send | Skip:
    return push.call("delete_message", message_id=message.message_id)


@renders(AnnouncementProgress)
async def _progress(push: Push, message: AnnouncementProgress) -> Send | Skip:
    """The organizer's progress message; if every copy went out before it did, the report."""
    svc = push.svc
    announcement = await svc.storage.announcements.get(message.ann)
    if announcement is None:
        return Skip("the announcement is gone")
    if announcement.state == "sending" or svc.announcements is None:
        report = await announcements.report(svc, message.ann)
        return push.text(t(push.lang, "bc_progress", id=message.ann, sent=report.sent, count=announcement.recipients or 0))
    return push.text(await svc.announcements.report_text(announcement, push.lang))


orga.action("broadcast")(broadcast_command)
orga.action("broadcasts")(list_command)
orga.action("scheduled")(scheduled_command)


def handlers() -> list:
    return [
        CommandHandler(["durchsage", "broadcast", "ansage"], broadcast_command),
        CommandHandler(["durchsagen", "broadcasts"], list_command),
        CommandHandler(["geplant", "scheduled"], scheduled_command),
    ]
