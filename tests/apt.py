"""Installing a Debian package the tests need where it is missing (PostgreSQL's server, chromium),
as root or with sudo: the README's test command then passes on a fresh machine."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

# Two test workers (pytest-xdist) may both find a package missing; apt-get holds dpkg's lock and
# the second would fail on it, so they take turns (the second then installs nothing new).
LOCK = Path("/tmp/bot-tests-apt.lock")


def install(package: str, what: str) -> None:
    """apt-get install `package`; raises with apt's own words (naming `what`) when it fails."""
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install(package, what)


def _install(package: str, what: str) -> None:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]):
        try:
            result = subprocess.run(prefix + command, env=env, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RuntimeError(f"could not install {what} ({' '.join(command)}): {error}") from None
        if result.returncode != 0:
            raise RuntimeError(f"could not install {what} ({' '.join(command)}): {result.stderr.strip()[-500:]}")
