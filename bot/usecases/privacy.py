"""A person's rights over their data (GDPR Art. 15 and 17) and the retention purge."""

from __future__ import annotations

import json

from ..services import Services


async def export(svc: Services, user_id: int, lang: str) -> bytes:
    """Everything stored about this person, as a JSON document (table by table)."""
    data = await svc.storage.privacy.export(user_id)
    conference = svc.program.current.conference.name.get(lang)
    document = {"conference": conference, "telegram_user_id": user_id, **data}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


async def erase(svc: Services, user_id: int) -> dict[str, int]:
    """Erase this person: their seats go to the waiting lists first (whoever moves up is told),
    then every row about them; reminders are planned anew for everyone who moved up."""
    counts = await svc.storage.privacy.erase(svc.program.current, user_id, svc.now())
    svc.replan()
    return counts


async def purge(svc: Services) -> dict[str, int]:
    """The retention period is over: everyone's personal data goes at once."""
    counts = await svc.storage.privacy.purge(svc.now())
    svc.replan()
    return counts
