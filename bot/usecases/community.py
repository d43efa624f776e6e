"""Taking part beyond a seat: questions to the panel and votes, a rating after a session, and
networking. When a conference is for its guests only, only its connected guests do these
(guests.require_guest raises NotAGuest for anyone else); reading stays open to everyone. A
conference that is over takes none of them (conferences.require_open raises ConferenceOver)."""

from __future__ import annotations

from ..domain.program import Session
from ..services import Services
from .conferences import require_open
from .guests import require_guest


async def may_take_part(svc: Services, user_id: int) -> None:
    """ConferenceOver or NotAGuest when this person may not do these (asked first, before they
    type a question or a profile in vain)."""
    require_open(svc)
    await require_guest(svc, user_id)


async def ask(svc: Services, user_id: int, session: Session, text: str) -> int:
    """A question to the panel of `session`; returns its id."""
    await may_take_part(svc, user_id)
    return await svc.storage.questions.add(session.id, user_id, text, svc.now())


async def vote(svc: Services, user_id: int, question_id: int) -> bool:
    """One vote per person and question; False if they had voted (or it is closed)."""
    await may_take_part(svc, user_id)
    return await svc.storage.questions.vote(question_id, user_id)


async def rate(svc: Services, user_id: int, session: Session, stars: int) -> bool:
    """One rating per person and session; False if they had rated it."""
    await may_take_part(svc, user_id)
    return await svc.storage.feedback.save(session.id, user_id, stars, svc.now())


async def join_network(svc: Services, user_id: int) -> None:
    """Start a networking profile (its fields follow, typed)."""
    await may_take_part(svc, user_id)
    await svc.storage.networking.save_profile(user_id, svc.now())


async def request_contact(svc: Services, user_id: int, other: int) -> int | None:
    """Ask another person for their contact; None if asked before or either has no profile."""
    await may_take_part(svc, user_id)
    return await svc.storage.networking.request_contact(user_id, other, svc.now())
