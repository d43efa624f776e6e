"""Deep links into the bot: `https://t.me/<bot>?start=<parameter>` sends "/start <parameter>".

The one place that turns a session into a start parameter and a parameter back into what it
asks for. Telegram allows 1–64 characters of A-Z, a-z, 0-9, "_" and "-". Program session ids
are lower-case and short, so they travel as they are ("podium"); an id that does not fit, or
that would read as one of the parameters below, travels base64url-encoded behind "B64_" (an
upper-case prefix no session id can have). A guest's invitation is "G_<code>", a conference of
the series "C_<id>" and a session of it "C_<id>_<session parameter>", upper-case too.
Anyone can type "/start <anything>", so parsing never trusts its input: whatever does not
decode cleanly is `Invalid`.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

MAX_LENGTH = 64
ALLOWED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SIGNUP = "signup-"  # "signup-<id>": sign up straight away (printed on posters, so kept as it is)
ENCODED = "B64_"
MENU = "Menu"  # opens the welcome and the main menu (the button above empty inline results)
INVITE = "G_"  # "G_<code>": a guest's personal invitation (domain/guests.py makes the codes)
INVITE_CODE = re.compile(r"^[a-z0-9]{8,40}$")
# "C_<conference>" opens a conference of the series, "C_<conference>_<parameter>" a session of it
# (its parameter as above): a series' ids are a-z, 0-9 and "-", so the first "_" ends the id.
CONFERENCE = "C_"
CONFERENCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")


@dataclass(frozen=True)
class ShowSession:
    session_id: str


@dataclass(frozen=True)
class SignUp:
    session_id: str


@dataclass(frozen=True)
class Invite:
    """A guest's personal link: connects the Telegram account that opens it to the guest."""
    code: str


@dataclass(frozen=True)
class Welcome:
    """No parameter, or the menu parameter: the welcome."""


@dataclass(frozen=True)
class Invalid:
    """A parameter that no link of this bot carries: forged, cut off or mistyped."""


@dataclass(frozen=True)
class InConference:
    """A link into one conference of the series: its welcome, or a session of it."""
    conference_id: str
    link: "ShowSession | SignUp | Welcome"


Link = ShowSession | SignUp | Invite | InConference | Welcome | Invalid


def session_parameter(session_id: str, conference_id: str | None = None) -> str | None:
    """The start parameter that opens `session_id` (of that conference, when the bot runs
    several), or None if no parameter can carry it."""
    if not session_id or not session_id.isprintable():
        return None
    if conference_id is not None:
        inner = session_parameter(session_id)
        outer = f"{conference_parameter(conference_id)}_{inner}" if inner else None
        return outer if outer and len(outer) <= MAX_LENGTH else inner
    if ALLOWED.match(session_id) and not _reserved(session_id):
        return session_id
    encoded = ENCODED + base64.urlsafe_b64encode(session_id.encode("utf-8")).decode("ascii").rstrip("=")
    return encoded if len(encoded) <= MAX_LENGTH else None


def session_link(bot_username: str, session_id: str, conference_id: str | None = None) -> str | None:
    parameter = session_parameter(session_id, conference_id)
    return f"https://t.me/{bot_username}?start={parameter}" if parameter else None


def conference_parameter(conference_id: str) -> str:
    """The start parameter that opens a conference of the series (its welcome)."""
    if not CONFERENCE_ID.match(conference_id):
        raise ValueError(f"{conference_id!r} cannot travel in a deep link (a-z, 0-9 and -, 1-24 characters)")
    return CONFERENCE + conference_id


def conference_link(bot_username: str, conference_id: str) -> str:
    return f"https://t.me/{bot_username}?start={conference_parameter(conference_id)}"


def invite_parameter(code: str) -> str:
    """The start parameter of a guest's invitation."""
    if not INVITE_CODE.match(code):
        raise ValueError("an invitation code is 8-40 lower-case letters and digits")
    return INVITE + code


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={invite_parameter(code)}"


def parse(parameter: str) -> Link:
    """What a start parameter asks for. Existence of the session is the caller's question."""
    if not parameter or parameter == MENU:
        return Welcome()
    if not ALLOWED.match(parameter):
        return Invalid()
    if parameter.startswith(SIGNUP):
        target = parameter[len(SIGNUP):]
        return SignUp(target) if target else Invalid()
    if parameter.startswith(CONFERENCE):
        conference_id, _, inner = parameter[len(CONFERENCE):].partition("_")
        link = parse(inner) if inner else Welcome()
        if not CONFERENCE_ID.match(conference_id) or not isinstance(link, (ShowSession, SignUp, Welcome)) \
                or (inner and inner == MENU):
            return Invalid()
        return InConference(conference_id, link)
    if parameter.startswith(INVITE):
        code = parameter[len(INVITE):]
        return Invite(code) if INVITE_CODE.match(code) else Invalid()
    if parameter.startswith(ENCODED):
        decoded = _decode(parameter[len(ENCODED):])
        return ShowSession(decoded) if decoded else Invalid()
    return ShowSession(parameter)


def _reserved(session_id: str) -> bool:
    return session_id == MENU or session_id.startswith((SIGNUP, ENCODED, INVITE, CONFERENCE))


def _decode(text: str) -> str | None:
    """The id inside an encoded parameter; None for anything that is not clean base64url of
    printable UTF-8 (a forged parameter must not smuggle control characters into a reply)."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not decoded or not decoded.isprintable() or session_parameter(decoded) != ENCODED + text:
        return None  # only the one canonical spelling counts, so a link has exactly one form
    return decoded
