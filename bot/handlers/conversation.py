"""The one home of conversation state: pending inputs and confirmations.

A *pending input* is the bot waiting for someone to type something: a question to the panel,
a feedback comment, a networking profile field, a broadcast text, a correction, minutes or a
room for a session change. Each belongs to exactly one registered `Flow` and one of its steps.
It is stored (it survives a restart), expires after the flow's time, and ends when its user
sends any command or taps a button that does not belong to its flow. `/abbrechen` and `/cancel`
end it and say what was dropped. Typed text reaches the step through `on_message`, the bot's one
handler for typed text; without a pending input, text is a search.

A *confirmation* is a preview waiting for "Confirm" (organizers' changes, reload, corrections,
withdrawals). Each is stored with what it would do, is taken at most once (a double tap does
nothing), and the kind's own function decides at confirm time whether the preview is still
valid. Handler modules register flows and confirmation kinds here and never touch the stored
state themselves.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from .. import scope
from ..services import Services
from ..texts import plain, t
from . import buttons
from .common import Asker, asker, send
from .context import BotContext

log = logging.getLogger(__name__)

Step = Callable[[Update, BotContext, Asker, "Pending"], Awaitable[None]]
Apply = Callable[[Update, BotContext, Asker, dict], Awaitable[None]]

DEFAULT_LIFETIME = timedelta(minutes=30)
CONFIRMATION_LIFETIME = timedelta(hours=2)
ABORT_COMMANDS = ("abbrechen", "cancel", "stop")


@dataclass(frozen=True)
class Pending:
    flow: str
    step: str
    data: dict
    expires_at: datetime

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass
class Flow:
    """A multi-step input: its name, the text key that names it to the user, its steps."""

    name: str
    label: str
    photos: bool = False  # a photo may answer its steps (announcements)
    documents: bool = False  # a file may answer its steps (a guest list)
    lifetime: timedelta = DEFAULT_LIFETIME
    steps: dict[str, Step] = field(default_factory=dict)

    def step(self, name: str):
        def register(function: Step) -> Step:
            if name in self.steps:
                raise ValueError(f"flow {self.name}: step {name} registered twice")
            self.steps[name] = function
            return function
        return register


FLOWS: dict[str, Flow] = {}
CONFIRMATIONS: dict[str, Apply] = {}
_fallbacks: dict[str, Callable] = {}


def flow(name: str, label: str, photos: bool = False, lifetime: timedelta = DEFAULT_LIFETIME,
         documents: bool = False) -> Flow:
    if name in FLOWS:
        raise ValueError(f"flow {name} registered twice")
    FLOWS[name] = Flow(name, label, photos, documents, lifetime)
    return FLOWS[name]


def confirmation(kind: str):
    """Register what confirming a preview of this kind does."""
    def register(function: Apply) -> Apply:
        if kind in CONFIRMATIONS:
            raise ValueError(f"confirmation {kind} registered twice")
        CONFIRMATIONS[kind] = function
        return function
    return register


def set_fallbacks(text: Callable, other: Callable) -> None:
    """What typed text and other messages do when no input is pending (search, a hint)."""
    _fallbacks["text"], _fallbacks["other"] = text, other


# --- pending inputs ----------------------------------------------------------------------------


async def expect(context: BotContext, who: Asker, flow_: Flow, step: str, **data: Any) -> None:
    """Wait for the user to type the answer to `step` of `flow_`; replaces anything pending."""
    if step not in flow_.steps:
        raise ValueError(f"flow {flow_.name} has no step {step}")
    svc = context.services
    now = svc.now()
    await svc.storage.conversations.save(who.user_id, flow_.name, step, data, now + flow_.lifetime, now)


async def done(context: BotContext, who: Asker) -> None:
    """The pending input has been answered."""
    await context.services.storage.conversations.end(who.user_id)


async def current(context: BotContext, user_id: int) -> Pending | None:
    svc = context.services
    stored = await svc.storage.conversations.get(user_id)
    if stored is None:
        return None
    flow_ = FLOWS.get(stored.flow)
    if flow_ is None or stored.step not in flow_.steps or stored.expires_at <= svc.now():
        await svc.storage.conversations.end(user_id)  # expired, or from an older bot version
        return None
    return Pending(stored.flow, stored.step, stored.data, stored.expires_at)


async def leave_unless(context: BotContext, who: Asker, flow_name: str | None) -> None:
    """A button was tapped: a pending input of another flow ends."""
    pending = await current(context, who.user_id)
    if pending is not None and pending.flow != flow_name:
        await done(context, who)


async def _end_on_command(update: Update, context: BotContext) -> None:
    """Runs before every command: any command ends what is pending (the command then runs)."""
    message = update.effective_message
    if update.effective_user is None or message is None or not message.text:
        return
    command = message.text.split()[0][1:].split("@")[0].lower()
    if command in ABORT_COMMANDS:
        return  # abort() says what it drops
    storage = context.services.storage
    pending = await storage.conversations.get(update.effective_user.id)  # a read: most commands find nothing
    if pending is not None:
        await storage.conversations.end(update.effective_user.id)
        if pending.flow in FLOWS:  # say so: the next text would otherwise surprise as a search
            who = await asker(update, context)
            await send(update, context, t(who.lang, "conversation_left", what=plain(who.lang, FLOWS[pending.flow].label)))


async def abort(update: Update, context: BotContext) -> None:
    """/abbrechen, /cancel: end what is under way and say what was dropped."""
    who = await asker(update, context)
    pending = await current(context, who.user_id)
    if pending is None:
        await send(update, context, t(who.lang, "nothing_to_cancel"))
        return
    await done(context, who)
    what = plain(who.lang, FLOWS[pending.flow].label)
    await send(update, context, t(who.lang, "conversation_dropped", what=what))


async def on_message(update: Update, context: BotContext) -> None:
    """The bot's one handler for typed text (and photos, files): the pending step, else the fallback."""
    message = update.effective_message
    if update.effective_user is None or message is None:
        return
    who = await asker(update, context)
    pending = await current(context, who.user_id)
    if pending is not None:
        flow_ = FLOWS[pending.flow]
        if message.text or (message.photo and flow_.photos) or (message.document and flow_.documents):
            await flow_.steps[pending.step](update, context, who, pending)
            return
    await (_fallbacks["text"] if message.text else _fallbacks["other"])(update, context)


