"""Keeps the outbox supplied with reminders as they fall due.

With several processes, any of them queues what is due when a change asks for it (queuing is
idempotent), but only the leader (bot/cluster.py) sets the timer for the next moment, starts
scheduled announcements and runs the retention purge.

The plan comes from the database and the program every time (domain.reminders), never
from a scheduler's memory: APScheduler, through the JobQueue, only wakes this service at
the next due moment, and the service is run once at start-up, so jobs lost with a
restart are rebuilt and reminders that fell due while the bot was down are caught up.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Iterable

from telegram.ext import JobQueue

from .domain import reminders as plan
from . import scope
from .services import Services
from .usecases import announcements, privacy

log = logging.getLogger(__name__)
JOB_NAME = "reminder-plan"
SAFETY_JOB = "reminder-safety-net"
SAFETY_INTERVAL = 60.0  # real seconds: also catches clock jumps (suspend, NTP, a changed rehearsal clock)


class ReminderService:
    DEBOUNCE = 0.2  # real seconds: a burst of sign-ups re-plans once

    def __init__(self, svc: Services, job_queue: JobQueue | None):
        self.svc = svc
        self.job_queue = job_queue
        self._lock = asyncio.Lock()
        self._pending: asyncio.Task | None = None
        self._everyone: set[str] = set()  # conferences whose everyone is to be re-planned
        self._people: dict[str, set[int]] = {}  # else, per conference, the people whose reminders may have changed

    def start_safety_net(self) -> None:
        if self.job_queue is not None:
            self.job_queue.run_repeating(self._wake, interval=SAFETY_INTERVAL, first=SAFETY_INTERVAL, name=SAFETY_JOB)

    async def run(self, conferences: Iterable[str] | None = None) -> int:
        """Queue every reminder that is due now, in every conference (or these); schedule the
        next wake-up. Returns rows queued."""
        async with self._lock:
            now = self.svc.now()
            queued, moments = 0, []
            everyone = conferences is None
            for conference_id in self.svc.conferences.ids if everyone else conferences:
                with scope.within(conference_id):
                    found, later = await self._run_conference(now)
                queued += found
                moments += later
            if self.svc.leads() and everyone:
                self._schedule(min(moments) if moments else None)
            elif self.svc.leads() and moments:
                self._schedule_no_later_than(min(moments))
            return queued

    async def _run_conference(self, now) -> tuple[int, list]:
        """One conference: its reminders and feedback questions due now, its scheduled
        announcements, its retention purge; the moments to wake for next."""
        program = self.svc.program.current
        purge_at = plan.purge_moment(program)
        if now >= purge_at:
            if self.svc.leads() and await self.svc.storage.privacy.purged_at() is None:
                counts = await privacy.purge(self.svc)
                log.warning("retention period of %s over: its personal data purged (%s)", program.conference.id, counts)
            return 0, []
        quiet = plan.quiet_until(program)
        if now < quiet:  # months ahead, say: wake when its first reminder can be owed, plan then
            queued, owed, prompts = 0, [], []
        elif plan.may_owe(program, now):
            queued, owed, prompts = await self._queue_due(now, None)
        else:
            queued, owed, prompts = 0, [], []
        if not self.svc.leads():
            return queued, []  # the leader wakes at the next moment; queuing what is due is safe anywhere
        await self._start_due_announcements()
        moments = [m for m in (plan.next_due(owed, now), plan.next_due(prompts, now), await self._next_announcement(),
                               purge_at, quiet if now < quiet else None) if m is not None]
        return queued, moments

    async def _queue_due(self, now, people: list[int] | None) -> tuple[int, list, list]:
        """Queue the reminders and feedback questions due now, for everyone (None) or these
        people; returns the reminders queued, and all reminders and questions owed."""
        program = self.svc.program.current
        subjects = await self.svc.storage.audiences.reminder_subjects(people)
        owed = plan.plan(program, subjects)
        queued = await self.svc.storage.outbox.enqueue_planned(plan.due_now(owed, now), now)
        if queued:
            log.info("queued %d reminders", queued)
        prompts = plan.feedback_prompts(program, [s for s in subjects if s.relation != "waitlisted"])
        await self.svc.storage.outbox.enqueue_planned(plan.due_now(prompts, now), now)
        return queued, owed, prompts

    async def _start_due_announcements(self) -> None:
        """Scheduled announcements (from the chat or program.yaml) go out through the same path."""
        for announcement_id, recipients in await announcements.start_due(self.svc):
            log.info("scheduled announcement %s started for %s recipients", announcement_id, recipients)

    async def _next_announcement(self):
        at = await self.svc.storage.announcements.next_at()
        return datetime.fromtimestamp(at, timezone.utc) if at is not None else None

    def request(self, people: Iterable[int] | None = None) -> None:
        """Something changed in the conference in scope: re-plan soon, for these people (a
        sign-up, a bookmark, a setting) or for everyone (None: the program). During a burst of
        sign-ups this reads the registrations of the people who signed up, not all of them
        again and again."""
        conferences = [scope.current() or self.svc.conferences.only()]
        if conferences[0] is None:  # asked without a conference in scope: every conference
            conferences = self.svc.conferences.ids
        for conference_id in conferences:
            if people is None:
                self._everyone.add(conference_id)
                self._people.pop(conference_id, None)
            elif conference_id not in self._everyone:
                self._people.setdefault(conference_id, set()).update(people)
        if self._pending is None or self._pending.done():
            self._pending = asyncio.create_task(self._debounced())

    async def _debounced(self) -> None:
        while self._everyone or self._people:  # what was asked for during a run runs next
            await asyncio.sleep(self.DEBOUNCE)
            everyone, people = self._everyone, self._people
            self._everyone, self._people = set(), {}
            try:
                if everyone:
                    await self.run(everyone)
                for conference_id, some in people.items():
                    with scope.within(conference_id):
                        await self._run_for(some)
            except Exception:  # noqa: BLE001 - the next change or wake-up plans again
                log.exception("reminder planning failed")

    async def _run_for(self, people: set[int]) -> None:
        """run(), for some people of the conference in scope only: what is due for them now, and
        an earlier wake-up if one of theirs comes before the one scheduled (reminders are
        planned per person)."""
        async with self._lock:
            now = self.svc.now()
            _, owed, prompts = await self._queue_due(now, sorted(people))
            if self.svc.leads():
                moments = [m for m in (plan.next_due(owed, now), plan.next_due(prompts, now)) if m is not None]
                if moments:
                    self._schedule_no_later_than(min(moments))

    def unschedule(self) -> None:
        """This process no longer leads: the leader wakes for the next moment instead."""
        self._schedule(None)

    def _schedule_no_later_than(self, moment) -> None:
        if self.job_queue is None:
            return
        delay = self.svc.clock.seconds_until(moment)
        for job in self.job_queue.get_jobs_by_name(JOB_NAME):
            if job.next_t is not None and (job.next_t - datetime.now(timezone.utc)).total_seconds() <= delay:
                return  # the wake-up already scheduled comes first; it plans everyone
        self._schedule(moment)

    def _schedule(self, moment) -> None:
        if self.job_queue is None:
            return
        for job in self.job_queue.get_jobs_by_name(JOB_NAME):
            job.schedule_removal()
        if moment is None:
            return
        delay = self.svc.clock.seconds_until(moment)
        self.job_queue.run_once(self._wake, when=delay, name=JOB_NAME, job_kwargs={"misfire_grace_time": None})

    async def _wake(self, context: object) -> None:  # a JobQueue callback; the context is not needed
        await self.run()

    async def stop(self) -> None:
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()
