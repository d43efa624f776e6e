"""Turns outbox rows into Bot API calls, at send time: a message queued before a program change
shows the times and rooms in force when it goes out, in the attendee's current language."""

from __future__ import annotations

from telegram.constants import ParseMode

from ..delivery import Send
from ..domain import reminders as reminder_plan
from ..services import Services
from ..storage import OutboxMessage
from ..texts import Html, escape, format_day_short, format_range, pick_language, plain, t
from . import buttons as b
from .announce import announcement_body
from .changes import change_lines
from .common import keyboard, room_of, when
from .personal import feedback_buttons
from ..domain.signup import Outcome, Status
from .signup import outcome_message, promotion_buttons
from .views import short_label


def make_renderer(svc: Services):
    async def render(row: OutboxMessage) -> Send | None:
        lang = pick_language(row.language, row.telegram_language)
        program = svc.program.current
        payload = row.payload
        if row.kind == "promoted":
            session = program.session(payload["session_id"])
            if session is None or session.cancelled:
                return None
            text = t(lang, "promoted", title=session.title.get(lang), when=when(program, session, lang),
                     room=room_of(session, lang))
            released = program.session(payload["released"]) if payload.get("released") else None
            if released is not None:
                text += t(lang, "promoted_released", other=released.title.get(lang))
            return Send("send_message", {"chat_id": row.chat_id, "text": text, "parse_mode": ParseMode.HTML,
                                         "reply_markup": keyboard(promotion_buttons(lang, session.id))})
        if row.kind in ("reminder", "reminder_venue", "waitlist_status"):
            return await _reminder(svc, row, lang)
        if row.kind in ("announcement", "announcement_edit"):
            return await _announcement(svc, row, lang)
        if row.kind == "announcement_delete":
            return Send("delete_message", {"chat_id": row.chat_id, "message_id": payload["message_id"]})
        if row.kind == "change":
            return await _change_notice(svc, row, lang)
        if row.kind == "feedback":
            session = program.session(payload["session_id"])
            if session is None or session.cancelled:
                return None
            return Send("send_message", {"chat_id": row.chat_id, "parse_mode": ParseMode.HTML,
                                         "text": t(lang, "feedback_prompt", title=session.title.get(lang)),
                                         "reply_markup": keyboard(feedback_buttons(session.id))})
        if row.kind in ("contact_request", "contact_shared", "contact_declined"):
            return await _networking(svc, row, lang)
        if row.kind == "seat":
            # A seat changed in the Mini App: the chat hears it too, worded as if tapped there.
            outcome = Outcome(Status(payload["status"]), payload["session_id"], payload.get("position"),
                              payload.get("other_session_id"))
            text, rows = outcome_message(program, lang, outcome)
            return Send("send_message", {"chat_id": row.chat_id, "text": text, "parse_mode": ParseMode.HTML,
                                         "reply_markup": keyboard(rows)})
        if row.kind == "text":
            # Free text prepared elsewhere (already per language): {"de": ..., "en": ...}
            text = payload.get(lang) or payload.get("de") or next(iter(payload.values()), "")
            return Send("send_message", {"chat_id": row.chat_id, "text": text, "parse_mode": ParseMode.HTML})
        raise ValueError(f"unknown outbox kind {row.kind!r}")

    return render


async def _change_notice(svc: Services, row: OutboxMessage, lang: str) -> Send:
    """Before → after for the sessions that concern this attendee. For a cancelled session, the
    sessions at the same time that still have free seats are offered right there."""
    program = svc.program.current
    changes = row.payload["changes"]
    lines = change_lines(program, changes, lang)
    for session_id, outcome in row.payload.get("restored", {}).items():  # what this person got back
        session = program.session(session_id)
        if session is not None and outcome in ("confirmed", "waitlisted", "elsewhere"):
            lines += "\n" + t(lang, f"change_restored_{outcome}", title=session.title.get(lang))
    text = t(lang, "change_notice", lines=Html(lines))
    cancelled = [program.session(c["session_id"]) for c in changes
                 if c.get("after") is None or (c["after"]["cancelled"] and not (c.get("before") or {}).get("cancelled"))]
    counts = await svc.storage.session_counts()
    now = svc.now()
    held = {r.session_id for r in await svc.storage.registrations_of(row.user_id)} if cancelled and row.user_id else set()
    offers = []
    for session in (s for s in cancelled if s is not None):
        for other in program.overlapping(session):
            count = counts.get(other.id)
            if other.takes_signups and other.begins > now and (count.confirmed if count else 0) < (other.capacity or 0) \
                    and other not in offers and other.id not in held:
                offers.append(other)
    if offers:
        text += "\n\n" + t(lang, "change_alternatives")
    rows = [[b.SignUp(s.id).button("✅ " + short_label(program, s, lang))] for s in offers]
    return Send("send_message", {"chat_id": row.chat_id, "parse_mode": ParseMode.HTML, "text": text,
                                 "reply_markup": keyboard(rows)})


