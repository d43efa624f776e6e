"""The button protocol: every payload is typed, fits Telegram's 64 bytes, parses back, is
handled by exactly one function and made somewhere in the handlers."""

from __future__ import annotations

import ast
import dataclasses
import typing
from pathlib import Path

import pytest

import bot.app  # noqa: F401 - importing the app registers every handler
from bot.handlers import buttons

HANDLERS = Path(buttons.__file__).parent
LONGEST_ID = "x" * 24  # the loader's limit for session ids
# the longest values the bot puts into the other text fields
LONGEST = {"purpose": "aud.999999999", "check": "abcdef", "lang": "en", "kind": "bookmarked", "action": "broadcasts"}


def _example(cls: type[buttons.Payload]) -> buttons.Payload:
    """The payload with the longest values it can carry: ids of 9 digits (minutes: -720)."""
    values = {}
    hints = typing.get_type_hints(cls)
    for item in dataclasses.fields(cls):
        kind = hints[item.name]
        if kind is bool:
            values[item.name] = True
        elif kind is int:
            values[item.name] = -720 if item.name == "minutes" else 999_999_999
        else:
            values[item.name] = LONGEST.get(item.name, LONGEST_ID)
    return cls(**values)


@pytest.mark.parametrize("cls", list(buttons.REGISTRY.values()), ids=lambda c: c.__name__)
def test_every_payload_fits_parses_back_and_has_one_handler(cls):
    value = _example(cls)
    data = value.pack()
    assert len(data.encode("utf-8")) <= 64
    assert buttons.parse(data) == value
    assert cls.handler is not None, f"{cls.__name__} has no handler"


def test_every_payload_is_made_somewhere_in_the_handlers():
    made = set()
    for path in HANDLERS.glob("*.py"):
        if path.name == "buttons.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id in ("b", "buttons"):
                made.add(node.func.attr)
    unused = {cls.__name__ for cls in buttons.REGISTRY.values()} - made
    assert not unused, f"payloads no handler module creates: {unused}"


@pytest.mark.parametrize("data", ["", "s", "s:", "s:a:b", "zz:1", "p:x", "p:1.5", "fb:podium:x", "fb:podium", "l:<b>",
                                  "s:" + "x" * 70, "ok:-", "sw:a", "dy:1", "ü:1", "s:a b"])
def test_forged_or_malformed_data_is_refused(data):
    assert buttons.parse(data) is None


def test_a_payload_that_cannot_travel_is_a_programming_error():
    with pytest.raises(buttons.PayloadError):
        buttons.ShowSession("has space").pack()
    with pytest.raises(buttons.PayloadError):
        buttons.Switch("x" * 40, "y" * 40).pack()


def test_no_handler_module_parses_callback_data_or_touches_conversation_state():
    for path in HANDLERS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name not in ("buttons.py", "dispatch.py"):
            assert "callback_query.data" not in text and "CallbackQueryHandler" not in text, path.name
        if path.name != "conversation.py":
            for repository in (".conversations.", ".confirmations."):
                assert repository not in text, (path.name, repository)


def test_a_keyboard_is_sent_as_python_telegram_bot_would_serialize_it():
    import json

    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

    from bot.handlers.common import keyboard, markup_json

    plain = keyboard([[buttons.Mine().labelled("de", "menu_mine")],
                      [buttons.SignUp("podium").labelled("en", "button_signup"), InlineKeyboardButton("ü & <b>", callback_data="x")]])
    with_page = InlineKeyboardMarkup([[InlineKeyboardButton("App", web_app=WebAppInfo("https://example.org/app"))],
                                      [InlineKeyboardButton("Link", url="https://example.org")]])
    for markup in (plain, with_page):
        assert json.loads(markup_json(markup)) == markup.to_dict()
