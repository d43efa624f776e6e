"""ReminderService's re-planning: who is planned again after which change, and that a change
made while a plan runs is planned too (no real storage: a recording stand-in)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from bot.domain.loader import load_program
from bot.reminder_service import ReminderService
from bot.services import Conferences, ProgramHolder
from conftest import PROGRAM_FILE, berlin


class RecordingStorage:
    """Storage's repositories as ReminderService uses them, one object standing in for all."""

    def __init__(self):
        self.asked: list = []
        self.hold: asyncio.Event | None = None
        self.audiences = self.outbox = self.feedback = self.privacy = self.announcements = self

    async def reminder_subjects(self, people=None):
        self.asked.append(people)
        if self.hold is not None:
            await self.hold.wait()
        return []

    async def enqueue_planned(self, planned, now):
        return 0

    async def purged_at(self):
        return "done"

    async def due(self, now):
        return []

    async def next_at(self):
        return None


def service(storage: RecordingStorage) -> ReminderService:
    program = load_program(PROGRAM_FILE)
    holder = ProgramHolder(PROGRAM_FILE, program)
    svc = SimpleNamespace(storage=storage, program=holder, conferences=Conferences([holder]),
                          now=lambda: berlin("2025-06-03 08:45"), leads=lambda: True, announcements=None)
    reminders = ReminderService(svc, None)
    reminders.DEBOUNCE = 0.01
    return reminders


async def settle(reminders: ReminderService) -> None:
    while reminders._pending is not None and not reminders._pending.done():
        await asyncio.sleep(0.01)


async def test_sign_ups_in_a_burst_plan_only_the_people_concerned_once():
    storage = RecordingStorage()
    reminders = service(storage)
    reminders.request([5])
    reminders.request([3, 5])
    await settle(reminders)
    assert storage.asked == [[3, 5]]  # one read, for the two people, not for everyone


async def test_a_change_of_the_program_plans_everyone():
    storage = RecordingStorage()
    reminders = service(storage)
    reminders.request([3])
    reminders.request(None)
    reminders.request([4])
    await settle(reminders)
    assert storage.asked == [None]


async def test_a_change_made_while_a_plan_runs_is_planned_afterwards():
    storage = RecordingStorage()
    storage.hold = asyncio.Event()
    reminders = service(storage)
    reminders.request([1])
    while not storage.asked:
        await asyncio.sleep(0.01)
    reminders.request([2])  # arrives while the plan for 1 reads
    storage.hold.set()
    await settle(reminders)
    assert storage.asked == [[1], [2]]