# --- confirmations -----------------------------------------------------------------------------


async def propose(svc: Services, who: Asker, kind: str, data: dict, warning: bool = False) -> list:
    """Store a preview's action; returns the row of buttons: confirm (marked when the preview
    carries a warning the organizer must accept) and cancel."""
    if kind not in CONFIRMATIONS:
        raise ValueError(f"unknown confirmation kind {kind}")
    number = await svc.storage.confirmations.create(who.user_id, kind, data, svc.now())
    confirm_key = "confirm_despite_warning" if warning else "confirm_yes"
    return [buttons.Confirm(number).labelled(who.lang, confirm_key),
            buttons.Decline(number).labelled(who.lang, "confirm_no")]


async def propose_choices(svc: Services, who: Asker, kind: str, data: dict, labels: list[str]) -> list[list]:
    """Store a preview's action that can be confirmed in several ways; returns one row per way
    (labelled `labels`, in order) and a row to cancel. The kind's function gets the way chosen as
    data["choice"] (its index); a second tap on any of them does nothing."""
    if kind not in CONFIRMATIONS:
        raise ValueError(f"unknown confirmation kind {kind}")
    number = await svc.storage.confirmations.create(who.user_id, kind, data, svc.now())
    return [*([buttons.ConfirmChoice(number, index).button(label)] for index, label in enumerate(labels)),
            [buttons.Decline(number).labelled(who.lang, "confirm_no")]]


@buttons.handles(buttons.Confirm)
async def _confirm(update: Update, context: BotContext, who: Asker, value: buttons.Confirm) -> None:
    await _confirmed(update, context, who, value.confirmation_id, {})


@buttons.handles(buttons.ConfirmChoice)
async def _confirm_choice(update: Update, context: BotContext, who: Asker, value: buttons.ConfirmChoice) -> None:
    await _confirmed(update, context, who, value.confirmation_id, {"choice": value.choice})


async def _confirmed(update: Update, context: BotContext, who: Asker, number: int, chosen: dict) -> None:
    svc = context.services
    taken = await svc.storage.confirmations.take(number, who.user_id, "done", svc.now() - CONFIRMATION_LIFETIME)
    if taken is None:  # a second tap, someone else's, or expired: say so in the chat
        await send(update, context, t(who.lang, "action_taken"))
        return
    # confirmed within the conference it was previewed in, whichever the organizer looks at now
    with scope.within(taken.conference_id) if taken.conference_id else nullcontext():
        await CONFIRMATIONS[taken.kind](update, context, who, {**taken.payload, **chosen})


@buttons.handles(buttons.Decline)
async def _decline(update: Update, context: BotContext, who: Asker, value: buttons.Decline) -> None:
    svc = context.services
    taken = await svc.storage.confirmations.take(value.confirmation_id, who.user_id, "dropped", None)
    if taken is None:
        await send(update, context, t(who.lang, "action_taken"))
        return
    await send(update, context, t(who.lang, "conversation_cancelled"))


# --- registration --------------------------------------------------------------------------------


def command_guard() -> tuple[int, MessageHandler]:
    """(group, handler): runs before the commands' group, ends pending inputs."""
    return -1, MessageHandler(filters.COMMAND, _end_on_command)


def handlers() -> list:
    return [
        CommandHandler(list(ABORT_COMMANDS), abort),
        MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND & (filters.TEXT | filters.PHOTO | filters.Document.ALL)
                       & filters.UpdateType.MESSAGE, on_message),
    ]
