"""How long before a session, and before the excursion's bus, a person is reminded."""

from __future__ import annotations

from typing import Awaitable, Callable

from ..domain.reminders import EXCURSION_LEAD_CHOICES, LEAD_CHOICES, REMINDERS_OFF
from ..services import Services


async def set_session_lead(svc: Services, user_id: int, minutes: int) -> bool:
    """False for a choice the menu never offered (a forged button)."""
    return await _set(svc, user_id, minutes, LEAD_CHOICES, svc.storage.attendees.set_reminder_minutes)


async def set_excursion_lead(svc: Services, user_id: int, minutes: int) -> bool:
    return await _set(svc, user_id, minutes, EXCURSION_LEAD_CHOICES, svc.storage.attendees.set_excursion_minutes)


async def _set(svc: Services, user_id: int, minutes: int, choices: tuple[int, ...],
               store: Callable[[int, int], Awaitable[None]]) -> bool:
    if minutes != REMINDERS_OFF and minutes not in choices:
        return False
    await store(user_id, minutes)
    svc.replan([user_id])
    return True
