"""This process among the bot's processes on one database.

Every process beats a heartbeat into the database every few seconds and tries to hold the
leader's lease. The leader alone runs the timed work: waking at the next reminder, starting
scheduled announcements, the retention purge, checking a linked schedule, and sending again
what a dead process had claimed. When the leader dies, its lease runs out and another process
takes over within LEASE + BEAT seconds (13 s). On SQLite the one process leads by definition.

Work that follows from an update (a sign-up plans its reminders) runs wherever the update
arrived: it is idempotent (every queued message has a dedup key), so it needs no leader.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from datetime import datetime, timezone
from typing import Awaitable, Callable

from .storage import Storage

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


class Cluster:
    BEAT = 3.0  # seconds between heartbeats and lease renewals
    DEAD_AFTER = 12.0  # a process silent this long is gone: its claimed messages go out again
    LEASE = 10.0  # the leader's lease; renewed every BEAT
    # A process joining others waits until they have seen it (their next beat) and the sends
    # they made alone, which no shared window recorded, have left the overall window.
    JOIN_GRACE = BEAT + 1.5

    def __init__(self, storage: Storage, alone: bool):
        self.storage = storage
        self.alone = alone
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.is_leader = False
        self.live: list[str] = [self.instance]
        self._on_lead: list[Hook] = []
        self._on_follow: list[Hook] = []
        self._task: asyncio.Task | None = None
        self._beaten_at = 0.0  # when this process's last heartbeat was stored (this host's monotonic clock)
        self._rejoining = asyncio.Lock()
        self.clock_offset = 0.0  # the database's clock minus this host's, as of the last beat

    def on_lead(self, hook: Hook) -> None:
        """Run when this process becomes the leader (also at start, if it is)."""
        self._on_lead.append(hook)

    def on_follow(self, hook: Hook) -> None:
        """Run when this process stops being the leader."""
        self._on_follow.append(hook)

    @property
    def solo(self) -> bool:
        """This process is the only one alive: no other process sends or writes, so the shared
        send budget can be skipped and what this process read stays true (bench/signup.py:
        a third of the round trips on PostgreSQL). Also on SQLite: two processes on one file
        see each other's heartbeats."""
        return self.live == [self.instance]

    async def join(self) -> None:
        """Announce this process and find the processes alive; call before delivery starts.
        With others alive, it returns once they know this process (JOIN_GRACE)."""
        await self._heartbeat()
        await self._see_live()
        self.storage.before_serialized_writes(self.ensure_seen)
        others = [instance for instance in self.live if instance != self.instance and not _gone(instance)]
        if others:
            log.info("%d other processes alive: joining them in %.1f s", len(others), self.JOIN_GRACE)
            await asyncio.sleep(self.JOIN_GRACE)

    async def ensure_seen(self) -> None:
        """Awaited before every serialized write. A process that has not stored a heartbeat for
        DEAD_AFTER - BEAT seconds (it stalled: a paused VM, SIGSTOP, swapping) may count as gone
        to the others, and one left alone trusts what it cached (seat counts, pending inputs):
        a write of this process now could overbook a session. So it joins again first."""
        if time.monotonic() - self._beaten_at < self.DEAD_AFTER - self.BEAT:
            return
        async with self._rejoining:  # the writes that woke up together wait for one rejoin
            silent = time.monotonic() - self._beaten_at
            if silent < self.DEAD_AFTER - self.BEAT:
                return
            log.warning("this process (%s) stored no heartbeat for %.0f s: joining the others again before it "
                        "writes", self.instance, silent)
            await self.join()

    async def _heartbeat(self) -> None:
        sent, sent_at = time.time(), time.monotonic()
        stamped = await self.storage.coordination.heartbeat(self.instance, self.started_at)
        answered = time.time()
        self._beaten_at = sent_at
        self.clock_offset = stamped - (sent + answered) / 2

    def database_time(self) -> float:
        """The database's clock now, as this host reckons it from the last heartbeat: what
        orders the waiting lists when several hosts take updates (their own clocks may differ)."""
        return time.time() + self.clock_offset

    async def _see_live(self) -> None:
        was_solo = self.solo
        self.live = await self.storage.coordination.live_instances(self.DEAD_AFTER)
        if self.instance not in self.live:  # a beat older than DEAD_AFTER (a stalled process): still us
            self.live = sorted(self.live + [self.instance])
        if self.solo != was_solo:  # the others died or left (worth a look), or one more joined
            log.log(logging.WARNING if self.solo else logging.INFO, "this process (%s) is %s", self.instance,
                    "alone now" if self.solo else f"one of {len(self.live)} alive")
        await self.storage.sole_writer(self.solo)

    async def start(self) -> None:
        await self.beat()
        self._task = asyncio.create_task(self._run(), name="cluster-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            await self.storage.coordination.leave(self.instance)
        except Exception as error:  # noqa: BLE001 - the others find out by the missing heartbeat
            log.warning("could not sign off from the database: %s", error)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.BEAT)
            try:
                await self.beat()
            except Exception:  # noqa: BLE001 - a database hiccup; the next beat tries again
                log.exception("heartbeat failed")

    async def beat(self) -> None:
        await self._heartbeat()
        await self._see_live()
        leads = await self.storage.coordination.hold_lease("leader", self.instance, self.LEASE, force=self.alone)
        if leads and not self.is_leader:
            self.is_leader = True
            if not self.alone:
                log.info("this process (%s) leads now; %d alive", self.instance, len(self.live))
            await self._call(self._on_lead)
        elif not leads and self.is_leader:
            self.is_leader = False
            log.warning("this process (%s) no longer leads", self.instance)
            await self._call(self._on_follow)
        if self.is_leader and not self.alone:
            requeued = await self.storage.outbox.requeue_in_flight(self.live)
            if requeued:
                log.warning("sending again %d messages claimed by a process that is gone", requeued)

    @staticmethod
    async def _call(hooks: list[Hook]) -> None:
        for hook in hooks:
            try:
                await hook()
            except Exception:  # noqa: BLE001 - one hook failing must not stop the others
                log.exception("leadership hook failed")


def _gone(instance: str) -> bool:
    """A process of this host that no longer exists (killed just before this one started: its
    heartbeat still looks fresh). Another host's process cannot be checked from here."""
    host, _, rest = instance.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, under another user
        return False
    return False
