"""Live program changes from the chat — /verschieben, /raum, /absagen, /wiederherstellen,
/reload — by buttons or with ids typed.

Every change is checked as the program file is (domain.checks): hard errors are refused,
an overlap caused by a delay is a warning the organizer confirms explicitly. A preview stores
the organizer's intent and the program revision it was made against; confirming it after
another change was applied shows a fresh preview instead of undoing that change.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from ..domain import changes as change_rules
from ..domain.changes import Change, Override, SessionState
from ..domain.checks import Finding, check_change
from ..domain.loader import ProgramError
from ..domain.program import Program, Session
from ..texts import Html, escape, format_day_short, format_range, shorten, t
from . import buttons as b
from . import conversation, orga, views
from .common import Asker, keyboard, organizers_only, send, services

log = logging.getLogger(__name__)
FOLLOWING_WORDS = {"folgende", "following", "alle", "all", "+"}
DELAY_CHOICES = (5, 10, 15, 30)
MAX_MINUTES = 720

CHANGE = conversation.flow("change", "flow_change")


# --- how changes read -----------------------------------------------------------------------------


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
    hours = format_range(lang, start, end)
    return f"{format_day_short(lang, start)} {hours}" if program.several_days else hours


def finding_lines(program: Program, findings: list[Finding], lang: str) -> str:
    lines = []
    for finding in findings:
        session = program.session(finding.session_id)
        other = program.session(finding.other_session_id or "")
        lines.append(t(lang, f"finding_{finding.code}", title=session.title.get(lang) if session else finding.session_id,
                       other=other.title.get(lang) if other else (finding.other_session_id or ""),
                       room=finding.room or (session.room if session else "")))
    return "\n".join(lines)


# --- proposing and applying a change ---------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    overrides: list[Override]
    proposed: Program
    found: list[Change]
    findings: list[Finding]


def _plan(svc, intent: dict) -> _Planned:
    """What an intent does to the program as it is now: the overrides, the program after them,
    what changes for attendees, and what the checks find. Previews and confirmations share it."""
    current = svc.program.current
    overrides = change_rules.intent_overrides(current, intent)
    proposed = svc.program.with_overrides(overrides)
    return _Planned(overrides, proposed, change_rules.diff(current, proposed), check_change(current, proposed))


async def propose(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, intent: dict, fresh: bool = False) -> None:
    """Preview what `intent` would do to the program as it is now, with every problem named."""
    svc = services(context)
    revision = await svc.storage.program_revision()
    planned = _plan(svc, intent)
    proposed, found = planned.proposed, planned.found
    if not found:
        await send(update, context, t(who.lang, "change_none"))
        return
    findings = planned.findings
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        await send(update, context, t(who.lang, "change_refused", problems=Html(finding_lines(proposed, errors, who.lang))))
        return
    warnings = [f for f in findings if f.severity != "error"]
    affected = await svc.storage.affected_by([c.session_id for c in found], [c.session_id for c in found if c.restores])
    lines = change_lines(proposed, [c.as_dict() for c in found], who.lang)
    text = t(who.lang, "change_preview", lines=Html(lines), count=len(affected))
    if warnings:
        text += "\n\n" + t(who.lang, "change_warnings", problems=Html(finding_lines(proposed, warnings, who.lang)))
    if fresh:
        text = t(who.lang, "change_stale") + "\n\n" + text
    row = await conversation.propose(context, who, "change", {"intent": intent, "revision": revision}, warning=bool(warnings))
    await send(update, context, text, keyboard([row]))


@conversation.confirmation("change")
async def _apply(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, data: dict) -> None:
    svc = services(context)
    intent = data["intent"]
    planned = _plan(svc, intent)
    stale = await svc.storage.program_revision() != data.get("revision")
    if stale or any(f.severity == "error" for f in planned.findings):
        await propose(update, context, who, intent, fresh=True)
        return
    result = await svc.storage.record_change(planned.overrides, planned.found, who.user_id, "chat", svc.now(),
                                             program=planned.proposed, expected_revision=data.get("revision"))
    if result is None:  # another organizer's change landed in between
        await propose(update, context, who, intent, fresh=True)
        return
    svc.program.replace(overrides=planned.overrides)
    svc.replan()
    await send(update, context, t(who.lang, "change_done", count=result[1]))


# --- the commands, with or without ids ---------------------------------------------------------------


async def _session_or_pick(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, purpose: str) -> Session | None:
    """The session a command names by id; without one, the picker is offered (None is returned),
    and an unknown id is said so (None)."""
    args = context.args or []
    if not args:
        await orga.pick_session(update, context, who, purpose)
        return None
    session = services(context).program.current.session(args[0].lower())
    if session is None:
        await send(update, context, t(who.lang, "unknown_session", session_id=args[0][:40]))
    return session


def parse_minutes(text: str) -> tuple[int | None, bool]:
    """'15', '+15', '-10', '15 folgende' → (minutes, following); (None, _) if not a valid delay."""
    words = text.strip().split()
    if not words or not re.fullmatch(r"[+-]?\d{1,4}", words[0]):
        return None, False
    minutes = int(words[0])
    following = any(word.lower() in FOLLOWING_WORDS for word in words[1:])
    return (minutes if minutes and abs(minutes) <= MAX_MINUTES else None), following


@organizers_only
async def delay_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    session = await _session_or_pick(update, context, who, "delay")
    if session is None:
        return
    if len(context.args) < 2:
        await _ask_minutes(update, context, who, session)
        return
    minutes, following = parse_minutes(" ".join(context.args[1:]))
    if minutes is None:
        await send(update, context, t(who.lang, "change_bad_minutes") + "\n" + t(who.lang, "change_usage_delay"))
        return
    await propose(update, context, who, {"op": "delay", "session": session.id, "minutes": minutes, "following": following})


async def _ask_minutes(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session) -> None:
    program = services(context).program.current
    rows = [[b.DelayBy(session.id, m).button(f"+{m}") for m in DELAY_CHOICES],
            [b.DelayBy(session.id, -m).button(f"−{m}") for m in (5, 10)] + [b.TypeMinutes(session.id).labelled(who.lang, "change_type_minutes")]]
    await send(update, context, t(who.lang, "change_ask_minutes", title=session.title.get(who.lang),
                                  when=_span_of(program, session, who.lang), room=session.room or "–"), keyboard(rows))


def _span_of(program: Program, session: Session, lang: str) -> str:
    return _span(program, SessionState.of(session).as_dict(), lang)


@orga.purpose("delay", lambda program: program.active_sessions(), "change_choose_delay")
async def _picked_for_delay(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session, argument: str) -> None:
    await _ask_minutes(update, context, who, session)


async def _delay_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session, minutes: int) -> None:
    """Minutes known: ask whether the later sessions in the room move too (if there are any)."""
    later = change_rules.later_in_room(services(context).program.current, session.id)
    if not later:
        await propose(update, context, who, {"op": "delay", "session": session.id, "minutes": minutes, "following": False})
        return
    rows = [[b.DelayScope(session.id, minutes, False).labelled(who.lang, "change_scope_one",
                                                               title=shorten(session.title.get(who.lang), 40))],
            [b.DelayScope(session.id, minutes, True).labelled(who.lang, "change_scope_following", count=len(later) + 1,
                                                              room=session.room)]]
    await send(update, context, t(who.lang, "change_ask_scope", minutes=minutes, room=session.room, count=len(later)),
               keyboard(rows))


@b.handles(b.DelayBy)
async def _delay_by(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.DelayBy) -> None:
    session = services(context).program.current.session(value.session_id)
    if session is None or not value.minutes or abs(value.minutes) > MAX_MINUTES:
        await b.refuse(update, who.lang)
        return
    await _delay_chosen(update, context, who, session, value.minutes)


@b.handles(b.DelayScope)
async def _delay_scope(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.DelayScope) -> None:
    if not value.minutes or abs(value.minutes) > MAX_MINUTES:
        await b.refuse(update, who.lang)
        return
    await propose(update, context, who, {"op": "delay", "session": value.session_id, "minutes": value.minutes,
                                         "following": value.following})


async def _ask_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, step: str, session_id: str) -> None:
    """Wait for the organizer to type the minutes or the room of a change."""
    await conversation.expect(context, who, CHANGE, step, session=session_id)
    await send(update, context, t(who.lang, f"change_prompt_{step}"))


@b.handles(b.TypeMinutes)
async def _type_minutes(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.TypeMinutes) -> None:
    await _ask_typed(update, context, who, "minutes", value.session_id)


@CHANGE.step("minutes")
async def _minutes_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, pending: conversation.Pending) -> None:
    session = services(context).program.current.session(pending.get("session", ""))
    if session is None:
        await conversation.done(context, who)
        await send(update, context, t(who.lang, "stale_session"))
        return
    minutes, following = parse_minutes(update.effective_message.text or "")
    if minutes is None:
        await send(update, context, t(who.lang, "change_bad_minutes"))  # the prompt stays open
        return
    await conversation.done(context, who)
    if following:
        await propose(update, context, who, {"op": "delay", "session": session.id, "minutes": minutes, "following": True})
    else:
        await _delay_chosen(update, context, who, session, minutes)


# --- rooms ------------------------------------------------------------------------------------------


def rooms(program: Program) -> list[str]:
    """The venue's rooms, in a stable order (button payloads refer to positions)."""
    return list(program.rooms())


