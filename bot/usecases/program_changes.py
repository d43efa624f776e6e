"""Live program changes (delay, room, cancel, restore) and reloads of the program file.

Nothing is applied without a preview: `preview_change` / `preview_reload` say what would change,
for how many people, and what the checks find; the organizer confirms, and `apply_change` /
`apply_reload` apply exactly that, unless the program moved meanwhile (another organizer's
change, another reload): then they return a fresh preview instead of undoing that change.
Applying stores the change, ends or gives back seats, queues one notice per person affected
(all in one transaction), puts the new program in force and re-plans reminders.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

from ..domain import changes as rules
from ..domain.changes import KEEP, SHIFT, SOURCE, CapacityChange, Change, Conflict, Override, SessionState
from ..domain.checks import Finding, check_change
from ..domain.loader import ProgramError
from ..domain.messages import SourceOffer
from ..domain.problems import Message, Problem
from ..domain.program import Program, Session
from ..domain.signup import Overbooking
from ..services import Services
from ..storage import SessionCount

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangePreview:
    """What an organizer's intent ({"op": "delay" | "room" | "cancel" | "restore" | "drop", ...})
    would do to the program in force at `revision`. "drop" ends a change made in the chat: the
    session is again as the program file has it."""

    intent: dict
    revision: int
    overrides: list[Override]
    ended: list[str]  # sessions whose chat change ends
    proposed: Program
    changes: list[Change]
    findings: list[Finding]
    affected: int  # people who would be told
    clashes: int = 0  # people who would then hold two sessions at the same time

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


def _plan(svc: Services, intent: dict) -> tuple[list[Override], list[str], Program, list[Change], list[Finding]]:
    current = svc.program.current
    if intent.get("op") == "drop":
        session_id = str(intent.get("session", ""))
        overrides, ended = [], [o.session_id for o in svc.program.overrides if o.session_id == session_id]
    else:  # what the chat changes, kept with what the file says of those sessions now
        overrides, ended = rules.anchored(rules.intent_overrides(current, intent), svc.program.base), []
    proposed = svc.program.with_overrides(overrides, ended=ended)
    return overrides, ended, proposed, rules.diff(current, proposed), check_change(current, proposed)


def _for_everybody(svc: Services, proposed: Program, found: list[Change]) -> list[str]:
    """The changed sessions that are part of everyone's day (a plenary): everybody is told."""
    current = svc.program.current
    return [c.session_id for c in found
            if (session := proposed.session(c.session_id) or current.session(c.session_id)) and session.is_for_everybody]


async def _affected(svc: Services, proposed: Program, found: list[Change], moving_up: dict[str, int] | None = None) -> int:
    """How many people a change tells: of the changed sessions, and (a reload's new capacities)
    those who move up from a waiting list; each once."""
    if not found and not moving_up:
        return 0
    return len(await svc.storage.audiences.affected_by([c.session_id for c in found],
                                                       [c.session_id for c in found if c.restores],
                                                       _for_everybody(svc, proposed, found), moving_up))


async def _clashes(svc: Services, proposed: Program, found: list[Change]) -> int:
    """How many people would hold two sessions at the same time that did not clash before (a
    delay into another session of theirs): the preview counts them, their notice says so."""
    moved = [c.session_id for c in found if c.before is not None and c.after is not None and not c.after.cancelled
             and (c.before.start, c.before.end) != (c.after.start, c.after.end)]
    if not moved:
        return 0
    concerned = await svc.storage.audiences.affected_by(moved)
    held = await svc.storage.audiences.holdings(list(concerned))
    return sum(1 for sessions in held.values() if rules.new_clashes(svc.program.current, proposed, moved, sessions))


async def preview_change(svc: Services, intent: dict) -> ChangePreview:
    revision = await svc.storage.program_changes.revision()
    overrides, ended, proposed, found, findings = _plan(svc, intent)
    return ChangePreview(intent, revision, overrides, ended, proposed, found, findings,
                         await _affected(svc, proposed, found), await _clashes(svc, proposed, found))


async def apply_change(svc: Services, intent: dict, revision: int, author_id: int) -> Applied | ChangePreview:
    """Apply what was previewed at `revision`; a fresh preview if the program moved since, or if
    the change no longer passes the checks."""
    overrides, ended, proposed, found, findings = _plan(svc, intent)
    stale = await svc.storage.program_changes.revision() != revision
    if stale or any(f.severity == "error" for f in findings) or not (found or ended):
        return await preview_change(svc, intent)
    result = await svc.storage.program_changes.record(overrides, found, author_id, "chat", svc.now(), program=proposed,
                                                      expected_revision=revision, ended=ended,
                                                      everybody=_for_everybody(svc, proposed, found))
    if result is None:  # another organizer's change landed in between
        return await preview_change(svc, intent)
    svc.program.replace(overrides=overrides, ended=ended)
    svc.replan()
    return Applied(*result)


@dataclass(frozen=True)
class ChatChange:
    """A change made in the chat that is in force: the session, what the file has, what the chat set."""

    session: Session
    file: SessionState  # what the program file has now
    chat: Override


