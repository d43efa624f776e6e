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
    assert "Mansfelder Straße 56" in conf.venue.address.get("de")
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
    (warning,) = map(str, program.warnings)
    assert "nacht" in warning and "twice" in warning
    assert not parse_program(_dst_program("2025-10-26 02:30+01:00", "2025-10-26 04:00")).warnings


# --- `check` names every problem of a file at once -----------------------------------------

def _clash(text: str) -> str:
    """ws-a into the room of `auftakt`, at the same time."""
    return text.replace("room: Raum A", "room: Saal").replace('start: "2025-06-03 10:00"', 'start: "2025-06-03 09:30"')


def check_file(tmp_path, text: str) -> list[str]:
    """The problems `python -m bot check` prints for a file with this text (it must fail)."""
    bad = tmp_path / "program.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run_cli("check", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    headline, *problems = result.stderr.strip().splitlines()
    assert headline.endswith(f"{len(problems)} problem(s):"), result.stderr
    return [problem.removeprefix("  - ") for problem in problems]


def test_check_names_problems_in_every_section_at_once(tmp_path):
    text = (VALID.replace("Europe/Berlin", "Europe/Halle")
            .replace("capacity: 20", "capacity: viele")
            .replace("    title: Workshop A\n", "")
            + "    keywords: Essen\n"
            + "announcements:\n  - {id: a1, at: morgen, audience: all, text: Hallo}\n"
            + "exhibitors:\n  - {name: Stadtwerke, stand: [1]}\n")
    problems = check_file(tmp_path, text)
    expected = ["conference (line 3): field 'timezone': unknown time zone 'Europe/Halle'",
                "session 'ws-a' (line 16): field 'title' is missing",
                "session 'ws-a' (line 21): field 'capacity' must be a whole number",
                "session 'ws-a' (line 22): field 'keywords' must be a list of words",
                "announcement 'a1' (line 24): field 'at': 'morgen' is not a date and time",
                "exhibitor #1 (line 26): field 'stand' must be a text"]
    assert len(problems) == len(expected), problems
    for message in expected:
        assert any(problem.startswith(message) for problem in problems), (message, problems)


def test_check_names_every_problem_of_one_session(tmp_path):
    text = (_clash(VALID).replace("kind: workshop", "kind: seminar").replace("capacity: 20", "capacity: 0")
            .replace("id: ws-a", "id: WS A").replace("    room: Saal\n    capacity", "    room: Saal\n    raum: 2\n    capacity"))
    problems = check_file(tmp_path, text)
    assert len(problems) == 5, problems
    for fragment in ("field 'id' must be 1–24", "unknown field 'raum'", "unknown kind 'seminar'",
                     "field 'capacity' must be greater than 0", "'Saal' is also used by session 'auftakt'"):
        assert sum(fragment in problem for problem in problems) == 1, (fragment, problems)
    assert all(problem.startswith("session 'WS A' (line ") for problem in problems), problems


def test_every_time_of_a_session_is_checked(tmp_path):
    text = VALID.replace('start: "2025-06-03 10:00"\n    end: "2025-06-03 11:00"',
                         'start: "2025-06-03 18:00"\n    end: "2025-06-03 08:00"')
    assert check_file(tmp_path, text) == [
        "session 'ws-a' (line 20): field 'end' must be after 'start'",
        "session 'ws-a' (line 19): field 'start' lies outside the conference (2025-06-03 09:00 – 2025-06-03 17:00)",
        "session 'ws-a' (line 20): field 'end' lies outside the conference (2025-06-03 09:00 – 2025-06-03 17:00)",
    ]