def room_check(room: str) -> str:
    return hashlib.sha1(room.encode("utf-8")).hexdigest()[:6]


@organizers_only
async def room_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    session = await _session_or_pick(update, context, who, "room")
    if session is None:
        return
    room = " ".join(context.args[1:]).strip()[:80]
    if not room:
        await _ask_room(update, context, who, session)
        return
    await propose(update, context, who, {"op": "room", "session": session.id, "room": room})


async def _ask_room(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session) -> None:
    program = services(context).program.current
    busy = {s.room.casefold() for s in program.overlapping(session) if s.room}
    rows = [[b.RoomPick(session.id, index, room_check(room)).button(("⛔ " if room.casefold() in busy else "📍 ") + room)]
            for index, room in enumerate(rooms(program)) if room.casefold() != session.room.casefold()]
    rows.append([b.TypeRoom(session.id).labelled(who.lang, "change_type_room")])
    await send(update, context, t(who.lang, "change_ask_room", title=session.title.get(who.lang),
                                  when=_span_of(program, session, who.lang), room=session.room or "–"), keyboard(rows))


@orga.purpose("room", lambda program: program.active_sessions(), "change_choose_room")
async def _picked_for_room(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session, argument: str) -> None:
    await _ask_room(update, context, who, session)


@b.handles(b.RoomPick)
async def _room_pick(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.RoomPick) -> None:
    known = rooms(services(context).program.current)
    if not 0 <= value.room < len(known) or room_check(known[value.room]) != value.check:
        await b.refuse(update, who.lang)  # the program's rooms changed since the buttons were made
        return
    await propose(update, context, who, {"op": "room", "session": value.session_id, "room": known[value.room]})


