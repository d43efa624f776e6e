"""Every kind of message the bot sends on its own, as a typed value: the one registry of the
outbox's message kinds, as `handlers/buttons.py` is of button payloads.

A message names its kind (the outbox row's `kind`), carries what its text needs at send time
(the payload, stored as JSON) and builds its own dedup key and batch: a message queued twice
with the same key is queued once, and a batch (an announcement, a change notice) is what a
delivery report counts. Use cases and storage queue these values; the chat layer renders each
kind at send time with the one renderer registered for it (`handlers/push.py`), so a message
queued before a program change shows the times in force when it goes out.

A row whose kind is unknown or whose payload does not fit (written by another version of the
bot) parses to None and is recorded as dropped with that reason, never sent half-built.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

KINDS: dict[str, type["Message"]] = {}


@dataclass(frozen=True)
class Message:
    kind: ClassVar[str] = ""

    def key(self, user_id: int) -> str:
        """Unique per message owed: the outbox queues a key once, however often it is planned."""
        raise NotImplementedError

    def batch(self) -> str | None:
        """The group a delivery report counts (an announcement's copies), if any."""
        return None

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def message(kind: str):
    """Register a message class under its kind (the name stored in the outbox)."""
    def register(cls: type[Message]) -> type[Message]:
        if kind in KINDS:
            raise ValueError(f"message kind {kind!r} registered twice")
        cls.kind = kind
        KINDS[kind] = cls
        return cls
    return register


def parse(kind: str, payload: Any) -> Message | None:
    """The message an outbox row holds; None for an unknown kind or a payload that does not fit."""
    cls = KINDS.get(kind)
    if cls is None or not isinstance(payload, dict):
        return None
    hints = typing.get_type_hints(cls)
    values = {}
    for item in dataclasses.fields(cls):
        if item.name in payload:
            values[item.name] = payload[item.name]
        elif item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
            return None
    try:
        parsed = cls(**values)
    except TypeError:
        return None
    return parsed if all(_fits(getattr(parsed, name), hints[name]) for name in values) else None


def _fits(value: Any, hint: Any) -> bool:
    allowed = typing.get_args(hint) or (hint,)
    plain = tuple(typing.get_origin(a) or a for a in allowed)
    plain = tuple(type(None) if a is None else a for a in plain)
    if float in plain:
        plain += (int,)
    return isinstance(value, plain) and not (isinstance(value, bool) and bool not in plain)


def announcement_batch(announcement_id: int) -> str:
    """The batch of an announcement's copies: its delivery report counts them."""
    return f"ann:{announcement_id}"


# --- seats -------------------------------------------------------------------------------------------


@message("promoted")
@dataclass(frozen=True)
class Promoted(Message):
    """A seat came free and is now this person's (from the waiting list)."""

    session_id: str
    released: str | None = None  # a parallel seat given up for it
    arrival: int = 0  # the waiting-list place's arrival: a later promotion is another message

    def key(self, user_id: int) -> str:
        return f"promoted:{self.session_id}:{user_id}:{self.arrival}"


@message("seat")
@dataclass(frozen=True)
class SeatChanged(Message):
    """A seat changed on the page (the Mini App): the chat hears it too, worded as if tapped there."""

    status: str
    session_id: str
    position: int | None = None
    other_session_id: str | None = None
    arrival: int = 0

    def key(self, user_id: int) -> str:
        return f"web:{user_id}:{self.arrival}"


@message("bookmark")
@dataclass(frozen=True)
class BookmarkChanged(Message):
    """A bookmark set or removed on the page: the chat hears it too. `text` names the wording."""

    session_id: str
    text: str
    arrival: int = 0

    def key(self, user_id: int) -> str:
        return f"web:{user_id}:{self.arrival}"


# --- reminders and feedback ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedMessage(Message):
    """A message planned for a session's start (reminders): owed anew if the session moves."""

    session_id: str
    start: float  # the session's start it was planned for (epoch): a moved session is owed anew

    def _base(self, user_id: int) -> str:
        return f"{self.session_id}:{user_id}:{int(self.start)}"


@message("reminder")
@dataclass(frozen=True)
class SessionReminder(PlannedMessage):
    def key(self, user_id: int) -> str:
        return f"reminder:{self._base(user_id)}"


@message("reminder_venue")
@dataclass(frozen=True)
class VenueReminder(PlannedMessage):
    """The meeting point as a map pin, beside the excursion's reminder."""

    def key(self, user_id: int) -> str:
        return f"reminder:{self._base(user_id)}:venue"


@message("waitlist_status")
@dataclass(frozen=True)
class WaitlistStatus(PlannedMessage):
    """Still on the waiting list when the others are reminded: where one stands."""

    def key(self, user_id: int) -> str:
        return f"waitlist:{self._base(user_id)}"


@message("feedback")
@dataclass(frozen=True)
class FeedbackPrompt(Message):
    session_id: str

    def key(self, user_id: int) -> str:
        return f"feedback:{self.session_id}:{user_id}"


# --- announcements --------------------------------------------------------------------------------------


@message("announcement")
@dataclass(frozen=True)
class AnnouncementCopy(Message):
    ann: int

    def batch(self) -> str:
        return announcement_batch(self.ann)

    def key(self, user_id: int) -> str:
        return f"{self.batch()}:{user_id}"


@message("announcement_edit")
@dataclass(frozen=True)
class AnnouncementEdit(Message):
    """A correction: the delivered copy `message_id` is edited to the announcement's `version`."""

    ann: int
    message_id: int
    version: int

    def batch(self) -> str:
        return f"annedit:{self.ann}:{self.version}"

    def key(self, user_id: int) -> str:
        return f"{self.batch()}:{user_id}"


@message("announcement_delete")
@dataclass(frozen=True)
class AnnouncementDelete(Message):
    """A withdrawal: the delivered copy `message_id` is deleted."""

    message_id: int
    ann: int = 0

    def batch(self) -> str:
        return f"anndel:{self.ann}"

    def key(self, user_id: int) -> str:
        return f"{self.batch()}:{user_id}"


@message("announcement_progress")
@dataclass(frozen=True)
class AnnouncementProgress(Message):
    """The organizer's progress message of an announcement, posted once when it starts; the
    tracker then edits that one message as the copies go out."""

    ann: int

    def key(self, user_id: int) -> str:
        return f"annprogress:{self.ann}:{user_id}"


# --- program changes -----------------------------------------------------------------------------------


@message("change")
@dataclass(frozen=True)
class ChangeNotice(Message):
    """Before → after of the sessions that concern this person (stored change dicts,
    domain.changes.Change.as_dict), and what they got back by a restore."""

    changes: list
    restored: dict = field(default_factory=dict)
    change: int = 0  # the program change's id

    def batch(self) -> str:
        return f"change:{self.change}"

    def key(self, user_id: int) -> str:
        return f"{self.batch()}:{user_id}"


@message("source_offer")
@dataclass(frozen=True)
class SourceOffer(Message):
    """A new version of the schedule the program links (`source:`), offered to an organizer as a
    reload preview; worded when it goes out, from the file as it is then."""

    fingerprint: str

    def key(self, user_id: int) -> str:
        return f"source:{self.fingerprint}:{user_id}"


# --- the series --------------------------------------------------------------------------------------


@message("conference_opening")
@dataclass(frozen=True)
class ConferenceOpening(Message):
    """A conference of the series opened: to a chat whose person asked to hear of the next one.
    The bot may keep nothing of them but that consent, so the message carries their language."""

    conference: str
    language: str = "de"

    def batch(self) -> str:
        return f"opening:{self.conference}"

    def key(self, user_id: int) -> str:
        return f"{self.batch()}:{user_id}"


# --- networking ----------------------------------------------------------------------------------------


@message("contact_request")
@dataclass(frozen=True)
class ContactRequested(Message):
    request: int

    def key(self, user_id: int) -> str:
        return f"contact:{self.request}"


@message("contact_shared")
@dataclass(frozen=True)
class ContactShared(Message):
    """Both accepted: the other's contact (only now, never before both consents)."""

    other: int
    request: int = 0

    def key(self, user_id: int) -> str:
        return f"contact:{self.request}:{user_id}"


@message("contact_declined")
@dataclass(frozen=True)
class ContactDeclined(Message):
    request: int

    def key(self, user_id: int) -> str:
        return f"contact:{self.request}:declined"
