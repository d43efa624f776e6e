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
from datetime import datetime, timezone

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from ..delivery import Send, Skip
from ..domain import changes as change_rules
from ..domain.changes import KEEP, Conflict, SessionState
from ..domain.checks import Finding
from ..domain.messages import ChangeNotice, SourceOffer
from ..domain.program import Program, Session, Text
from ..services import Services
from ..texts import Html, format_day_short, format_range, plain, shorten, t
from ..usecases import program_changes
from ..wording.sessions import short_label
from . import buttons as b
from . import conversation, orga, views
from .common import Asker, keyboard, organizers_only, send
from .context import BotContext
from .push import Push, renders

log = logging.getLogger(__name__)
FOLLOWING_WORDS = {"folgende", "following", "alle", "all", "+"}
DELAY_CHOICES = (5, 10, 15, 30)
MAX_MINUTES = 720
MAX_ROOM = 60  # a room's name stands in every list line and on buttons (64 bytes of a button's text would cut it)

CHANGE = conversation.flow("change", "flow_change")


# --- how changes read -----------------------------------------------------------------------------


def not_over(program: Program, now: datetime) -> list[Session]:
    """What a delay, a room change or a cancellation can still concern: a session not yet over
    (a picker full of the finished morning only hides the afternoon)."""
    return [s for s in program.active_sessions() if s.end > now]


def change_lines(program: Program, changes: list[dict], lang: str, returning: dict[str, int] | None = None) -> str:
    """Readable before → after lines, from stored change dicts (see domain.changes.Change.as_dict):
    each session by its title (also one no longer in the program), a cancelled one with its day
    and time. `returning`: sessions back in the file, with how many get their places back."""
    lines = []
    for change in changes:
        title = _title(program, change, lang)
        before, after = change.get("before"), change.get("after")
        if after is None or (after["cancelled"] and not (before or {}).get("cancelled")):
            lines.append(t(lang, "change_line_cancelled", title=title, when=_span(program, before or after, lang, day=True)))
            continue
        if before is None:
            back = (returning or {}).get(change["session_id"])
            if back or change.get("returns"):
                lines.append(t(lang, "change_line_back", title=title, after=_span(program, after, lang, day=True)))
                if back:
                    lines.append(t(lang, "change_line_back_seats", count=back))
            else:
                lines.append(t(lang, "change_line_new", title=title, after=_span(program, after, lang)))
            continue
        if before["cancelled"] and not after["cancelled"]:
            lines.append(t(lang, "change_line_restored", title=title, after=_span(program, after, lang, day=True),
                           room=after["room"] or "–"))
        if (before["start"], before["end"]) != (after["start"], after["end"]):
            lines.append(t(lang, "change_line_time", title=title, before=_span(program, before, lang), after=_span(program, after, lang)))
        if before["room"] != after["room"]:
            lines.append(t(lang, "change_line_room", title=title, when=_span(program, after, lang),  # the day where several
                           before=before["room"] or "–", after=after["room"] or "–"))
    return "\n".join(lines)


def _title(program: Program, change: dict, lang: str) -> str:
    """The session's title now, else the one it had when the change was made, never its id alone."""
    session = program.session(change["session_id"])
    if session is not None:
        return session.title.get(lang)
    stored = Text(tuple((change.get("title") or {}).items()))
    return stored.get(lang) or change["session_id"]


def _span(program: Program, state: dict, lang: str, day: bool = False) -> str:
    """A stored state's time ("11:05–11:50 Uhr"), after its day where several days (or `day`) ask for it."""
    start = program.local(datetime.fromtimestamp(state["start"], timezone.utc))
    end = program.local(datetime.fromtimestamp(state["end"], timezone.utc))
    hours = format_range(lang, start, end)
    return f"{format_day_short(lang, start)} {hours}" if program.several_days or day else hours


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


async def propose(update: Update, context: BotContext, who: Asker, intent: dict, fresh: bool = False) -> None:
    """Preview what `intent` would do to the program as it is now, with every problem named."""
    await _show_preview(update, context, who, await program_changes.preview_change(context.services, intent), fresh)


