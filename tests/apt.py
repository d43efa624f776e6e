"""Installing a Debian package the tests need where it is missing (PostgreSQL's server, chromium),
as root or with sudo: the README's test command then passes on a fresh machine."""

from __future__ import annotations

import os
import subprocess


def install(package: str, what: str) -> None:
    """apt-get install `package`; raises with apt's own words (naming `what`) when it fails."""
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]):
        try:
            result = subprocess.run(prefix + command, env=env, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RuntimeError(f"could not install {what} ({' '.join(command)}): {error}") from None
        if result.returncode != 0:
            raise RuntimeError(f"could not install {what} ({' '.join(command)}): {result.stderr.strip()[-500:]}")
