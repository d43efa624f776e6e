"""Bad command-line flags get one clear line and exit status 2, never a traceback; flags are
checked exactly as the environment variables they override."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    ConfigError,
    Settings,
    parse_api_url,
    parse_clock_start,
    parse_log_level,
    parse_webhook_listen,
    parse_webhook_secret,
    parse_webhook_url,
    prepare_database,
)
from conftest import ROOT

pytestmark = pytest.mark.slow  # each test runs the command line in a subprocess


def bot(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m bot …` in the project, with no BOT_* settings but the ones given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env={**clean, **(env or {})})


def one_clear_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("flags", [["--clock-speed", "0"], ["--clock-speed", "abc"], ["--clock-speed", "-5"],
                                   ["--clock-speed", "nan"], ["--clock-start", "notatime"],
                                   ["--clock-start", "2025-06-03T25:00"], ["--clock-start", ""], ["--admins", "anna"],
                                   ["--lang", "fr"], ["--bogus"], ["--clock-speed"]])
def test_bad_demo_flags_get_one_clear_line(flags, tmp_path):
    one_clear_line(bot("demo", "--database", str(tmp_path / "db.sqlite3"), *flags))


@pytest.mark.parametrize("flag, value, expected", [
    ("--clock-speed", "0", "Configuration error: --clock-speed must be above 0 and at most 100000, not 0"),
    ("--clock-speed", "abc", "Configuration error: --clock-speed must be a number like 1 or 60, not 'abc'"),
    ("--clock-start", "notatime", "Configuration error: --clock-start must be an ISO-8601 time like 2025-06-03T09:00, "
                                  "not 'notatime'"),
])
def test_a_flag_is_checked_as_its_environment_variable_and_named(flag, value, expected, tmp_path):
    assert one_clear_line(bot("demo", flag, value)) == expected
    variable = "BOT_" + flag.removeprefix("--").replace("-", "_").upper()
    assert one_clear_line(bot("demo", env={variable: value})) == expected.replace(flag, variable)


@pytest.mark.parametrize("flags, expected", [
    (["--admins", "11111111,anna"], "--admins must list numeric Telegram user ids separated by commas; 'anna' is not one"),
    (["--api-url", "api.telegram.org"], "--api-url must be an http(s) URL"),
    (["--clock-speed", "60"], "needs BOT_CLOCK_START (--clock-start)"),
])
def test_bad_run_flags_get_one_clear_line(flags, expected, tmp_path):
    line = one_clear_line(bot("run", "--database", str(tmp_path / "db.sqlite3"), *flags, env={"BOT_TOKEN": "1:abc"}))
    assert line.startswith("Configuration error: ") and expected in line


WEBHOOK = {"BOT_TOKEN": "1:abc", "BOT_WEBHOOK_URL": "https://bot.example.org/telegram/x", "BOT_WEBHOOK_SECRET": "s3cr3t"}


@pytest.mark.parametrize("flags, env, expected", [
    ([], {"BOT_WEBHOOK_URL": ""}, "BOT_WEBHOOK_URL (--webhook-url) is required with --webhook"),
    ([], {"BOT_WEBHOOK_SECRET": ""}, "BOT_WEBHOOK_SECRET must be 1-256 characters"),
    ([], {"BOT_WEBHOOK_SECRET": "not allowed!"}, "BOT_WEBHOOK_SECRET must be 1-256 characters"),
    ([], {"BOT_WEBHOOK_URL": "http://bot.example.org/x"}, "BOT_WEBHOOK_URL must be https"),
    (["--webhook-url", "http://bot.example.org/x"], {}, "--webhook-url must be https"),
    (["--webhook-url", "bot.example.org"], {}, "--webhook-url must be an https URL"),
    ([], {"BOT_WEBHOOK_LISTEN": "8443"}, "BOT_WEBHOOK_LISTEN must be host:port like 127.0.0.1:8443, not '8443'"),
    (["--webhook-listen", "127.0.0.1:70000"], {}, "--webhook-listen must be host:port"),
])
def test_bad_webhook_settings_get_one_clear_line(flags, env, expected, tmp_path):
    line = one_clear_line(bot("run", "--webhook", "--database", str(tmp_path / "db.sqlite3"), *flags,
                              env={**WEBHOOK, **env}))
    assert line.startswith("Configuration error: ") and expected in line
    assert "not allowed!" not in line  # a secret is never echoed


def test_webhook_mode_needs_url_and_secret_but_polling_does_not():
    without = {k: v for k, v in WEBHOOK.items() if k == "BOT_TOKEN"}
    Settings.from_env(without).with_overrides()  # polling: fine without them
    with pytest.raises(ConfigError, match="BOT_WEBHOOK_URL .* is required"):
        Settings.from_env(without).check_webhook()
    with pytest.raises(ConfigError, match="BOT_WEBHOOK_SECRET is required"):
        Settings.from_env({**without, "BOT_WEBHOOK_URL": WEBHOOK["BOT_WEBHOOK_URL"]}).check_webhook()
    settings = Settings.from_env(WEBHOOK)
    settings.check_webhook()
    assert settings.webhook_listen == ("127.0.0.1", 8443) and "s3cr3t" not in repr(settings)


def test_webhook_values():
    assert parse_webhook_url("https://bot.example.org/telegram/x") == "https://bot.example.org/telegram/x"
    assert parse_webhook_url("http://127.0.0.1:8081/hook") == "http://127.0.0.1:8081/hook"  # the sandbox
    assert parse_webhook_url("http://localhost/hook") == "http://localhost/hook"
    for bad in ("http://bot.example.org/x", "https://", "ftp://bot.example.org/", "https://bot.example.org:99999/", ""):
        with pytest.raises(ConfigError, match="BOT_WEBHOOK_URL"):
            parse_webhook_url(bad)
    assert parse_webhook_listen("0.0.0.0:8444") == ("0.0.0.0", 8444)
    assert parse_webhook_listen("[::1]:8443") == ("::1", 8443)
    for bad in ("8443", ":8443", "host:", "host:0", "host:port"):
        with pytest.raises(ConfigError, match="BOT_WEBHOOK_LISTEN"):
            parse_webhook_listen(bad)
    assert parse_webhook_secret("A-z_0" * 51 + "x") == "A-z_0" * 51 + "x"  # 256 characters
    for bad in ("", "x" * 257, "with space", "ümlaut", "a+b"):
        with pytest.raises(ConfigError, match="BOT_WEBHOOK_SECRET") as caught:
            parse_webhook_secret(bad)
        assert bad not in str(caught.value) or not bad


def test_a_folder_as_database_is_one_clear_line(tmp_path):
    for command in (["demo"], ["purge", "--yes"], ["run"]):
        line = one_clear_line(bot(*command, "--database", str(tmp_path), env={"BOT_TOKEN": "1:abc"}))
        assert "must name a file, not the folder" in line


def test_the_sandbox_on_a_bad_port_is_one_clear_line():
    assert one_clear_line(bot("sandbox", "--port", "99999")) == \
        "Configuration error: --port must be between 1 and 65535, not 99999"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_clear_line(bot("sandbox", "--port", str(port)))
    assert line.startswith(f"Configuration error: the sandbox cannot listen on 127.0.0.1:{port}: ")


def test_import_into_a_folder_that_does_not_exist_is_one_clear_line(tmp_path):
    target = tmp_path / "missing" / "program.yaml"
    line = one_clear_line(bot("import", str(ROOT / "tests" / "fixtures" / "pretalx-dst.json"), "-o", str(target)))
    assert line.startswith(f"Configuration error: -o {target} cannot be written")


def test_purge_without_a_terminal_deletes_nothing(tmp_path):
    result = bot("purge", "--database", str(tmp_path / "db.sqlite3"))
    assert result.returncode == 1 and "Nothing deleted." in result.stdout and "Traceback" not in result.stderr


def test_a_bad_environment_variable_is_one_clear_line():
    assert one_clear_line(bot("demo", env={"BOT_LOG_LEVEL": "loud"})) == \
        "Configuration error: BOT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'loud'"


def test_good_flags_still_start_the_demo(tmp_path):
    result = bot("demo", "--database", str(tmp_path / "db.sqlite3"), "--clock-start", "2025-06-03T13:00",
                 "--clock-speed", "60", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Konferenz-Bot demo" in result.stdout


# --- the checks themselves (fast) -------------------------------------------------------------

def test_clock_start_is_checked_before_the_zone_is_known():
    assert parse_clock_start(" 2025-06-03T13:00 ") == "2025-06-03T13:00"
    assert parse_clock_start("2025-06-03T13:00+02:00") == "2025-06-03T13:00+02:00"
    for bad in ("notatime", "2025-06-03T25:00", "13:00", ""):
        with pytest.raises(ConfigError, match="BOT_CLOCK_START"):
            parse_clock_start(bad)


def test_api_url_and_log_level():
    assert parse_api_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/bot"
    for bad in ("api.telegram.org/bot", "ftp://example.org/bot", "https://", ""):
        with pytest.raises(ConfigError, match="BOT_API_URL"):
            parse_api_url(bad)
    assert parse_log_level("warning") == "WARNING"
    with pytest.raises(ConfigError, match="BOT_LOG_LEVEL"):
        parse_log_level("verbose")


def test_settings_from_the_environment_check_every_value():
    settings = Settings.from_env({"BOT_CLOCK_START": "2025-06-03T13:00", "BOT_LOG_LEVEL": "debug"})
    assert settings.clock_start == "2025-06-03T13:00" and settings.log_level == "DEBUG"
    assert settings.make_clock(ZoneInfo("Europe/Berlin")) is not None
    for env in ({"BOT_CLOCK_START": "gleich"}, {"BOT_API_URL": "localhost"}, {"BOT_CLOCK_SPEED": "0"},
                {"BOT_ADMINS": "anna"}, {"BOT_LOG_LEVEL": "x"}):
        with pytest.raises(ConfigError, match=next(iter(env))):
            Settings.from_env(env)


def test_prepare_database_creates_its_folder_or_says_why_not(tmp_path):
    path = tmp_path / "a" / "b" / "bot.sqlite3"
    prepare_database(path)
    assert path.parent.is_dir()
    with pytest.raises(ConfigError, match="not the folder"):
        prepare_database(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot be opened"):
        prepare_database(blocker / "bot.sqlite3")


def test_the_guest_list_from_the_command_line_previews_asks_and_writes_the_invitations(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    first = tmp_path / "guests.csv"
    first.write_bytes("\ufeffName;E-Mail\nAnna Beispiel;anna@example.org\nBen Muster;ben@example.org\n".encode("utf-8"))
    second = tmp_path / "guests2.csv"
    second.write_bytes(b"Name,Email\nAnna Beispiel-Klein,anna@example.org\nCarla Neu,carla@example.org\n")
    dry = bot("guests", "load", str(first), "--dry-run", "--database", database)
    assert dry.returncode == 0 and "new: 2" in dry.stdout and "Nothing changed (--dry-run)" in dry.stdout
    assert bot("guests", "load", str(first), "--database", database).returncode == 1  # no terminal, no "yes"
    assert "loaded: 2 new" in bot("guests", "load", str(first), "--yes", "--database", database).stdout
    again = bot("guests", "load", str(second), "--dry-run", "--database", database)
    assert "Anna Beispiel -> Anna Beispiel-Klein" in again.stdout and "removed: 1" in again.stdout
    assert "Ben Muster" in again.stdout
    invite = bot("invite", "--bot", "@KonferenzBot", "-o", str(tmp_path / "links.csv"), "--database", database)
    assert invite.returncode == 0, invite.stderr
    rows = (tmp_path / "links.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "name;email;organization;reference;link;connected"
    assert rows[1].startswith("Anna Beispiel;anna@example.org;;;https://t.me/KonferenzBot?start=G_")
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"Name;Email\nAnna;anna@example.org\nBob;nope\n")
    refused = bot("guests", "load", str(broken), "--yes", "--database", database)
    assert refused.returncode == 1 and "line 3" in refused.stderr and "nothing changed" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert one_clear_line(bot("invite", "--database", database)).startswith("Configuration error: --bot is required")
