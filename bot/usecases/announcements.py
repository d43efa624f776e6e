"""Announcements: an organizer writes one, chooses an audience, sees how many it reaches, and
sends it now or at a time; later corrects every delivered copy or withdraws them. Scheduled
ones (from the chat or program.yaml) start through the same path when they fall due.

Every copy, correction and deletion is an outbox message (queued with the state change, in one
transaction), so Telegram's limits hold and a restart loses nothing. The organizer's progress
message is one too; only its later edits go straight to Telegram (see AnnouncementService).
"""

from __future__ import annotations

from datetime import datetime

from ..domain.announcements import Audience
from ..domain.messages import AnnouncementProgress, announcement_batch
from ..services import Services
from ..storage import Announcement, DeliveryReport


async def draft(svc: Services, author_id: int, text_html: str | None, photo_file_id: str | None) -> int:
    """A new announcement, not yet addressed; returns its id."""
    return await svc.storage.announcements.create(author_id, "all", text_html, photo_file_id, svc.now())


async def audience_size(svc: Services, key: str) -> int:
    """How many people an audience ("all", "excursion", "confirmed:podium" …) reaches now."""
    audience = Audience.parse(key)
    if audience is None:
        return 0
    return len(await svc.storage.audiences.recipients(audience, audience.session_ids(svc.program.current)))


async def address(svc: Services, announcement_id: int, key: str) -> Announcement | None:
    """Choose the audience of a draft; the draft as it is now."""
    await svc.storage.announcements.update(announcement_id, audience=key)
    return await svc.storage.announcements.get(announcement_id)


async def send_now(svc: Services, announcement_id: int, report_to: int | None) -> int | None:
    """Queue a copy for everyone in its audience, and the progress message for `report_to`;
    None if it was started already (a double tap). Returns the recipients."""
    announcement = await svc.storage.announcements.get(announcement_id)
    if announcement is None:
        return None
    audience = Audience.parse(announcement.audience)
    session_ids = audience.session_ids(svc.program.current) if audience else ()
    recipients = await svc.storage.announcements.start(announcement_id, session_ids, svc.now(), report_to)
    if recipients is not None and svc.announcements is not None:
        svc.announcements.track(announcement_id, report_to)
    return recipients


async def start_due(svc: Services) -> list[tuple[int, int | None]]:
    """Scheduled announcements that fell due: started, their progress shown to their author."""
    started = []
    for announcement_id in await svc.storage.announcements.due(svc.now()):
        announcement = await svc.storage.announcements.get(announcement_id)
        started.append((announcement_id, await send_now(svc, announcement_id, announcement.author_id if announcement else None)))
    return started


async def schedule(svc: Services, announcement_id: int, moment: datetime) -> bool:
    """Send it at `moment` instead; False if it has been sent or discarded meanwhile."""
    scheduled = await svc.storage.announcements.schedule(announcement_id, moment, svc.now())
    if scheduled:
        svc.replan()  # the planner wakes for it
    return scheduled


async def discard(svc: Services, announcement_id: int) -> bool:
    """Drop a draft, or cancel a scheduled one; False if it has gone out already."""
    return await svc.storage.announcements.cancel(announcement_id, svc.now())


async def correct(svc: Services, announcement_id: int, text_html: str, version: int) -> int | None:
    """Edit every delivered copy (queued ones go out with the new text); None if another
    correction came first (the preview was made against `version`). Returns the edits queued."""
    announcement = await svc.storage.announcements.get(announcement_id)
    if announcement is None or announcement.version != version:
        return None
    return await svc.storage.announcements.edit(announcement_id, text_html, svc.now())


async def withdraw(svc: Services, announcement_id: int) -> int:
    """Take it back: queued copies are dropped, delivered ones deleted. Returns the deletions."""
    return await svc.storage.announcements.withdraw(announcement_id, svc.now())


async def report(svc: Services, announcement_id: int) -> DeliveryReport:
    """How its copies went: sent, pending, blocked, failed with reasons."""
    return await svc.storage.outbox.report(announcement_batch(announcement_id))


async def progress_message(svc: Services, announcement_id: int, organizer: int) -> tuple[int, int] | None:
    """(chat, message id) of the organizer's progress message, once it went out."""
    return await svc.storage.outbox.sent_copy(AnnouncementProgress(announcement_id).key(organizer))
