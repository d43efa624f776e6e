"""Shared fixtures: the shipped program, a controllable clock, and the real bot running
against the sandbox over loopback."""

from __future__ import annotations

import asyncio
import os
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings

# CI replays the same examples every run, so a red build always means a change broke something;
# locally, every run explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

from bot.app import build_application, running
from bot.clock import Clock
from bot.config import Settings
from bot.delivery import ConferenceRateLimiter
from bot.domain.loader import load_program, load_series
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer
from bot.schedule_source import SourceFetcher
from postgres import ThrowawayPostgres, query
from bot.webhook import WebhookSettings

ROOT = Path(__file__).resolve().parent.parent
PROGRAM_FILE = ROOT / "program.yaml"
BERLIN = ZoneInfo("Europe/Berlin")
ADMIN_ID = 900001


# The storage contract runs on both backends: every test in these modules twice. End-to-end
# tests run on SQLite; those marked `postgres_too` (a smoke set through the whole bot) run on
# PostgreSQL as well. Several processes sharing one database: PostgreSQL's business alone.
STORAGE_CONTRACT = ("test_storage", "test_signup_rules", "test_privacy_storage", "test_webhook_claims",
                    "test_e2e_webhook")
POSTGRES_ONLY = ("test_e2e_cluster",)
_postgres: ThrowawayPostgres | None = None
_backend = "sqlite"
_databases: dict[str, str] = {}


def pytest_generate_tests(metafunc):
    module = metafunc.module.__name__
    if module.startswith(POSTGRES_ONLY) or metafunc.definition.get_closest_marker("postgres_only"):
        metafunc.parametrize("backend", ["postgresql"], indirect=True)
    elif module.startswith(STORAGE_CONTRACT) or metafunc.definition.get_closest_marker("postgres_too"):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def pytest_sessionfinish(session, exitstatus):
    if _postgres is not None:
        _postgres.stop()


def postgres_server() -> ThrowawayPostgres:
    """Started once, at the first test that needs it; stopped and removed when the run ends."""
    global _postgres
    if _postgres is None:
        _postgres = ThrowawayPostgres().start()
    return _postgres


@pytest.fixture(autouse=True)
def backend(request):
    """'sqlite' or 'postgresql': the database every bot and Storage in this test uses."""
    global _backend
    _backend = getattr(request, "param", "sqlite")
    _databases.clear()
    if _backend == "postgresql":
        postgres_server()
    yield _backend
    _backend = "sqlite"


def database_for(path: Path) -> Path | str:
    """The database a test names by a file path: that file on SQLite; on PostgreSQL a schema of
    its own, the same one for the same path, so that a restarted bot finds its data again."""
    if _backend == "sqlite":
        return path
    if str(path) not in _databases:
        _databases[str(path)] = postgres_server().url()
    return _databases[str(path)]


def table_names(database: Path | str) -> list[str]:
    if not str(database).startswith("postgresql://"):
        return [row[0] for row in query(database, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [row[0] for row in query(database, "SELECT table_name FROM information_schema.tables "
                                              "WHERE table_schema = current_schema()") if row[0] != "schema_version"]


def column_names(database: Path | str, table: str) -> list[str]:
    if not str(database).startswith("postgresql://"):
        return [row[1] for row in query(database, f"PRAGMA table_info({table})")]
    return [row[0] for row in query(database, "SELECT column_name FROM information_schema.columns "
                                              "WHERE table_schema = current_schema() AND table_name = ?", (table,))]




def berlin(text: str) -> datetime:
    """'2025-06-03 10:00' in Berlin time."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


class SettableClock(Clock):
    """Runs at real speed from a moment the test sets (a clock that stood still would never
    reach a retry's not-before time)."""

    def __init__(self, moment: datetime):
        self.set(moment)

    def now(self) -> datetime:
        return (self.moment + timedelta(seconds=time.monotonic() - self._set_at)).astimezone(timezone.utc)

    def set(self, moment: datetime) -> None:
        self.moment, self._set_at = moment, time.monotonic()


async def wait_until(condition, timeout: float) -> None:
    """Poll `condition` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.fixture
def program():
    return load_program(PROGRAM_FILE)


@dataclass
class Harness:
    server: SandboxServer
    client: SandboxClient
    application: object
    clock: SettableClock

    @property
    def services(self):
        return self.application.bot_data["services"]

    @property
    def sandbox(self):
        return self.server.sandbox

    async def attendee(self, name: str = "Anna", lang: str | None = "de", user_id: int | None = None):
        return await self.client.add_user(name, lang, user_id=user_id)


def conversation_limiter(settings: Settings) -> ConferenceRateLimiter:
    """Telegram's overall limit, but a chat may take 20 messages a second: a test that talks
    to the bot step by step is not about pacing, and at Telegram's one a second per chat every
    step after the third would wait for the last (tests/test_delivery.py and the tests marked
    `telegram_limits` keep the real per-chat limits)."""
    return ConferenceRateLimiter(overall_per_second=settings.rate_limit, private_burst=20, private_per_second=20.0,
                                 group_per_minute=1200)


@asynccontextmanager
async def bot_running(tmp_path: Path, clock: SettableClock, program_file: Path | str = PROGRAM_FILE,
                      server: SandboxServer | None = None, admins=frozenset({ADMIN_ID}), database: Path | None = None,
                      webhook: WebhookSettings | None = None, telegram_limits: bool = False, **settings_values):
    """The bot against the sandbox: by long polling, or with `webhook` as a webhook server.
    `telegram_limits`: the bot keeps Telegram's per-chat limits, as in production."""
    own_server = server is None
    server = server or await SandboxServer().start()
    settings = Settings(token=DEFAULT_TOKEN, api_url=server.api_url, admins=frozenset(admins),
                        program_path=program_file, database_path=database_for(database or tmp_path / "bot.sqlite3"),
                        **settings_values)
    fetch = SourceFetcher(tmp_path).fetch
    programs = await asyncio.to_thread(load_series, program_file, fetch)  # a linked URL is read off the loop
    application = build_application(settings, programs, clock=clock,
                                    limiter=None if telegram_limits else conversation_limiter(settings))
    client = SandboxClient(server.url)
    try:
        async with running(application, poll_timeout=1, webhook=webhook):
            yield Harness(server, client, application, clock)
    finally:
        await client.close()
        if own_server:
            await server.stop()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def clock():
    return SettableClock(berlin("2025-06-03 10:30"))


@pytest.fixture
async def harness(request, tmp_path, clock):
    limits = request.node.get_closest_marker("telegram_limits") is not None
    async with bot_running(tmp_path, clock, telegram_limits=limits) as running_harness:
        yield running_harness


def web_settings() -> dict:
    """Settings for a bot that serves the Mini App on a free loopback port."""
    port = free_port()
    return {"web_listen": ("127.0.0.1", port), "web_url": f"http://127.0.0.1:{port}/app/"}


def init_data(user_id: int, lang: str | None = "de", first_name: str = "Anna", age: float = 0,
              token: str = DEFAULT_TOKEN) -> str:
    """initData as Telegram would hand it to the page of the sandbox's bot, `age` seconds old."""
    from bot.web.initdata import sign

    user = {"id": user_id, "first_name": first_name}
    if lang:
        user["language_code"] = lang
    return sign(token, user, int(time.time() - age))


@pytest.fixture
async def web_harness(tmp_path, clock):
    async with bot_running(tmp_path, clock, **web_settings()) as running_harness:
        yield running_harness
