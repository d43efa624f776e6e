"""A throwaway PostgreSQL server for the tests: found (or installed from the system's
packages where it is missing), started on loopback in a temporary folder, removed afterwards.

Every test that runs on PostgreSQL gets its own schema in it (a fresh, empty database as far
as the bot can tell), which takes milliseconds where a database would take a second.
No PostgreSQL test is ever skipped: if no server can be found or installed, they fail and say why.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import apt



def find_binaries() -> Path | None:
    """The folder with initdb and pg_ctl: Debian keeps them out of PATH, under /usr/lib/postgresql."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def install() -> None:
    """Install the server from the system's packages (Debian/Ubuntu), as root or with sudo."""
    apt.install("postgresql", "PostgreSQL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayPostgres:
    """initdb + pg_ctl start in a temporary folder; `url(schema)` names one schema in it."""

    USER = "bot"

    def __init__(self, durable: bool = False) -> None:
        self.durable = durable  # benchmarks: the server's default flushes; tests: none, for speed
        self.folder: Path | None = None
        self.port = 0
        self._schemas = itertools.count(1)
        self._run_as: list[str] = []

    def start(self) -> "ThrowawayPostgres":
        binaries = find_binaries()
        if binaries is None:
            install()
            binaries = find_binaries()
        if binaries is None:
            raise RuntimeError("PostgreSQL's server (initdb, pg_ctl) is not installed and could not be installed; "
                               "on Debian/Ubuntu: apt-get install postgresql")
        self.folder = Path(tempfile.mkdtemp(prefix="bot-pg-"))
        if os.geteuid() == 0:  # the server refuses to run as root
            shutil.chown(self.folder, "postgres" if _user_exists("postgres") else "nobody")
            self._run_as = ["runuser", "-u", "postgres" if _user_exists("postgres") else "nobody", "--"]
        data = self.folder / "data"
        self._run([str(binaries / "initdb"), "-D", str(data), "-U", self.USER, "-A", "trust", "--no-sync",
                   "-E", "UTF8", "--locale", "C"])
        self.port = _free_port()
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.folder / "log"),
                   "-w", "-t", "60", "start"])
        self._binaries = binaries
        return self

    def stop(self) -> None:
        if self.folder is None:
            return
        subprocess.run(self._run_as + [str(self._binaries / "pg_ctl"), "-D", str(self.folder / "data"),
                                       "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    @property
    def base_url(self) -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/postgres"

    def url(self, schema: str | None = None) -> str:
        """A database URL whose tables live in a fresh schema of their own."""
        schema = schema or f"t{next(self._schemas)}"
        import psycopg
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        return f"{self.base_url}?options={quote(f'-csearch_path={schema}')}"

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(self._run_as + command, capture_output=True, text=True)
        if result.returncode != 0:
            log = ""
            if self.folder is not None and (self.folder / "log").exists():
                log = (self.folder / "log").read_text()[-1000:]
            raise RuntimeError(f"{' '.join(command[:1])} failed: {result.stderr.strip()[-1000:]} {log}")


def _user_exists(name: str) -> bool:
    import pwd
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def execute(database: Path | str, sql: str, params: tuple = ()) -> int:
    """Change a bot's database directly and commit, on either backend (`?` placeholders): e.g.
    make stored moments older, as if time had passed. Returns the rows changed."""
    if not str(database).startswith("postgresql://"):
        with closing(sqlite3.connect(database)) as conn:
            changed = conn.execute(sql, params).rowcount
            conn.commit()
            return changed
    import psycopg
    with psycopg.connect(str(database), autocommit=True) as conn:
        return conn.execute(sql.replace("%", "%%").replace("?", "%s"), params).rowcount


def query(database: Path | str, sql: str, params: tuple = ()) -> list[tuple]:
    """Look into a bot's database directly, on either backend (`?` placeholders)."""
    if not str(database).startswith("postgresql://"):
        with closing(sqlite3.connect(database)) as conn:
            return [tuple(row) for row in conn.execute(sql, params)]
    import psycopg
    with psycopg.connect(str(database), autocommit=True) as conn:
        return [tuple(row) for row in conn.execute(sql.replace("%", "%%").replace("?", "%s"), params)]
