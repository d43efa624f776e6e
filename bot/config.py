"""Settings from environment variables; command-line flags override them."""

from __future__ import annotations

import ipaddress
import os
import re
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .clock import Clock, RehearsalClock

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1:8443"
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a webhook's secret_token


class ConfigError(ValueError):
    """A setting has a value the bot cannot use; the message says which and why. It starts with
    the environment variable's name: the command line puts the flag's name there instead."""


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    token: str = field(default="", repr=False)  # never printed, never logged
    api_url: str = DEFAULT_API_URL
    admins: frozenset[int] = frozenset()
    program_path: Path = Path("program.yaml")
    database_path: Path | str = Path("data/bot.sqlite3")  # a SQLite file, or a postgresql:// URL
    clock_start: str | None = None
    clock_speed: float = 1.0
    # An update keeps its place while its reply goes to Telegram and back (50 of the 77 ms an
    # update took in bench/signup.py): 64 places capped a crowd at ~830 updates a second.
    max_concurrent_updates: int = 128
    http_backend: str = "aiohttp"
    rate_limit: int = 30  # messages per second overall; Telegram's paid broadcasts allow up to 1000
    source_poll_seconds: int = 300  # how often a schedule linked by URL is checked for a new version
    log_level: str = "INFO"
    web_listen: tuple[str, int] | None = None  # host and port of the Mini App's web server; None = no server
    web_url: str | None = None  # the public URL of the Mini App page; None = no web_app buttons
    web_max_age: int = 86400  # seconds a Mini App's initData stays valid after Telegram signed it


    # webhook mode (python -m bot run --webhook); checked for completeness by webhook()
    webhook_url: str = ""
    webhook_listen: tuple[str, int] = ("127.0.0.1", 8443)
    webhook_secret: str = field(default="", repr=False)  # never printed, never logged
    webhook_claim_timeout: float = 60.0  # seconds after which a claim of a silent instance is taken over

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        clock_start = env.get("BOT_CLOCK_START", "").strip()
        return cls(
            token=env.get("BOT_TOKEN", "").strip(),
            api_url=parse_api_url(env.get("BOT_API_URL", "").strip() or DEFAULT_API_URL),
            admins=parse_admins(env.get("BOT_ADMINS", "")),
            program_path=Path(env.get("BOT_PROGRAM", "").strip() or "program.yaml"),
            database_path=parse_database(env.get("BOT_DATABASE", "").strip() or "data/bot.sqlite3"),
            clock_start=parse_clock_start(clock_start) if clock_start else None,
            clock_speed=parse_speed(env.get("BOT_CLOCK_SPEED", "").strip() or "1"),
            max_concurrent_updates=parse_positive_int("BOT_CONCURRENCY", env.get("BOT_CONCURRENCY", "").strip() or "128"),
            rate_limit=parse_positive_int("BOT_RATE_LIMIT", env.get("BOT_RATE_LIMIT", "").strip() or "30"),
            source_poll_seconds=parse_positive_int("BOT_SOURCE_POLL", env.get("BOT_SOURCE_POLL", "").strip() or "300"),
            http_backend=parse_backend(env.get("BOT_HTTP_BACKEND", "").strip().lower() or "aiohttp"),
            log_level=parse_log_level(env.get("BOT_LOG_LEVEL", "").strip() or "INFO"),
            web_listen=parse_web_listen(env["BOT_WEB_LISTEN"]) if env.get("BOT_WEB_LISTEN", "").strip() else None,
            web_url=parse_web_url(env["BOT_WEB_URL"]) if env.get("BOT_WEB_URL", "").strip() else None,
            web_max_age=parse_positive_int("BOT_WEB_MAX_AGE", env.get("BOT_WEB_MAX_AGE", "").strip() or "86400"),


            webhook_url=parse_webhook_url(env["BOT_WEBHOOK_URL"]) if env.get("BOT_WEBHOOK_URL", "").strip() else "",
            webhook_listen=parse_webhook_listen(env.get("BOT_WEBHOOK_LISTEN", "").strip() or DEFAULT_WEBHOOK_LISTEN),
            webhook_secret=parse_webhook_secret(env["BOT_WEBHOOK_SECRET"]) if "BOT_WEBHOOK_SECRET" in env else "",
            webhook_claim_timeout=float(parse_positive_int(
                "BOT_WEBHOOK_CLAIM_TIMEOUT", env.get("BOT_WEBHOOK_CLAIM_TIMEOUT", "").strip() or "60")),
        )

    def check_webhook(self) -> None:
        """Webhook mode needs the public URL and the secret; polling needs neither."""
        if not self.webhook_url:
            raise ConfigError("BOT_WEBHOOK_URL (--webhook-url) is required with --webhook: the public https URL "
                              "Telegram posts updates to, e.g. https://bot.example.org/telegram/updates")
        if not self.webhook_secret:
            raise ConfigError("BOT_WEBHOOK_SECRET is required with --webhook: 1-256 characters A-Z, a-z, 0-9, _ or -, "
                              "the same on every instance (e.g. from: openssl rand -hex 32)")

    def with_overrides(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def cache_dir(self) -> Path:
        """Where the bot keeps copies of what it fetched (a linked schedule): beside a SQLite
        file; with PostgreSQL, BOT_CACHE_DIR or ./data."""
        if isinstance(self.database_path, Path):
            return self.database_path.parent
        return Path(os.environ.get("BOT_CACHE_DIR", "").strip() or "data")

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins

    def make_clock(self, tz: ZoneInfo) -> Clock:
        if not self.clock_start:
            if self.clock_speed != 1.0:
                raise ConfigError("BOT_CLOCK_SPEED (--clock-speed) needs BOT_CLOCK_START (--clock-start), "
                                  "the instant the rehearsal starts at")
            return Clock()
        return RehearsalClock(parse_instant(self.clock_start, tz), self.clock_speed)


def parse_admins(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"BOT_ADMINS must list numeric Telegram user ids separated by commas; '{part}' is not one")
        ids.add(int(part))
    return frozenset(ids)


def parse_clock_start(raw: str) -> str:
    """The rehearsal's start, checked now (it is read in the conference's zone when the clock is
    made, after the program is loaded), so that a typo is one clear line before anything starts."""
    parse_instant(raw, ZoneInfo("UTC"))
    return raw.strip()


def parse_api_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"BOT_API_URL must be an http(s) URL like {DEFAULT_API_URL}, not '{raw}'")
    return raw.strip()


