"""Webhook updates: each update id is handled once, whichever process receives it and however
often Telegram retries it (bot/webhook.py).

Bookkeeping durability: it survives kill -9; a power loss can at worst let an update be
handled twice, never lose one. No lock is needed: the claim is one row, and the database
decides which of two racing claims wins. Claims are stamped with the database's clock, so that
a host whose clock runs ahead does not take over another's claim before it is stale.
"""

from __future__ import annotations

from .engine import Database


class Updates:
    def __init__(self, db: Database):
        self._db = db

    async def claim(self, update_id: int, instance: str, stale_after: float) -> str:
        """'claimed' when this process may handle the update now (a new one, or one whose claim
        went stale because its process died mid-update); 'done' when it was handled already;
        'busy' when another claim renewed within `stale_after` seconds is still working on it."""
        def work(conn):
            clock = conn.dialect.clock
            inserted = conn.execute(
                f"INSERT INTO processed_updates (update_id, state, claimed_at, instance) VALUES (?, 'working', {clock}, ?) "
                "ON CONFLICT (update_id) DO NOTHING", (update_id, instance)).rowcount
            if inserted:
                return "claimed"
            taken_over = conn.execute(
                f"UPDATE processed_updates SET claimed_at = {clock}, instance = ? "
                f"WHERE update_id = ? AND state = 'working' AND claimed_at < {clock} - ?",
                (instance, update_id, stale_after)).rowcount
            if taken_over:
                return "claimed"
            row = conn.execute("SELECT state FROM processed_updates WHERE update_id = ?", (update_id,)).fetchone()
            return "done" if row is not None and row[0] == "done" else "busy"
        return await self._db.run(work, durable=False, serialized=False)

    async def renew(self, update_ids: list[int], instance: str) -> int:
        """This process is still handling these updates: their claims are fresh again, so that no
        other process takes a slow update over while its handler runs. Returns the claims renewed."""
        if not update_ids:
            return 0
        return await self._db.run(lambda conn: conn.execute(
            f"UPDATE processed_updates SET claimed_at = {conn.dialect.clock} WHERE instance = ? AND state = 'working' "
            f"AND update_id IN ({','.join('?' * len(update_ids))})", (instance, *update_ids)).rowcount,
            durable=False, serialized=False)

    async def finish(self, update_id: int) -> None:
        """The update was handled: later deliveries of it are answered without handling it."""
        await self._db.run(lambda conn: conn.execute(
            f"UPDATE processed_updates SET state = 'done', claimed_at = {conn.dialect.clock} WHERE update_id = ?",
            (update_id,)), durable=False, serialized=False)

    async def release(self, update_id: int, instance: str) -> None:
        """This process gives up its claim (it could not handle the update): the next delivery handles it."""
        await self._db.run(lambda conn: conn.execute(
            "DELETE FROM processed_updates WHERE update_id = ? AND instance = ? AND state = 'working'",
            (update_id, instance)), durable=False, serialized=False)

    async def purge(self, older_than: float) -> int:
        """Forget updates claimed more than `older_than` seconds ago (Telegram gives up retrying
        long before a day)."""
        return await self._db.run(lambda conn: conn.execute(
            f"DELETE FROM processed_updates WHERE claimed_at < {conn.dialect.clock} - ?", (older_than,)).rowcount,
            durable=False, serialized=False)
