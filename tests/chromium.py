"""Debian's chromium for the Mini App's browser tests: found, or installed from the system's
packages where it is missing (as tests/postgres.py does for PostgreSQL), so that the README's
test command passes on a fresh machine. Playwright's own browser download is never used: this
machine's network does not reach it.

No browser test is ever skipped: if chromium can be neither found nor installed, they fail and say why.
"""

from __future__ import annotations

import os
import shutil
import threading

import apt

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PACKAGE = "chromium"
_lock = threading.Lock()


def find() -> str | None:
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


def executable() -> str:
    """The path of chromium, installing it first if it is missing."""
    with _lock:
        found = find()
        if found is None:
            apt.install(PACKAGE, "chromium")
            found = find()
        if found is None:
            raise RuntimeError("chromium is not installed and could not be installed; "
                               "on Debian/Ubuntu: apt-get install chromium")
        return found
