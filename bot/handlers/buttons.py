"""Every inline button's payload, as a typed value: the one place that defines what a button
carries, packs it into Telegram's 64 bytes of callback data, parses it back, and knows the one
function that handles it (dispatch.py hands each tap over).

A payload class names its prefix, its fields (str, int or bool), the flow whose pending input
it belongs to (a tap on any other button ends that input) and whether only organizers may tap
it. Handler modules register their functions with `@handles(Payload)`; `dispatch.dispatch` is
the only CallbackQueryHandler of the bot. Forged data, a button of an older bot version, a button whose
session is gone and a button nobody handles all get one clear answer, never a traceback.

The style follows aiogram's callback-data factories: `ShowSession(session_id="podium").pack()`
gives "s:podium", and `parse("s:podium")` gives the value back.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import typing
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, ClassVar

from telegram import InlineKeyboardButton, Update
from telegram.error import BadRequest, Forbidden

from ..texts import plain, shorten
from .common import answer, answered
from .context import BotContext

log = logging.getLogger(__name__)

MAX_BYTES = 64  # Telegram's limit for callback_data, in UTF-8 bytes
LABEL_LIMIT = 60  # characters of a button label; longer ones end with "…"
_TOKEN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_INT = re.compile(r"^-?\d{1,12}$")

Handler = Callable[[Update, BotContext, Any, "Payload"], Awaitable[None]]
REGISTRY: dict[str, type["Payload"]] = {}


class PayloadError(ValueError):
    """A payload that cannot be packed: a programming error, caught by the tests."""


@dataclass(frozen=True)
class Payload:
    prefix: ClassVar[str] = ""
    flow: ClassVar[str | None] = None  # the flow whose pending input this button continues
    organizers: ClassVar[bool] = False  # only organizers (BOT_ADMINS) may tap it
    session_fields: ClassVar[tuple[str, ...]] = ()  # fields naming a session that must still exist
    toast: ClassVar[bool] = False  # the handler answers the tap itself with a short note; others are
    # answered at once, so the spinner stops even while the reply waits for Telegram's limits
    handler: ClassVar[Handler | None] = None

    def pack(self) -> str:
        parts = [self.prefix]
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool):
                parts.append("1" if value else "0")
            elif isinstance(value, int):
                parts.append(str(value))
            elif isinstance(value, str) and _TOKEN.match(value):
                parts.append(value)
            else:
                raise PayloadError(f"{type(self).__name__}.{item.name} cannot travel in a button: {value!r}")
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise PayloadError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, parts: list[str]) -> "Payload | None":
        fields = dataclasses.fields(cls)
        if len(parts) != len(fields):
            return None
        hints = typing.get_type_hints(cls)
        values = {}
        for item, raw in zip(fields, parts):
            kind = hints[item.name]
            if kind is bool:
                if raw not in ("0", "1"):
                    return None
                values[item.name] = raw == "1"
            elif kind is int:
                if not _INT.match(raw):
                    return None
                values[item.name] = int(raw)
            else:
                if not _TOKEN.match(raw):
                    return None
                values[item.name] = raw
        return cls(**values)

    def button(self, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(shorten(label, LABEL_LIMIT), callback_data=self.pack())

    def labelled(self, lang: str, key: str, **values: object) -> InlineKeyboardButton:
        return self.button(plain(lang, key, **values))


def payload(prefix: str, *, flow: str | None = None, organizers: bool = False, sessions: tuple[str, ...] = (),
            toast: bool = False):
    """Declare a payload class: `@payload("s", sessions=("session_id",))`."""
    def register(cls):
        if prefix in REGISTRY or not re.fullmatch(r"[a-z]{1,3}", prefix):
            raise PayloadError(f"prefix {prefix!r} is taken or malformed")
        cls = dataclass(frozen=True)(cls)
        cls.prefix, cls.flow, cls.organizers, cls.session_fields, cls.toast = prefix, flow, organizers, sessions, toast
        REGISTRY[prefix] = cls
        return cls
    return register


def parse(data: str | None) -> Payload | None:
    """The payload a button carries, or None for anything forged, malformed or unknown."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    prefix, *parts = data.split(":")
    cls = REGISTRY.get(prefix)
    if cls is None:
        return None
    return cls.unpack(parts)  # refuses a wrong number of parts, too


