"""Bad command-line flags get one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.parametrize("flags", [["--clock-speed", "0"], ["--clock-speed", "abc"], ["--clock-speed", "-5"],
                                   ["--clock-start", "notatime"], ["--admins", "anna"], ["--lang", "fr"], ["--bogus"]])
def test_bad_demo_flags_get_one_clear_line(flags, tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot", "demo", "--database", str(tmp_path / "db.sqlite3"), *flags],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
