"""Several bot processes on one database: which of them live (heartbeats), which one leads
(a lease row), and Telegram's send budget, which belongs to the bot and so is shared by all.

Every moment here is read from the database's clock (dialect.clock), never a host's: hosts'
clocks drift apart by seconds, and two processes whose clocks disagree by more than a lease
would both lead. Callers get durations ("wait 0.3 s"), not moments. These are wall-clock
seconds, never the rehearsal clock: they measure processes, not the conference.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from .engine import Database, read_meta


class Coordination:
    def __init__(self, db: Database):
        self._db = db
        self._budget_salt: str | None = None  # read once from the database (the same for every process)

    async def heartbeat(self, instance: str, started_at: str) -> float:
        """Record that this process lives; returns the database's clock at that moment."""
        def work(conn):
            return conn.execute(
                f"""INSERT INTO instances (id, started_at, heartbeat) VALUES (?, ?, {conn.dialect.clock})
                    ON CONFLICT (id) DO UPDATE SET heartbeat = excluded.heartbeat RETURNING heartbeat""",
                (instance, started_at)).fetchone()[0]
        return await self._db.run(work, durable=False, serialized=False)

    async def live_instances(self, timeout: float) -> list[str]:
        """The processes whose last heartbeat is at most `timeout` seconds old."""
        return await self._db.run(lambda conn: [row[0] for row in conn.execute(
            f"SELECT id FROM instances WHERE heartbeat >= {conn.dialect.clock} - ? ORDER BY id", (timeout,))], write=False)

    async def leave(self, instance: str) -> None:
        """A process stops gracefully: it no longer counts as alive, and leads no more."""
        def work(conn):
            conn.execute("DELETE FROM instances WHERE id = ?", (instance,))
            conn.execute("DELETE FROM leases WHERE holder = ?", (instance,))
        await self._db.run(work, durable=False, serialized=False)

    async def hold_lease(self, name: str, holder: str, seconds: float, force: bool = False) -> bool:
        """Take or renew the lease `name` for `seconds`; False while another holder's lease
        runs. `force` takes it regardless (one process on a SQLite file is alone by definition)."""
        def work(conn):
            clock = conn.dialect.clock
            taken = conn.execute(
                f"""INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, {clock} + ?)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                    WHERE leases.holder = excluded.holder OR leases.expires_at < {clock} OR ? = 1
                    RETURNING holder""", (name, holder, seconds, 1 if force else 0)).fetchone()
            conn.execute(f"DELETE FROM instances WHERE heartbeat < {clock} - 3600")  # long gone
            # windows are at most a minute long: older counts are spent (and name a chat)
            conn.execute(f"DELETE FROM rate_budget WHERE last_at < {clock} - 120")
            return taken is not None
        return await self._db.run(work, durable=False, serialized=False)

    async def take_send_slot(self, windows: list[tuple[str, int, float]], now: float | None = None) -> tuple[float, float]:
        """One send within every window (key, limit, span): at most `limit` sends in any `span`
        seconds, counted over all processes. Returns (0, the moment it was counted at) when every
        window has room; otherwise (the seconds to wait, None), nothing recorded. The moment is the
        database's when the transaction runs (unless given, for tests), so that the sends recorded
        stay in order and close to when they leave, whatever the hosts' clocks say."""
        def work(conn):
            moment = database_time(conn) if now is None else now
            return _take(conn, self._stored(conn, windows), moment), moment
        wait, moment = await self._db.run(work, durable=False, serialized=False)
        return wait, (moment if wait <= 0 else None)

    async def count_send_later(self, windows: list[tuple[str, int, float]], moment: float, later: float) -> None:
        """A send counted at `moment` (take_send_slot) may have arrived as late as `later`: it
        counts there in every window it took, so that the send `limit` places after it, from
        whichever process, keeps a full span from its possible arrival."""
        await self._db.run(lambda conn: _move_later(conn, self._stored(conn, windows), moment, later),
                           durable=False, serialized=False)

    def _stored(self, conn, windows: list[tuple[str, int, float]]) -> list[tuple[str, int, float]]:
        if self._budget_salt is None:
            self._budget_salt = budget_salt(conn, create=True)
        return [(_stored_key(self._budget_salt, key), limit, span) for key, limit, span in windows]

    async def reserve_bulk_slot(self, interval: float) -> float:
        """The next free slot in the timetable of bulk sends all processes share, taken: bulk
        sends leave `interval` apart whichever process sends them, so one process alone sends at
        the full rate and two together never bunch. Returns the seconds until the slot (the
        caller sleeps that long): a duration, so that hosts whose clocks differ agree on it."""
        def work(conn):
            now = database_time(conn)
            row = conn.execute(f"SELECT events FROM rate_budget WHERE key = 'bulk'{conn.dialect.lock_row}").fetchone()
            slot = max(now, json.loads(row[0])[0] if row else 0.0)
            conn.execute("""INSERT INTO rate_budget (key, events, last_at) VALUES ('bulk', ?, ?)
                            ON CONFLICT (key) DO UPDATE SET events = excluded.events, last_at = excluded.last_at""",
                         (json.dumps([slot + interval]), now))
            return slot - now
        return await self._db.run(work, durable=False, serialized=False)


