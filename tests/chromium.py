"""Debian's chromium for the Mini App's browser tests: found, or installed from the system's
packages where it is missing (as tests/postgres.py does for PostgreSQL), so that the README's
test command passes on a fresh machine. Playwright's own browser download is never used: this
machine's network does not reach it.

No browser test is ever skipped: if chromium can be neither found nor installed, they fail and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PACKAGE = "chromium"
_lock = threading.Lock()


def find() -> str | None:
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


def install() -> None:
    """apt-get install chromium, as root or with sudo; raises with apt's own words on failure."""
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", PACKAGE]):
        try:
            result = subprocess.run(prefix + command, env=env, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RuntimeError(f"could not install chromium ({' '.join(command)}): {error}") from None
        if result.returncode != 0:
            raise RuntimeError(f"could not install chromium ({' '.join(command)}): {result.stderr.strip()[-500:]}")


def executable() -> str:
    """The path of chromium, installing it first if it is missing."""
    with _lock:
        found = find()
        if found is None:
            install()
            found = find()
        if found is None:
            raise RuntimeError("chromium is not installed and could not be installed; "
                               "on Debian/Ubuntu: apt-get install chromium")
        return found
