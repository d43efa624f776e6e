"""The Bot API as the sandbox knows it: every method with its parameters, and the objects whose
fields it checks inside parameters (inline results, menu buttons). Generated from the Bot API
specification by tools/gen_sandbox_spec.py into botapi_methods.json; read once, here."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .errors import ApiError, bad

_SPEC = json.loads(resources.files(__package__).joinpath("botapi_methods.json").read_text(encoding="utf-8"))

METHODS: dict[str, dict[str, dict]] = _SPEC["methods"]
METHODS_BY_LOWER = {name.lower(): name for name in METHODS}  # Telegram reads method names case-insensitively
OBJECTS: dict[str, dict[str, dict]] = _SPEC["objects"]


def check_fields(value: Any, shape: str, where: str) -> dict:
    """`value` is an object of the Bot API type `shape`: no unknown fields, all required ones."""
    if not isinstance(value, dict):
        raise bad(f"can't parse {where}: an object expected")
    fields = OBJECTS[shape]
    for name in value:
        if name not in fields:
            raise bad(f"can't parse {where}: unknown field \"{name}\"")
    for name, info in fields.items():
        if info["required"] and name not in value:
            raise bad(f"can't parse {where}: field \"{name}\" must be present")
        if name in value and info["types"] == ["String"] and not isinstance(value[name], str):
            raise bad(f"can't parse {where}: field \"{name}\" must be a String")
    return value


def matching_shape(value: dict, shapes: list[str], where: str) -> str:
    """The first shape `value` fits; the first shape's complaint if it fits none."""
    for shape in shapes:
        try:
            check_fields(value, shape, where)
            return shape
        except ApiError:
            continue
    check_fields(value, shapes[0], where)
    return shapes[0]
