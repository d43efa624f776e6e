"""The checks Telegram applies to a Bot API call before it acts: parameters against the method
table, texts (HTML, entities, length), keyboards and their buttons, Web App URLs. Pure
functions of the call's parameters; what needs the world (which chat, blocked or not) is in
world.py."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from .errors import bad, is_loopback
from .html import ParseError, parse_html, utf16_len
from .spec import METHODS, check_fields

TEXT_LIMIT = 4096  # characters (UTF-16 code units) of a message text
CAPTION_LIMIT = 1024
START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # of a t.me link or an inline results button
BUTTON_ACTIONS = ("url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat", "web_app",
                  "login_url", "pay", "callback_game", "copy_text", "switch_inline_query_chosen_chat")
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message")


def check_params(method: str, params: dict, files: dict) -> None:
    """No unknown parameter or file, every required one; values coerced to their types in place."""
    spec = METHODS[method]
    for name in params:
        if name not in spec:
            raise bad(f"unknown parameter '{name}' for method {method}")
    for name in files:
        if name not in spec and not any(isinstance(v, str) and v == f"attach://{name}" for v in params.values()):
            raise bad(f"unexpected file '{name}' for method {method}")
    for name, info in spec.items():
        if info["required"] and name not in params and name not in files:
            if name == "text":
                raise bad("message text is empty")
            raise bad(f"parameter '{name}' is required")
        if name in params:
            params[name] = coerce(name, params[name], info["types"])


def coerce(name: str, value: Any, types: list[str]) -> Any:
    """Form fields arrive as strings; objects and arrays as JSON, as Telegram reads them."""
    if not isinstance(value, str) or types == ["String"] or "InputFile" in types:
        return value
    if "Integer" in types or "Float" in types:
        return _number(name, value, types)
    if types == ["Boolean"]:
        return _boolean(name, value)
    if "String" in types:
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise bad(f"can't parse {name} JSON object") from None


def _number(name: str, value: str, types: list[str]) -> Any:
    for number in (int, float) if "Float" in types else (int,):
        try:
            return number(value)
        except ValueError:
            pass
    if "String" in types:
        return value
    raise bad(f"invalid value for parameter '{name}'")


def _boolean(name: str, value: str) -> bool:
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise bad(f"invalid value for parameter '{name}'")


def check_text(params: dict, key: str = "text", limit: int = TEXT_LIMIT, required: bool = True) -> tuple[str, list]:
    """The plain text and entities of a message text or caption, as Telegram would store them."""
    raw = params.get(key)
    if raw is None:
        if required:
            raise bad("message text is empty")
        return "", []
    if not isinstance(raw, str):
        raise bad(f"invalid value for parameter '{key}'")
    text, entities = _parsed(raw, params.get("parse_mode"), params.get("entities" if key == "text" else "caption_entities"))
    if required and not text.strip():
        raise bad("message text is empty" if key == "text" else "message caption is empty")
    if utf16_len(text) > limit:
        raise bad("message is too long" if key == "text" else "message caption is too long")
    return text, entities


def _parsed(raw: str, mode: Any, entities: Any) -> tuple[str, list]:
    if mode is not None and mode not in ("HTML", "MarkdownV2", "Markdown"):
        raise bad(f"unsupported parse_mode {mode}")
    if mode == "HTML":
        try:
            return parse_html(raw)
        except ParseError as error:
            raise bad(f"can't parse entities: {error}") from None
    if mode is not None:
        raise bad("the sandbox checks HTML only; send parse_mode HTML")
    check_entities(raw, entities or [])
    return raw, entities or []


def check_entities(text: str, entities: Any) -> None:
    if not isinstance(entities, list):
        raise bad("can't parse entities JSON object")
    size = utf16_len(text)
    for entity in entities:
        if not isinstance(entity, dict) or not {"type", "offset", "length"} <= set(entity):
            raise bad("can't parse entities: entity must have type, offset and length")
        if entity["offset"] < 0 or entity["length"] <= 0 or entity["offset"] + entity["length"] > size:
            raise bad("can't parse entities: entity is out of range")


def check_markup(params: dict, web_app_allowed: bool) -> dict | None:
    """The reply_markup of a message or an inline result; Web App buttons only where allowed
    (a message into the private chat of a user with the bot)."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad("can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays")
        for row in rows:
            for button in row:
                check_button(button, web_app_allowed)
    elif not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
        raise bad("can't parse reply keyboard markup JSON object")
    return markup


def check_button(button: Any, web_app_allowed: bool) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad("can't parse inline keyboard button: Text must be a String")
    if not button["text"].strip():
        raise bad("BUTTON_TEXT_EMPTY")
    if len([k for k in BUTTON_ACTIONS if k in button]) != 1:
        raise bad("can't parse inline keyboard button: exactly one of the optional fields must be used")
    data = button.get("callback_data")
    if data is not None and (not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64):
        raise bad("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not re.match(r"^(https?|tg)://", str(url)):
        raise bad("BUTTON_URL_INVALID")
    if "web_app" in button:
        if not web_app_allowed:
            raise bad("BUTTON_TYPE_INVALID")
        check_fields(button["web_app"], "WebAppInfo", "inline keyboard button's web_app")
        check_web_app_url(button["web_app"]["url"], "inline keyboard button")


def check_web_app_url(url: Any, where: str) -> None:
    """HTTPS; plain http only to a loopback host (Telegram's test environment allows local
    development, so the sandbox does too, and nothing else)."""
    if not isinstance(url, str):
        raise bad(f"{where} Web App URL must be a String")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return
    raise bad(f"{where} Web App URL '{url}' is invalid: Only HTTPS links are allowed")


def coordinates(params: dict) -> tuple[float, float]:
    lat, lon = params.get("latitude"), params.get("longitude")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)) \
            or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad("wrong latitude or longitude")
    return float(lat), float(lon)
