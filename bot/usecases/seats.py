"""Seats: sign up, join a waiting list, switch between parallel sessions, give a seat or a
waiting-list place back. The same rules and the same refusals from the chat and the page."""

from __future__ import annotations

from enum import Enum

from ..domain.messages import SeatChanged
from ..domain.signup import Outcome, Status, closed
from ..services import Services
from ..storage import MyRegistration
from .guests import admitted


class SeatAction(str, Enum):
    SIGN_UP = "signup"
    WAITLIST = "waitlist"
    SWITCH = "switch"
    GIVE_BACK = "cancel"
    LEAVE_WAITLIST = "leave_waitlist"


# What takes a seat (or a place in line for one): only for guests when the conference says so.
TAKES = {SeatAction.SIGN_UP, SeatAction.WAITLIST, SeatAction.SWITCH}

# What a person did on the page is told in their chat too; a refusal or an offer is not (it is
# answered on the page, where they are deciding).
CHANGES = {Status.CONFIRMED, Status.WAITLISTED, Status.SWITCHED, Status.CANCELLED, Status.LEFT_WAITLIST}


async def change_seat(svc: Services, user_id: int, action: SeatAction, session_id: str, arrival: int,
                      from_id: str | None = None, tell_chat: bool = False) -> Outcome:
    """The one way a seat changes. `arrival` orders waiting lists; `tell_chat`: the change was
    made elsewhere (the page), so the person's chat hears it too, through the outbox."""
    program = svc.program.current
    now = svc.now()
    session = program.session(session_id)
    if session is None:
        return Outcome(Status.UNKNOWN_SESSION, session_id, departed=await svc.storage.program_changes.departed_title(session_id))
    if action in TAKES and not await admitted(svc, user_id):  # giving a seat back stays open to all
        return Outcome(Status.NOT_A_GUEST, session_id)
    registrations = svc.storage.registrations
    if action is SeatAction.SIGN_UP:
        outcome = await registrations.sign_up(program, session_id, user_id, arrival, now)
    elif action is SeatAction.WAITLIST:
        outcome = await registrations.join_waitlist(program, session_id, user_id, arrival, now)
    elif action is SeatAction.SWITCH:
        outcome = await registrations.switch(program, from_id or "", session_id, user_id, arrival, now)
    elif refusal := closed(session, now):  # a seat in a session under way is kept: the list at the door stays right
        if await registrations.get(session_id, user_id) is None:  # nothing to keep: say so, not "too late"
            return Outcome(Status.NOT_REGISTERED, session_id)
        return Outcome(refusal, session_id)
    else:
        outcome = await registrations.cancel(program, session_id, user_id, now,
                                             only_waiting=action is SeatAction.LEAVE_WAITLIST)
    if tell_chat and outcome.status in CHANGES:
        confirmation = SeatChanged(outcome.status.value, outcome.session_id, outcome.position,
                                   outcome.other_session_id, arrival)
        await svc.storage.outbox.enqueue([(user_id, confirmation)], not_before=now, now=now)
    # a change of seats changes which reminders this person and anyone who moved up are owed
    svc.replan([user_id, *(promotion.user_id for promotion in outcome.promotions)])
    return outcome


async def held(svc: Services, user_id: int, session_id: str) -> MyRegistration | None:
    """What this person holds in this session now (a confirmed seat or a waiting-list place)."""
    return await svc.storage.registrations.get(session_id, user_id)


async def holds_seat(svc: Services, user_id: int, session_id: str) -> bool:
    """Whether this person holds a confirmed seat in a session that still takes place (an old
    "keep my seat" offer is answered by what is true now)."""
    session = svc.program.current.session(session_id)
    mine = await held(svc, user_id, session_id)
    return session is not None and not session.cancelled and mine is not None and mine.state == "confirmed"
