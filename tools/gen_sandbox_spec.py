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


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    methods = {
        name: {
            field["name"]: {"types": field["types"], "required": field["required"]}
            for field in method.get("fields", [])
        }
        for name, method in sorted(spec["methods"].items())
    }
    document = {"version": spec["version"], "methods": methods}
    OUT.write_text(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(methods)} methods of {spec['version']} to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/telegram-bot-api/api.min.json")
