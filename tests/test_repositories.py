"""Storage is composed, not inherited: one repository per aggregate, each with its own state, and
none reaches into another's private attributes (privacy once cleared the attendees' cache through
a private method; it is handed the attendees and calls `forget`)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.storage import Database, Storage

STORAGE = Path(__file__).parent.parent / "bot" / "storage"
INFRASTRUCTURE = {"__init__.py", "engine.py", "dialect.py", "schema.py"}  # not repositories


def repositories(storage: Storage) -> dict[str, object]:
    return {name: value for name, value in vars(storage).items()
            if type(value).__module__.startswith("bot.storage.") and not isinstance(value, Database)}


def test_each_repository_stands_alone_and_shares_only_the_database(tmp_path):
    storage = Storage(tmp_path / "never-opened.sqlite3")
    found = repositories(storage)
    assert {"attendees", "registrations", "bookmarks", "outbox", "announcements", "privacy", "updates"} <= set(found)
    classes = {type(repository) for repository in found.values()}
    for name, repository in found.items():
        assert type(repository).__bases__ == (object,), f"storage.{name} inherits {type(repository).__bases__}"
        assert repository._db is storage.database, name
    assert len(classes) == len(found)  # one repository per aggregate, each of its own class


def test_no_repository_reads_private_attributes_but_its_own():
    for path in sorted(STORAGE.glob("*.py")):
        if path.name in INFRASTRUCTURE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                assert isinstance(owner, ast.Name) and owner.id == "self", \
                    f"{path.name}:{node.lineno}: {ast.unparse(node)} reaches into another object's state"
