"""Regenerate bot/sandbox/botapi_methods.json from the Bot API specification.

Run once when the Bot API changes, from the repository root:

    python tools/gen_sandbox_spec.py ../shared/telegram-bot-api/api.min.json

The sandbox only reads the generated file, so neither running nor testing the
project needs the specification itself.
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bot" / "sandbox" / "botapi_methods.json"
# Objects whose fields the sandbox checks inside parameters: what inline answers and menu
# buttons are made of (with every subtype of the abstract ones).
OBJECTS = ("InlineQueryResult", "InputMessageContent", "InlineQueryResultsButton", "MenuButton", "WebAppInfo")


def _fields(spec_type: dict) -> dict:
    return {field["name"]: {"types": field["types"], "required": field["required"]}
            for field in spec_type.get("fields", [])}


def _objects(types: dict) -> dict:
    found = {}
    for name in OBJECTS:
        for concrete in types[name].get("subtypes") or [name]:
            found[concrete] = _fields(types[concrete])
    return found


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    methods = {
        name: {
            field["name"]: {"types": field["types"], "required": field["required"]}
            for field in method.get("fields", [])
        }
        for name, method in sorted(spec["methods"].items())
    }
    document = {"version": spec["version"], "methods": methods, "objects": _objects(spec["types"])}
    OUT.write_text(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(methods)} methods and {len(document['objects'])} objects of {spec['version']} to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/telegram-bot-api/api.min.json")