def parse_web_listen(raw: str) -> tuple[str, int]:
    return parse_listen("BOT_WEB_LISTEN", raw, "127.0.0.1:8080")


def parse_web_url(raw: str) -> str:
    """The Mini App's public address. Telegram opens only https pages, except in its test
    environment, which also allows http (the demo and local tests use that)."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"BOT_WEB_URL must be the page's http(s) URL like https://bot.example.org/app/, not '{raw}'")
    return raw.strip()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_webhook_url(raw: str) -> str:
    """The public URL Telegram posts to: https; plain http only on a loopback host (the sandbox)."""
    url = raw.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"BOT_WEBHOOK_URL must be an https URL like https://bot.example.org/telegram/updates, "
                          f"not '{raw}'") from None
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and is_loopback(host):
        return url
    if parts.scheme == "http" and host:
        raise ConfigError(f"BOT_WEBHOOK_URL must be https (Telegram posts only to https; http is allowed for "
                          f"127.0.0.1 and localhost, for the sandbox), not '{raw}'")
    raise ConfigError(f"BOT_WEBHOOK_URL must be an https URL like https://bot.example.org/telegram/updates, not '{raw}'")


def parse_webhook_listen(raw: str) -> tuple[str, int]:
    """host:port the bot's own web server listens on (behind the reverse proxy)."""
    return parse_listen("BOT_WEBHOOK_LISTEN", raw, DEFAULT_WEBHOOK_LISTEN)


def parse_listen(name: str, raw: str, example: str) -> tuple[str, int]:
    """"127.0.0.1:8080" or "[::1]:8080" → (host, port)."""
    host, colon, port = raw.strip().rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(f"{name} must be host:port like {example}, not '{raw}'")
    return host, int(port)


def parse_webhook_secret(raw: str) -> str:
    if not SECRET_TOKEN.fullmatch(raw):
        # the value is a secret: say what is wrong with it, never echo it
        raise ConfigError(f"BOT_WEBHOOK_SECRET must be 1-256 characters A-Z, a-z, 0-9, _ or - "
                          f"(Telegram's rule for a secret_token); the value given has {len(raw)} characters"
                          + ("" if not raw or len(raw) > 256 else " and others than those"))
    return raw


def parse_log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"BOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not '{raw}'")
    return level


def parse_database(raw: str) -> Path | str:
    """A postgresql:// URL selects PostgreSQL; anything else is the path of a SQLite file."""
    return raw if raw.startswith(("postgresql://", "postgres://")) else Path(raw)


def prepare_database(path: Path | str) -> None:
    """Make sure the database can be opened (creating its folder, as the bot would), so that a
    database that cannot work is one clear line, not a traceback from deep inside the storage."""
    if isinstance(path, str):
        _reach_postgres(path)
        return
    if path.is_dir():
        raise ConfigError(f"BOT_DATABASE (--database) must name a file, not the folder '{path}'")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(str(path)).close()
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(f"BOT_DATABASE (--database) '{path}' cannot be opened: {reason}") from None


def _reach_postgres(url: str) -> None:
    from .storage.dialect import redact
    try:
        import psycopg
        psycopg.connect(url, connect_timeout=10).close()
    except Exception as error:  # noqa: BLE001 - any reason is one clear line
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(f"BOT_DATABASE (--database) '{redact(url)}' cannot be reached: {reason}") from None


def parse_speed(raw: str) -> float:
    try:
        speed = float(raw)
    except ValueError:
        raise ConfigError(f"BOT_CLOCK_SPEED must be a number like 1 or 60, not '{raw}'") from None
    if not 0 < speed <= 100_000:
        raise ConfigError(f"BOT_CLOCK_SPEED must be above 0 and at most 100000, not {raw}")
    return speed


def parse_backend(raw: str) -> str:
    if raw not in ("aiohttp", "httpx"):
        raise ConfigError(f"BOT_HTTP_BACKEND must be aiohttp or httpx, not '{raw}'")
    return raw


def parse_positive_int(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not '{raw}'")
    return int(raw)


def parse_instant(raw: str, tz: ZoneInfo) -> datetime:
    """An ISO-8601 instant; without an offset it is read in the conference's time zone."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(f"BOT_CLOCK_START must be an ISO-8601 time like 2025-06-03T09:00, not '{raw}'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