def handles(cls: type[Payload]):
    """Register the one function that handles taps on buttons of this payload class."""
    def register(function: Handler) -> Handler:
        if cls.handler is not None:
            raise PayloadError(f"{cls.__name__} is handled twice")
        cls.handler = function
        return function
    return register


# --- answering the tap -------------------------------------------------------------------------

async def refuse(update: Update, lang: str, key: str = "stale_button", **values: object) -> None:
    """Say why a tap does nothing: as an alert, or in the chat if the tap was answered already."""
    text = plain(lang, key, **values)
    query = update.callback_query
    if query is not None and answered() and update.effective_user is not None:
        try:
            await query.get_bot().send_message(update.effective_user.id, text)
        except (BadRequest, Forbidden) as error:
            log.info("could not explain a refused tap: %s", error)
        return
    await answer(update, text, alert=True)


# --- the payloads ------------------------------------------------------------------------------
# Navigation and program


@payload("p")
class ProgramPage(Payload):
    page: int


@payload("pt")
class ProgramToday(Payload):
    """The program at today's page: on the second day of a conference, the second day."""


@payload("s", sessions=("session_id",))
class ShowSession(Payload):
    session_id: str


@payload("n")
class Now(Payload):
    pass


@payload("x")
class Next(Payload):
    pass


@payload("v")
class Venue(Payload):
    pass


@payload("h")
class Help(Payload):
    pass


@payload("l")
class Language(Payload):
    lang: str


@payload("mp", sessions=("session_id",))
class MeetingPointPin(Payload):
    session_id: str


# Sign-up


@payload("su", sessions=("session_id",))
class SignUp(Payload):
    session_id: str


@payload("wl", sessions=("session_id",))
class JoinWaitlist(Payload):
    session_id: str


@payload("sw", sessions=("from_id", "to_id"))
class Switch(Payload):
    from_id: str
    to_id: str


@payload("ko", sessions=("session_id",))
class KeepSeat(Payload):
    session_id: str


@payload("cx", sessions=("session_id",))
class GiveBack(Payload):
    session_id: str


@payload("lw", sessions=("session_id",))
class LeaveWaitlist(Payload):
    """Leaves a waiting list, never a seat: tapped after its owner moved up, it keeps the seat."""
    session_id: str


@payload("kp", sessions=("session_id",))
class KeepPromotion(Payload):
    session_id: str


@payload("me")
class Mine(Payload):
    pass


# Bookmarks, reminders, my day, privacy, feedback


@payload("bm", toast=True, sessions=("session_id",))
class Bookmark(Payload):
    session_id: str


@payload("rm", toast=True)
class ReminderLead(Payload):
    minutes: int


@payload("re", toast=True)
class ExcursionLead(Payload):
    minutes: int


@payload("pl")
class MyPlan(Payload):
    pass


@payload("ic")
class CalendarAll(Payload):
    pass


@payload("ics", sessions=("session_id",))
class CalendarOne(Payload):
    session_id: str


@payload("fb", flow="feedback", sessions=("session_id",))
class Rate(Payload):
    session_id: str
    stars: int


@payload("dz")
class Privacy(Payload):
    pass


@payload("dy")
class DeleteConfirm(Payload):
    pass


@payload("dn")
class DeleteKeep(Payload):
    pass


# Questions and networking


@payload("qs", flow="question", sessions=("session_id",))
class AskAbout(Payload):
    session_id: str


@payload("qv", toast=True)
class Vote(Payload):
    question_id: int


@payload("qa", toast=True)
class MarkAnswered(Payload):
    question_id: int


@payload("qh", toast=True)
class HideQuestion(Payload):
    question_id: int


@payload("qu", toast=True)
class ShowQuestion(Payload):
    """Show a hidden question again (to everybody, open for votes)."""

    question_id: int


