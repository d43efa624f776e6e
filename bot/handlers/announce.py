"""Organizer announcements: /durchsage (write, choose audience, preview, confirm or schedule),
/durchsagen (reports, correct, withdraw), /geplant (scheduled ones), /abbrechen."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from ..domain.announcements import Audience
from ..texts import Html, escape, plain, t
from .admin import organizers_only
from .common import Asker, answer_query, asker, keyboard, send, services, telegram_length

log = logging.getLogger(__name__)

TEXT_LIMIT = 3800  # leaves room for the header within Telegram's 4096
CAPTION_LIMIT = 900  # of 1024
COMMAND_PREFIX = re.compile(r"^/\S+\s*")


def _audience_label(context: ContextTypes.DEFAULT_TYPE, lang: str, key: str) -> str:
    audience = Audience.parse(key)
    if audience is None:
        return key
    if audience.kind in ("all", "excursion"):
        return plain(lang, f"audience_{audience.kind}")
    session = services(context).program.current.session(audience.session_id or "")
    return plain(lang, f"audience_{audience.kind}", title=session.title.get(lang) if session else audience.session_id)


def announcement_body(announcement: dict, lang: str) -> str:
    """What a recipient sees: a header in their language, then the text as the organizer wrote it."""
    if announcement.get("texts"):  # from program.yaml: plain text per language
        texts = announcement["texts"]
        body = escape(texts.get(lang) or texts.get("de") or next(iter(texts.values()), ""))
    else:
        body = announcement.get("text_html") or ""
    return f"{t(lang, 'bc_header')}\n\n{body}"


def _excerpt(announcement: dict, lang: str) -> str:
    texts = announcement.get("texts")
    raw = (texts.get(lang) or next(iter(texts.values()))) if texts else re.sub(r"<[^>]+>", "", announcement.get("text_html") or "")
    raw = raw.replace("\n", " ")
    return raw if len(raw) <= 80 else raw[:78] + "…"


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
async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    message = update.effective_message
    assert message is not None
    if context.args:
        await _take_text(update, context, who, message)
        return
    await services(context).storage.set_admin_state(who.user_id, "broadcast_text", {}, services(context).now())
    await send(update, context, t(who.lang, "bc_prompt"))


async def _take_text(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, message: Message) -> None:
    svc = services(context)
    html, photo, length = _html_of(message)
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    if length > limit:
        await send(update, context, t(who.lang, "bc_too_long", length=length, limit=limit))
        return
    if not (html or "").strip() and not photo:
        await send(update, context, t(who.lang, "bc_prompt"))
        return
    announcement_id = await svc.storage.create_announcement(who.user_id, "all", html, photo, svc.now())
    await svc.storage.set_admin_state(who.user_id, None, None, svc.now())
    await _choose_audience(update, context, who, announcement_id)


async def _count(context: ContextTypes.DEFAULT_TYPE, key: str) -> int:
    audience = Audience.parse(key)
    program = services(context).program.current
    return len(await services(context).storage.audience_ids(audience, audience.session_ids(program))) if audience else 0


async def _choose_audience(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, announcement_id: int) -> None:
    lang = who.lang
    rows = [[(plain(lang, "bc_audience_all", count=await _count(context, "all")), f"ab:{announcement_id}:all")]]
    if any(s.kind.value == "excursion" for s in services(context).program.current.sessions):
        rows.append([(plain(lang, "bc_audience_excursion", count=await _count(context, "excursion")), f"ab:{announcement_id}:excursion")])
    rows.append([(plain(lang, "bc_audience_session"), f"as:{announcement_id}")])
    rows.append([(plain(lang, "bc_discard"), f"ad:{announcement_id}")])
    await send(update, context, t(lang, "bc_choose_audience"), keyboard(rows))


async def _choose_session(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, announcement_id: int) -> None:
    program = services(context).program.current
    rows = [[(f"{program.local(s.start):%H:%M} {s.title.get(who.lang)[:40]}", f"at:{announcement_id}:{s.id}")]
            for s in program.active_sessions()]
    rows.append([(plain(who.lang, "bc_discard"), f"ad:{announcement_id}")])
    await send(update, context, t(who.lang, "bc_choose_session"), keyboard(rows))


async def _choose_group(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, announcement_id: int, session_id: str) -> None:
    rows = []
    for kind in ("confirmed", "waitlisted", "bookmarked"):
        key = f"{kind}:{session_id}"
        rows.append([(plain(who.lang, f"bc_audience_{kind}", count=await _count(context, key)), f"ab:{announcement_id}:{key}")])
    rows.append([(plain(who.lang, "bc_discard"), f"ad:{announcement_id}")])
    session = services(context).program.current.session(session_id)
    await send(update, context, escape(session.title.get(who.lang)) if session else session_id, keyboard(rows))


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, announcement_id: int, audience_key: str) -> None:
    svc = services(context)
    await svc.storage.update_announcement(announcement_id, audience=audience_key)
    announcement = await svc.storage.announcement(announcement_id)
    count = await _count(context, audience_key)
    rows = [[(plain(who.lang, "bc_send_now"), f"ay:{announcement_id}"), (plain(who.lang, "bc_send_later"), f"al:{announcement_id}")],
            [(plain(who.lang, "bc_discard"), f"ad:{announcement_id}")]]
    body = Html(announcement_body(announcement, who.lang))
    text = t(who.lang, "bc_preview", body=body, count=count, audience=_audience_label(context, who.lang, audience_key))
    if announcement.get("photo_file_id"):
        await context.bot.send_photo(update.effective_chat.id, announcement["photo_file_id"], caption=body, parse_mode="HTML")
        text = t(who.lang, "bc_preview", body=Html("🖼"), count=count, audience=_audience_label(context, who.lang, audience_key))
    await send(update, context, text, keyboard(rows))


# --- the organizer's typed input ---------------------------------------------------------------


async def organizer_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text or photos from an organizer: the next step of what they started, or else a search."""
    who = await asker(update, context)
    svc = services(context)
    state = await svc.storage.admin_state(who.user_id) if who.is_admin else None
    message = update.effective_message
    if state is None or message is None:
        from .fallback import unsupported
        from .program import free_text

        await (free_text(update, context) if message is not None and message.text else unsupported(update, context))
        return
    kind, payload = state
    from .program import continue_conversation

    if kind == "broadcast_text":
        await _take_text(update, context, who, message)
    elif kind == "broadcast_time":
        await _take_time(update, context, who, int(payload["ann"]), message.text or "")
    elif kind == "broadcast_edit":
        await _take_correction(update, context, who, int(payload["ann"]), message)
    elif not (message.text and await continue_conversation(update, context, who, kind, payload)):
        from .fallback import unsupported

        await unsupported(update, context)


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


