"""Bookmarks ("⭐ Merken & erinnern"): a session one wants to be reminded of without a seat."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.messages import BookmarkChanged
from ..domain.program import Session
from ..domain.reminders import REMINDERS_OFF
from ..services import Services


@dataclass(frozen=True)
class BookmarkResult:
    bookmarked: bool  # whether the session is bookmarked now
    text: str  # the key of the text that says so (it mentions reminders being off, if they are)


async def toggle(svc: Services, user_id: int, session: Session, arrival: int = 0,
                 tell_chat: bool = False) -> BookmarkResult:
    """Bookmark or un-bookmark. `tell_chat`: done on the page, so the chat hears it too."""
    now = svc.now()
    bookmarked = await svc.storage.bookmarks.toggle(user_id, session.id, now)
    svc.replan([user_id])
    result = BookmarkResult(bookmarked, await _wording(svc, user_id, session, bookmarked))
    if tell_chat:
        await svc.storage.outbox.enqueue([(user_id, BookmarkChanged(session.id, result.text, arrival))],
                                         not_before=now, now=now)
    return result


async def _wording(svc: Services, user_id: int, session: Session, bookmarked: bool) -> str:
    if not bookmarked:
        return "bookmark_removed"
    if session.begins <= svc.now():
        return "bookmark_added_begun"  # no reminder to promise
    attendee = await svc.storage.attendees.get(user_id)
    off = attendee is not None and attendee.reminder_minutes == REMINDERS_OFF
    return "bookmark_added_off" if off else "bookmark_added"