async def _show_preview(update: Update, context: BotContext, who: Asker, preview: program_changes.ChangePreview,
                        fresh: bool = False) -> None:
    if not preview.changes:
        await send(update, context, t(who.lang, "change_none"))
        return
    if preview.errors:
        await send(update, context, t(who.lang, "change_refused",
                                      problems=Html(finding_lines(preview.proposed, preview.errors, who.lang))))
        session = context.services.program.current.session(str(preview.intent.get("session", "")))
        if preview.intent.get("op") == "room" and session is not None:
            await _ask_room(update, context, who, session)  # the room was taken: choose another
        return
    lines = change_lines(preview.proposed, [c.as_dict() for c in preview.changes], who.lang)
    text = t(who.lang, "change_preview", lines=Html(lines), count=preview.affected)
    if preview.warnings:
        text += "\n\n" + t(who.lang, "change_warnings", problems=Html(finding_lines(preview.proposed, preview.warnings, who.lang)))
    if preview.clashes:
        text += "\n" + t(who.lang, "change_clashes", count=preview.clashes)
    if fresh:
        text = t(who.lang, "change_stale") + "\n\n" + text
    row = await conversation.propose(context.services, who, "change", {"intent": preview.intent, "revision": preview.revision},
                                     warning=bool(preview.warnings))
    await send(update, context, text, keyboard([row]))


@conversation.confirmation("change")
async def _apply(update: Update, context: BotContext, who: Asker, data: dict) -> None:
    result = await program_changes.apply_change(context.services, data["intent"], data.get("revision"), who.user_id)
    if isinstance(result, program_changes.ChangePreview):  # the program moved since the preview
        await _show_preview(update, context, who, result, fresh=True)
        return
    await send(update, context, t(who.lang, "change_done", count=result.told))


# --- the commands, with or without ids ---------------------------------------------------------------


async def _session_or_pick(update: Update, context: BotContext, who: Asker, purpose: str) -> Session | None:
    """The session a command names by id; without one, the picker is offered (None is returned),
    and an unknown id is said so (None)."""
    args = context.args or []
    if not args:
        await orga.pick_session(update, context, who, purpose)
        return None
    session = context.services.program.current.session(args[0].lower())
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
async def delay_command(update: Update, context: BotContext, who: Asker) -> None:
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


async def _ask_minutes(update: Update, context: BotContext, who: Asker, session: Session) -> None:
    program = context.services.program.current
    rows = [[b.DelayBy(session.id, m).button(f"+{m}") for m in DELAY_CHOICES],
            [b.DelayBy(session.id, -m).button(f"−{m}") for m in (5, 10)] + [b.TypeMinutes(session.id).labelled(who.lang, "change_type_minutes")]]
    await send(update, context, t(who.lang, "change_ask_minutes", title=session.title.get(who.lang),
                                  when=_span_of(program, session, who.lang), room=session.room or "–"), keyboard(rows))


def _span_of(program: Program, session: Session, lang: str) -> str:
    return _span(program, SessionState.of(session).as_dict(), lang)


@orga.purpose("delay", not_over, "change_choose_delay")
async def _picked_for_delay(update: Update, context: BotContext, who: Asker, session: Session, argument: str) -> None:
    await _ask_minutes(update, context, who, session)


async def _delay_chosen(update: Update, context: BotContext, who: Asker, session: Session, minutes: int) -> None:
    """Minutes known: ask whether the later sessions in the room move too (if there are any)."""
    later = change_rules.later_in_room(context.services.program.current, session.id)
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
async def _delay_by(update: Update, context: BotContext, who: Asker, value: b.DelayBy) -> None:
    session = context.services.program.current.session(value.session_id)
    if session is None or not value.minutes or abs(value.minutes) > MAX_MINUTES:
        await b.refuse(update, who.lang)
        return
    await _delay_chosen(update, context, who, session, value.minutes)


@b.handles(b.DelayScope)
async def _delay_scope(update: Update, context: BotContext, who: Asker, value: b.DelayScope) -> None:
    if not value.minutes or abs(value.minutes) > MAX_MINUTES:
        await b.refuse(update, who.lang)
        return
    await propose(update, context, who, {"op": "delay", "session": value.session_id, "minutes": value.minutes,
                                         "following": value.following})


async def _ask_typed(update: Update, context: BotContext, who: Asker, step: str, session_id: str) -> None:
    """Wait for the organizer to type the minutes or the room of a change."""
    await conversation.expect(context, who, CHANGE, step, session=session_id)
    await send(update, context, t(who.lang, f"change_prompt_{step}"))


