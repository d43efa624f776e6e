"""Foundation details: one chat stays in order, long programs page, the token stays secret,
texts are complete in both languages, the demo runs."""

from __future__ import annotations


import asyncio
import os
import re
import signal
import string
import subprocess
import sys
import time

import pytest

from bot.domain.loader import parse_program
from bot.handlers import views
from bot.handlers.common import split_message, telegram_length
from bot.sandbox.server import SandboxServer
from bot.texts import de, en
from conftest import ROOT, database_for


@pytest.mark.slow  # starts the bot or the demo
async def test_one_attendees_updates_are_handled_in_order(harness):
    anna = await harness.attendee()
    for text in ("/anmelden ws-zwilling", "/abmelden ws-zwilling", "/anmelden ws-zwilling", "/abmelden ws-zwilling"):
        await harness.client.message(anna.id, text)  # all at once, without waiting
    outputs = await harness.client.outputs(anna.id, wait=15, minimum=4, settle=0.3)
    texts = [o["message"]["text"] for o in outputs if o["kind"] == "sendMessage"]
    assert ["angemeldet" in t and "abgemeldet" not in t for t in texts] == [True, False, True, False]
    assert await harness.services.storage.registrations.of_person(anna.id) == []


def big_program(sessions: int) -> str:
    lines = ["conference:", "  name: Großkonferenz", "  timezone: Europe/Berlin", '  start: "2025-06-03 08:00"',
             '  end: "2025-06-05 20:00"', "  venue: {name: Messe}", "sessions:"]
    for i in range(sessions):
        day, slot = divmod(i, 60)
        hour, minute = 8 + slot // 5, (slot % 5) * 10
        lines += [f"  - id: s{i}", "    kind: talk", f"    title: 'Vortrag Nummer {i} über <Daten> & Ämter – {'x' * 60}'",
                  f'    start: "2025-06-0{3 + day} {hour:02d}:{minute:02d}"', f'    end: "2025-06-0{3 + day} {hour:02d}:{minute + 9:02d}"',
                  f"    room: Raum {i}"]
    return "\n".join(lines) + "\n"


def test_a_long_program_is_paged_within_telegram_limits():
    program = parse_program(big_program(180))
    pages = views.program_pages(program, "de")
    assert len(pages) > 3
    seen = []
    for number in range(len(pages)):
        text, rows = views.program_page(program, "de", number)
        assert telegram_length(text) <= 4096
        assert all(len(button.callback_data.encode()) <= 64 for row in rows for button in row)
        seen += [button.callback_data for row in rows for button in row if button.callback_data.startswith("s:")]
    assert seen == [f"s:s{i}" for i in range(180)]  # every session once, in order
    assert "&lt;Daten&gt; &amp; Ämter" in pages[0][0]


def test_split_message_respects_the_limit_and_keeps_entities_whole():
    text = "\n".join(f"<b>Zeile {i}</b> &amp; mehr 😀" for i in range(800))
    parts = split_message(text)
    assert len(parts) > 1 and all(telegram_length(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text
    long_line = "&amp;" * 3000
    assert all(p.count("&") == p.count("&amp;") for p in split_message(long_line))


def test_both_languages_have_the_same_texts_and_placeholders():
    assert de.TEXTS.keys() == en.TEXTS.keys()
    fields = lambda s: {name for _, name, _, _ in string.Formatter().parse(s) if name}  # noqa: E731
    for key in de.TEXTS:
        assert fields(de.TEXTS[key]) == fields(en.TEXTS[key]), key
    assert [c for c, _ in de.COMMANDS] != [c for c, _ in en.COMMANDS] and len(de.COMMANDS) == len(en.COMMANDS)


@pytest.mark.slow  # starts the bot or the demo
async def test_the_token_never_appears_in_logs(tmp_path):
    server = await SandboxServer().start()
    token = server.sandbox.token
    env = {**os.environ, "BOT_TOKEN": token, "BOT_API_URL": server.api_url, "BOT_DATABASE": str(database_for(tmp_path / "t.sqlite3")),
           "BOT_LOG_LEVEL": "DEBUG", "BOT_CLOCK_START": "2025-06-03T10:00"}
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        user = server.sandbox.add_user("Anna")
        server.sandbox.user_message(user.id, "/start")
        deadline = time.monotonic() + 30
        while not server.sandbox.outputs and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert server.sandbox.outputs
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0)
        await server.stop()
    output = process.communicate(timeout=30)[0]
    assert "getUpdates" in output or "bot ready" in output  # it did log
    assert token not in output and token.split(":")[1] not in output


@pytest.mark.slow  # starts the bot or the demo
def test_demo_runs_offline_with_no_configuration(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    script = "/jetzt\n1\nwann ist die podiumsdiskussion\n/language\nq\n"
    result = subprocess.run([sys.executable, "-m", "bot", "demo"], cwd=ROOT, env=env, input=script, text=True,
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Willkommen!" in result.stdout and "22. Regionalkonferenz" in result.stdout
    assert "Podiumsdiskussion" in result.stdout and "Bye!" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"\[\d+\.\d+\] ", result.stdout)  # buttons are numbered per message


@pytest.mark.slow  # starts the bot or the demo
def test_demo_as_organizer_in_english(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    result = subprocess.run([sys.executable, "-m", "bot", "demo", "--admin", "--lang", "en"], cwd=ROOT, env=env,
                            input="/help\n/attendees\nq\n", text=True, capture_output=True, timeout=60)
    assert result.returncode == 0 and "For organizers" in result.stdout and "Sign-ups" in result.stdout


def test_the_rehearsal_clock_counts_real_elapsed_time_across_a_dst_change():
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from bot.clock import RehearsalClock

    start = datetime(2025, 10, 26, 1, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # 02:00–03:00 happens twice
    clock = RehearsalClock(start, speed=1, real_start=0.0)
    import bot.clock as clock_module

    real = clock_module.time.monotonic
    clock_module.time.monotonic = lambda: 3 * 3600.0  # three real hours later
    try:
        assert clock.now() == start.astimezone(timezone.utc) + timedelta(hours=3)
        assert clock.now().astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "03:30"
    finally:
        clock_module.time.monotonic = real
