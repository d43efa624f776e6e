"""What the network and Telegram's flood control do to a Bot API call: injected faults (429,
500, a timeout after processing, a dropped connection) and Telegram's limits on sending
(messages per second overall, per private chat, per group per minute)."""

from __future__ import annotations

import bisect
import math
import random
from collections import defaultdict, deque
from dataclasses import dataclass, field

from .errors import ApiError
from .world import Chat


@dataclass
class Faults:
    """Chances per Bot API call (0..1) of each fault; only for the listed methods (all if empty)."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_timeout: float = 0.0  # processed, then no answer for `timeout_seconds`: ambiguous to the bot
    rate_drop: float = 0.0  # connection closed before processing
    retry_after: int = 1
    timeout_seconds: float = 30.0
    methods: set[str] = field(default_factory=set)
    seed: int | None = None


class FaultDice:
    """Rolls for each call which fault, if any, strikes it."""

    def __init__(self, faults: Faults | None = None):
        self.faults = faults or Faults()
        self._random = random.Random(self.faults.seed)

    def roll(self, method: str) -> str | None:
        """"429", "500", "timeout", "drop" or None; getUpdates is never struck."""
        f = self.faults
        if method == "getUpdates" or (f.methods and method not in f.methods):
            return None
        roll = self._random.random()
        for name, rate in (("429", f.rate_429), ("500", f.rate_500), ("timeout", f.rate_timeout), ("drop", f.rate_drop)):
            if roll < rate:
                return name
            roll -= rate
        return None

    def raise_error(self, fault: str | None) -> None:
        """The error answer of a fault that has one."""
        if fault == "429":
            retry = self.faults.retry_after
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        if fault == "500":
            raise ApiError(500, "Internal Server Error")


@dataclass
class Limits:
    """Telegram's flood limits; 0 switches one off."""

    global_per_second: int = 0
    chat_per_second: int = 0
    chat_burst: int = 1
    group_per_minute: int = 0


class FloodControl:
    """Counts the sends that arrive, as Telegram does (not in the order they are processed),
    and refuses one that would exceed a limit with 429 and the seconds to wait."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self._sent_times: deque[float] = deque()
        self._chat_times: dict[int, deque[float]] = defaultdict(deque)

    def admit(self, chat: Chat | None, arrived: float) -> None:
        if self.limits.global_per_second:
            self._check_global(arrived)
        if chat is not None:
            self._check_chat(chat, arrived)
            self._chat_times[chat.id].append(arrived)
        bisect.insort(self._sent_times, arrived)

    def _check_global(self, now: float) -> None:
        window = self._sent_times
        while window and window[0] <= now - 2:
            window.popleft()
        # Requests are checked once their body is read, not always in the order they arrived:
        # every one-second span that would hold this arrival must stay within the limit.
        wait = _overfull(window, now, self.limits.global_per_second, 1.0)
        if wait:
            _too_many(wait, "global")

    def _check_chat(self, chat: Chat, now: float) -> None:
        limits, per_chat = self.limits, self._chat_times[chat.id]
        if chat.type == "private" and limits.chat_per_second:
            span = limits.chat_burst / limits.chat_per_second
            while per_chat and per_chat[0] <= now - span:
                per_chat.popleft()
            if len(per_chat) >= limits.chat_burst:
                _too_many(per_chat[0] + span - now, "chat")
        elif chat.type != "private" and limits.group_per_minute:
            while per_chat and per_chat[0] <= now - 60:
                per_chat.popleft()
            if len(per_chat) >= limits.group_per_minute:
                _too_many(per_chat[0] + 60 - now, "group")


def _overfull(events: deque[float], moment: float, limit: int, span: float) -> float:
    """0 if one more event at `moment` leaves every `span`-long window that holds it within
    `limit` (events sorted); else the seconds until the fullest such window has passed."""
    times = list(events)[bisect.bisect_right(events, moment - span):bisect.bisect_right(events, moment + span)]
    inserted = sorted(times + [moment])
    for index, first in enumerate(inserted):
        if first > moment:
            break
        if bisect.bisect_left(inserted, first + span) - index > limit:
            return first + span - moment
    return 0.0


def _too_many(wait: float, scope: str) -> None:
    retry = max(1, math.ceil(wait))
    error = ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
    error.scope = scope  # for the request log only; Telegram does not say
    raise error
