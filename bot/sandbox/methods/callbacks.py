"""Callback queries: the answer to a tap on an inline button (a toast or an alert), once per
tap and within 15 minutes, as Telegram allows."""

from __future__ import annotations

import time

from ..errors import bad
from ..world import World

ANSWER_WITHIN = 15 * 60  # seconds
TOAST_LIMIT = 200  # characters


class Callbacks:
    def __init__(self, world: World):
        self.world = world

    def methods(self) -> dict:
        return {"answerCallbackQuery": self.answer}

    async def answer(self, params, files) -> bool:
        query = self.world.callback_queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"] or time.time() - query["at"] > ANSWER_WITHIN:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text") or ""
        if len(text) > TOAST_LIMIT:
            raise bad("MESSAGE_TOO_LONG")
        query["answered"] = True
        self.world.record("answerCallbackQuery", query["user_id"], text=text, show_alert=bool(params.get("show_alert")))
        return True