async def _take_time(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, announcement_id: int, text: str) -> None:
    svc = services(context)
    moment = parse_send_time(text, svc)
    if moment is None:
        await send(update, context, t(who.lang, "bc_bad_time"))
        return
    await svc.storage.set_admin_state(who.user_id, None, None, svc.now())
    announcement = await svc.storage.announcement(announcement_id)
    if announcement is None or not await svc.storage.schedule_announcement(announcement_id, moment, svc.now()):
        await send(update, context, t(who.lang, "bc_already"))
        return
    svc.replan()
    when = f"{moment:%d.%m.%Y %H:%M}"
    await send(update, context, t(who.lang, "bc_scheduled", when=when, id=announcement_id,
                                  audience=_audience_label(context, who.lang, announcement["audience"])))


async def _take_correction(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, announcement_id: int,
                           message: Message) -> None:
    svc = services(context)
    html, photo, length = _html_of(message)
    announcement = await svc.storage.announcement(announcement_id)
    if announcement is None or announcement["state"] not in ("sending", "done"):
        await svc.storage.set_admin_state(who.user_id, None, None, svc.now())
        await send(update, context, t(who.lang, "bc_not_editable", id=announcement_id))
        return
    limit = CAPTION_LIMIT if announcement.get("photo_file_id") else TEXT_LIMIT
    if photo or not (html or "").strip() or length > limit:
        await send(update, context, t(who.lang, "bc_too_long", length=length, limit=limit) if length > limit
                   else t(who.lang, "bc_edit_prompt", id=announcement_id))
        return
    await svc.storage.set_admin_state(who.user_id, None, None, svc.now())
    report = await svc.storage.delivery_report(f"ann:{announcement_id}")
    pending = await svc.storage.create_pending(who.user_id, "edit", {"ann": announcement_id, "html": html}, svc.now())
    body = Html(announcement_body({**announcement, "text_html": html}, who.lang))
    await send(update, context, t(who.lang, "bc_edit_preview", id=announcement_id, count=report["sent"] + report["pending"], body=body),
               keyboard([[(plain(who.lang, "confirm_yes"), f"ok:{pending}"), (plain(who.lang, "confirm_no"), f"no:{pending}")]]))


