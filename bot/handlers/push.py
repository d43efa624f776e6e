"""Turns outbox rows into Bot API calls, at send time: a message queued before a program change
shows the times and rooms in force when it goes out, in the attendee's current language."""

from __future__ import annotations

from telegram.constants import ParseMode

from ..delivery import Send
from ..services import Services
from ..storage import OutboxMessage
from ..texts import pick_language, t
from .common import keyboard, room_of, when
from .signup import promotion_buttons


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
        if row.kind == "text":
            # Free text prepared elsewhere (already per language): {"de": ..., "en": ...}
            text = payload.get(lang) or payload.get("de") or next(iter(payload.values()), "")
            return Send("send_message", {"chat_id": row.chat_id, "text": text, "parse_mode": ParseMode.HTML})
        raise ValueError(f"unknown outbox kind {row.kind!r}")

    return render
