"""Program files: the shipped one loads; every kind of mistake gets a clear message."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest

from bot.domain.loader import ProgramError, parse_program
from bot.domain.program import Kind
from conftest import PROGRAM_FILE, ROOT

VALID = textwrap.dedent("""\
    conference:
      name: Testkonferenz
      timezone: Europe/Berlin
      start: "2025-06-03 09:00"
      end: "2025-06-03 17:00"
      venue:
        name: Rathaus
        address: Marktplatz 1
    sessions:
      - id: auftakt
        kind: plenary
        title: {de: Auftakt, en: Opening}
        start: "2025-06-03 09:00"
        end: "2025-06-03 10:00"
        room: Saal
      - id: ws-a
        kind: workshop
        title: Workshop A
        start: "2025-06-03 10:00"
        end: "2025-06-03 11:00"
        room: Raum A
        capacity: 20
    """)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProgramError) as caught:
        parse_program(text)
    return [str(p) for p in caught.value.problems]


def test_shipped_program_loads_with_halle_facts(program):
    conf = program.conference
    assert conf.timezone == "Europe/Berlin"
    assert conf.start.isoformat() == "2025-06-03T09:30:00+02:00"
    assert conf.end.isoformat() == "2025-06-03T16:00:00+02:00"
    assert "Mansfelder Straße 56" in conf.venue.address
    workshops = [s for s in program.sessions if s.kind == Kind.WORKSHOP]
    assert len(workshops) == 3 and all(s.capacity for s in workshops)
    excursion = program.session("exkursion")
    assert excursion.capacity and excursion.meeting_point.departure is not None
    assert all(s.title.get("en") != s.title.get("de") or s.id == "get-together" for s in program.sessions)


def test_valid_minimal_program():
    program = parse_program(VALID)
    assert [s.id for s in program.sessions] == ["auftakt", "ws-a"]
    assert program.session("ws-a").title.get("en") == "Workshop A"  # falls back to German


@pytest.mark.parametrize("change, expected", [
    (lambda t: t.replace('end: "2025-06-03 10:00"\n    room: Saal', 'end: "2025-06-03 08:30"\n    room: Saal'),
     "session 'auftakt' (line 14): field 'end' must be after 'start'"),
    (lambda t: t.replace("id: ws-a", "id: auftakt"), "session 'auftakt' (line 16): field 'id': duplicate id 'auftakt'"),
    (lambda t: t.replace("kind: workshop", "kind: seminar"), "session 'ws-a' (line 17): field 'kind': unknown kind 'seminar'"),
    (lambda t: t.replace("capacity: 20", "capacity: 0"), "session 'ws-a' (line 22): field 'capacity' must be greater than 0"),
    (lambda t: t.replace("capacity: 20", "capacity: -3"), "field 'capacity' must be greater than 0 (is -3)"),
    (lambda t: t.replace("capacity: 20", "capacity: viele"), "session 'ws-a' (line 22): field 'capacity' must be a whole number"),
    (lambda t: t.replace('start: "2025-06-03 10:00"\n    end: "2025-06-03 11:00"', 'start: "2025-06-04 10:00"\n    end: "2025-06-04 11:00"'),
     "session 'ws-a' (line 19): field 'start' lies outside the conference"),
    (lambda t: t.replace("Europe/Berlin", "Europe/Halle"), "conference (line 3): field 'timezone': unknown time zone 'Europe/Halle'"),
    (lambda t: t.replace("room: Raum A", "room: Saal").replace('start: "2025-06-03 10:00"', 'start: "2025-06-03 09:30"'),
     "session 'ws-a' (line 21): field 'room': 'Saal' is also used by session 'auftakt' at the same time"),
    (lambda t: t.replace("    title: Workshop A\n", ""), "session 'ws-a' (line 16): field 'title' is missing"),
    (lambda t: t.replace('start: "2025-06-03 10:00"', 'start: "morgen früh"'), "session 'ws-a' (line 19): field 'start': 'morgen früh' is not a date and time"),
    (lambda t: t.replace('start: "2025-06-03 10:00"', "start: [1, 2]"), "session 'ws-a' (line 19): field 'start' must be a date and time"),
    (lambda t: t.replace("id: ws-a", "id: 'Workshop A!'"), "field 'id' must be 1–24 lower-case letters"),
    (lambda t: t.replace("  venue:\n    name: Rathaus\n    address: Marktplatz 1\n", ""), "conference (line 2): field 'venue' is missing"),
    (lambda t: t + "extra: 1\n", "file (line 23): unknown top-level field 'extra'"),
    (lambda t: t.replace("room: Raum A", "raum: Raum A"), "session 'ws-a' (line 21): unknown field 'raum'"),
])
def test_each_bad_case_names_session_field_and_line(change, expected):
    messages = problems_of(change(VALID))
    assert any(expected in message for message in messages), messages


def test_yaml_syntax_error_reports_line():
    broken = VALID.replace("    room: Saal", "    room: [Saal")
    messages = problems_of(broken)
    assert len(messages) == 1 and messages[0].startswith("YAML syntax (line")


def test_all_problems_are_reported_at_once():
    broken = VALID.replace("kind: workshop", "kind: seminar").replace("capacity: 20", "capacity: 0").replace("Europe/Berlin", "Mars/Olympus")
    messages = problems_of(broken)
    assert len(messages) >= 3


@pytest.mark.parametrize("text", ["", "- 1\n- 2\n", "just a string", "conference: 5\nsessions: 7\n", "sessions: []\n",
                                  "conference:\n  name: x\n", "{{{{", "\t\tbad"])
def test_garbage_is_refused_with_messages_not_tracebacks(text):
    with pytest.raises(ProgramError) as caught:
        parse_program(text)
    assert caught.value.problems


def run_cli(*args: str, cwd=ROOT, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, capture_output=True, text=True, timeout=60, env=env)


def test_check_command_accepts_the_shipped_program():
    result = run_cli("check", str(PROGRAM_FILE))
    assert result.returncode == 0, result.stderr
    assert "11 sessions" in result.stdout and "ws-zwilling" in result.stdout


def test_check_command_rejects_a_bad_file_with_exit_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("capacity: 20", "capacity: 0").replace("id: ws-a", "id: auftakt"), encoding="utf-8")
    result = run_cli("check", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "duplicate id 'auftakt'" in result.stderr and "capacity" in result.stderr


def test_check_command_on_missing_file(tmp_path):
    result = run_cli("check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and "file not found" in result.stderr and "Traceback" not in result.stderr


def test_run_refuses_an_invalid_program(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("conference: {}\n", encoding="utf-8")
    import os
    env = {**os.environ, "BOT_TOKEN": "1:abc", "BOT_PROGRAM": str(bad), "BOT_DATABASE": str(tmp_path / "db.sqlite3")}
    result = run_cli("run", env=env)
    assert result.returncode == 1
    assert "does not start" in result.stderr and "Traceback" not in result.stderr


def test_run_without_token_explains_botfather_in_one_line(tmp_path):
    import os
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    result = run_cli("run", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "@BotFather" in lines[0]


def test_every_problem_is_named_even_of_a_session_with_a_bad_kind():

    text = (PROGRAM_FILE.read_text(encoding="utf-8")
            .replace("  - id: ws-mobilitaet\n    kind: workshop", "  - id: ws-mobilitaet\n    kind: workshap")
            .replace('    room: "Seminarraum 2"', '    room: "Seminarraum 1"')
            .replace("capacity: 25", "capacity: x"))
    try:
        parse_program(text)
    except ProgramError as error:
        messages = [str(p) for p in error.problems]
    assert len(messages) == 3, messages
    assert any("workshap" in m for m in messages) and any("Seminarraum 1" in m for m in messages)
    assert any("capacity" in m for m in messages)


def _dst_program(start: str, end: str) -> str:
    return textwrap.dedent(f"""
        conference:
          name: {{de: Test}}
          timezone: Europe/Berlin
          start: "2025-03-29 09:00"
          end: "2025-10-27 18:00"
          venue: {{name: Haus}}
        sessions:
          - id: nacht
            kind: talk
            title: {{de: Nacht}}
            start: "{start}"
            end: "{end}"
    """)


def test_a_time_in_the_spring_gap_is_an_error_and_an_offset_resolves_it():
    with pytest.raises(ProgramError) as error:
        parse_program(_dst_program("2025-03-30 02:30", "2025-03-30 04:00"))
    assert "does not exist" in str(error.value) and "nacht" in str(error.value)
    program = parse_program(_dst_program("2025-03-30 02:30+01:00", "2025-03-30 04:00"))
    assert program.session("nacht").end - program.session("nacht").start == timedelta(minutes=30)


def test_a_repeated_autumn_hour_is_a_warning_naming_the_session():
    program = parse_program(_dst_program("2025-10-26 02:30", "2025-10-26 04:00"))
    (warning,) = program.warnings
    assert "nacht" in warning and "twice" in warning
    assert not parse_program(_dst_program("2025-10-26 02:30+01:00", "2025-10-26 04:00")).warnings
