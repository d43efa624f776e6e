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
from bot.domain.loader import load_program
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer
from bot.schedule_source import SourceFetcher
from bot.webhook import WebhookSettings

ROOT = Path(__file__).resolve().parent.parent
PROGRAM_FILE = ROOT / "program.yaml"
BERLIN = ZoneInfo("Europe/Berlin")
ADMIN_ID = 900001


# End-to-end modules run the real bot (or subprocesses) against the sandbox: the slow tier.
SLOW_MODULES = ("test_e2e_", "test_delivery", "test_reliability", "test_properties", "test_cli", "test_sandbox",
                "test_request_backend", "test_foundation")


def pytest_collection_modifyitems(config, items):
    """`pytest -m "not slow"` runs the quick tier alone (the rules, texts, loader, checks …)."""
    for item in items:
        if item.module.__name__.startswith(SLOW_MODULES):
            item.add_marker(pytest.mark.slow)


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


@asynccontextmanager
async def bot_running(tmp_path: Path, clock: SettableClock, program_file: Path = PROGRAM_FILE,
                      server: SandboxServer | None = None, admins=frozenset({ADMIN_ID}), database: Path | None = None,
                      webhook: WebhookSettings | None = None, **settings_values):
    """The bot against the sandbox: by long polling, or with `webhook` as a webhook server."""
    own_server = server is None
    server = server or await SandboxServer().start()
    settings = Settings(token=DEFAULT_TOKEN, api_url=server.api_url, admins=frozenset(admins),
                        program_path=program_file, database_path=database or tmp_path / "bot.sqlite3", **settings_values)
    fetch = SourceFetcher(settings.database_path.parent).fetch
    program = await asyncio.to_thread(load_program, program_file, fetch)  # a linked URL is read off the loop
    application = build_application(settings, program, clock=clock)
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
async def harness(tmp_path, clock):
    async with bot_running(tmp_path, clock) as running_harness:
        yield running_harness
