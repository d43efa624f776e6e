"""A person's rights over their data (GDPR Art. 15 and 17) and the retention purge."""

from __future__ import annotations

import json

from .. import scope
from ..services import Services


async def export(svc: Services, user_id: int, lang: str) -> bytes:
    """Everything stored about this person in every conference, as a JSON document (table by
    table; rows name their conference)."""
    data = await svc.storage.privacy.export(user_id)
    conferences = {holder.current.conference.id: holder.current.conference.name.get(lang) for holder in svc.conferences}
    document = {"conferences": conferences, "telegram_user_id": user_id, **data}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


async def erase(svc: Services, user_id: int) -> dict[str, int]:
    """Erase this person from every conference: their seats go to the waiting lists first
    (whoever moves up is told), then every row about them; reminders are planned anew."""
    programs = {holder.current.conference.id: holder.current for holder in svc.conferences}
    counts = await svc.storage.privacy.erase(programs, user_id, svc.now())
    for conference_id in programs:
        with scope.within(conference_id):
            svc.replan()
    return counts


async def purge(svc: Services) -> dict[str, int]:
    """The retention period of the conference in scope is over: its personal data goes, and
    whoever has no other conference left is forgotten entirely."""
    counts = await svc.storage.privacy.purge_conference(svc.now())
    svc.replan()
    return counts
