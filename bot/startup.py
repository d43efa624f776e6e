"""Loading the program for run, check and the demo: a program file, a schedule, or a program
file that links a schedule by URL (read through a cache beside the database)."""

from __future__ import annotations

import sys
from pathlib import Path

from .config import Settings
from .domain.loader import ProgramError, load_program
from .domain.program import Program


def fetcher(settings: Settings):
    """Reads a schedule the program file links by URL, caching it beside the database."""
    from .schedule_source import SourceFetcher

    return SourceFetcher(settings.cache_dir).fetch


def load_or_explain(path: Path, headline: str, fetch=None) -> Program | None:
    """The program, or None after printing every problem (for run and demo)."""
    try:
        return load_program(path, fetch)
    except ProgramError as error:
        print(f"{path}: {headline}", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return None
