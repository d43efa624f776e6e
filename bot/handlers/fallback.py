"""What nobody else handles: unknown commands, stickers and photos, forged or stale buttons,
and errors. Everyone gets a clear answer; nobody sees a traceback. A use case that refuses
someone not on the guest list (NotAGuest) is answered here, politely, with how to register; in a
conference that is over (ConferenceOver), that only reading is left."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import MessageHandler, filters

from ..texts import plain, t
from ..usecases.conferences import ConferenceOver
from ..usecases.guests import NotAGuest
from ..wording.guests import not_a_guest
from .common import answer, asker, send
from .context import BotContext

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    text = update.effective_message.text if update.effective_message else ""
    command = (text or "/").split()[0][:40]
    await send(update, context, t(who.lang, "unknown_command", command=command))


async def unsupported(update: Update, context: BotContext) -> None:
    who = await asker(update, context)
    await send(update, context, t(who.lang, "unsupported_message"))


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, (NotAGuest, ConferenceOver)) and isinstance(update, Update) and update.effective_user is not None:
        # A use case refused: someone not on the guest list (guests_only) is told how to register;
        # in a conference that is over, only reading is left.
        await refuse_participation(update, context, error)
        return
    if isinstance(update, Update) and isinstance(error, Forbidden) and update.effective_user:
        # The attendee blocked the bot while we answered: remember it, don't keep trying.
        await context.services.storage.attendees.mark_unreachable(update.effective_user.id, str(error))
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Telegram unreachable or slow: nothing wrong with the bot; retried where that is safe.
        log.warning("Bot API call failed while handling an update: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None and update.effective_user is not None:
        try:
            who = await asker(update, context)
            if update.callback_query is not None:
                await answer(update, plain(who.lang, "error_generic"), alert=True)
            else:
                await send(update, context, t(who.lang, "error_generic"))
        except TelegramError:
            log.warning("could not tell the user about the error")
        except Exception:  # noqa: BLE001 - the error handler itself must never raise
            log.exception("error handler failed")


async def refuse_participation(update: Update, context: BotContext, error: Exception) -> None:
    who = await asker(update, context)
    await answer(update)
    program = context.services.program.current
    if isinstance(error, ConferenceOver):
        await send(update, context, t(who.lang, "conference_over", conference=program.conference.name.get(who.lang)))
    else:
        await send(update, context, not_a_guest(program, who.lang))


def handlers() -> list:
    """Registered after every other handler (a later group), so they only catch leftovers."""
    return [
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command),
        MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT & filters.UpdateType.MESSAGE, unsupported),
    ]
