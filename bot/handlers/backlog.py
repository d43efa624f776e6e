"""What a person sees when their chat sends more than the bot can answer in time: one note
to the chat, and a short answer to a button tap that was skipped or still waits (so that its
spinner stops). The queueing itself is bot/processor.py."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from ..texts import pick_language, plain, t

log = logging.getLogger(__name__)


class BacklogNotices:
    def __init__(self, application: Application):
        self.application = application

    async def backlog(self, update: Update, kept: int) -> None:
        chat, user = update.effective_chat, update.effective_user
        chat_id = chat.id if chat is not None else user.id if user is not None else None
        if chat_id is None:
            return
        await self.application.bot.send_message(chat_id, t(await self._lang(update), "backlog_note", count=kept),
                                                parse_mode=ParseMode.HTML)

    async def tap_dropped(self, update: Update) -> None:
        await self._answer(update, "backlog_tap_dropped")

    async def tap_waits(self, update: Update) -> None:
        await self._answer(update, "backlog_tap_waits")

    async def _answer(self, update: Update, key: str) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer(plain(await self._lang(update), key))
        except TelegramError as error:  # too old already, or Telegram is busy: the spinner stops by itself
            log.info("could not answer a waiting button tap: %s", error)

    async def _lang(self, update: Update) -> str:
        user = update.effective_user
        chosen = None
        if user is not None:
            try:
                attendee = await self.application.bot_data["services"].storage.attendees.get(user.id)
                chosen = attendee.language if attendee is not None else None
            except Exception:  # noqa: BLE001 - the note matters more than the language it is in
                log.warning("could not read the language of user %s", user.id, exc_info=True)
        return pick_language(chosen, user.language_code if user is not None else None)
