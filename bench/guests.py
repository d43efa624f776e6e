"""Loading a guest list of 10,000: reading the CSV, comparing it with the list loaded, and
storing it (new codes, corrections, removals) — the same use cases the chat and
`python -m bot guests load` run. Target: under 2 s for 10,000 guests.

Three loads into one database: the first (10,000 new), a reload with 200 names corrected,
200 removed and 200 added, and the same file again (nothing to change). Each is timed from
the bytes of the file to the committed list (preview + apply, as a confirmed load does).

    python bench/guests.py              # 10,000 guests, SQLite and PostgreSQL
    python bench/guests.py --n 20000 --sqlite-only
"""

from __future__ import annotations

import argparse
import asyncio
import time

from common import ROOT, machine, postgres_server, scratch_dir, table

from bot.clock import Clock
from bot.config import Settings
from bot.domain.loader import load_program
from bot.services import Conferences, ProgramHolder, Services
from bot.storage import Storage
from bot.usecases import guests


def guest_csv(n: int, renamed: int = 0, removed: int = 0, added: int = 0) -> bytes:
    lines = ["\ufeffName;E-Mail;Organisation;Buchungsnummer"]
    for i in range(removed, n):
        name = f"Gast Nummer {i}" + (" (korrigiert)" if i < removed + renamed else "")
        lines.append(f'"{name}";gast{i}@example.org;"Kommune {i % 300}, Abteilung {i % 7}";R-{i:06d}')
    lines += [f"Neu {i};neu{i}@example.org;Neue Kommune;N-{i:06d}" for i in range(added)]
    return ("\n".join(lines) + "\n").encode("utf-8")


async def measure(database, n: int, label: str) -> list[dict]:
    program = load_program(ROOT / "program.yaml")
    storage = Storage(database)
    await storage.open()
    svc = Services(Settings(), Clock(), storage, Conferences([ProgramHolder(ROOT / "program.yaml", program)]))
    conference = program.conference.id
    rows = []
    try:
        changes = max(1, n // 50)
        for step, data in (("first load", guest_csv(n)),
                           (f"reload: {changes} renamed, {changes} removed, {changes} added",
                            guest_csv(n, renamed=changes, removed=changes, added=changes)),
                           ("same file again", guest_csv(n, renamed=changes, removed=changes, added=changes))):
            started = time.perf_counter()
            preview = await guests.preview_load(svc, conference, data)
            previewed = time.perf_counter() - started
            result = await guests.apply_load(svc, conference, data, preview.expected) if preview.comparison.anything else None
            elapsed = time.perf_counter() - started
            count = await guests.count(svc, conference)
            rows.append({"backend": label, "guests": n, "step": step, "file KB": len(data) // 1024,
                         "preview s": f"{previewed:.2f}", "preview + apply s": f"{elapsed:.2f}",
                         "stored": count.total,
                         "changes": f"+{result.added} ~{result.changed} -{result.removed}" if result else "none"})
    finally:
        await storage.close()
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    rows = await measure(scratch_dir() / "guests.sqlite3", args.n, "SQLite")
    if not args.sqlite_only:
        async with postgres_server() as server:
            rows += await measure(server.url(), args.n, "PostgreSQL")
    print(machine())
    print(table(rows, ["backend", "guests", "step", "file KB", "preview s", "preview + apply s", "stored", "changes"]))


if __name__ == "__main__":
    asyncio.run(main())
