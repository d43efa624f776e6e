"""What handlers and background tasks share: settings, clock, storage and the live programs.

One instance per Application, kept in `application.bot_data`; nothing module-global.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from . import scope
from .clock import Clock
from .config import Settings
from .domain.loader import load_program
from .domain.changes import Override, apply_overrides
from .domain import series
from .domain.program import Program
from .storage import Storage

if TYPE_CHECKING:  # started parts, typed without importing them at run time (they import this module)
    from .announcement_service import AnnouncementService
    from .cluster import Cluster
    from .delivery import Dispatcher
    from .reminder_service import ReminderService
    from .web.server import WebServer


@dataclass
class ProgramHolder:
    """The program in force: program.yaml plus the organizers' live changes (overrides).
    Replaced whole, never mutated, so a handler holding it sees one consistent program."""

    path: Path
    base: Program
    overrides: list[Override] = field(default_factory=list)
    current: Program = field(init=False)
    fetch: Callable[[str], bytes] | None = None  # reads an http(s) schedule the program file links

    def __post_init__(self) -> None:
        self.current = apply_overrides(self.base, self.overrides)

    async def read_file(self) -> Program:
        """Read and check the file again, off the event loop. Raises ProgramError."""
        return await asyncio.to_thread(load_program, self.path, self.fetch)

    def replace(self, base: Program | None = None, overrides: list[Override] | None = None,
                ended: Iterable[str] = ()) -> Program:
        """Put a change in force: a new file, overrides added or replaced, the chat's changes of
        `ended` sessions gone."""
        if base is not None:
            self.base = base
        self.overrides = self._merged(overrides or [], ended)
        self.current = apply_overrides(self.base, self.overrides)
        return self.current

    def adopt(self, base: Program | None, overrides: list[Override]) -> Program:
        """Take over the changes in force as stored (another process made some): all of them."""
        if base is not None:
            self.base = base
        self.overrides = list(overrides)
        self.current = apply_overrides(self.base, self.overrides)
        return self.current

    def with_overrides(self, overrides: list[Override], base: Program | None = None, ended: Iterable[str] = ()) -> Program:
        """What the program would be: for previews, nothing changes."""
        return apply_overrides(base or self.base, self._merged(overrides, ended))

    def _merged(self, overrides: list[Override], ended: Iterable[str]) -> list[Override]:
        merged = {o.session_id: o for o in self.overrides}
        merged.update({o.session_id: o for o in overrides})
        for session_id in ended:
            merged.pop(session_id, None)
        return list(merged.values())


class Conferences:
    """Every conference of the series with its program in force, by `conference.id`."""

    def __init__(self, holders: Iterable[ProgramHolder]):
        self._by_id: dict[str, ProgramHolder] = {}
        for holder in holders:
            self._by_id[holder.base.conference.id] = holder

    def __iter__(self) -> Iterator[ProgramHolder]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def get(self, conference_id: str | None) -> ProgramHolder | None:
        return self._by_id.get(conference_id or "")

    def programs(self) -> list[Program]:
        return [holder.current for holder in self._by_id.values()]

    def only(self) -> str | None:
        """The conference's id when the bot runs one; None when it runs several."""
        return next(iter(self._by_id)) if len(self._by_id) == 1 else None


@dataclass
class Services:
    """Everything the use cases, handlers and background tasks share, typed. The parts that
    start with the bot (delivery, reminders, announcements, the web server, the cluster) are
    None until app.py's start-up has made them.

    `program` is the program of the conference in scope (bot/scope.py), and `storage` reads and
    writes that conference's rows; `conferences` holds every conference of the series."""

    settings: Settings
    clock: Clock
    storage: Storage
    conferences: Conferences
    delivery: Dispatcher | None = None  # the outbox dispatcher, once started
    reminders: ReminderService | None = None
    announcements: AnnouncementService | None = None
    web: WebServer | None = None  # the Mini App's server, once started (BOT_WEB_LISTEN)
    cluster: Cluster | None = None  # this process among the bot's processes (bot/cluster.py), once started
    # per conference: the fingerprint of its linked schedule last offered to organizers
    offered_source: dict[str, str] = field(default_factory=dict)
    bot_username: str | None = None  # for t.me links in what the bot sends on its own; known once started

    @property
    def conference_id(self) -> str:
        """The conference in scope; with a single conference, that one."""
        conference_id = scope.current() or self.conferences.only()
        if conference_id is None:
            raise scope.NoConference("no conference in scope (bot/scope.py)")
        return conference_id

    @property
    def program(self) -> ProgramHolder:
        """The program in force of the conference in scope."""
        holder = self.conferences.get(self.conference_id)
        if holder is None:
            raise scope.NoConference(f"conference {self.conference_id!r} is not one of this bot's")
        return holder

    def conference_of(self, chosen: str | None, chosen_at: str | None) -> str:
        """The conference a person is in now (domain/series.py), given their choice."""
        if len(self.conferences) == 1:
            return self.conferences.ids[0]
        moment = datetime.fromisoformat(chosen_at) if chosen_at else None
        return series.conference_of(self.conferences.programs(), chosen, moment, self.now()).conference.id

    def leads(self) -> bool:
        """Whether this process runs the timed work (one process on SQLite always does)."""
        return self.cluster is None or self.cluster.is_leader

    def replan(self, people: Iterable[int] | None = None) -> None:
        """Registrations, bookmarks or settings of these people, or (None) the program changed:
        reminders follow. Called by the use cases (bot/usecases/) after each change."""
        if self.reminders is not None:
            self.reminders.request(people)

    def now(self) -> datetime:
        return self.clock.now()

    def is_admin(self, user_id: int | None) -> bool:
        """An organizer of the conference in scope: BOT_ADMINS organize every conference, and a
        program may name organizers of its own."""
        if self.settings.is_admin(user_id):
            return True
        conference_id = scope.current() or self.conferences.only()
        holder = self.conferences.get(conference_id)
        return holder is not None and user_id is not None and user_id in holder.current.conference.organizers

    def organizes(self, user_id: int | None, conference_id: str) -> bool:
        """Whether this person organizes that conference (whichever is in scope)."""
        holder = self.conferences.get(conference_id)
        return self.settings.is_admin(user_id) or (
            holder is not None and user_id is not None and user_id in holder.current.conference.organizers)
