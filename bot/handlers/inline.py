"""Inline mode: "@bot podium" in any chat lists the matching sessions; choosing one posts a
session card whose button opens that session in the bot (a deep link, see domain/deeplink.py).

Inline queries come from anyone who types the bot's name, also people who never started it,
so nothing about them is stored: their language is their stored choice if they have one, else
what their Telegram says.
"""

from __future__ import annotations

import hashlib
import logging

from telegram import (InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InlineQueryResultsButton,
                      InputTextMessageContent, Message, Update)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import InlineQueryHandler, MessageHandler, filters

from ..domain import deeplink
from .. import scope
from ..domain.program import Program, Session
from ..domain.search import sessions_for_inline
from ..texts import pick_language, plain, shorten
from ..wording.sessions import card, summary
from .context import BotContext

log = logging.getLogger(__name__)

PAGE = 50  # Telegram's most results per answer
# Results follow live changes (a delay, a new room) within half a minute, yet a user typing
# "p", "po", "pod" does not make the bot search the program for every letter.
CACHE_SECONDS = 30
MAX_RESULT_ID = 64  # bytes
MAX_OFFSET_DIGITS = 6


async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    svc = context.services
    attendee = await svc.storage.attendees.get(query.from_user.id)  # read only: using inline mode records nobody
    lang = pick_language(attendee.language if attendee else None, query.from_user.language_code)
    scope.enter(svc.conference_of(attendee.conference_id if attendee else None,
                                  attendee.conference_chosen_at if attendee else None))
    program = svc.program.current
    start = _offset(query.offset)
    sessions = sessions_for_inline(program, query.query, svc.now()) if start is not None else []
    page = sessions[start:start + PAGE] if start is not None else []
    more = start is not None and start + PAGE < len(sessions)
    username = context.bot.username
    nothing = not sessions and not query.offset  # a later page that is empty is simply the end
    try:
        await query.answer(
            [_article(program, session, lang, username, len(svc.conferences) > 1) for session in page],
            cache_time=CACHE_SECONDS,
            is_personal=True,  # the language, and for an empty query the time, depend on who asks
            next_offset=str(start + PAGE) if more else "",
            button=InlineQueryResultsButton(plain(lang, "inline_nothing_found"), start_parameter=deeplink.MENU)
            if nothing else None,
        )
    except BadRequest as error:  # too slow (over 10 s) or answered already: nobody is waiting any more
        log.info("inline query not answered: %s", error)


def _offset(text: str) -> int | None:
    """Where this page starts: "" is the first page, else a number this bot gave as next_offset;
    None for anything else (nobody but a forged client sends it)."""
    if not text:
        return 0
    if text.isdigit() and len(text) <= MAX_OFFSET_DIGITS:
        return int(text)
    return None


def _article(program: Program, session: Session, lang: str, bot_username: str,
             series: bool = False) -> InlineQueryResultArticle:
    title = session.title.get(lang)
    if session.cancelled:
        title = plain(lang, "inline_cancelled_title", title=title)
    return InlineQueryResultArticle(
        id=result_id(session.id),
        title=shorten(title, 200),
        description=summary(program, session, lang),
        input_message_content=InputTextMessageContent(card(program, session, lang),
                                                      parse_mode=ParseMode.HTML),
        reply_markup=_open_in_bot(session, lang, bot_username, program.conference.id if series else None),
    )


def _open_in_bot(session: Session, lang: str, bot_username: str,
                 conference_id: str | None = None) -> InlineKeyboardMarkup | None:
    """A URL button, not a callback button: the card lives in chats the bot may not be in, and
    whoever taps it should land in their own chat with the bot, at this session (of this
    conference, when the bot runs several)."""
    link = deeplink.session_link(bot_username, session.id, conference_id)
    if link is None:
        return None
    label = "inline_open_signup" if session.takes_signups and not session.cancelled else "inline_open"
    return InlineKeyboardMarkup([[InlineKeyboardButton(plain(lang, label), url=link)]])


def result_id(session_id: str) -> str:
    """Unique per session and at most 64 bytes: the id itself, or a digest behind "#" (a
    character no session id has) for an id that is too long."""
    if len(session_id.encode("utf-8")) <= MAX_RESULT_ID:
        return session_id
    return "#" + hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:48]


class _ViaThisBot(filters.MessageFilter):
    """Messages someone sent "via @this_bot": Telegram delivers them to the bot too."""

    def filter(self, message: Message) -> bool:
        return message.via_bot is not None and message.via_bot.id == message.get_bot().id


async def _ignore(update: Update, context: BotContext) -> None:
    """A session card someone posted with inline mode (also into their chat with the bot) is
    for people to read, not a question to search for."""


def handlers() -> list:
    return [InlineQueryHandler(inline_query), MessageHandler(_ViaThisBot(), _ignore)]