@pytest.mark.parametrize("conference_problem, change", [
    ("field 'timezone': unknown time zone 'Mars/Olympus'", lambda t: t.replace("Europe/Berlin", "Mars/Olympus")),
    ("field 'timezone' is missing", lambda t: t.replace("  timezone: Europe/Berlin\n", "")),
    ("field 'end' is missing", lambda t: t.replace('  end: "2025-06-03 17:00"\n', "", 1)),
])
def test_a_broken_conference_does_not_hide_the_problems_of_sessions(tmp_path, conference_problem, change):
    """The times of the sessions are still compared: a room used twice, an end before the start."""
    text = change(_clash(VALID)).replace('end: "2025-06-03 10:00"\n    room: Saal', 'end: "2025-06-03 08:30"\n    room: Saal')
    text = text.replace('end: "2025-06-03 08:30"', 'end: "2025-06-03 10:00"') + textwrap.indent(textwrap.dedent("""\
        - id: ws-b
          kind: workshop
          title: B
          start: "2025-06-03 12:00"
          end: "2025-06-03 11:00"
        """), "  ")
    problems = check_file(tmp_path, text)
    assert len(problems) == 3, problems
    assert conference_problem in problems[0]
    assert any(p.startswith("session 'ws-a' (line ") and p.endswith(
        "field 'room': 'Saal' is also used by session 'auftakt' at the same time (2025-06-03 09:00–10:00)") for p in problems)
    assert any(p.startswith("session 'ws-b'") and "field 'end' must be after 'start'" in p for p in problems)


def test_a_conference_ending_before_it_starts_is_one_problem_not_one_per_session(tmp_path):
    problems = check_file(tmp_path, VALID.replace('end: "2025-06-03 17:00"', 'end: "2025-06-03 08:00"'))
    assert problems == ["conference (line 5): field 'end' must be after 'start'"]


def test_a_session_with_a_problem_is_still_known_to_announcements(tmp_path):
    text = (VALID.replace('    end: "2025-06-03 11:00"\n', "")
            + 'announcements:\n  - {id: a1, at: "2025-06-03 09:00", audience: "confirmed:ws-a", text: Hallo}\n'
            + '  - {id: a2, at: "2025-06-03 09:00", audience: "confirmed:ws-x", text: Hallo}\n')
    assert check_file(tmp_path, text) == ["session 'ws-a' (line 16): field 'end' is missing",
                                          "announcement 'a2' (line 24): field 'audience': unknown session 'ws-x'"]


def test_a_duplicate_id_does_not_confuse_a_room_clash(tmp_path):
    problems = check_file(tmp_path, _clash(VALID).replace("id: ws-a", "id: auftakt"))
    assert problems == [
        "session 'auftakt' (line 16): field 'id': duplicate id 'auftakt' (first at line 10)",
        "session 'auftakt' (line 21): field 'room': 'Saal' is also used by session 'auftakt' (line 10) at the same "
        "time (2025-06-03 09:00–10:00)",
    ]


def test_three_sessions_in_one_room_name_each_pair(tmp_path):
    text = _clash(VALID).replace("room: Saal\n    capacity", "room: ' saal'\n    capacity") + textwrap.indent(
        '- {id: ws-b, kind: workshop, title: B, start: "2025-06-03 09:15", end: "2025-06-03 09:45", room: SAAL}\n', "  ")
    problems = check_file(tmp_path, text)
    assert len(problems) == 3, problems
    assert {(p.split("'")[1], p.split("session '")[2].split("'")[0]) for p in problems} == \
        {("ws-a", "auftakt"), ("ws-b", "auftakt"), ("ws-a", "ws-b")}


def test_a_key_given_twice_is_a_problem(tmp_path):
    text = VALID.replace("    capacity: 20\n", "    capacity: 20\n    room: Raum B\n")
    problems = check_file(tmp_path, text + "extra: 1\n")
    assert problems == ["file (line 23): field 'room' is given twice in one place (first at line 21); only the last would count",
                        "file (line 24): unknown top-level field 'extra'"]


def test_keys_merged_in_may_be_overridden():
    text = VALID.replace("sessions:\n", "defaults: &ws {kind: workshop, room: Raum B}\nsessions:\n", 1)
    text = text.replace("    kind: workshop\n    title: Workshop A", "    <<: *ws\n    title: Workshop A")
    assert problems_of(text) == ["file (line 9): unknown top-level field 'defaults'"]  # room: Raum A overrides Raum B


# --- keywords --------------------------------------------------------------------------------

def test_keywords_are_read_into_the_session():
    program = parse_program(VALID.replace("capacity: 20", "capacity: 20\n    keywords: [Mittagessen, ' Essen ', lunch]"))
    assert program.session("ws-a").keywords == ("Mittagessen", "Essen", "lunch")
    assert program.session("auftakt").keywords == ()


