"""The bot's only CallbackQueryHandler: parses a tap's data through the buttons module, refuses
what is forged, stale or not the tapper's to press, ends a pending input of another flow, and
hands the typed payload to the one function registered for it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler

from . import conversation
from .buttons import parse, refuse
from .common import answer, answering, asker
from .context import BotContext

log = logging.getLogger(__name__)


async def dispatch(update: Update, context: BotContext) -> None:
    """The bot's only CallbackQueryHandler."""
    answering()
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    who = await asker(update, context)
    value = parse(query.data)
    if value is None or type(value).handler is None:
        log.info("refused button data %r from user %s", query.data, who.user_id)
        await refuse(update, who.lang)
        return
    if value.organizers and not who.is_admin:
        log.warning("refused organizer button %s for user %s", type(value).__name__, who.user_id)
        await refuse(update, who.lang, "admin_only")
        return
    program = context.services.program.current
    for name in value.session_fields:
        session_id = getattr(value, name)
        if program.session(session_id) is None:  # gone: named if it left the program file, else stale
            departed = await context.services.storage.program_changes.departed_title(session_id)
            if departed is not None:
                await refuse(update, who.lang, "session_departed", title=departed.get(who.lang))
            else:
                await refuse(update, who.lang, "stale_session")
            return
    await conversation.leave_unless(context, who, value.flow)
    if not value.toast:
        await answer(update)
    handler = type(value).handler
    assert handler is not None
    await handler(update, context, who, value)
    await answer(update)


def handlers() -> list:
    return [CallbackQueryHandler(dispatch)]