@b.handles(b.TypeRoom)
async def _type_room(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, value: b.TypeRoom) -> None:
    await _ask_typed(update, context, who, "room", value.session_id)


@CHANGE.step("room")
async def _room_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, pending: conversation.Pending) -> None:
    room = " ".join((update.effective_message.text or "").split())[:80]
    if not room:
        await send(update, context, t(who.lang, "change_prompt_room"))
        return
    await conversation.done(context, who)
    await propose(update, context, who, {"op": "room", "session": pending.get("session", ""), "room": room})


# --- cancelling and restoring ----------------------------------------------------------------------


@organizers_only
async def cancel_session_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    session = await _session_or_pick(update, context, who, "cancel")
    if session is None:
        return
    await propose(update, context, who, {"op": "restore" if session.cancelled else "cancel", "session": session.id})


@organizers_only
async def restore_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    session = await _session_or_pick(update, context, who, "restore")
    if session is None:
        return
    await propose(update, context, who, {"op": "restore", "session": session.id})


@orga.purpose("cancel", lambda program: program.active_sessions(), "change_choose_cancel")
async def _picked_for_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session, argument: str) -> None:
    await propose(update, context, who, {"op": "cancel", "session": session.id})


@orga.purpose("restore", lambda program: [s for s in program.sessions if s.cancelled], "change_choose_restore")
async def _picked_for_restore(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, session: Session, argument: str) -> None:
    await propose(update, context, who, {"op": "restore", "session": session.id})


# --- reload ------------------------------------------------------------------------------------------


@organizers_only
async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker) -> None:
    await _preview_reload(update, context, who)


async def _preview_reload(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, fresh: bool = False) -> None:
    text, markup = await reload_preview(context, who, fresh)
    await send(update, context, text, markup)