@b.handles(b.TypeMinutes)
async def _type_minutes(update: Update, context: BotContext, who: Asker, value: b.TypeMinutes) -> None:
    await _ask_typed(update, context, who, "minutes", value.session_id)


@CHANGE.step("minutes")
async def _minutes_typed(update: Update, context: BotContext, who: Asker, pending: conversation.Pending) -> None:
    session = context.services.program.current.session(pending.get("session", ""))
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
async def room_command(update: Update, context: BotContext, who: Asker) -> None:
    session = await _session_or_pick(update, context, who, "room")
    if session is None:
        return
    room = " ".join(context.args[1:])
    if not room:
        await _ask_room(update, context, who, session)
        return
    if len(room) > MAX_ROOM:
        await send(update, context, t(who.lang, "change_room_too_long", limit=MAX_ROOM, length=len(room)))
        return
    await propose(update, context, who, {"op": "room", "session": session.id, "room": room})


async def _ask_room(update: Update, context: BotContext, who: Asker, session: Session) -> None:
    program = context.services.program.current
    busy = {s.room.casefold() for s in program.overlapping(session) if s.room}
    rows = [[b.RoomPick(session.id, index, room_check(room)).button(("⛔ " if room.casefold() in busy else "📍 ") + room)]
            for index, room in enumerate(rooms(program)) if room.casefold() != session.room.casefold()]
    rows.append([b.TypeRoom(session.id).labelled(who.lang, "change_type_room")])
    await send(update, context, t(who.lang, "change_ask_room", title=session.title.get(who.lang),
                                  when=_span_of(program, session, who.lang), room=session.room or "–"), keyboard(rows))


@orga.purpose("room", not_over, "change_choose_room")
async def _picked_for_room(update: Update, context: BotContext, who: Asker, session: Session, argument: str) -> None:
    await _ask_room(update, context, who, session)


@b.handles(b.RoomPick)
async def _room_pick(update: Update, context: BotContext, who: Asker, value: b.RoomPick) -> None:
    known = rooms(context.services.program.current)
    if not 0 <= value.room < len(known) or room_check(known[value.room]) != value.check:
        await b.refuse(update, who.lang)  # the program's rooms changed since the buttons were made
        return
    await propose(update, context, who, {"op": "room", "session": value.session_id, "room": known[value.room]})


@b.handles(b.TypeRoom)
async def _type_room(update: Update, context: BotContext, who: Asker, value: b.TypeRoom) -> None:
    await _ask_typed(update, context, who, "room", value.session_id)


@CHANGE.step("room")
async def _room_typed(update: Update, context: BotContext, who: Asker, pending: conversation.Pending) -> None:
    room = " ".join((update.effective_message.text or "").split())
    if not room:
        await send(update, context, t(who.lang, "change_prompt_room"))
        return
    if len(room) > MAX_ROOM:  # the prompt stays open for a shorter name
        await send(update, context, t(who.lang, "change_room_too_long", limit=MAX_ROOM, length=len(room)))
        return
    await conversation.done(context, who)
    await propose(update, context, who, {"op": "room", "session": pending.get("session", ""), "room": room})


# --- cancelling and restoring ----------------------------------------------------------------------


@organizers_only
async def cancel_session_command(update: Update, context: BotContext, who: Asker) -> None:
    session = await _session_or_pick(update, context, who, "cancel")
    if session is None:
        return
    await propose(update, context, who, {"op": "restore" if session.cancelled else "cancel", "session": session.id})


@organizers_only
async def restore_command(update: Update, context: BotContext, who: Asker) -> None:
    session = await _session_or_pick(update, context, who, "restore")
    if session is None:
        return
    await propose(update, context, who, {"op": "restore", "session": session.id})


@orga.purpose("cancel", not_over, "change_choose_cancel")
async def _picked_for_cancel(update: Update, context: BotContext, who: Asker, session: Session, argument: str) -> None:
    await propose(update, context, who, {"op": "cancel", "session": session.id})


@orga.purpose("restore", lambda program, now: [s for s in program.sessions if s.cancelled and s.end > now], "change_choose_restore")
async def _picked_for_restore(update: Update, context: BotContext, who: Asker, session: Session, argument: str) -> None:
    await propose(update, context, who, {"op": "restore", "session": session.id})