def chat_changes(svc: Services) -> list[ChatChange]:
    """The chat's changes in force, in time order (a dormant one, for a session the file does
    not have now, is left out: it applies again once the session is back)."""
    found = []
    for override in svc.program.overrides:
        session = svc.program.base.session(override.session_id)
        if session is not None and override.changes_anything(override.against or SessionState.of(session)):
            found.append(ChatChange(svc.program.current.session(override.session_id) or session,
                                    SessionState.of(session), override))
    return sorted(found, key=lambda c: (c.session.start, c.session.id))


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
class Outcome:
    """What a reload does with one way of resolving its conflicts (KEEP, SOURCE or SHIFT)."""

    choice: str
    overrides: list[Override]  # the chat's changes to store, anchored to the new file
    ended: list[str]  # sessions whose chat change ends
    proposed: Program
    changes: list[Change]
    errors: list[Finding]
    affected: int = 0


@dataclass(frozen=True)
class ReloadPreview:
    """What reading the program file again would change. `problems`: the file is broken (nothing
    else is set). `conflicts`: changes made in the chat that the new file contradicts; then each
    way of resolving them has its outcome (`outcomes`, KEEP first), and the organizer chooses."""

    revision: int = 0
    fingerprint: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # what `check` would warn of in the new file
    unchanged: bool = False
    conflicts: list[Conflict] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    returning: dict[str, int] = field(default_factory=dict)  # sessions back in the file: places given back
    capacities: list[CapacityEffect] = field(default_factory=list)
    texts_changed: int = 0

    @property
    def outcome(self) -> Outcome | None:
        """Keeping the chat's changes (the only outcome when nothing conflicts)."""
        return self.outcomes[0] if self.outcomes else None

    @property
    def proposed(self) -> Program | None:
        return self.outcome.proposed if self.outcome else None

    @property
    def changes(self) -> list[Change]:
        return self.outcome.changes if self.outcome else []

    @property
    def errors(self) -> list[Finding]:
        """The file clashes with the program in force whichever way its conflicts are resolved."""
        return self.outcome.errors if self.outcome and all(o.errors for o in self.outcomes) else []

    @property
    def affected(self) -> int:
        return self.outcome.affected if self.outcome else 0

    @property
    def applicable(self) -> bool:
        return not self.problems and not self.unchanged and not self.errors and self.outcome is not None


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
    found = rules.conflicts(svc.program.overrides, svc.program.base, new_base)
    choices = [KEEP, SOURCE] + ([SHIFT] if any(c.time for c in found) else []) if found else [KEEP]
    outcomes = [_outcome(svc, new_base, found, choice) for choice in choices]
    current = svc.program.current
    counts = await svc.storage.registrations.counts()
    capacities = _capacity_effects(current, outcomes[0].proposed, counts)  # the file's: the same whatever the choice
    moving_up = {effect.change.session_id: effect.promotes for effect in capacities if effect.promotes}
    outcomes = [await _with_affected(svc, outcome, moving_up) for outcome in outcomes]
    back = [c.session_id for c in outcomes[0].changes if c.before is None]
    return ReloadPreview(revision, fingerprint, warnings=list(new_base.warnings), conflicts=found, outcomes=outcomes,
                         returning=await svc.storage.audiences.former_holders(back) if back else {},
                         capacities=capacities, texts_changed=len(rules.text_changes(current, outcomes[0].proposed)))


def _outcome(svc: Services, new_base: Program, found: list[Conflict], choice: str) -> Outcome:
    """The program after the reload, its conflicts resolved by `choice`."""
    overrides, ended = rules.resolve(found, choice)
    proposed = svc.program.with_overrides(overrides, base=new_base, ended=ended)
    current = svc.program.current
    errors = [f for f in check_change(current, proposed) if f.severity == "error"]
    return Outcome(choice, overrides, ended, proposed, rules.diff(current, proposed), errors)


async def _with_affected(svc: Services, outcome: Outcome, moving_up: dict[str, int]) -> Outcome:
    return dataclasses.replace(outcome, affected=await _affected(svc, outcome.proposed, outcome.changes, moving_up))


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


async def apply_reload(svc: Services, revision: int, fingerprint: str, author_id: int,
                       choice: str = KEEP) -> Reloaded | ReloadPreview:
    """Put the file previewed at `revision` in force, its conflicts with the chat's changes
    resolved by `choice`; a fresh preview if the file or the program changed since (or the file
    no longer loads)."""
    try:
        new_base = await svc.program.read_file()
    except ProgramError as error:
        return ReloadPreview(problems=list(error.problems))
    file = new_base.fingerprint()
    if moved := _conference_renamed(svc, new_base):
        return ReloadPreview(problems=[moved])
    if await svc.storage.program_changes.revision() != revision or file != fingerprint:
        return await preview_reload(svc, new_base)
    outcome = _outcome(svc, new_base, rules.conflicts(svc.program.overrides, svc.program.base, new_base), choice)
    if outcome.errors:
        return await preview_reload(svc, new_base)
    result = await svc.storage.program_changes.record(
        outcome.overrides, outcome.changes, author_id, "reload", svc.now(), program=outcome.proposed,
        expected_revision=revision, base=file, ended=outcome.ended,
        everybody=_for_everybody(svc, outcome.proposed, outcome.changes))
    if result is None:
        return await preview_reload(svc, new_base)
    svc.program.replace(base=new_base, overrides=outcome.overrides, ended=outcome.ended)
    new = svc.program.current
    promotions, overbooked = await svc.storage.registrations.reconcile_capacities(new, svc.now())
    await svc.storage.announcements.sync_file(list(new.announcements), svc.now())
    svc.replan()
    return Reloaded(len(new.sessions), result[1], overbooked, len(promotions), bool(outcome.changes))


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