def database_time(conn) -> float:
    """The database's clock now (seconds since 1970)."""
    return conn.execute(f"SELECT {conn.dialect.clock}").fetchone()[0]


def budget_salt(conn, create: bool = False) -> str | None:
    """The database's secret for chat keys in the budget, made on first use. Every process reads
    the same one, so that they count a chat's sends under the same key."""
    salt = read_meta(conn, "budget_salt")
    if salt is not None or not create:
        return salt
    # DO NOTHING: another process may have made it meanwhile, and its salt is the one to use
    conn.execute("INSERT INTO meta (key, value) VALUES ('budget_salt', ?) ON CONFLICT (key) DO NOTHING",
                 (secrets.token_hex(16),))
    return read_meta(conn, "budget_salt")


def chat_budget_key(salt: str, chat_id: int | str) -> str:
    """A chat's send window is stored under a keyed hash of its id, never the id: a message in
    flight when its person erases their data still takes its slot afterwards, and that row (gone
    two minutes later) must not name them."""
    return "chat:" + hashlib.blake2b(str(chat_id).encode(), key=salt.encode(), digest_size=12).hexdigest()


def _stored_key(salt: str, key: str) -> str:
    kind, _, chat_id = key.partition(":")
    return chat_budget_key(salt, chat_id) if kind == "chat" else key


def _take(conn, windows: list[tuple[str, int, float]], now: float) -> float:
    """Sliding windows as the local limiter keeps them (delivery.SlidingWindow), in the database."""
    events = {}
    for key, limit, span in windows:
        recent = sorted(t for t in _events(conn, key) if t > now - span)
        if len(recent) >= limit:
            return recent[len(recent) - limit] + span - now
        events[key] = sorted(recent + [now])[-limit:]
    _store(conn, events, now)
    return 0.0


def _move_later(conn, windows: list[tuple[str, int, float]], moment: float, later: float) -> None:
    events = {}
    for key, limit, _ in windows:
        recent = list(_events(conn, key))
        if moment in recent:
            recent.remove(moment)  # else pushed out by later sends already: its late arrival still counts
        events[key] = sorted(recent + [later])[-limit:]
    _store(conn, events, later)


def _events(conn, key: str) -> list[float]:
    known = conn.batch.setdefault("budget", {})  # rows this batch read (and locked) already
    if key not in known:
        row = conn.execute(f"SELECT events FROM rate_budget WHERE key = ?{conn.dialect.lock_row}", (key,)).fetchone()
        known[key] = json.loads(row[0]) if row else []
    return known[key]


def _store(conn, events: dict[str, list[float]], now: float) -> None:
    known = conn.batch["budget"]
    with conn.pipeline():  # the windows' writes, one round trip (PostgreSQL)
        for key, recent in events.items():
            known[key] = recent
            conn.execute("""INSERT INTO rate_budget (key, events, last_at) VALUES (?, ?, ?)
                            ON CONFLICT (key) DO UPDATE SET events = excluded.events, last_at = excluded.last_at""",
                         (key, json.dumps(recent), now))