@payload("qn", toast=True)
class ShowMyName(Payload):
    question_id: int


@payload("ql", sessions=("session_id",))
class ListQuestions(Payload):
    session_id: str


@payload("nj", flow="network")
class NetworkJoin(Payload):
    pass


@payload("nt", flow="network", sessions=("session_id",))
class NetworkTopic(Payload):
    session_id: str


@payload("nf", toast=True, flow="network")
class NetworkDone(Payload):
    pass


@payload("nr")
class ContactRequest(Payload):
    user_id: int


@payload("na")
class ContactAccept(Payload):
    request_id: int


@payload("nd")
class ContactDecline(Payload):
    request_id: int


# Confirmations (organizer previews, data deletion …): owned by the conversation module


@payload("ok", organizers=True)
class Confirm(Payload):
    confirmation_id: int


@payload("no", organizers=True)
class Decline(Payload):
    confirmation_id: int


@payload("okc", organizers=True)
class ConfirmChoice(Payload):
    """One of several ways to confirm a preview (a reload whose new file contradicts changes
    made in the chat: keep them, take the file's, or move by the chat's delay)."""

    confirmation_id: int
    choice: int


# Organizers: choosing a session without knowing its id


@payload("og", organizers=True)
class PickGroup(Payload):
    purpose: str
    group: int


@payload("os", organizers=True, sessions=("session_id",))
class PickSession(Payload):
    purpose: str
    session_id: str


@payload("od", organizers=True, sessions=("session_id",))
class DelayBy(Payload):
    session_id: str
    minutes: int


@payload("of", organizers=True, sessions=("session_id",))
class DelayScope(Payload):
    session_id: str
    minutes: int
    following: bool


@payload("ot", organizers=True, flow="change", sessions=("session_id",))
class TypeMinutes(Payload):
    session_id: str


@payload("dc", organizers=True, sessions=("session_id",))
class DropChange(Payload):
    """End a change made in the chat: the session is again as the program file has it."""

    session_id: str


@payload("or", organizers=True, sessions=("session_id",))
class RoomPick(Payload):
    session_id: str
    room: int
    check: str


@payload("oy", organizers=True, flow="change", sessions=("session_id",))
class TypeRoom(Payload):
    session_id: str


@payload("oo", organizers=True)
class OrgaMenu(Payload):
    action: str


# The series of conferences


@payload("cm")
class ConferenceMenu(Payload):
    pass


@payload("cc")
class ChooseConference(Payload):
    conference_id: str


@payload("oc", organizers=True)
class OrgaConference(Payload):
    """An organizer's switch from /orga: lands on /orga of the conference chosen."""
    conference_id: str


@payload("ca")
class Archive(Payload):
    pass


@payload("cs")
class ArchiveShow(Payload):
    conference_id: str


@payload("cn", toast=True)
class NewsConsent(Payload):
    on: bool


@payload("co", organizers=True)
class OpeningReport(Payload):
    pass


# The guest list


@payload("ga", organizers=True)
class GuestsMenu(Payload):
    action: str  # load, links, connected, unlink


@payload("gp", organizers=True)
class GuestPick(Payload):
    guest_id: int


# Announcements


@payload("ab", organizers=True)
class AudienceAll(Payload):
    announcement_id: int
    kind: str


@payload("as", organizers=True)
class AudienceSessions(Payload):
    announcement_id: int


@payload("ag", organizers=True, sessions=("session_id",))
class AudienceGroup(Payload):
    announcement_id: int
    kind: str
    session_id: str


@payload("ay", organizers=True)
class SendNow(Payload):
    announcement_id: int


@payload("al", organizers=True, flow="broadcast")
class SendLater(Payload):
    announcement_id: int


@payload("ad", organizers=True)
class Discard(Payload):
    announcement_id: int


@payload("ac", organizers=True)
class CancelScheduled(Payload):
    announcement_id: int


@payload("ae", organizers=True, flow="correction")
class Correct(Payload):
    announcement_id: int


@payload("aw", organizers=True)
class Withdraw(Payload):
    announcement_id: int
