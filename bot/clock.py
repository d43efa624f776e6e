"""The bot's idea of "now": the real clock, or a rehearsal clock that starts at a chosen
instant and runs faster, so organizers can play through the conference day in minutes."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone


class Clock:
    """Real time, always timezone-aware (UTC); callers convert to the conference zone."""

    speed: float = 1.0

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def seconds_until(self, moment: datetime) -> float:
        """Real seconds to wait until the clock shows `moment` (0 if it has passed)."""
        return max(0.0, (moment - self.now()).total_seconds() / self.speed)

    def describe(self) -> str:
        return "real clock"


class RehearsalClock(Clock):
    def __init__(self, start: datetime, speed: float = 1.0, *, real_start: float | None = None):
        if start.tzinfo is None:
            raise ValueError("the rehearsal start needs a time zone")
        if speed <= 0:
            raise ValueError("the rehearsal speed must be positive")
        self.start = start
        self.speed = speed
        self._real_start = time.monotonic() if real_start is None else real_start

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._real_start) * self.speed
        # Elapsed time is added to the instant (UTC), not to the local wall clock: an aware
        # datetime in a zone adds wall time, which runs an hour off across a DST change.
        return self.start.astimezone(timezone.utc) + timedelta(seconds=elapsed)

    def describe(self) -> str:
        return f"rehearsal clock from {self.start.isoformat()} at {self.speed:g}× speed"
