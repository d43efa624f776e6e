"""The project's layers and its registries: the domain imports nothing of the bot's outer
layers; the chat and the Mini App call the use cases and never each other; every outbox
message kind has one renderer, builds its own key, and parses back from what is stored."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import re
import typing
from pathlib import Path
from types import SimpleNamespace

import pytest

import bot.app  # noqa: F401 - registers every renderer
from bot.delivery import Skip
from bot.domain import messages
from bot.handlers.push import RENDERERS, make_renderer
from bot.storage import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent / "bot"


def imports_of(package: str) -> dict[str, set[str]]:
    """Module → the bot's modules it imports (absolute, e.g. 'bot.handlers.common')."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(("bot",) + path.relative_to(ROOT).with_suffix("").parts)
        package_parts = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package_parts[:len(package_parts) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                names.add(target)
                names.update(f"{target}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[module] = {name for name in names if name.startswith("bot.")}
    return found


@pytest.mark.parametrize("package, forbidden", [
    ("domain", ("bot.handlers", "bot.web", "bot.usecases", "bot.storage", "bot.services", "bot.wording", "telegram")),
    ("usecases", ("bot.handlers", "bot.web")),
    ("wording", ("bot.handlers", "bot.web", "bot.usecases")),
    ("web", ("bot.handlers",)),
    ("handlers", ("bot.web",)),
    ("storage", ("bot.handlers", "bot.web", "bot.usecases", "bot.wording")),
])
def test_each_layer_imports_only_what_lies_below_it(package, forbidden):
    offending = {module: sorted(name for name in names if name.startswith(forbidden))
                 for module, names in imports_of(package).items()}
    assert {module: names for module, names in offending.items() if names} == {}


def test_the_layer_check_sees_relative_imports():
    """The check above must be able to fail: the chat layer does import the use cases."""
    assert any(name.startswith("bot.usecases") for name in imports_of("handlers")["bot.handlers.signup"])


def sample(kind: type[messages.Message]) -> messages.Message:
    """A message of this kind with a value of the right type in every field."""
    hints = typing.get_type_hints(kind)
    values = {}
    for item in dataclasses.fields(kind):
        hint = typing.get_args(hints[item.name])[0] if typing.get_args(hints[item.name]) else hints[item.name]
        values[item.name] = {str: "podium", int: 7, float: 1748937600.0, list: [{"session_id": "podium"}],
                             dict: {"podium": "confirmed"}}.get(typing.get_origin(hint) or hint, "x")
    return kind(**values)


def test_every_message_kind_has_one_renderer_and_parses_back():
    assert len(messages.KINDS) >= 15
    assert set(RENDERERS) == set(messages.KINDS.values())
    for kind, cls in messages.KINDS.items():
        message = sample(cls)
        assert messages.parse(kind, message.payload()) == message, kind
        assert message.key(7) and message.kind == kind, kind


def test_an_unknown_kind_or_a_payload_that_does_not_fit_parses_to_nothing():
    assert messages.parse("no_such_kind", {}) is None
    assert messages.parse("promoted", {}) is None  # session_id missing
    assert messages.parse("promoted", {"session_id": 5}) is None  # wrong type
    assert messages.parse("announcement", {"ann": True}) is None  # a bool is no id
    assert messages.parse("announcement", "garbage") is None
    assert messages.parse("promoted", {"session_id": "podium", "unknown": 1}) == messages.Promoted("podium")


def test_keys_tell_apart_what_is_owed_separately_and_batches_group_an_announcement():
    reminder = messages.SessionReminder("podium", 1748937600.0)
    assert reminder.key(1) != reminder.key(2) != messages.VenueReminder("podium", 1748937600.0).key(2)
    assert reminder.key(1) != messages.SessionReminder("podium", 1748938200.0).key(1)  # the session moved
    assert messages.AnnouncementCopy(3).batch() == messages.announcement_batch(3)
    assert messages.AnnouncementCopy(3).key(1) != messages.AnnouncementCopy(3).key(2)
    assert messages.AnnouncementEdit(3, 10, 2).batch() != messages.AnnouncementEdit(3, 10, 3).batch()


def test_registering_a_kind_twice_is_refused():
    with pytest.raises(ValueError):
        messages.message("promoted")(type("Again", (messages.Message,), {}))


def test_no_module_but_the_registry_spells_an_outbox_key():
    spelled = []
    for path in ROOT.rglob("*.py"):
        if path.name == "messages.py" and path.parent.name == "domain":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""f?["'](ann|annedit|anndel|promoted|reminder|waitlist|feedback|change|contact|web):\{""", line):
                spelled.append(f"{path.relative_to(ROOT)}:{number}")
    assert spelled == []


def test_an_unreadable_row_is_skipped_with_its_reason():
    render = make_renderer(SimpleNamespace())
    row = OutboxMessage(1, "k", 5, 5, "no_such_kind", {}, 0.0, 1)
    result = asyncio.run(render(row))
    assert isinstance(result, Skip) and "no_such_kind" in result.reason
