"""How the guest list speaks to attendees, in the chat and on the page: the polite refusal when
a conference is for its guests only, and what opening an invitation did."""

from __future__ import annotations

from ..domain.program import Program
from ..texts import Html, t


def contact(program: Program, lang: str) -> str:
    """How to reach the organizers, as the program file says (e-mail, web, phone), or ""."""
    conf = program.conference
    return ", ".join(part for part in (conf.organizer_email, conf.organizer_url, conf.organizer_phone) if part)


def not_a_guest(program: Program, lang: str) -> Html:
    """Seats, questions, ratings and networking are for registered guests: how to become one."""
    conference = program.conference
    registration = conference.registration.get(lang)
    if registration:
        how = t(lang, "guests_only_how", registration=registration)
    elif contact(program, lang):
        how = t(lang, "guests_only_how_contact", contact=contact(program, lang))
    else:
        how = Html("")
    return t(lang, "guests_only_refused", conference=conference.name.get(lang), how=how)