async def _reminder(svc: Services, row: OutboxMessage, lang: str) -> Send | None:
    """Re-checked at send time: a reminder for a seat given back, a bookmark removed or a
    session moved since it was queued is dropped (the moved session has its own)."""
    program = svc.program.current
    session = program.session(row.payload["session_id"])
    now = svc.now()
    if not reminder_plan.still_owed(session, row.payload.get("start", 0), now) or row.user_id is None:
        return None
    registration = await svc.storage.registration(session.id, row.user_id)
    minutes = reminder_plan.minutes_left(session, now)
    if row.kind == "waitlist_status":
        if registration is None or registration.state != "waitlisted":
            return None
        return Send("send_message", {"chat_id": row.chat_id, "parse_mode": ParseMode.HTML, "text": t(
            lang, "waitlist_still_waiting", title=session.title.get(lang), minutes=minutes, position=registration.position)})
    confirmed = registration is not None and registration.state == "confirmed"
    if not confirmed and session.id not in await svc.storage.bookmarks_of(row.user_id):
        return None
    point = session.meeting_point
    if row.kind == "reminder_venue":
        if point is None or not point.has_coordinates:
            return None
        return Send("send_venue", {"chat_id": row.chat_id, "latitude": point.latitude, "longitude": point.longitude,
                                   "title": plain(lang, "meeting_point_title", place=point.name.get(lang))[:256],
                                   "address": point.address.get(lang) or point.name.get(lang)})
    start = program.local(session.start)
    if point is not None:
        text = t(lang, "reminder_excursion", minutes=minutes, title=session.title.get(lang),
                 departure=f"{program.local(session.begins):%H:%M}", place=point.name.get(lang))
    else:
        text = t(lang, "reminder", minutes=minutes, title=session.title.get(lang),
                 time=(f"{format_day_short(lang, start)} " if program.several_days else "")
                 + format_range(lang, start, program.local(session.end)), room=room_of(session, lang))
    return Send("send_message", {"chat_id": row.chat_id, "text": text, "parse_mode": ParseMode.HTML,
                                 "reply_markup": keyboard([[b.ShowSession(session.id).labelled(lang, "button_details")]])})


async def _announcement(svc: Services, row: OutboxMessage, lang: str) -> Send | None:
    announcement = await svc.storage.announcement(row.payload["ann"])
    if announcement is None or announcement.state == "withdrawn":
        return None
    if row.kind == "announcement_edit" and row.payload.get("version") != announcement.version:
        return None  # a newer correction is queued behind this one
    body = announcement_body(announcement, lang)
    photo = announcement.photo_file_id
    if row.kind == "announcement_edit":
        if photo:
            return Send("edit_message_caption", {"chat_id": row.chat_id, "message_id": row.payload["message_id"],
                                                 "caption": body, "parse_mode": ParseMode.HTML})
        return Send("edit_message_text", {"chat_id": row.chat_id, "message_id": row.payload["message_id"],
                                          "text": body, "parse_mode": ParseMode.HTML})
    if photo:
        return Send("send_photo", {"chat_id": row.chat_id, "photo": photo, "caption": body, "parse_mode": ParseMode.HTML})
    return Send("send_message", {"chat_id": row.chat_id, "text": body, "parse_mode": ParseMode.HTML})


async def _networking(svc: Services, row: OutboxMessage, lang: str) -> Send | None:
    """Contact details go out only after the addressee accepted (storage queues this row then)."""
    program = svc.program.current
    if row.kind == "contact_declined":
        return Send("send_message", {"chat_id": row.chat_id, "text": t(lang, "net_declined"), "parse_mode": ParseMode.HTML})
    if row.kind == "contact_request":
        request = await svc.storage.contact_request(row.payload["request"])
        if request is None or request.state != "pending":
            return None
        other_id = request.from_user
    else:
        other_id = row.payload["other"]
    other = await svc.storage.attendee(other_id)
    profile = await svc.storage.profile(other_id)
    mine = await svc.storage.profile(row.user_id) if row.user_id else None
    if other is None or profile is None:
        return None  # they left the network or deleted their data meanwhile
    from .community import topic_names

    shared = sorted(set(profile.topics) & set(mine.topics if mine else []))
    values = {"name": other.first_name, "role": profile.role or "–", "organization": profile.organization or "–"}
    if row.kind == "contact_request":
        text = t(lang, "net_request_received", topics=topic_names(program, shared, lang), **values)
        markup = keyboard([[b.ContactAccept(row.payload["request"]).labelled(lang, "net_accept"),
                            b.ContactDecline(row.payload["request"]).labelled(lang, "net_decline")]])
        return Send("send_message", {"chat_id": row.chat_id, "text": text, "parse_mode": ParseMode.HTML, "reply_markup": markup})
    link = f'<a href="tg://user?id={other.user_id}">{escape(other.display_name)}</a>'
    contact = Html(link + (f" (@{escape(other.username)})" if other.username else ""))
    return Send("send_message", {"chat_id": row.chat_id, "text": t(lang, "net_shared", contact=contact, **values),
                                 "parse_mode": ParseMode.HTML})
