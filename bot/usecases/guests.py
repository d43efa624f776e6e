"""The guest list of a conference: loading it (a preview first, then applying exactly what was
previewed), the invitations for the organizers' mail merge, connecting the Telegram account that
opens an invitation, re-linking, and the rule of `guests_only`: who takes part.

With `conference.guests_only: true` only connected guests (and the organizers) take seats, ask
questions, rate and network; everyone else reads the program. The use cases that do those things
ask `require_guest`, which raises NotAGuest; the chat and the page word the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import deeplink
from ..domain.guests import (ATTEMPTS_PER_HOUR, Comparison, Connecting, Connection, Guest, GuestListProblem, compare,
                             file_fingerprint, fingerprint, read_guest_list)
from ..exports import csv_bytes
from ..services import Services
from ..storage import GuestCount, Loaded
from . import conferences


class NotAGuest(Exception):
    """Only connected guests may do this (`guests_only`); the person is not one."""


@dataclass(frozen=True)
class LoadPreview:
    """What loading a file would do, or why it cannot be loaded."""

    conference_id: str
    problem: GuestListProblem | None = None
    comparison: Comparison | None = None
    expected: str = ""  # the fingerprint of the list the comparison was made against
    file: str = ""  # the fingerprint of the file
    total: int = 0  # guests in the file

    @property
    def removed_connected(self) -> list[Guest]:
        return [g for g in self.comparison.removed if g.connected] if self.comparison else []


async def preview_load(svc: Services, conference_id: str, data: bytes) -> LoadPreview:
    """Read a guest list and compare it with the one the bot has; nothing changes."""
    try:
        entries = read_guest_list(data)
    except GuestListProblem as problem:
        return LoadPreview(conference_id, problem=problem)
    current = await svc.storage.guests.of_conference(conference_id)
    return LoadPreview(conference_id, comparison=compare(current, entries), expected=fingerprint(current),
                       file=file_fingerprint(data), total=len(entries))


async def apply_load(svc: Services, conference_id: str, data: bytes, expected: str) -> Loaded | LoadPreview:
    """Apply the file as previewed against the list `expected`; a fresh preview when the list
    changed since (another organizer loaded one) or the file no longer reads."""
    preview = await preview_load(svc, conference_id, data)
    if preview.problem is not None or preview.expected != expected:
        return preview
    loaded = await svc.storage.guests.load(conference_id, preview.comparison, expected, svc.now())
    return loaded if loaded is not None else await preview_load(svc, conference_id, data)


async def count(svc: Services, conference_id: str) -> GuestCount:
    return await svc.storage.guests.count(conference_id)


async def connect(svc: Services, user_id: int, code: str) -> Connecting:
    """The account `user_id` opened the invitation `code`: connected to its guest, and in the
    guest's conference from now on (an invitation names the conference too)."""
    result = await svc.storage.guests.connect(svc.conferences.ids, code, user_id, svc.now(), ATTEMPTS_PER_HOUR)
    if result.guest is not None and result.status in (Connection.CONNECTED, Connection.ALREADY):
        await conferences.choose(svc, user_id, result.guest.conference_id)
    return result


async def guest_of(svc: Services, user_id: int, conference_id: str | None = None) -> Guest | None:
    """The guest of the conference (in scope, or named) this account is connected to."""
    return await svc.storage.guests.of_person(conference_id or svc.program.current.conference.id, user_id)


async def admitted(svc: Services, user_id: int) -> bool:
    """Whether this person takes part: everyone, unless the conference is for its guests only;
    then its connected guests and the organizers."""
    conference = svc.program.current.conference
    if not conference.guests_only or svc.is_admin(user_id):
        return True
    return await svc.storage.guests.of_person(conference.id, user_id) is not None


async def require_guest(svc: Services, user_id: int) -> None:
    """NotAGuest unless this person takes part (see `admitted`)."""
    if not await admitted(svc, user_id):
        raise NotAGuest()


async def listed(svc: Services, conference_id: str) -> list[Guest]:
    return await svc.storage.guests.of_conference(conference_id)


async def get(svc: Services, guest_id: int) -> Guest | None:
    return await svc.storage.guests.get(guest_id)


async def find(svc: Services, conference_id: str, words: str) -> list[Guest]:
    return await svc.storage.guests.find(conference_id, words)


async def unlink(svc: Services, guest_id: int) -> Guest | None:
    """Re-link: the guest's link works again for the next account that opens it."""
    return await svc.storage.guests.unlink(guest_id, svc.now())


INVITATION_HEADER = ["name", "email", "organization", "reference", "link", "connected"]


async def invitations(svc: Services, conference_id: str, bot_username: str) -> tuple[bytes, int]:
    """Every guest's personal link, as a CSV for a mail merge (bot.exports: `;`, UTF-8 with BOM),
    and the number of guests in it."""
    guests = await svc.storage.guests.of_conference(conference_id)
    rows = ([g.name, g.email, g.organization, g.reference, deeplink.invite_link(bot_username, g.code),
             "yes" if g.connected else "no"] for g in guests)
    return csv_bytes(INVITATION_HEADER, rows), len(guests)
