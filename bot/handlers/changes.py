"""Live program changes from the chat — /verschieben, /raum, /absagen, /reload — each with a
preview of who will be told, and the confirmations (ok:/no:) of every organizer action."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from ..domain import changes as change_rules
from ..domain.changes import Change, Override
from ..domain.loader import ProgramError
from ..domain.program import Program
from ..texts import Html, escape, format_range, plain, t
from .admin import organizers_only
from .common import Asker, answer_query, keyboard, send, services

log = logging.getLogger(__name__)
FOLLOWING_WORDS = {"folgende", "following", "alle", "all", "+"}


def change_lines(program: Program, changes: list[dict], lang: str) -> str:
    """Readable before → after lines, from stored change dicts (see domain.changes.Change.as_dict)."""
    lines = []
    for change in changes:
        session = program.session(change["session_id"])
        title = session.title.get(lang) if session else change["session_id"]
        before, after = change.get("before"), change.get("after")
        if after is None or (after["cancelled"] and not (before or {}).get("cancelled")):
            lines.append(t(lang, "change_line_cancelled", title=title))
            continue
        if before is None:
            lines.append(t(lang, "change_line_new", title=title, after=_span(program, after, lang)))
            continue
        if before["cancelled"] and not after["cancelled"]:
            lines.append(t(lang, "change_line_restored", title=title))
        if (before["start"], before["end"]) != (after["start"], after["end"]):
            lines.append(t(lang, "change_line_time", title=title, before=_span(program, before, lang), after=_span(program, after, lang)))
        if before["room"] != after["room"]:
            lines.append(t(lang, "change_line_room", title=title, before=before["room"] or "–", after=after["room"] or "–"))
    return "\n".join(lines)


def _span(program: Program, state: dict, lang: str) -> str:
    start = program.local(datetime.fromtimestamp(state["start"], timezone.utc))
    end = program.local(datetime.fromtimestamp(state["end"], timezone.utc))
    return format_range(lang, start, end)


async def _propose(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, overrides: list[Override]) -> None:
    svc = services(context)
    current = svc.program.current
    proposed = svc.program.with_overrides(overrides)
    found = change_rules.diff(current, proposed)
    if not found:
        await send(update, context, t(who.lang, "change_none"))
        return
    affected = await svc.storage.affected_by([c.session_id for c in found])
    payload = {"overrides": [_override_dict(o) for o in overrides], "changes": [c.as_dict() for c in found]}
    pending = await svc.storage.create_pending(who.user_id, "change", payload, svc.now())
    text = t(who.lang, "change_preview", lines=Html(change_lines(proposed, payload["changes"], who.lang)), count=len(affected))
    await send(update, context, text, _confirm(who.lang, pending))


def _confirm(lang: str, pending: int):
    return keyboard([[(plain(lang, "confirm_yes"), f"ok:{pending}"), (plain(lang, "confirm_no"), f"no:{pending}")]])


def _override_dict(o: Override) -> dict:
    return {"session_id": o.session_id, "start": o.start.timestamp(), "end": o.end.timestamp(), "room": o.room, "cancelled": o.cancelled}


def _override_from(data: dict) -> Override:
    return Override(data["session_id"], datetime.fromtimestamp(data["start"], timezone.utc),
                    datetime.fromtimestamp(data["end"], timezone.utc), data["room"], bool(data["cancelled"]))


def _session_or_usage(context, who: Asker, usage: str):
    args = context.args or []
    session = services(context).program.current.session(args[0].lower()) if args else None
    return session, (None if session else (t(who.lang, "unknown_session", session_id=args[0][:40]) if args else t(who.lang, usage)))


@organizers_only
async def delay_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    session, problem = _session_or_usage(context, who, "change_usage_delay")
    if problem:
        await send(update, context, problem)
        return
    args = context.args or []
    try:
        minutes = int(args[1].lstrip("+")) if len(args) > 1 else 0
    except ValueError:
        minutes = 0
    if not minutes or abs(minutes) > 720:
        await send(update, context, t(who.lang, "change_bad_minutes") + "\n" + t(who.lang, "change_usage_delay"))
        return
    following = any(word.lower() in FOLLOWING_WORDS for word in args[2:])
    await _propose(update, context, who, change_rules.delay(services(context).program.current, session.id, minutes, following))


@organizers_only
async def room_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    session, problem = _session_or_usage(context, who, "change_usage_room")
    room = " ".join((context.args or [])[1:]).strip()[:80]
    if problem or not room:
        await send(update, context, problem or t(who.lang, "change_usage_room"))
        return
    await _propose(update, context, who, change_rules.change_room(services(context).program.current, session.id, room))


@organizers_only
async def cancel_session_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    session, problem = _session_or_usage(context, who, "change_usage_cancel")
    if problem:
        await send(update, context, problem)
        return
    await _propose(update, context, who, change_rules.cancel_session(services(context).program.current, session.id))


@organizers_only
async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    svc = services(context)
    try:
        new_base = await svc.program.read_file()
    except ProgramError as error:
        problems = "\n".join(f"• {escape(str(p))}" for p in error.problems[:30])
        await send(update, context, t(who.lang, "admin_reload_failed", problems=Html(problems)))
        return
    proposed = svc.program.with_overrides([], base=new_base)
    found = change_rules.diff(svc.program.current, proposed)
    if not found:  # nothing anyone must be told: apply at once
        await _apply_reload(update, context, who, new_base, [])
        return
    affected = await svc.storage.affected_by([c.session_id for c in found])
    pending = await svc.storage.create_pending(who.user_id, "reload", {"changes": [c.as_dict() for c in found]}, svc.now())
    context.application.bot_data.setdefault("pending_programs", {})[pending] = new_base
    await send(update, context, t(who.lang, "reload_preview", lines=Html(change_lines(proposed, [c.as_dict() for c in found], who.lang)),
                                  count=len(affected)), _confirm(who.lang, pending))


async def _apply_reload(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, new_base: Program,
                        found: list[dict]) -> None:
    svc = services(context)
    svc.program.replace(base=new_base)
    new = svc.program.current
    notified = 0
    if found:
        _, notified = await svc.storage.record_change([], [_change_from(c) for c in found], who.user_id, "reload", svc.now())
    promotions, overbooked = await svc.storage.reconcile_capacities(new, svc.now())
    await svc.storage.sync_file_announcements(list(new.announcements), svc.now())
    svc.replan()
    lines = [t(who.lang, "admin_reload_ok", sessions=len(new.sessions))]
    if found:
        lines.append(t(who.lang, "change_done", count=notified))
    for item in overbooked:
        session = new.session(item.session_id)
        lines.append(t(who.lang, "admin_reload_overbooked", title=session.title.get(who.lang) if session else item.session_id,
                       confirmed=item.confirmed, capacity=item.capacity))
    if promotions:
        lines.append(t(who.lang, "admin_reload_promoted", count=len(promotions)))
    await send(update, context, "\n".join(lines))


def _change_from(data: dict) -> Change:
    from ..domain.changes import SessionState

    def state(value):
        if value is None:
            return None
        return SessionState(datetime.fromtimestamp(value["start"], timezone.utc), datetime.fromtimestamp(value["end"], timezone.utc),
                            value["room"], bool(value["cancelled"]))
    return Change(data["session_id"], state(data["before"]), state(data["after"]))


@organizers_only
async def on_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    """ok:<id> / no:<id> for every organizer preview; each is taken exactly once."""
    svc = services(context)
    data = update.callback_query.data or ""
    verb, _, number = data.partition(":")
    await answer_query(update)
    taken = await svc.storage.take_pending(int(number), who.user_id, "done" if verb == "ok" else "dropped")
    if taken is None:
        await send(update, context, t(who.lang, "action_taken"))
        return
    kind, payload = taken
    if verb == "no":
        context.application.bot_data.get("pending_programs", {}).pop(int(number), None)
        await send(update, context, t(who.lang, "conversation_cancelled"))
        return
    if kind == "change":
        overrides = [_override_from(o) for o in payload["overrides"]]
        changes = [_change_from(c) for c in payload["changes"]]
        _, notified = await svc.storage.record_change(overrides, changes, who.user_id, "chat", svc.now())
        svc.program.replace(overrides=overrides)
        svc.replan()
        await send(update, context, t(who.lang, "change_done", count=notified))
    elif kind == "reload":
        new_base = context.application.bot_data.get("pending_programs", {}).pop(int(number), None)
        if new_base is None:  # the bot restarted since the preview: read the file again
            try:
                new_base = await svc.program.read_file()
            except ProgramError:
                await send(update, context, t(who.lang, "action_taken"))
                return
        await _apply_reload(update, context, who, new_base, payload["changes"])
    elif kind == "edit":
        count = await svc.storage.edit_announcement(int(payload["ann"]), payload["html"], svc.now())
        await send(update, context, t(who.lang, "bc_edit_done", count=count))
    elif kind == "withdraw":
        count = await svc.storage.withdraw_announcement(int(payload["ann"]), svc.now())
        await send(update, context, t(who.lang, "bc_withdraw_done", id=payload["ann"], count=count))


def handlers() -> list:
    return [
        CommandHandler(["verschieben", "delay"], delay_command),
        CommandHandler(["raum", "room"], room_command),
        CommandHandler(["absagen", "cancelsession"], cancel_session_command),
        CommandHandler(["reload", "neuladen"], reload_command),
        CallbackQueryHandler(on_confirm, pattern=r"^(ok|no):\d{1,9}$"),
    ]