async def abort_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anyone may abort what they started (a broadcast draft, a feedback comment)."""
    who = await asker(update, context)
    svc = services(context)
    if await svc.storage.admin_state(who.user_id) is None:
        await send(update, context, t(who.lang, "nothing_to_cancel"))
        return
    await svc.storage.set_admin_state(who.user_id, None, None, svc.now())
    await send(update, context, t(who.lang, "conversation_cancelled"))


# --- lists ---------------------------------------------------------------------------------------


@organizers_only
async def list_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    svc = services(context)
    announcements = await svc.storage.announcements(limit=10, states=("sending", "done", "withdrawn"))
    if not announcements:
        await send(update, context, t(who.lang, "bc_list_empty"))
        return
    program = svc.program.current
    lines, rows = [t(who.lang, "bc_list_title")], []
    for announcement in announcements:
        report = await svc.storage.delivery_report(f"ann:{announcement['id']}")
        sent_at = datetime.fromisoformat(announcement["sent_at"]) if announcement.get("sent_at") else None
        lines.append(t(who.lang, "bc_list_line", id=announcement["id"], when=f"{program.local(sent_at):%H:%M}" if sent_at else "–",
                       audience=_audience_label(context, who.lang, announcement["audience"]),
                       state=plain(who.lang, f"state_{announcement['state']}"), sent=report["sent"],
                       count=announcement["recipients"] or 0, blocked=report["blocked"], failed=report["failed"],
                       excerpt=_excerpt(announcement, who.lang)))
        if announcement["state"] in ("sending", "done"):
            rows.append([(plain(who.lang, "bc_edit_button", id=announcement["id"]), f"ae:{announcement['id']}"),
                         (plain(who.lang, "bc_withdraw_button", id=announcement["id"]), f"aw:{announcement['id']}")])
    await send(update, context, "\n\n".join(lines), keyboard(rows))


@organizers_only
async def scheduled_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    svc = services(context)
    scheduled = await svc.storage.announcements(limit=50, states=("scheduled",))
    if not scheduled:
        await send(update, context, t(who.lang, "scheduled_empty"))
        return
    program = svc.program.current
    lines, rows = [t(who.lang, "scheduled_title")], []
    for announcement in sorted(scheduled, key=lambda a: a["send_at"]):
        when = program.local(datetime.fromtimestamp(announcement["send_at"], program.tz))
        lines.append(t(who.lang, "scheduled_line", id=announcement["id"], when=f"{when:%d.%m. %H:%M}",
                       audience=_audience_label(context, who.lang, announcement["audience"]),
                       excerpt=_excerpt(announcement, who.lang)))
        rows.append([(plain(who.lang, "scheduled_cancel_button", id=announcement["id"]), f"ac:{announcement['id']}")])
    await send(update, context, "\n\n".join(lines), keyboard(rows))


# --- buttons ---------------------------------------------------------------------------------------

BUTTON = re.compile(r"^a(?P<action>[bstydlecwx]):(?P<ann>\d{1,9})(?::(?P<rest>[a-z0-9:_-]{1,40}))?$")


@organizers_only
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    svc = services(context)
    match = BUTTON.match(update.callback_query.data or "")
    announcement = await svc.storage.announcement(int(match.group("ann"))) if match else None
    if match is None or announcement is None:
        from .fallback import stale_button

        await stale_button(update, context)
        return
    await answer_query(update)
    action, announcement_id, rest = match.group("action"), announcement["id"], match.group("rest")
    draft = announcement["state"] == "draft"
    if action in "bstyld" and not draft and not (action == "l" and announcement["state"] == "scheduled"):
        await send(update, context, t(who.lang, "bc_already"))
    elif action == "b":
        audience = Audience.parse(rest or "")
        if audience is None or not audience.valid_for(svc.program.current):
            await send(update, context, t(who.lang, "stale_button"))
        else:
            await _preview(update, context, who, announcement_id, audience.key())
    elif action == "s":
        await _choose_session(update, context, who, announcement_id)
    elif action == "t":
        if svc.program.current.session(rest or "") is None:
            await send(update, context, t(who.lang, "stale_button"))
        else:
            await _choose_group(update, context, who, announcement_id, rest)
    elif action == "y":
        recipients = await svc.announcements.start(announcement_id, update.effective_chat.id)
        if recipients is None:
            await send(update, context, t(who.lang, "bc_already"))
    elif action == "l":
        await svc.storage.set_admin_state(who.user_id, "broadcast_time", {"ann": announcement_id}, svc.now())
        await send(update, context, t(who.lang, "bc_ask_time"))
    elif action == "d":
        await svc.storage.cancel_announcement(announcement_id, svc.now())
        await send(update, context, t(who.lang, "bc_discarded"))
    elif action == "c":
        if await svc.storage.cancel_announcement(announcement_id, svc.now()):
            await send(update, context, t(who.lang, "scheduled_cancelled", id=announcement_id))
        else:
            await send(update, context, t(who.lang, "action_taken"))
    elif action == "e":
        if announcement["state"] not in ("sending", "done"):
            await send(update, context, t(who.lang, "bc_not_editable", id=announcement_id))
        else:
            await svc.storage.set_admin_state(who.user_id, "broadcast_edit", {"ann": announcement_id}, svc.now())
            await send(update, context, t(who.lang, "bc_edit_prompt", id=announcement_id))
    elif action == "w":
        if announcement["state"] not in ("sending", "done"):
            await send(update, context, t(who.lang, "bc_not_editable", id=announcement_id))
            return
        report = await svc.storage.delivery_report(f"ann:{announcement_id}")
        pending = await svc.storage.create_pending(who.user_id, "withdraw", {"ann": announcement_id}, svc.now())
        await send(update, context, t(who.lang, "bc_withdraw_confirm", id=announcement_id, count=report["sent"]),
                   keyboard([[(plain(who.lang, "confirm_yes"), f"ok:{pending}"), (plain(who.lang, "confirm_no"), f"no:{pending}")]]))


def handlers(admins: frozenset[int]) -> list:
    return [
        CommandHandler(["durchsage", "broadcast", "ansage"], broadcast_command),
        CommandHandler(["durchsagen", "broadcasts"], list_command),
        CommandHandler(["geplant", "scheduled"], scheduled_command),
        CommandHandler(["abbrechen", "stop"], abort_command),
        CallbackQueryHandler(on_button, pattern=r"^a[bstydlecwx]:"),
        # An organizer's text or photo may be the next step of a broadcast; checked before the search.
        MessageHandler(filters.ChatType.PRIVATE & filters.User(user_id=list(admins)) & (filters.TEXT | filters.PHOTO)
                       & ~filters.COMMAND, organizer_input),
    ]
