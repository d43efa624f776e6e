"""The guest list in the chat: a guest opens their invitation (t.me/<bot>?start=G_<code>) and
their account is connected; organizers load the list by sending the CSV (a preview first),
fetch the invitation links, see who has connected, and release a connection (/gaeste)."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.ext import CommandHandler

from ..domain.guests import MAX_FILE_BYTES, Connection, GuestListProblem, file_fingerprint
from ..texts import Html, escape, plain, t
from ..usecases import guests
from ..wording.guests import contact
from . import buttons as b
from . import conversation, orga, views
from .common import Asker, asker, keyboard, organizers_only, send, show
from .conferences import switch_rows
from .context import BotContext

log = logging.getLogger(__name__)

GUESTLIST = conversation.flow("guestlist", "flow_guestlist", documents=True)
GUEST_SEARCH = conversation.flow("guest_unlink", "flow_guest_unlink")
LISTED = 30  # names shown in a preview or list before "… and N more"
SHOWN_CONNECTED = 100  # above this many guests, who is connected is in the CSV


def _conference_id(context: BotContext) -> str:
    return context.services.program.current.conference.id


# --- a guest opens their invitation ------------------------------------------------------------------


async def open_invitation(update: Update, context: BotContext, who: Asker, code: str) -> None:
    """/start G_<code>: connect this account to the guest the code belongs to."""
    svc = context.services
    result = await guests.connect(svc, who.user_id, code)  # puts the guest's conference in scope
    program = svc.program.current
    conference = program.conference.name.get(who.lang)
    reach = contact(program, who.lang)
    reach_text = t(who.lang, "guest_contact", contact=reach) if reach else Html("")
    if result.status is Connection.CONNECTED:
        log.info("guest %s connected to user %s", result.guest.id, who.user_id)
        text = t(who.lang, "guest_connected", name=result.guest.name, conference=conference)
    elif result.status is Connection.ALREADY:
        text = t(who.lang, "guest_already", name=result.guest.name, conference=conference)
    elif result.status is Connection.TAKEN:
        log.warning("invitation of guest %s opened by a second account (user %s)", result.guest.id, who.user_id)
        text = t(who.lang, "guest_taken", contact=reach_text)
    elif result.status is Connection.OTHER_GUEST:
        mine = await guests.guest_of(svc, who.user_id, result.guest.conference_id)
        text = t(who.lang, "guest_other", name=mine.name if mine else "–", contact=reach_text)
    elif result.status is Connection.LIMITED:
        log.warning("invitation attempts of user %s limited", who.user_id)
        text = t(who.lang, "guest_limited")
    else:
        text = t(who.lang, "guest_unknown")
    here = await asker(update, context)  # a link of another conference has switched to it: the way back
    await send(update, context, text, keyboard(views.main_menu(who.lang) + switch_rows(context, here)))


# --- organizers: the list -------------------------------------------------------------------------


@organizers_only
async def guests_command(update: Update, context: BotContext, who: Asker) -> None:
    """/gaeste: how many guests, how many connected, and what can be done."""
    svc = context.services
    conference = svc.program.current.conference
    counted = await guests.count(svc, conference.id)
    mode = t(who.lang, "guests_mode_only" if conference.guests_only else "guests_mode_open")
    rows = [[b.GuestsMenu("load").labelled(who.lang, "guests_load"), b.GuestsMenu("links").labelled(who.lang, "guests_links")],
            [b.GuestsMenu("connected").labelled(who.lang, "guests_connected_button"),
             b.GuestsMenu("unlink").labelled(who.lang, "guests_unlink")]]
    await send(update, context, t(who.lang, "guests_title", conference=conference.name.get(who.lang),
                                  total=counted.total, connected=counted.connected, mode=mode), keyboard(rows))


@b.handles(b.GuestsMenu)
async def _menu(update: Update, context: BotContext, who: Asker, value: b.GuestsMenu) -> None:
    if value.action == "load":
        await conversation.expect(context, who, GUESTLIST, "file")
        await send(update, context, t(who.lang, "guests_send_file"))
    elif value.action == "links":
        await _send_links(update, context, who)
    elif value.action == "connected":
        await _show_connected(update, context, who)
    elif value.action == "unlink":
        await conversation.expect(context, who, GUEST_SEARCH, "query")
        await send(update, context, t(who.lang, "guests_unlink_ask"))
    else:
        await b.refuse(update, who.lang)


@GUESTLIST.step("file")
async def _file(update: Update, context: BotContext, who: Asker, pending: conversation.Pending) -> None:
    """The CSV arrived: a preview with what would change, to confirm. A broken file loads nothing
    and the organizer may send a corrected one."""
    document = update.effective_message.document if update.effective_message else None
    if document is None:
        await send(update, context, t(who.lang, "guests_send_file"))
        return
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await send(update, context, t(who.lang, "guests_file_too_big", megabytes=MAX_FILE_BYTES // (1024 * 1024)))
        return
    data = await _download(context, document.file_id)
    preview = await guests.preview_load(context.services, _conference_id(context), data or b"")
    if preview.problem is not None:
        await send(update, context, t(who.lang, "guests_not_loaded", problem=problem_text(who.lang, preview.problem)))
        return
    await conversation.done(context, who)
    await _offer(update, context, who, preview, document.file_id)


async def _download(context: BotContext, file_id: str) -> bytes | None:
    try:
        file = await context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())
    except Exception as error:  # noqa: BLE001 - an expired or unreadable file is said plainly
        log.warning("could not download a guest list: %s", error)
        return None


def problem_text(lang: str, problem: GuestListProblem) -> str:
    return plain(lang, f"guests_problem_{problem.code}", line=problem.line or "–", **dict(problem.values))


async def _offer(update: Update, context: BotContext, who: Asker, preview: guests.LoadPreview, file_id: str,
                 intro: str = "") -> None:
    if not preview.comparison.anything:
        await send(update, context, t(who.lang, "guests_unchanged", total=preview.total))
        return
    confirm = await conversation.propose(context.services, who, "guestlist", {
        "conference": preview.conference_id, "file_id": file_id, "expected": preview.expected, "file": preview.file})
    await send(update, context, intro + preview_text(who.lang, preview), keyboard([confirm]))


def _change_line(lang: str, change) -> Html:
    """A corrected name as before → after; another change by the fields it touches."""
    if change.renamed:
        return t(lang, "guests_preview_renamed", before=change.guest.name, after=change.entry.name)
    fields = ", ".join(plain(lang, f"guests_field_{name}") for name in change.fields)
    return t(lang, "guests_preview_fields", name=change.guest.name, fields=fields)


def preview_text(lang: str, preview: guests.LoadPreview) -> str:
    comparison = preview.comparison
    lines = [t(lang, "guests_preview", total=preview.total)]
    if comparison.added:
        lines.append(t(lang, "guests_preview_added", count=len(comparison.added)))
    if comparison.changed:
        lines.append(t(lang, "guests_preview_changed", count=len(comparison.changed)))
        lines += [_change_line(lang, change) for change in comparison.changed[:LISTED]]
        if len(comparison.changed) > LISTED:
            lines.append(t(lang, "guests_preview_more", count=len(comparison.changed) - LISTED))
    if comparison.removed:
        lines.append(t(lang, "guests_preview_removed", count=len(comparison.removed)))
        connected = plain(lang, "guests_preview_removed_connected")
        lines += [t(lang, "guests_preview_removed_line", name=g.name, connected=connected if g.connected else "")
                  for g in comparison.removed[:LISTED]]
        if len(comparison.removed) > LISTED:
            lines.append(t(lang, "guests_preview_more", count=len(comparison.removed) - LISTED))
    lines.append(t(lang, "guests_preview_unchanged", count=comparison.unchanged))
    lines.append("\n" + t(lang, "guests_preview_confirm"))
    return "\n".join(lines)


@conversation.confirmation("guestlist")
async def _apply(update: Update, context: BotContext, who: Asker, data: dict) -> None:
    """Apply the file the preview showed, unless the list changed meanwhile (a fresh preview)."""
    svc = context.services
    raw = await _download(context, data["file_id"])
    if raw is None or file_fingerprint(raw) != data["file"]:
        await send(update, context, t(who.lang, "guests_file_gone"))
        return
    result = await guests.apply_load(svc, data["conference"], raw, data["expected"])
    if isinstance(result, guests.LoadPreview):
        if result.problem is not None:
            await send(update, context, t(who.lang, "guests_not_loaded", problem=problem_text(who.lang, result.problem)))
            return
        await _offer(update, context, who, result, data["file_id"], intro=t(who.lang, "guests_stale") + "\n\n")
        return
    counted = await guests.count(svc, data["conference"])
    log.info("guest list of %s loaded by %s: %s", data["conference"], who.user_id, result)
    await send(update, context, t(who.lang, "guests_loaded", added=result.added, changed=result.changed,
                                  removed=result.removed, total=counted.total))


async def _send_links(update: Update, context: BotContext, who: Asker) -> None:
    conference_id = _conference_id(context)
    data, counted = await guests.invitations(context.services, conference_id, context.bot.username)
    if not counted:
        await send(update, context, t(who.lang, "guests_none"))
        return
    await context.bot.send_document(update.effective_chat.id, InputFile(data, filename=f"einladungen-{conference_id}.csv"),
                                    caption=t(who.lang, "guests_links_caption", count=counted), parse_mode="HTML")


async def _show_connected(update: Update, context: BotContext, who: Asker) -> None:
    everyone = await guests.listed(context.services, _conference_id(context))
    if not everyone:
        await send(update, context, t(who.lang, "guests_none"))
        return
    if len(everyone) > SHOWN_CONNECTED:
        await send(update, context, t(who.lang, "guests_connected_many", limit=SHOWN_CONNECTED))
        await _send_links(update, context, who)
        return
    connected = [g for g in everyone if g.connected]
    waiting = [g for g in everyone if not g.connected]
    lines = [t(who.lang, "guests_connected_title", count=len(connected))] + [f"• {_label(g)}" for g in connected]
    lines += ["", t(who.lang, "guests_waiting_title", count=len(waiting))] + [f"• {_label(g)}" for g in waiting]
    await send(update, context, "\n".join(lines))


def _label(guest) -> str:
    return escape(guest.name + (f" ({guest.organization})" if guest.organization else ""))


# --- organizers: releasing a connection -------------------------------------------------------------


@GUEST_SEARCH.step("query")
async def _search(update: Update, context: BotContext, who: Asker, pending: conversation.Pending) -> None:
    words = (update.effective_message.text or "").strip()[:100] if update.effective_message else ""
    found = await guests.find(context.services, _conference_id(context), words)
    if not found:
        await send(update, context, t(who.lang, "guests_unlink_none"))
        return
    await conversation.done(context, who)
    rows = [[b.GuestPick(g.id).button(("🔗 " if g.connected else "▫️ ") + g.name + (f" · {g.email}" if g.email else ""))]
            for g in found]
    await send(update, context, t(who.lang, "guests_unlink_choose"), keyboard(rows))


@b.handles(b.GuestPick)
async def _pick(update: Update, context: BotContext, who: Asker, value: b.GuestPick) -> None:
    svc = context.services
    guest = await guests.get(svc, value.guest_id)
    if guest is None or guest.conference_id != _conference_id(context):
        await show(update, context, t(who.lang, "guests_gone"))
        return
    if not guest.connected:
        await show(update, context, t(who.lang, "guests_unlink_not_connected", name=guest.name))
        return
    account = await svc.storage.attendees.get(guest.user_id)
    confirm = await conversation.propose(svc, who, "guest_unlink", {"guest": guest.id, "user": guest.user_id})
    await show(update, context, t(who.lang, "guests_unlink_preview", name=guest.name,
                                  account=account.display_name if account else str(guest.user_id)), keyboard([confirm]))


@conversation.confirmation("guest_unlink")
async def _unlink(update: Update, context: BotContext, who: Asker, data: dict) -> None:
    svc = context.services
    guest = await guests.get(svc, data["guest"])
    if guest is None:
        await send(update, context, t(who.lang, "guests_gone"))
        return
    if guest.user_id != data["user"]:  # released or connected anew since the preview: nothing to do
        await send(update, context, t(who.lang, "action_taken"))
        return
    await guests.unlink(svc, guest.id)
    log.info("organizer %s released guest %s from user %s", who.user_id, guest.id, data["user"])
    await send(update, context, t(who.lang, "guests_unlinked", name=guest.name))


orga.action("guests")(guests_command)


def handlers() -> list:
    return [CommandHandler(["gaeste", "guests"], guests_command)]
