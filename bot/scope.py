"""Which conference a piece of work belongs to: the one home of "the conference in scope".

One bot serves a series of conferences; everything personal belongs to one of them. Each piece of
work runs for one conference, set where the work enters the bot and nowhere else:

- an update from a person: their conference (handlers/common.asker; inline mode its own), and
  the one they switch to in it (usecases/conferences.choose: a button, a deep link, an invitation);
- a request of the Mini App: the person's conference (web/api.py);
- a message from the outbox: the conference it was queued in (handlers/push.py);
- the timed work: each conference in turn (reminder_service.py, announcement_service.py);
- a confirmation: the conference its preview was made in (handlers/conversation.py);
- the command line: the conference it names (guest_commands.py).

Under it, `Services.program` is that conference's program and storage reads and writes that
conference's rows (the storage's Database takes the scope with each call). With a single
conference nothing needs to be set; with several, work that reaches for a conference without one
in scope fails loudly (NoConference) instead of reading another conference's rows.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_current: ContextVar[str | None] = ContextVar("conference", default=None)


class NoConference(RuntimeError):
    """Work reached for a conference's program or rows without a conference in scope."""


def current() -> str | None:
    """The conference in scope, or None when none was set."""
    return _current.get()


def enter(conference_id: str) -> None:
    """From here on (in this task and the tasks it starts), work belongs to this conference."""
    _current.set(conference_id)


@contextmanager
def within(conference_id: str) -> Iterator[None]:
    """Work inside belongs to this conference; the scope before comes back after."""
    token = _current.set(conference_id)
    try:
        yield
    finally:
        _current.reset(token)
