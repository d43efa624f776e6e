"""Telegram's initData for Mini Apps: verification as Telegram documents it, and signing for
the demo and the tests. Pure: no aiohttp, no storage, no Telegram library.

https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
  secret_key        = HMAC_SHA256(key="WebAppData", msg=bot_token)
  data_check_string = every received field except `hash` (`signature` included), sorted by
                      key, as "key=value" lines joined with "\n"
  valid            <=> hex(HMAC_SHA256(key=secret_key, msg=data_check_string)) == hash
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

MAX_LENGTH = 8192  # a real initData is well under 1 kB; anything far longer is not Telegram's


class InitDataError(ValueError):
    """The initData is missing, malformed, forged or too old; the message says which."""


@dataclass(frozen=True)
class WebAppUser:
    user_id: int
    first_name: str
    last_name: str
    username: str | None
    language_code: str | None
    auth_date: int


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def _hash(fields: dict[str, str], bot_token: str) -> str:
    return hmac.new(_secret_key(bot_token), _data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def parse_fields(raw: str) -> dict[str, str]:
    """The query string as fields; a field given twice is refused (which one would count?)."""
    if not raw or len(raw) > MAX_LENGTH:
        raise InitDataError("initData is missing" if not raw else "initData is too long")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True, max_num_fields=64)
    except ValueError:
        raise InitDataError("initData is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("initData has a field twice")
    return fields


def verify(raw: str, bot_token: str, now: float, max_age: int) -> WebAppUser:
    """The user the initData speaks for, if Telegram signed it for this bot less than
    `max_age` seconds ago; else InitDataError."""
    fields = parse_fields(raw)
    received = fields.get("hash", "")
    if not received:
        raise InitDataError("initData has no hash")
    if not hmac.compare_digest(_hash(fields, bot_token), received.lower()):
        raise InitDataError("initData is not signed for this bot")
    auth_date = fields.get("auth_date", "")
    if not auth_date.isdigit():
        raise InitDataError("initData has no valid auth_date")
    if now - int(auth_date) > max_age:
        raise InitDataError("initData has expired; open the app again from the chat")
    if int(auth_date) > now + 300:  # a clock five minutes ahead is tolerated, a date in the future is not
        raise InitDataError("initData is dated in the future")
    return _user(fields, int(auth_date))


def _user(fields: dict[str, str], auth_date: int) -> WebAppUser:
    try:
        user = json.loads(fields.get("user", ""))
        user_id = user["id"]
    except (ValueError, TypeError, KeyError):
        raise InitDataError("initData has no user") from None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise InitDataError("initData has no valid user id")
    text = lambda key: user.get(key) if isinstance(user.get(key), str) else None  # noqa: E731
    return WebAppUser(user_id, (text("first_name") or "")[:64], (text("last_name") or "")[:64], text("username"),
                      text("language_code"), auth_date)


def sign(bot_token: str, user: dict, auth_date: int, **extra: str) -> str:
    """initData as Telegram would send it for `user`: for the demo's link and for the tests."""
    fields = {"auth_date": str(auth_date), "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False), **extra}
    fields["hash"] = _hash(fields, bot_token)
    return urlencode(fields)


def launch_url(page_url: str, init_data: str, theme: dict | None = None) -> str:
    """The page's address as Telegram opens it: initData and theme in the URL fragment."""
    fragment = {"tgWebAppData": init_data, "tgWebAppVersion": "8.0", "tgWebAppPlatform": "web"}
    if theme:
        fragment["tgWebAppThemeParams"] = json.dumps(theme, separators=(",", ":"))
    return page_url + "#" + "&".join(f"{key}={quote(value, safe='')}" for key, value in fragment.items())
