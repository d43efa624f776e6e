"""What handlers and background tasks share: settings, clock, storage and the live program.

One instance per Application, kept in `application.bot_data`; nothing module-global.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .clock import Clock
from .config import Settings
from .domain.loader import load_program
from .domain.changes import Override, apply_overrides
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


@dataclass
class Services:
    """Everything the use cases, handlers and background tasks share, typed. The parts that
    start with the bot (delivery, reminders, announcements, the web server, the cluster) are
    None until app.py's start-up has made them."""

    settings: Settings
    clock: Clock
    storage: Storage
    program: ProgramHolder
    delivery: Dispatcher | None = None  # the outbox dispatcher, once started
    reminders: ReminderService | None = None
    announcements: AnnouncementService | None = None
    web: WebServer | None = None  # the Mini App's server, once started (BOT_WEB_LISTEN)
    cluster: Cluster | None = None  # this process among the bot's processes (bot/cluster.py), once started
    offered_source: str | None = None  # fingerprint of the linked schedule last offered to organizers

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
        return self.settings.is_admin(user_id)