async def reload_preview(context: ContextTypes.DEFAULT_TYPE, who: Asker, fresh: bool = False, intro: str = "",
                         new_base: Program | None = None):
    """Everything a reload would change — times, rooms, cancellations, new and removed sessions,
    capacities with who moves up or is overbooked, texts — as (text, confirm buttons or None).
    Nothing changes before it is confirmed. `new_base`: the program already read, if it was."""
    svc = services(context)
    if new_base is None:
        try:
            new_base = await svc.program.read_file()
        except ProgramError as error:
            return t(who.lang, "admin_reload_failed", problems=views.problem_lines(error.problems, who.lang)), None
    revision = await svc.storage.program_revision()
    current = svc.program.current
    proposed = svc.program.with_overrides([], base=new_base)
    if new_base == svc.program.base:
        return t(who.lang, "reload_unchanged"), None
    errors = [f for f in check_change(current, proposed) if f.severity == "error"]
    if errors:  # the file is fine alone, but clashes with a change made in the chat
        return t(who.lang, "change_refused", problems=Html(finding_lines(proposed, errors, who.lang))), None
    found = change_rules.diff(current, proposed)
    lines = [change_lines(proposed, [c.as_dict() for c in found], who.lang)] if found else []
    lines += await _capacity_lines(context, who.lang, current, proposed)
    edited = change_rules.text_changes(current, proposed)
    if edited:
        lines.append(t(who.lang, "reload_texts", count=len(edited)))
    if not any(lines):
        lines.append(t(who.lang, "reload_other"))
    if new_base.warnings:  # what `check` would warn of, in the organizer's language
        lines.append(t(who.lang, "reload_file_warnings", warnings=views.problem_lines(new_base.warnings, who.lang, 10)))
    affected = await svc.storage.affected_by([c.session_id for c in found])
    text = t(who.lang, "reload_preview", lines=Html("\n".join(line for line in lines if line)), count=len(affected))
    if fresh:
        text = t(who.lang, "change_stale") + "\n\n" + text
    if intro:
        text = intro + "\n\n" + text
    row = await conversation.propose(context, who, "reload", {"revision": revision, "file": new_base.fingerprint()})
    return text, keyboard([row])


async def _capacity_lines(context: ContextTypes.DEFAULT_TYPE, lang: str, current: Program, proposed: Program) -> list[str]:
    counts = await services(context).storage.session_counts()
    lines = []
    for change in change_rules.capacity_changes(current, proposed):
        session = proposed.session(change.session_id)
        title = session.title.get(lang) if session else change.session_id
        lines.append(t(lang, "reload_capacity", title=title, before=change.before if change.before is not None else "–",
                       after=change.after if change.after is not None else "–"))
        count = counts.get(change.session_id)
        confirmed, waiting = (count.confirmed, count.waitlisted) if count else (0, 0)
        if change.after is not None and confirmed > change.after:
            lines.append(t(lang, "reload_would_overbook", confirmed=confirmed, capacity=change.after))
        elif change.after is not None and waiting and change.after > confirmed:
            lines.append(t(lang, "reload_would_promote", count=min(waiting, change.after - confirmed)))
    return lines


@conversation.confirmation("reload")
async def _apply_reload(update: Update, context: ContextTypes.DEFAULT_TYPE, who: Asker, data: dict) -> None:
    svc = services(context)
    try:
        new_base = await svc.program.read_file()
    except ProgramError:
        await _preview_reload(update, context, who)
        return
    file = new_base.fingerprint()
    if await svc.storage.program_revision() != data.get("revision") or file != data.get("file"):
        await _preview_reload(update, context, who, fresh=True)
        return
    current = svc.program.current
    proposed = svc.program.with_overrides([], base=new_base)
    found = change_rules.diff(current, proposed)
    result = await svc.storage.record_change([], found, who.user_id, "reload", svc.now(), program=proposed,
                                             expected_revision=data.get("revision"), base=file)
    if result is None:
        await _preview_reload(update, context, who, fresh=True)
        return
    svc.program.replace(base=new_base)
    new = svc.program.current
    promotions, overbooked = await svc.storage.reconcile_capacities(new, svc.now())
    await svc.storage.sync_file_announcements(list(new.announcements), svc.now())
    svc.replan()
    lines = [t(who.lang, "admin_reload_ok", sessions=len(new.sessions))]
    if found:
        lines.append(t(who.lang, "change_done", count=result[1]))
    for item in overbooked:
        session = new.session(item.session_id)
        lines.append(t(who.lang, "admin_reload_overbooked", title=session.title.get(who.lang) if session else item.session_id,
                       confirmed=item.confirmed, capacity=item.capacity))
    if promotions:
        lines.append(t(who.lang, "admin_reload_promoted", count=len(promotions)))
    await send(update, context, "\n".join(lines))


for _name, _function in (("delay", delay_command), ("room", room_command), ("cancel", cancel_session_command),
                         ("restore", restore_command), ("reload", reload_command)):
    orga.action(_name)(_function)


def handlers() -> list:
    return [
        CommandHandler(["verschieben", "delay"], delay_command),
        CommandHandler(["raum", "room"], room_command),
        CommandHandler(["absagen", "cancelsession"], cancel_session_command),
        CommandHandler(["wiederherstellen", "restore"], restore_command),
        CommandHandler(["reload", "neuladen"], reload_command),
    ]
