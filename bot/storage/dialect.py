"""Where SQLite and PostgreSQL differ, and nowhere else.

The storage modules write one SQL: `?` placeholders, `ON CONFLICT … DO UPDATE`, `RETURNING`,
`INTEGER` and `REAL` columns, 0/1 for booleans. This module connects, migrates, and turns
that SQL into PostgreSQL's where needed: `%s` placeholders, 64-bit integers (Telegram ids do
not fit 32 bits), identity columns for `id INTEGER PRIMARY KEY`, a version table instead of
`PRAGMA user_version`, an advisory lock where SQLite's BEGIN IMMEDIATE serializes, and
`FOR UPDATE SKIP LOCKED` where several processes claim rows.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)

SERIALIZE_LOCK = 0x4B6F6E66  # "Konf": the one advisory lock that serialized work takes
MIGRATION_LOCK = 0x4B6F6E67


def is_postgres(database: str | Path) -> bool:
    return str(database).startswith(("postgresql://", "postgres://"))


def for_database(database: str | Path) -> "Dialect":
    return Postgres() if is_postgres(database) else Sqlite()


def redact(database: str) -> str:
    """A database URL without its password, for logs and messages."""
    if not is_postgres(database):
        return database
    parts = urlsplit(database)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _statements(script: str, dialect: str) -> list[str]:
    """The statements of a migration for one dialect: a statement marked /*postgresql*/ or
    /*sqlite*/ runs on that one only (the few things one SQL cannot say for both, such as moving
    an identity column's sequence past the ids a rebuilt table copied)."""
    chosen = []
    for statement in script.split(";"):
        text = statement.strip()
        marker = re.match(r"/\*(postgresql|sqlite)\*/", text)
        if not text or (marker and marker.group(1) != dialect):
            continue
        chosen.append(text[marker.end():] if marker else statement)
    return chosen


class Dialect:
    name = ""
    skip_locked = ""  # appended to a SELECT that claims rows
    lock_row = ""  # appended to a SELECT whose row is updated next
    no_limit: int | None = -1  # LIMIT ? with this: all rows
    # The database's own clock, in seconds since 1970: what processes on several hosts agree on
    # (a host's clock may be off by seconds). SQLite's one host has one clock anyway.
    clock = "((julianday('now') - 2440587.5) * 86400.0)"
    cheap_savepoints = True  # in-process on SQLite; two round trips each on PostgreSQL
    lanes = 1  # worker threads (connections): SQLite's one connection serializes anyway

    def pipeline(self, conn):
        return nullcontext()
    retryable: tuple[type[BaseException], ...] = ()

    def sql(self, statement: str) -> str:
        return statement

    def savepoint(self, conn) -> None:
        conn.execute("SAVEPOINT call")

    def release_savepoint(self, conn) -> None:
        conn.execute("RELEASE SAVEPOINT call")

    def rollback_savepoint(self, conn) -> None:
        conn.execute("ROLLBACK TO SAVEPOINT call")
        conn.execute("RELEASE SAVEPOINT call")


class Sqlite(Dialect):
    """One connection on the storage thread; every transaction is BEGIN IMMEDIATE, so
    transactions never interleave. WAL journal; durable batches commit with synchronous=FULL
    (they survive kill -9 and power loss), bookkeeping-only batches with NORMAL."""

    name = "sqlite"

    def connect(self, database: str) -> tuple[sqlite3.Connection, None]:
        path = Path(database)
        if database != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        self._synchronous = "FULL"
        return conn, None

    def disconnect(self, conn, pool) -> None:
        if conn is not None:
            conn.close()

    def migrate(self, conn: sqlite3.Connection, pool, migrations: list[str]) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        _check_version(version, migrations)
        for number, script in enumerate(migrations[version:], start=version + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script, self.name):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            log.info("database migrated to schema %d", number)

    @contextmanager
    def transaction(self, conn: sqlite3.Connection, pool, durable: bool, engine,
                    serialized: bool = False) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE serializes every transaction, `serialized` or not."""
        wanted = "FULL" if durable else "NORMAL"
        if wanted != self._synchronous:
            conn.execute(f"PRAGMA synchronous = {wanted}")
            self._synchronous = wanted
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


class Row(tuple):
    """A row that answers by position and by column name, like sqlite3.Row."""

    def __new__(cls, values, index: dict[str, int]):
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor):
    index = {column.name: position for position, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


@lru_cache(maxsize=1024)
def _postgres_sql(statement: str) -> str:
    return statement.replace("%", "%%").replace("?", "%s")


def _postgres_ddl(statement: str) -> str:
    statement = re.sub(r"\bid INTEGER PRIMARY KEY\b", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", statement)
    statement = re.sub(r"\bINTEGER\b", "BIGINT", statement)
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", statement)


class Postgres(Dialect):
    """psycopg 3 with a connection pool (a broken connection is replaced, not fatal).
    Serialized work takes one transaction-level advisory lock; claims skip locked rows."""

    name = "postgresql"
    clock = "EXTRACT(EPOCH FROM clock_timestamp())::DOUBLE PRECISION"  # the moment, not the transaction's start
    skip_locked = " FOR UPDATE SKIP LOCKED"
    lock_row = " FOR UPDATE"
    no_limit = None
    cheap_savepoints = False
    lanes = 3  # serialized work, work that takes no lock, and reads (a planner's big read never holds up a touch)

    def pipeline(self, conn):
        return conn.pipeline()

    def __init__(self) -> None:
        import psycopg  # only needed with a PostgreSQL database
        self.retryable = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)
        self._broken = psycopg.OperationalError

    def sql(self, statement: str) -> str:
        return _postgres_sql(statement)

    def connect(self, database: str):
        from psycopg_pool import ConnectionPool

        def configure(conn) -> None:
            conn.autocommit = True  # BEGIN and COMMIT are ours, as on SQLite
            conn.row_factory = _row_factory

        pool = ConnectionPool(database, min_size=self.lanes, max_size=self.lanes + 1, configure=configure, open=False,
                              name="konferenz-bot")
        pool.open(wait=True, timeout=15)
        return None, pool

    def disconnect(self, conn, pool) -> None:
        if pool is not None:
            pool.close()

    def migrate(self, conn, pool, migrations: list[str]) -> None:
        with pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))  # two instances starting together
            try:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
                row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                version = row[0] or 0
                _check_version(version, migrations)
                for number, script in enumerate(migrations[version:], start=version + 1):
                    with conn.transaction():
                        for statement in _statements(script, self.name):
                            conn.execute(_postgres_ddl(statement))
                        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
                    log.info("database migrated to schema %d", number)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    @contextmanager
    def transaction(self, conn, pool, durable: bool, engine, serialized: bool = False) -> Iterator[Any]:
        """Serialized: first, before any row is touched, the advisory lock that read-then-decide
        work takes (a batch never holds rows while it waits). The opening statements go in one
        round trip."""
        opening = ["BEGIN"]
        if not durable:
            opening.append("SET LOCAL synchronous_commit TO OFF")
        if serialized:
            opening.append(f"SELECT pg_advisory_xact_lock({SERIALIZE_LOCK:d})")
        conn = self._open(pool, "; ".join(opening))
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if not conn.closed:
                try:
                    conn.execute("ROLLBACK")
                except Exception:  # noqa: BLE001 - the connection broke; the pool replaces it
                    pass
            raise
        finally:
            pool.putconn(conn)

    def _open(self, pool, opening: str) -> Any:
        """A pooled connection with its transaction begun. The pool does not test a connection
        before handing it out (a round trip per transaction, 2 ms under load): a connection that
        broke meanwhile (the server restarted, an idle timeout) fails here, before anything of
        the transaction ran, and is replaced by a fresh one."""
        for attempt in range(self.lanes + 2):  # every pooled connection may have broken at once
            conn = pool.getconn()
            try:
                conn.execute(opening)
                return conn
            except self._broken as error:
                pool.putconn(conn)  # a broken connection is discarded, not pooled again
                if attempt == self.lanes + 1:
                    raise
                log.warning("a database connection broke (%s); trying another", error)
        raise AssertionError("unreachable")



def _check_version(version: int, migrations: list[str]) -> None:
    if version > len(migrations):
        raise RuntimeError(f"database schema {version} is newer than this bot ({len(migrations)})")
