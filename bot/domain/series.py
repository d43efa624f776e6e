"""A series of conferences in one bot: which conference a person is in, which are open, which are
over. Pure rules over programs and moments; no Telegram, no database.

A person is in one conference at a time: the one they chose (its deep link, a button) while it
is not over, otherwise the one running now, otherwise the next, otherwise the last one. A
conference is over a day after its end (ratings of its last sessions come in that day); then it
stays readable (its program, one's own ratings) and closes for everything else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .program import Program

GRACE = timedelta(days=1)  # after its end, a conference still takes ratings and notes for this long


def is_over(program: Program, now: datetime) -> bool:
    return now >= program.conference.end + GRACE


def is_running(program: Program, now: datetime) -> bool:
    return program.conference.start <= now < program.conference.end


def ordered(programs: list[Program]) -> list[Program]:
    """By start, then by id: the order the series is listed in."""
    return sorted(programs, key=lambda p: (p.conference.start, p.conference.id))


def open_conferences(programs: list[Program], now: datetime) -> list[Program]:
    """Running or still to come (or just ended): those a person can choose."""
    return [p for p in ordered(programs) if not is_over(p, now)]


def past_conferences(programs: list[Program], now: datetime) -> list[Program]:
    """Over, the most recent first: the archive."""
    return [p for p in reversed(ordered(programs)) if is_over(p, now)]


def default_conference(programs: list[Program], now: datetime) -> Program:
    """For someone who chose none: the running conference, else the next, else the last one."""
    series = ordered(programs)
    running = [p for p in series if is_running(p, now) or (p.conference.end <= now and not is_over(p, now))]
    if running:
        return running[0]
    coming = [p for p in series if p.conference.start > now]
    return coming[0] if coming else series[-1]


def conference_of(programs: list[Program], chosen: str | None, chosen_at: datetime | None, now: datetime) -> Program:
    """The conference a person is in now. A choice holds while its conference is not over, and
    also after, when it was made after the end (an organizer looking back at a past conference)."""
    by_id = {p.conference.id: p for p in programs}
    program = by_id.get(chosen or "")
    if program is not None:
        if not is_over(program, now) or (chosen_at is not None and chosen_at >= program.conference.end + GRACE):
            return program
    return default_conference(programs, now)
