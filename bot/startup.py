"""Loading the programs for run, check and the demo: a program file, a schedule, or a program
file that links a schedule by URL (read through a cache beside the database); or a series of
them (a folder, or several files)."""

from __future__ import annotations

import sys
from pathlib import Path

from .config import Settings
from .domain.loader import ProgramError, load_series
from .domain.program import Program


def fetcher(settings: Settings):
    """Reads a schedule the program file links by URL, caching it beside the database."""
    from .schedule_source import SourceFetcher

    return SourceFetcher(settings.cache_dir).fetch


def load_or_explain(path: Path, headline: str, fetch=None) -> list[tuple[Path, Program]] | None:
    """Every program BOT_PROGRAM names, with its file, or None after printing every problem (for
    run, the demo and the guest list's commands)."""
    try:
        return load_series(path, fetch)
    except ProgramError as error:
        print(f"{path}: {headline}", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return None
