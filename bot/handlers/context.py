"""The context every handler and job gets: python-telegram-bot's CallbackContext with the bot's
Services typed (`context.services`), registered through ContextTypes in app.py."""

from __future__ import annotations

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from ..services import Services


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]


CONTEXT_TYPES = ContextTypes(context=BotContext)
