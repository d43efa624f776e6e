"""What a person is told after a change of seats: in the chat, on the page, and in the chat
again after a change made on the page."""

from __future__ import annotations

from ..domain.program import Program
from ..domain.signup import Outcome, Status
from ..texts import Html, t
from .guests import not_a_guest
from .sessions import gone, when, where

_PLAIN = {Status.NO_SIGNUP: "signup_no_signup", Status.SESSION_CANCELLED: "signup_session_cancelled",
          Status.CLOSED: "signup_closed", Status.CANCELLED: "cancel_done", Status.LEFT_WAITLIST: "cancel_left_waitlist",
          Status.NOT_REGISTERED: "cancel_not_registered", Status.ALREADY_CONFIRMED: "signup_already_confirmed"}


def outcome_text(program: Program, lang: str, outcome: Outcome) -> Html:
    session = program.session(outcome.session_id)
    if session is None:
        return gone(lang, outcome.session_id, outcome.departed)
    title = session.title.get(lang)
    other_session = program.session(outcome.other_session_id) if outcome.other_session_id else None
    other = other_session.title.get(lang) if other_session else outcome.other_session_id or ""
    status = outcome.status
    if status in (Status.CONFIRMED, Status.SWITCHED):
        key = "signup_confirmed" if status == Status.CONFIRMED else "signup_switched"
        return t(lang, key, title=title, other=other, when=when(program, session, lang), room=where(program, session, lang))
    if status == Status.WAITLISTED:
        key = "signup_waitlisted_switch" if outcome.other_session_id else "signup_waitlisted"
        return t(lang, key, title=title, other=other, position=outcome.position)
    if status == Status.ALREADY_WAITLISTED:
        return t(lang, "signup_already_waitlisted", title=title, position=outcome.position)
    if status == Status.CONFLICT and outcome.other_session_id:
        return t(lang, "signup_conflict", title=title, other=other)
    if status == Status.SWITCH_FULL:
        if outcome.position:
            return t(lang, "signup_switch_full_waiting", title=title, other=other, position=outcome.position)
        return t(lang, "signup_switch_full", title=title, other=other)
    if status == Status.MOVED_UP:
        return t(lang, "waitlist_moved_up", title=title, when=when(program, session, lang), room=where(program, session, lang))
    if status == Status.NOT_A_GUEST:
        return not_a_guest(program, lang)
    if status == Status.DEPARTED:
        return t(lang, "signup_departed", title=title, time=f"{program.local(session.begins):%H:%M}")
    return t(lang, _PLAIN.get(status, "error_generic"), title=title)