# --- the chat's changes in force --------------------------------------------------------------------


@organizers_only
async def chat_changes_command(update: Update, context: BotContext, who: Asker) -> None:
    """The changes made in the chat that are in force, each beside what the file has, with a
    button to take it back (previewed like any change)."""
    svc = context.services
    program, found = svc.program.current, program_changes.chat_changes(svc)
    if not found:
        await send(update, context, t(who.lang, "chat_changes_none"))
        return
    lines = [t(who.lang, "chat_changes_title")] + [_chat_change_line(program, change, who.lang) for change in found]
    rows = [[b.DropChange(change.session.id).button("↩️ " + short_label(program, change.session, who.lang))]
            for change in found]
    await send(update, context, "\n".join(lines), keyboard(rows))


def _chat_change_line(program: Program, change: program_changes.ChatChange, lang: str) -> str:
    chat, file, title = change.chat, change.file, change.session.title.get(lang)
    against = chat.against or file
    parts = []
    if chat.changes_time(against):
        parts.append(t(lang, "chat_change_time", chat=_span(program, {"start": chat.start.timestamp(),
                                                                       "end": chat.end.timestamp()}, lang, day=True),
                       file=_span(program, file.as_dict(), lang, day=True)))
    if chat.changes_room(against):
        parts.append(t(lang, "chat_change_room", chat=chat.room or "–", file=file.room or "–"))
    if chat.changes_cancellation(against):
        parts.append(t(lang, "chat_change_cancelled" if chat.cancelled else "chat_change_restored"))
    return t(lang, "chat_change_line", title=title, changes=Html("; ".join(parts)))


@b.handles(b.DropChange)
async def _drop_change(update: Update, context: BotContext, who: Asker, value: b.DropChange) -> None:
    await propose(update, context, who, {"op": "drop", "session": value.session_id})


# --- reload ------------------------------------------------------------------------------------------


@organizers_only
async def reload_command(update: Update, context: BotContext, who: Asker) -> None:
    await _preview_reload(update, context, who)


async def _preview_reload(update: Update, context: BotContext, who: Asker, fresh: bool = False) -> None:
    text, markup = await reload_preview(context.services, who, await program_changes.preview_reload(context.services), fresh)
    await send(update, context, text, markup)


async def reload_preview(svc: Services, who: Asker, preview: program_changes.ReloadPreview, fresh: bool = False,
                         intro: str = "") -> tuple[str, InlineKeyboardMarkup | None]:
    """Everything a reload would change — times, rooms, cancellations, new and removed sessions,
    capacities with who moves up or is overbooked, texts — as (text, confirm buttons or None)."""
    lang = who.lang
    if preview.problems:
        return t(lang, "admin_reload_failed", problems=views.problem_lines(preview.problems, lang)), None
    if preview.unchanged:
        return t(lang, "reload_unchanged"), None
    assert preview.proposed is not None
    if preview.errors:  # the file is fine alone, but clashes with a change made in the chat
        return t(lang, "change_refused", problems=Html(finding_lines(preview.proposed, preview.errors, lang))), None
    lines = [change_lines(preview.proposed, [c.as_dict() for c in preview.changes], lang, preview.returning)] \
        if preview.changes else []
    lines += _capacity_lines(preview, lang)
    if preview.texts_changed:
        lines.append(t(lang, "reload_texts", count=preview.texts_changed))
    if not any(lines) and not preview.conflicts:  # a conflict below is what changed: nothing else to guess
        lines.append(t(lang, "reload_other"))
    if preview.warnings:  # what `check` would warn of, in the organizer's language
        lines.append(t(lang, "reload_file_warnings", warnings=views.problem_lines(preview.warnings, lang, 10)))
    text = t(lang, "reload_preview", lines=Html("\n".join(line for line in lines if line)), count=preview.affected)
    if preview.conflicts:
        conflicts = conflict_lines(preview.proposed, preview.conflicts, lang, svc.program.current)
        text += "\n\n" + t(lang, "reload_conflicts", lines=Html(conflicts))
    if fresh:
        text = t(lang, "change_stale") + "\n\n" + text
    if intro:
        text = intro + "\n\n" + text
    data = {"revision": preview.revision, "file": preview.fingerprint}
    if not preview.conflicts:
        return text, keyboard([await conversation.propose(svc, who, "reload", data)])
    offered = [outcome for outcome in preview.outcomes if not outcome.errors]
    labels = [plain(lang, f"reload_choice_{outcome.choice}", count=outcome.affected) for outcome in offered]
    rows = await conversation.propose_choices(svc, who, "reload", {**data, "choices": [o.choice for o in offered]}, labels)
    return text, keyboard(rows)