@pytest.mark.parametrize("value, expected", [
    ("Essen", "session 'ws-a' (line 23): field 'keywords' must be a list of words"),
    ("false", "session 'ws-a' (line 23): field 'keywords' must be a list of words"),
    ("{a: b}", "session 'ws-a' (line 23): field 'keywords' must be a list of words"),
    ("[Essen, 12]", "session 'ws-a' (line 23): field 'keywords': entry 2 must be a word, not 12"),
    ("[Essen, '']", "session 'ws-a' (line 23): field 'keywords': entry 2 must be a word"),
    ("[[Essen]]", "session 'ws-a' (line 23): field 'keywords': entry 1 must be a word"),
])
def test_bad_keywords_name_the_session_and_field(value, expected):
    messages = problems_of(VALID.replace("capacity: 20", f"capacity: 20\n    keywords: {value}"))
    assert len(messages) == 1 and messages[0].startswith(expected), messages


def test_a_programs_fingerprint_is_the_same_in_every_process():
    """The bot's processes tell by the fingerprint which file a reload put in force: it must not
    depend on the process (hash randomization of str sets, object ids)."""
    from bot.domain.loader import load_program

    script = "from bot.domain.loader import load_program; import sys; print(load_program(sys.argv[1]).fingerprint())"
    others = {subprocess.run([sys.executable, "-c", script, str(PROGRAM_FILE)], cwd=ROOT, capture_output=True, text=True,
                             check=True, env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout.strip()
              for seed in (1, 2)}
    assert others == {load_program(PROGRAM_FILE).fingerprint()}
    edited = parse_program(VALID.replace("Auftakt", "Eröffnung"))
    assert edited.fingerprint() != parse_program(VALID).fingerprint()


def test_the_spring_gap_suggests_the_same_moment_after_the_jump_not_an_hour_off():
    with pytest.raises(ProgramError) as error:
        parse_program(_dst_program("2025-03-30 02:30", "2025-03-30 04:00"))
    (problem,) = error.value.problems
    assert '"2025-03-30 03:30"' in str(problem) and '"2025-03-30 02:30+01:00"' in str(problem)
    suggested = parse_program(_dst_program("2025-03-30 02:30+01:00", "2025-03-30 04:00")).session("nacht")
    assert suggested.start == parse_program(_dst_program("2025-03-30 03:30", "2025-03-30 04:00")).session("nacht").start


def test_problems_and_warnings_speak_the_organizers_language():
    from bot.texts import problem_text

    with pytest.raises(ProgramError) as error:
        parse_program(VALID.replace('end: "2025-06-03 10:00"\n    room: Saal', 'end: "2025-06-03 08:30"\n    room: Saal'))
    problem = error.value.problems[0]
    assert problem_text("de", problem) == "Programmpunkt 'auftakt' (Zeile 14): Feld 'end' muss nach 'start' liegen"
    assert problem_text("en", problem) == str(problem) == "session 'auftakt' (line 14): field 'end' must be after 'start'"
    (warning,) = parse_program(_dst_program("2025-10-26 02:30", "2025-10-26 04:00")).warnings
    assert "gibt es in Europe/Berlin zweimal" in problem_text("de", warning) and '"2025-10-26 02:30+01:00"' in str(warning)


def test_speakers_meeting_points_and_exhibitors_may_be_written_per_language():
    text = VALID.replace("    room: Saal\n", """    room: Saal
    speakers:
      - {name: {de: "Die Bürgermeisterin", en: "The Mayor"}, role: {de: Stadt, en: City}}
      - Erika Muster
    meeting_point: {name: {de: "Vor dem Rathaus", en: "In front of the town hall"}, departure: "2025-06-03 09:00"}
""", 1) + """exhibitors:
  - {name: {de: "Stadtwerke", en: "Public utility"}, stand: "A1"}
"""
    program = parse_program(text)
    mayor, erika = program.session("auftakt").speakers
    assert (mayor.name.get("de"), mayor.name.get("en")) == ("Die Bürgermeisterin", "The Mayor")
    assert erika.name.get("en") == "Erika Muster"
    assert program.session("auftakt").meeting_point.name.get("en") == "In front of the town hall"
    assert program.exhibitors[0].name.get("en") == "Public utility"
