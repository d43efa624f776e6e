"""How long before a session, and before the excursion's bus, a person is reminded."""

from __future__ import annotations

from ..domain.reminders import EXCURSION_LEAD_CHOICES, LEAD_CHOICES, REMINDERS_OFF
from ..services import Services


async def set_session_lead(svc: Services, user_id: int, minutes: int) -> bool:
    """False for a choice the menu never offered (a forged button)."""
    if minutes != REMINDERS_OFF and minutes not in LEAD_CHOICES:
        return False
    await svc.storage.attendees.set_reminder_minutes(user_id, minutes)
    svc.replan([user_id])
    return True


async def set_excursion_lead(svc: Services, user_id: int, minutes: int) -> bool:
    if minutes != REMINDERS_OFF and minutes not in EXCURSION_LEAD_CHOICES:
        return False
    await svc.storage.attendees.set_excursion_minutes(user_id, minutes)
    svc.replan([user_id])
    return True