def conflict_lines(program: Program, found: list[Conflict], lang: str, current: Program) -> str:
    """Each change made in the chat that the new file contradicts: what the file says now, what
    the chat said. A session that left the file is named by its title in the program in force."""
    lines = []
    for conflict in found:
        known = program if program.session(conflict.session_id) is not None else current
        title = _title(known, {"session_id": conflict.session_id, "title": {}}, lang)
        chat, source = conflict.override, conflict.source
        if source is None:
            lines.append(t(lang, "conflict_gone", title=title))
            continue
        if conflict.time:
            minutes = int(conflict.shift.total_seconds() // 60)
            lines.append(t(lang, "conflict_time", title=title, source=_span(program, source.as_dict(), lang, day=True),
                           chat=_span(program, SessionState(chat.start, chat.end, chat.room, chat.cancelled).as_dict(),
                                      lang, day=True), shift=f"{minutes:+d}"))
        if conflict.room:
            lines.append(t(lang, "conflict_room", title=title, source=source.room or "–", chat=chat.room or "–"))
        if conflict.cancellation:
            lines.append(t(lang, "conflict_cancelled" if source.cancelled else "conflict_restored", title=title))
    return "\n".join(lines)


def _capacity_lines(preview: program_changes.ReloadPreview, lang: str) -> list[str]:
    lines = []
    for effect in preview.capacities:
        change = effect.change
        session = preview.proposed.session(change.session_id) if preview.proposed else None
        title = session.title.get(lang) if session else change.session_id
        lines.append(t(lang, "reload_capacity", title=title, before=change.before if change.before is not None else "–",
                       after=change.after if change.after is not None else "–"))
        if effect.overbooks:
            lines.append(t(lang, "reload_would_overbook", confirmed=effect.confirmed, capacity=change.after))
        elif effect.promotes:
            lines.append(t(lang, "reload_would_promote", count=effect.promotes))
    return lines


@conversation.confirmation("reload")
async def _apply_reload(update: Update, context: BotContext, who: Asker, data: dict) -> None:
    svc = context.services
    choices, chosen = data.get("choices") or [KEEP], data.get("choice", 0)
    choice = choices[chosen] if isinstance(chosen, int) and 0 <= chosen < len(choices) else KEEP
    result = await program_changes.apply_reload(svc, data.get("revision"), data.get("file"), who.user_id, choice)
    if isinstance(result, program_changes.ReloadPreview):  # the file or the program moved since
        text, markup = await reload_preview(context.services, who, result, fresh=result.applicable)
        await send(update, context, text, markup)
        return
    new = svc.program.current
    lines = [t(who.lang, "admin_reload_ok", sessions=result.sessions)]
    if result.changed:
        lines.append(t(who.lang, "change_done", count=result.told))
    for item in result.overbooked:
        session = new.session(item.session_id)
        lines.append(t(who.lang, "admin_reload_overbooked", title=session.title.get(who.lang) if session else item.session_id,
                       confirmed=item.confirmed, capacity=item.capacity))
    if result.promoted:
        lines.append(t(who.lang, "admin_reload_promoted", count=result.promoted))
    await send(update, context, "\n".join(lines))


# --- what the bot sends on its own ------------------------------------------------------------------


@renders(ChangeNotice)
async def _change_notice(push: Push, message: ChangeNotice) -> Send | Skip:
    """Before → after for the sessions that concern this person. For a cancelled session, the
    sessions at the same time that still have free seats are offered right there."""
    svc, lang = push.svc, push.lang
    program = svc.program.current
    lines = change_lines(program, message.changes, lang)
    for session_id, outcome in message.restored.items():  # what this person got back
        session = program.session(session_id)
        if session is not None and outcome in ("confirmed", "waitlisted", "elsewhere"):
            lines += "\n" + t(lang, f"change_restored_{outcome}", title=session.title.get(lang))
    clash_lines, clash_rows = await _clashes(push, message.changes)
    lines += "".join("\n" + line for line in clash_lines)
    text = t(lang, "change_notice", lines=Html(lines))
    offers = await _alternatives(push, message.changes)
    if offers:
        text += "\n\n" + t(lang, "change_alternatives")
    rows = [[b.SignUp(s.id).button("✅ " + short_label(program, s, lang))] for s in offers]
    return push.text(text, keyboard(rows + clash_rows))


async def _clashes(push: Push, changes: list[dict]) -> tuple[list[str], list[list]]:
    """A change that moved one of this person's sessions into another of theirs says so, with a
    button per session of the pair: give back its seat, or (only noted) open it to drop it."""
    program, lang, user_id = push.svc.program.current, push.lang, push.row.user_id
    moved = {c["session_id"]: c["before"] for c in changes if c.get("before") and c.get("after")
             and (c["before"]["start"], c["before"]["end"]) != (c["after"]["start"], c["after"]["end"])}
    if not moved or user_id is None:
        return [], []
    seats = {r.session_id for r in await push.svc.storage.registrations.of_person(user_id) if r.state == "confirmed"}
    held = seats | set(await push.svc.storage.bookmarks.of_person(user_id))
    lines, in_clash = [], []
    for session_id, before in moved.items():
        session = program.session(session_id)
        if session is None or session_id not in held or session.cancelled:
            continue
        for other in program.overlapping(session):
            was_apart = not (before["start"] < other.end.timestamp() and other.start.timestamp() < before["end"])
            if other.id in held and was_apart:
                lines.append(t(lang, "change_clash", title=session.title.get(lang), other=other.title.get(lang)))
                in_clash += [s for s in (session, other) if s not in in_clash]
    rows = [[b.GiveBack(s.id).labelled(lang, "button_give_back_of", title=s.title.get(lang)) if s.id in seats
             else b.ShowSession(s.id).button("ℹ️ " + short_label(program, s, lang))] for s in in_clash]
    return lines, rows


async def _alternatives(push: Push, changes: list[dict]) -> list[Session]:
    """Sessions at the time of a cancelled one that still have free seats, and that this person
    does not hold already."""
    svc = push.svc
    program = svc.program.current
    cancelled = [program.session(c["session_id"]) for c in changes
                 if c.get("after") is None or (c["after"]["cancelled"] and not (c.get("before") or {}).get("cancelled"))]
    if not any(cancelled) or push.row.user_id is None:
        return []
    counts = await svc.storage.registrations.counts()
    held = {r.session_id for r in await svc.storage.registrations.of_person(push.row.user_id)}
    now, offers = svc.now(), []
    for session in (s for s in cancelled if s is not None):
        for other in program.overlapping(session):
            count = counts.get(other.id)
            if other.takes_signups and other.start > now and (count.confirmed if count else 0) < (other.capacity or 0) \
                    and other not in offers and other.id not in held:
                offers.append(other)
    return offers


@renders(SourceOffer)
async def _source_offer(push: Push, message: SourceOffer) -> Send | Skip:
    """A new version of the linked schedule, as a reload preview worded when it goes out."""
    svc = push.svc
    if push.row.user_id is None or not svc.is_admin(push.row.user_id):
        return Skip("no longer an organizer")
    preview = await program_changes.preview_reload(svc)
    if preview.unchanged:
        return Skip("the schedule was reloaded meanwhile")
    who = Asker(push.row.user_id, push.row.chat_id, push.lang, True)
    text, markup = await reload_preview(svc, who, preview, intro=t(push.lang, "source_changed"))
    return push.text(text, markup)


for _name, _function in (("delay", delay_command), ("room", room_command), ("cancel", cancel_session_command),
                         ("restore", restore_command), ("reload", reload_command), ("changes", chat_changes_command)):
    orga.action(_name)(_function)


def handlers() -> list:
    return [
        CommandHandler(["verschieben", "delay"], delay_command),
        CommandHandler(["raum", "room"], room_command),
        CommandHandler(["absagen", "cancelsession"], cancel_session_command),
        CommandHandler(["wiederherstellen", "restore"], restore_command),
        CommandHandler(["reload", "neuladen"], reload_command),
        CommandHandler(["aenderungen", "changes"], chat_changes_command),
    ]
