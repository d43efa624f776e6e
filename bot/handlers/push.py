"""How the chat words what the bot sends on its own: one renderer per outbox message kind
(bot/domain/messages.py), each registered with `@renders(Kind)` in the module of its feature,
as buttons are with `@buttons.handles`. The Dispatcher (bot/delivery.py) renders each row at
send time, so a message queued before a program change shows the times and rooms in force when
it goes out, in the person's current language. A renderer answers `Skip(reason)` when there is
nothing to send any more (the seat was given back, the session cancelled); the reason is kept
with the row.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Awaitable, Callable, TypeVar

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode

from .. import scope
from ..delivery import Renderer, Send, Skip
from ..domain import messages
from ..domain.messages import Message
from ..services import Services
from ..storage import OutboxMessage
from ..texts import pick_language

M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class Push:
    """One outbox row on its way: whom it goes to, in which language, and the bot's services."""

    svc: Services
    row: OutboxMessage
    lang: str

    def text(self, text: str, markup: InlineKeyboardMarkup | None = None) -> Send:
        """A message of Telegram HTML to the row's chat."""
        return Send("send_message", {"chat_id": self.row.chat_id, "text": text, "parse_mode": ParseMode.HTML,
                                     **({"reply_markup": markup} if markup is not None else {})})

    def call(self, method: str, **kwargs) -> Send:
        """Any other Bot API call on the row's chat (a venue, an edit, a deletion)."""
        return Send(method, {"chat_id": self.row.chat_id, **kwargs})


PushRenderer = Callable[[Push, M], Awaitable[Send | Skip]]
RENDERERS: dict[type[Message], PushRenderer] = {}


def renders(kind: type[M]) -> Callable[[PushRenderer], PushRenderer]:
    """Register the one renderer of a message kind."""
    def register(function: PushRenderer) -> PushRenderer:
        if kind in RENDERERS:
            raise ValueError(f"{kind.__name__} has a renderer already: {RENDERERS[kind].__qualname__}")
        RENDERERS[kind] = function
        return function
    return register


def make_renderer(svc: Services) -> Renderer:
    async def render(row: OutboxMessage) -> Send | Skip:
        message = messages.parse(row.kind, row.payload)
        if message is None:  # written by another version of the bot, or broken
            return Skip(f"unreadable {row.kind!r} message")
        renderer = RENDERERS.get(type(message))
        if renderer is None:
            return Skip(f"no renderer for {row.kind!r} messages")
        if row.conference_id and svc.conferences.get(row.conference_id) is None:
            return Skip(f"conference {row.conference_id!r} is no longer one of this bot's")
        # worded within the conference it was queued in (its program, its rows)
        with scope.within(row.conference_id) if row.conference_id else nullcontext():
            return await renderer(Push(svc, row, pick_language(row.language, row.telegram_language)), message)
    return render
