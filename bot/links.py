"""Signed links of the Mini App's server: a room screen's address (valid until the conference is
over) and a calendar file's download address (valid for minutes). Pure: no aiohttp, no storage.

A link carries its fields and its expiry in the clear (base64url JSON) and an HMAC-SHA256 of
them, with a key derived from the bot token and the link's purpose, so that a room link is no
calendar link and neither reveals the token:
  key   = HMAC_SHA256(key="KonferenzBotLink", msg=purpose + "\\n" + bot_token)
  token = base64url(json([expires, *fields])) + "." + base64url(HMAC_SHA256(key, that first part)[:16])
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime, time as day_time, timedelta
from urllib.parse import urlsplit

from .config import Settings
from .domain.program import Program

MAX_TOKEN = 1024  # a real token is well under 200 characters
ROOM, CALENDAR = "room", "calendar"
DEFAULT_PREFIX = "/app/"  # where the page lives when BOT_WEB_URL is not set (BOT_WEB_LISTEN alone)


def page_prefix(web_url: str | None) -> str:
    """The path the page is served at: BOT_WEB_URL's, with a trailing slash (the page's URLs are relative)."""
    if not web_url:
        return DEFAULT_PREFIX
    return urlsplit(web_url).path.rstrip("/") + "/"


def page_address(web_url: str, relative: str) -> str:
    """An absolute address beside the page (`relative` like "room?k=…")."""
    parts = urlsplit(web_url)
    return f"{parts.scheme}://{parts.netloc}{page_prefix(web_url)}{relative}"


class LinkError(ValueError):
    """Not a link this bot signed for this purpose, or one that has expired."""


def _key(bot_token: str, purpose: str) -> bytes:
    return hmac.new(b"KonferenzBotLink", f"{purpose}\n{bot_token}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(bot_token: str, purpose: str, fields: list[str], expires: int) -> str:
    body = _b64(json.dumps([expires, *fields], separators=(",", ":"), ensure_ascii=False).encode())
    return body + "." + _b64(hmac.new(_key(bot_token, purpose), body.encode(), hashlib.sha256).digest()[:16])


def verify(bot_token: str, purpose: str, token: str, now: float) -> list[str]:
    """The fields of a token this bot signed for `purpose` that is still valid at `now`."""
    if not token or len(token) > MAX_TOKEN or token.count(".") != 1:
        raise LinkError("not a signed link")
    body, mac = token.split(".")
    expected = _b64(hmac.new(_key(bot_token, purpose), body.encode(), hashlib.sha256).digest()[:16])
    if not hmac.compare_digest(expected, mac):
        raise LinkError("not a signed link")
    try:
        expires, *fields = json.loads(_unb64(body))
    except (ValueError, TypeError, binascii.Error):
        raise LinkError("not a signed link") from None
    if not isinstance(expires, int) or not all(isinstance(field, str) for field in fields):
        raise LinkError("not a signed link")
    if now > expires:
        raise LinkError("the link has expired")
    return fields


# --- room screens ------------------------------------------------------------------------------

def rooms_of(program: Program) -> list[str]:
    """Every room of the program, in order of first use."""
    return list(dict.fromkeys(s.room for s in sorted(program.sessions, key=lambda s: s.start) if s.room))


def link_expiry(program: Program) -> int:
    """Midnight after the conference's last day, in the conference's time zone."""
    last = max([program.conference.end, *(s.end for s in program.sessions)])
    midnight = datetime.combine(program.local(last).date() + timedelta(days=1), day_time(0), program.tz)
    return int(midnight.timestamp())


def room_link(settings: Settings, program: Program, room: str, lang: str) -> str | None:
    """The room screen's signed address (None without BOT_WEB_URL)."""
    if not settings.web_url:
        return None
    token = sign(settings.token, ROOM, [room], link_expiry(program))
    return page_address(settings.web_url, f"room?k={token}&lang={lang}")
