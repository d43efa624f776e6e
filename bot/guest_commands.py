"""The guest list from the command line: `python -m bot guests load FILE` (a preview, then
"yes", or --dry-run / --yes), `guests list`, `guests unlink WHO`, and `python -m bot invite`,
which writes every guest's personal link into a CSV for the organizers' mail merge. The same
use cases as the chat (bot/usecases/guests.py); English, as all output of the command line."""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from .config import ConfigError, Settings
from . import scope
from .services import Conferences, ProgramHolder, Services
from .startup import fetcher, load_or_explain
from .texts import plain
from .usecases import guests

LISTED = 30


@asynccontextmanager
async def services(settings: Settings, conference: str | None) -> AsyncIterator[Services]:
    """The bot's services without Telegram, with the conference named (or the only one) in
    scope: its program and its rows."""
    from .storage import Storage

    programs = load_or_explain(settings.program_path, "the program does not load:", fetcher(settings))
    if programs is None:
        raise ConfigError(f"BOT_PROGRAM (--program) '{settings.program_path}' is not a valid program (see above)")
    conferences = Conferences(ProgramHolder(path, program) for path, program in programs)
    chosen = conference or conferences.only()
    if chosen not in conferences.ids:
        raise ConfigError(f"--conference must name one of this bot's conferences: {', '.join(conferences.ids)}"
                          + (f" (not '{conference}')" if conference else ""))
    storage = Storage(settings.database_path)
    storage.database.default_conference = conferences.only()
    await storage.open()
    try:
        with scope.within(chosen):
            svc = Services(settings=settings, clock=settings.make_clock(conferences.get(chosen).base.tz), storage=storage,
                           conferences=conferences)
            yield svc
    finally:
        await storage.close()


def ask_yes(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:  # no terminal to ask: nothing changes without a yes
        answer = ""
    return answer.strip().lower() == "yes"


def load(settings: Settings, conference: str | None, file: str, dry_run: bool, yes: bool) -> int:
    try:
        data = Path(file).read_bytes()
    except OSError as error:
        print(f"{file}: cannot read: {error.strerror or error}", file=sys.stderr)
        return 1

    async def work() -> int:
        async with services(settings, conference) as svc:
            conference_id = svc.program.current.conference.id
            preview = await guests.preview_load(svc, conference_id, data)
            if preview.problem is not None:
                print(f"{file}: not loaded, nothing changed: {problem_line(preview.problem)}", file=sys.stderr)
                return 1
            print(describe(file, conference_id, preview))
            if not preview.comparison.anything:
                return 0
            if dry_run:
                print("Nothing changed (--dry-run).")
                return 0
            if not yes and not ask_yes("Apply these changes? Type 'yes': "):
                print("Nothing changed.")
                return 1
            result = await guests.apply_load(svc, conference_id, data, preview.expected)
            if isinstance(result, guests.LoadPreview):
                print("The guest list changed meanwhile (another load?): nothing changed; run again.", file=sys.stderr)
                return 1
            total = (await guests.count(svc, conference_id)).total
            print(f"loaded: {result.added} new, {result.changed} changed, {result.removed} removed; {total} guests")
            return 0
    return asyncio.run(work())


def problem_line(problem) -> str:
    return plain("en", f"guests_problem_{problem.code}", line=problem.line or "-", **dict(problem.values))


def describe(file: str, conference_id: str, preview: guests.LoadPreview) -> str:
    comparison = preview.comparison
    lines = [f"{file}: {preview.total} guests for conference '{conference_id}'"]
    if not comparison.anything:
        lines.append("  the same as the list loaded: nothing to change")
        return "\n".join(lines)
    lines.append(f"  new: {len(comparison.added)}")
    lines.append(f"  changed: {len(comparison.changed)}")
    lines += [f"    {c.guest.name} -> {c.entry.name}" for c in comparison.renamed[:LISTED]]
    lines.append(f"  removed: {len(comparison.removed)} (their invitation links stop working)")
    lines += [f"    {g.name}" + (" (connected to Telegram)" if g.connected else "") for g in comparison.removed[:LISTED]]
    if len(comparison.removed) > LISTED:
        lines.append(f"    ... and {len(comparison.removed) - LISTED} more")
    lines.append(f"  unchanged: {comparison.unchanged}")
    return "\n".join(lines)


def listing(settings: Settings, conference: str | None) -> int:
    async def work() -> int:
        async with services(settings, conference) as svc:
            conference_id = svc.program.current.conference.id
            everyone = await guests.listed(svc, conference_id)
            for guest in everyone:
                mark = "connected" if guest.connected else "-"
                print(f"{guest.name}\t{guest.email}\t{guest.organization}\t{guest.reference}\t{mark}")
            connected = sum(1 for g in everyone if g.connected)
            print(f"{len(everyone)} guests of '{conference_id}', {connected} connected", file=sys.stderr)
            return 0
    return asyncio.run(work())


def unlink(settings: Settings, conference: str | None, words: str, yes: bool) -> int:
    async def work() -> int:
        async with services(settings, conference) as svc:
            found = await guests.find(svc, svc.program.current.conference.id, words)
            if len(found) != 1:
                print(f"'{words}' matches {len(found)} guests; name one exactly (name, e-mail, code):", file=sys.stderr)
                for guest in found:
                    print(f"  {guest.name} <{guest.email}> {guest.reference}", file=sys.stderr)
                return 1
            guest = found[0]
            if not guest.connected:
                print(f"{guest.name} is not connected: the link works already")
                return 0
            if not yes and not ask_yes(f"Release {guest.name} from Telegram account {guest.user_id}? Type 'yes': "):
                print("Nothing changed.")
                return 1
            await guests.unlink(svc, guest.id)
            print(f"released: the link of {guest.name} works again for the next account that opens it")
            return 0
    return asyncio.run(work())


def invite(settings: Settings, conference: str | None, output: str | None, bot_username: str | None) -> int:
    """Every guest's personal link, as CSV, into a file or to stdout."""
    username = (bot_username or "").lstrip("@") or _username_from_telegram(settings)

    async def work() -> tuple[bytes, int]:
        async with services(settings, conference) as svc:
            return await guests.invitations(svc, svc.program.current.conference.id, username)
    data, count = asyncio.run(work())
    if not count:
        print("no guest list loaded yet: python -m bot guests load FILE", file=sys.stderr)
        return 1
    if output:
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise ConfigError(f"-o {output} cannot be written: {error.strerror or error}") from None
        print(f"wrote {count} invitation links to {output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _username_from_telegram(settings: Settings) -> str:
    """The bot's @username, asked of Telegram (getMe) with BOT_TOKEN, when --bot does not say it."""
    if not settings.token:
        raise ConfigError("--bot is required without BOT_TOKEN: the bot's @username, for the t.me links")
    url = f"{settings.api_url.rstrip('/')}{settings.token}/getMe"
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - the configured Bot API URL
            return json.loads(response.read())["result"]["username"]
    except Exception as error:  # noqa: BLE001 - any reason is one clear line, never the token
        reason = getattr(error, "reason", None) or type(error).__name__
        raise ConfigError(f"could not ask Telegram for the bot's username ({reason}); give it with --bot") from None
