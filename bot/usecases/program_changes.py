"""Live program changes (delay, room, cancel, restore) and reloads of the program file.

Nothing is applied without a preview: `preview_change` / `preview_reload` say what would change,
for how many people, and what the checks find; the organizer confirms, and `apply_change` /
`apply_reload` apply exactly that, unless the program moved meanwhile (another organizer's
change, another reload): then they return a fresh preview instead of undoing that change.
Applying stores the change, ends or gives back seats, queues one notice per person affected
(all in one transaction), puts the new program in force and re-plans reminders.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..domain import changes as rules
from ..domain.changes import CapacityChange, Change, Override
from ..domain.checks import Finding, check_change
from ..domain.loader import ProgramError
from ..domain.messages import SourceOffer
from ..domain.problems import Message, Problem
from ..domain.program import Program
from ..domain.signup import Overbooking
from ..services import Services
from ..storage import SessionCount

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangePreview:
    """What an organizer's intent ({"op": "delay" | "room" | "cancel" | "restore", ...}) would do
    to the program in force at `revision`."""

    intent: dict
    revision: int
    overrides: list[Override]
    proposed: Program
    changes: list[Change]
    findings: list[Finding]
    affected: int  # people who would be told

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "error"]


@dataclass(frozen=True)
class Applied:
    change_id: int
    told: int  # notices queued


def _plan(svc: Services, intent: dict) -> tuple[list[Override], Program, list[Change], list[Finding]]:
    current = svc.program.current
    overrides = rules.intent_overrides(current, intent)
    proposed = svc.program.with_overrides(overrides)
    return overrides, proposed, rules.diff(current, proposed), check_change(current, proposed)


async def preview_change(svc: Services, intent: dict) -> ChangePreview:
    revision = await svc.storage.program_changes.revision()
    overrides, proposed, found, findings = _plan(svc, intent)
    affected = await svc.storage.audiences.affected_by([c.session_id for c in found],
                                                       [c.session_id for c in found if c.restores]) if found else []
    return ChangePreview(intent, revision, overrides, proposed, found, findings, len(affected))


async def apply_change(svc: Services, intent: dict, revision: int, author_id: int) -> Applied | ChangePreview:
    """Apply what was previewed at `revision`; a fresh preview if the program moved since, or if
    the change no longer passes the checks."""
    overrides, proposed, found, findings = _plan(svc, intent)
    stale = await svc.storage.program_changes.revision() != revision
    if stale or any(f.severity == "error" for f in findings) or not found:
        return await preview_change(svc, intent)
    result = await svc.storage.program_changes.record(overrides, found, author_id, "chat", svc.now(),
                                                      program=proposed, expected_revision=revision)
    if result is None:  # another organizer's change landed in between
        return await preview_change(svc, intent)
    svc.program.replace(overrides=overrides)
    svc.replan()
    return Applied(*result)


# --- reloads -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityEffect:
    """A capacity changed by a reload, with what it does to the seats held now."""

    change: CapacityChange
    confirmed: int
    waiting: int

    @property
    def overbooks(self) -> bool:
        return self.change.after is not None and self.confirmed > self.change.after

    @property
    def promotes(self) -> int:
        after = self.change.after
        if after is None or not self.waiting or after <= self.confirmed:
            return 0
        return min(self.waiting, after - self.confirmed)


@dataclass(frozen=True)
class ReloadPreview:
    """What reading the program file again would change. `problems`: the file is broken (nothing
    else is set); `errors`: it clashes with a change made in the chat."""

    revision: int = 0
    fingerprint: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # what `check` would warn of in the new file
    unchanged: bool = False
    errors: list[Finding] = field(default_factory=list)
    proposed: Program | None = None
    changes: list[Change] = field(default_factory=list)
    capacities: list[CapacityEffect] = field(default_factory=list)
    texts_changed: int = 0
    affected: int = 0

    @property
    def applicable(self) -> bool:
        return not self.problems and not self.unchanged and not self.errors and self.proposed is not None


@dataclass(frozen=True)
class Reloaded:
    sessions: int
    told: int
    overbooked: list[Overbooking]
    promoted: int
    changed: bool  # whether any session's time, room or state changed


async def preview_reload(svc: Services, new_base: Program | None = None) -> ReloadPreview:
    """`new_base`: the program already read from the file, if it was."""
    if new_base is None:
        try:
            new_base = await svc.program.read_file()
        except ProgramError as error:
            return ReloadPreview(problems=list(error.problems))
    if moved := _conference_renamed(svc, new_base):
        return ReloadPreview(problems=[moved])
    revision = await svc.storage.program_changes.revision()
    fingerprint = new_base.fingerprint()
    if new_base == svc.program.base:
        return ReloadPreview(revision, fingerprint, unchanged=True)
    current = svc.program.current
    proposed = svc.program.with_overrides([], base=new_base)
    errors = [f for f in check_change(current, proposed) if f.severity == "error"]
    if errors:
        return ReloadPreview(revision, fingerprint, errors=errors, proposed=proposed)
    found = rules.diff(current, proposed)
    counts = await svc.storage.registrations.counts()
    affected = await svc.storage.audiences.affected_by([c.session_id for c in found]) if found else []
    return ReloadPreview(revision, fingerprint, warnings=list(new_base.warnings), proposed=proposed, changes=found,
                         capacities=_capacity_effects(current, proposed, counts),
                         texts_changed=len(rules.text_changes(current, proposed)), affected=len(affected))


def _conference_renamed(svc: Services, new_base: Program) -> Problem | None:
    """Everything personal is stored under the conference's id: a file that changed it is not a
    reload of this conference (a new conference is a new file, and a restart)."""
    before, after = svc.program.base.conference.id, new_base.conference.id
    return None if before == after else Problem(("conference",), Message.of("reload_id_changed", before=before, after=after))


def _capacity_effects(current: Program, proposed: Program, counts: dict[str, SessionCount]) -> list[CapacityEffect]:
    effects = []
    for change in rules.capacity_changes(current, proposed):
        count = counts.get(change.session_id)
        effects.append(CapacityEffect(change, count.confirmed if count else 0, count.waitlisted if count else 0))
    return effects


async def apply_reload(svc: Services, revision: int, fingerprint: str, author_id: int) -> Reloaded | ReloadPreview:
    """Put the file previewed at `revision` in force; a fresh preview if the file or the program
    changed since (or the file no longer loads)."""
    try:
        new_base = await svc.program.read_file()
    except ProgramError as error:
        return ReloadPreview(problems=list(error.problems))
    file = new_base.fingerprint()
    if moved := _conference_renamed(svc, new_base):
        return ReloadPreview(problems=[moved])
    if await svc.storage.program_changes.revision() != revision or file != fingerprint:
        return await preview_reload(svc, new_base)
    current = svc.program.current
    proposed = svc.program.with_overrides([], base=new_base)
    found = rules.diff(current, proposed)
    result = await svc.storage.program_changes.record([], found, author_id, "reload", svc.now(), program=proposed,
                                                      expected_revision=revision, base=file)
    if result is None:
        return await preview_reload(svc, new_base)
    svc.program.replace(base=new_base)
    new = svc.program.current
    promotions, overbooked = await svc.storage.registrations.reconcile_capacities(new, svc.now())
    await svc.storage.announcements.sync_file(list(new.announcements), svc.now())
    svc.replan()
    return Reloaded(len(new.sessions), result[1], overbooked, len(promotions), bool(found))


async def offer_new_source(svc: Services) -> int:
    """The schedule the program file links (`source:`) may have a new version: if it has, offer it
    to every organizer as a reload preview (worded when it goes out), once per version. Nothing
    is applied without their confirmation. Returns the offers queued."""
    try:
        new_base = await svc.program.read_file()
    except ProgramError as error:
        log.warning("the schedule source gives no valid program (%d problems); the current one stays", len(error.problems))
        return 0
    offered = new_base.fingerprint()
    if new_base == svc.program.base or offered == svc.offered_source.get(svc.conference_id):
        return 0
    svc.offered_source[svc.conference_id] = offered
    now = svc.now()
    # Telegram lets a bot write only to people who started it: organizers who never did are skipped.
    organizers = sorted(svc.settings.admins | set(svc.program.current.conference.organizers))
    return await svc.storage.outbox.enqueue([(organizer, SourceOffer(offered)) for organizer in organizers],
                                            not_before=now, now=now)
