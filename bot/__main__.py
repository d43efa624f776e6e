"""Command line: python -m bot run | check [PATH] | import | demo | guests | invite | purge | sandbox"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from .config import (
    ConfigError,
    Settings,
    parse_admins,
    parse_api_url,
    parse_clock_start,
    parse_speed,
    parse_database,
    parse_webhook_listen,
    parse_webhook_url,
    prepare_database,
)
from .domain.loader import (ProgramError, is_url, load_program, load_schedule, load_series, parse_program,
                            program_files, summary)
from .startup import fetcher, load_or_explain

NO_TOKEN = ("BOT_TOKEN is not set. Get a token from @BotFather in Telegram (send /newbot), then: "
            "export BOT_TOKEN=123456:ABC... and run again. To try the bot without Telegram: python -m bot demo")


class RedactToken(logging.Filter):
    """The token must never reach a log: python-telegram-bot and httpx put it in URLs. Nor must
    the webhook secret: python-telegram-bot logs setWebhook's parameters at DEBUG."""

    def __init__(self, token: str, webhook_secret: str = ""):
        super().__init__()
        self.secrets = [(secret, name) for secret, name in ((token, "<BOT_TOKEN>"),
                                                             (webhook_secret, "<BOT_WEBHOOK_SECRET>")) if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            redacted = message
            for secret, name in self.secrets:
                redacted = redacted.replace(secret, name)
            if redacted != message:
                record.msg = redacted
                record.args = ()
        return True


def setup_logging(level: str, token: str, webhook_secret: str = "") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token, webhook_secret))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level, logging.INFO))
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class OneLineParser(argparse.ArgumentParser):
    """A bad flag gets one clear line and exit status 2 (argparse would print the usage too)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def flag_value(args: argparse.Namespace, flag: str, parse, variable: str):
    """A flag's value checked exactly as its environment variable is, or None when not given.
    A bad value is a ConfigError naming the flag: one line, exit status 2."""
    raw = getattr(args, flag.removeprefix("--").replace("-", "_"), None)
    if raw is None:
        return None
    try:
        return parse(raw)
    except ConfigError as error:
        raise ConfigError(str(error).replace(variable, flag, 1)) from None


def parser() -> argparse.ArgumentParser:
    top = OneLineParser(prog="python -m bot", description="Conference attendee assistant for Telegram")
    commands = top.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--program", help="program file (BOT_PROGRAM, default ./program.yaml)")
        sub.add_argument("--database", help="SQLite file (BOT_DATABASE, default ./data/bot.sqlite3)")
        sub.add_argument("--clock-start", help="rehearsal: the bot's 'now' starts here (BOT_CLOCK_START)")
        sub.add_argument("--clock-speed", help="rehearsal: how many times faster (BOT_CLOCK_SPEED)")

    run = commands.add_parser("run", help="serve Telegram (long polling; --webhook: Telegram posts updates to this bot)")
    common(run)
    run.add_argument("--api-url", help="Bot API base URL (BOT_API_URL)")
    run.add_argument("--admins", help="organizer user ids, comma-separated (BOT_ADMINS)")
    run.add_argument("--webhook", action="store_true",
                     help="webhook mode instead of long polling: serve BOT_WEBHOOK_LISTEN and register BOT_WEBHOOK_URL "
                          "with the secret BOT_WEBHOOK_SECRET (required); several instances may serve one bot")
    run.add_argument("--webhook-url", help="public https URL Telegram posts updates to (BOT_WEBHOOK_URL)")
    run.add_argument("--webhook-listen", help="host:port the bot listens on (BOT_WEBHOOK_LISTEN, default 127.0.0.1:8443)")

    check = commands.add_parser("check", help="validate a program file, or a schedule (file or http(s) URL)")
    check.add_argument("path", nargs="?", help="program file, schedule file or URL (default: BOT_PROGRAM or ./program.yaml)")
    check.add_argument("--timezone", help="a schedule's zone where its times carry none (e.g. Europe/Brussels)")

    schedule = commands.add_parser("import", help="convert a pretalx/frab schedule.json or schedule.xml into a program.yaml")
    schedule.add_argument("source", help="schedule file or http(s) URL")
    schedule.add_argument("-o", "--output", help="program file to write (default: print it)")
    schedule.add_argument("--timezone", help="the conference's time zone, needed where the export names none and its "
                                             "times carry no offset (pentabarf/FOSDEM), e.g. Europe/Brussels")
    schedule.add_argument("--language", choices=["de", "en"],
                          help="the language of titles whose export names none (default: the one most events name, else de)")

    demo = commands.add_parser("demo", help="chat with the bot in this terminal, offline")
    common(demo)
    demo.add_argument("--admin", action="store_true", help="chat as an organizer")
    demo.add_argument("--lang", default="de", choices=["de", "en"], help="your Telegram language")
    demo.add_argument("--name", default="Alex", help="your first name in the demo")

    guests = commands.add_parser("guests", help="the guest list: load a CSV (with a preview), list, release a connection")
    guest_commands = guests.add_subparsers(dest="guests_command", required=True)
    load = guest_commands.add_parser("load", help="load or reload the guest list from a CSV (name; e-mail, organization, "
                                                  "code optional); shows what changes and asks first")
    load.add_argument("file", help="the CSV file (UTF-8 or Windows-1252, ; or , between fields)")
    load.add_argument("--dry-run", action="store_true", help="only show what would change")
    load.add_argument("--yes", action="store_true", help="apply without asking")
    listing = guest_commands.add_parser("list", help="every guest, tab-separated, with whether they connected")
    unlink = guest_commands.add_parser("unlink", help="release a guest's Telegram account: their link works again")
    unlink.add_argument("who", help="part of the guest's name, e-mail or code (must match one guest)")
    unlink.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for sub in (load, listing, unlink):
        sub.add_argument("--program", help="program file (BOT_PROGRAM, default ./program.yaml)")
        sub.add_argument("--database", help="SQLite file or PostgreSQL URL (BOT_DATABASE)")
        sub.add_argument("--conference", help="the conference's id, when BOT_PROGRAM names several")

    invite = commands.add_parser("invite", help="write each guest's personal t.me link into a CSV for a mail merge")
    invite.add_argument("-o", "--output", help="CSV file to write (default: print it)")
    invite.add_argument("--bot", help="the bot's @username (default: asked of Telegram with BOT_TOKEN)")
    invite.add_argument("--program", help="program file (BOT_PROGRAM, default ./program.yaml)")
    invite.add_argument("--database", help="SQLite file or PostgreSQL URL (BOT_DATABASE)")
    invite.add_argument("--conference", help="the conference's id, when BOT_PROGRAM names several")

    purge = commands.add_parser("purge", help="delete all personal data now (otherwise done after the retention period)")
    purge.add_argument("--database", help="SQLite file (BOT_DATABASE, default ./data/bot.sqlite3)")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    sandbox = commands.add_parser("sandbox", help="serve only the local Bot API sandbox")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument("--token", help="the token the sandbox accepts (default: a fixed test token)")
    return top


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    overrides = {
        "program_path": Path(args.program) if getattr(args, "program", None) else None,
        "database_path": parse_database(args.database) if getattr(args, "database", None) else None,
        "clock_start": flag_value(args, "--clock-start", parse_clock_start, "BOT_CLOCK_START"),
        "clock_speed": flag_value(args, "--clock-speed", parse_speed, "BOT_CLOCK_SPEED"),
        "api_url": flag_value(args, "--api-url", parse_api_url, "BOT_API_URL"),
        "admins": flag_value(args, "--admins", parse_admins, "BOT_ADMINS"),
        "webhook_url": flag_value(args, "--webhook-url", parse_webhook_url, "BOT_WEBHOOK_URL"),
        "webhook_listen": flag_value(args, "--webhook-listen", parse_webhook_listen, "BOT_WEBHOOK_LISTEN"),
    }
    if getattr(args, "port", None) is not None and not 1 <= args.port <= 65535:
        raise ConfigError(f"--port must be between 1 and 65535, not {args.port}")
    return settings.with_overrides(**overrides)


def check(path: str | None, zone: str | None = None) -> int:
    """Every problem of a program file, or of a schedule (file or URL, as `import` reads it);
    in English, as all output of the command line."""
    settings = Settings.from_env()
    target = path if path and is_url(path) else Path(path) if path else settings.program_path
    try:
        if isinstance(target, str):
            try:
                data = read_source(target)
            except OSError as error:
                print(f"{target}: cannot read: {getattr(error, 'reason', None) or error}", file=sys.stderr)
                return 1
            program = load_schedule(target, data, zone)
        elif len(program_files(target)) > 1 or target.is_dir():  # a season: every file, and the series
            for file, program in load_series(target, fetcher(settings)):
                print(f"{file}: {program.conference.id}\n{summary(program)}")
            return 0
        else:
            program = load_program(target, fetcher(settings), zone)
    except ProgramError as error:
        print(f"{target}: {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(summary(program))
    return 0


def run(settings: Settings, webhook: bool = False) -> int:
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if webhook:
        settings.check_webhook()
    prepare_database(settings.database_path)
    setup_logging(settings.log_level, settings.token, settings.webhook_secret if webhook else "")
    programs = load_or_explain(settings.program_path, "the bot does not start with an invalid program:", fetcher(settings))
    if programs is None:
        return 1
    from telegram import Update

    from .app import build_application

    application = build_application(settings, programs)
    if webhook:
        return asyncio.run(serve_webhook(application, settings))
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=30)
    return 0


async def serve_webhook(application, settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT, then stop gracefully (updates being handled finish)."""
    import signal

    from .app import running
    from .webhook import WebhookSettings, WebhookStartError

    webhook = WebhookSettings.from_settings(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running(application, webhook=webhook):
            await stop.wait()
    except WebhookStartError as error:
        raise ConfigError(str(error)) from None
    return 0


def purge(settings: Settings, confirmed: bool) -> int:
    if not confirmed:
        try:
            answer = input(f"Delete all personal data in {settings.database_path}? Type 'yes': ")
        except EOFError:  # no terminal to ask: nothing is deleted without a yes
            answer = ""
        if answer.strip().lower() != "yes":
            print("Nothing deleted.")
            return 1

    async def work() -> dict:
        from datetime import datetime, timezone

        from .storage import Storage

        storage = Storage(settings.database_path)
        await storage.open()
        try:
            return await storage.privacy.purge(datetime.now(timezone.utc))
        finally:
            await storage.close()

    counts = asyncio.run(work())
    print(f"purged: {', '.join(f'{table} {count}' for table, count in counts.items())}")
    return 0


def read_source(source: str) -> bytes:
    """A schedule's bytes from a file or an http(s) URL; OSError (URLError is one) if unreadable."""
    import urllib.request

    if not is_url(source):
        return Path(source).read_bytes()
    request = urllib.request.Request(source, headers={"User-Agent": "konferenz-bot schedule import"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http(s) only, checked above
        return response.read()


def import_schedule(source: str, output: str | None, zone: str | None = None, language: str | None = None) -> int:
    """Read a schedule (file or URL), write a program.yaml that passes check, print a summary
    (with the time zone and the language it used, and why)."""
    import yaml

    from .domain.schedule_import import ScheduleError, parse_schedule

    try:
        imported = parse_schedule(read_source(source), source, zone, "option", language)
    except OSError as error:
        print(f"{source}: cannot read: {getattr(error, 'reason', None) or error}", file=sys.stderr)
        return 1
    except ScheduleError as error:
        print(f"{source}: {error}", file=sys.stderr)
        return 1
    given = f"#   conference: {{timezone: {zone}}}\n" if zone else ""  # a linked export needs it again
    header = (f"# Imported from {source} by `python -m bot import`.\n"
              "# Better than editing this file: keep it as a link and add what the export lacks —\n"
              f"#   source: {source}\n{given}#   additions: {{<session id>: {{capacity: 30}}}}\n"
              "# (see docs/program.md, \"From pretalx or frab\").\n")
    text = header + yaml.safe_dump(imported.document, allow_unicode=True, sort_keys=False, width=100)
    try:
        parse_program(text)
    except ProgramError as error:  # a bug of the importer: say so plainly
        print(f"{source}: the converted program does not pass the checks:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"Configuration error: -o {output} cannot be written: {error.strerror or error}", file=sys.stderr)
            return 2
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    print(imported.summary(), file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "check":
            return check(args.path, args.timezone)
        if args.command == "import":
            return import_schedule(args.source, args.output, args.timezone, args.language)
        settings = settings_from(args)
        if args.command == "run":
            return run(settings, webhook=args.webhook)
        if args.command == "demo":
            from .sandbox.demo import run_demo

            if args.database or os.environ.get("BOT_DATABASE"):  # otherwise the demo uses a scratch file
                prepare_database(settings.database_path)
            return asyncio.run(run_demo(settings, admin=args.admin, lang=args.lang, name=args.name))
        if args.command == "purge":
            prepare_database(settings.database_path)
            return purge(settings, args.yes)
        if args.command in ("guests", "invite"):
            from . import guest_commands

            prepare_database(settings.database_path)
            if args.command == "invite":
                return guest_commands.invite(settings, args.conference, args.output, args.bot)
            if args.guests_command == "load":
                return guest_commands.load(settings, args.conference, args.file, args.dry_run, args.yes)
            if args.guests_command == "list":
                return guest_commands.listing(settings, args.conference)
            return guest_commands.unlink(settings, args.conference, args.who, args.yes)
        if args.command == "sandbox":
            from .sandbox.server import DEFAULT_TOKEN, serve_forever

            try:
                asyncio.run(serve_forever(args.host, args.port, args.token or DEFAULT_TOKEN))
            except OSError as error:  # unknown host, port taken or not allowed
                raise ConfigError(f"the sandbox cannot listen on {args.host}:{args.port}: "
                                  f"{error.strerror or error}") from None
            return 0
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter's final flush quiet
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
