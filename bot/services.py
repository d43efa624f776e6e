"""What handlers and background tasks share: settings, clock, storage and the live program.

One instance per Application, kept in `application.bot_data`; nothing module-global.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .clock import Clock
from .config import Settings
from .domain.loader import load_program
from .domain.program import Program
from .storage import Storage


@dataclass
class ProgramHolder:
    """The program in force; replaced whole on reload, never mutated."""

    path: Path
    current: Program
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def reload(self) -> tuple[Program, Program]:
        """Read the file again (off the event loop); returns (old, new). Raises ProgramError."""
        async with self._lock:
            new = await asyncio.to_thread(load_program, self.path)
            old, self.current = self.current, new
            return old, new


@dataclass
class Services:
    settings: Settings
    clock: Clock
    storage: Storage
    program: ProgramHolder
    delivery: object | None = None  # the outbox dispatcher, once started
    reminders: object | None = None  # the ReminderService, once started

    def replan(self) -> None:
        """Registrations, bookmarks, settings or the program changed: reminders follow."""
        if self.reminders is not None:
            self.reminders.request()  # type: ignore[attr-defined]

    def now(self) -> datetime:
        return self.clock.now()

    def is_admin(self, user_id: int | None) -> bool:
        return self.settings.is_admin(user_id)
