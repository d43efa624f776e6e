"""Importing pretalx/frab schedules: both formats, instants from the dated offsets, zones,
warnings, stable ids, local additions, and the result passes the checks."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.domain.loader import ProgramError, load_program, parse_program
from bot.domain.schedule_import import ScheduleError, parse_schedule
from conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures"


def local(program, session_id: str) -> str:
    return program.local(program.session(session_id).start).strftime("%Y-%m-%d %H:%M%z")


def test_multi_day_json_over_a_dst_change():
    program = load_program(FIXTURES / "pretalx-dst.json")
    assert program.conference.timezone == "Europe/Berlin" and program.several_days
    assert local(program, "ev-201") == "2025-10-26 02:30+0200"  # the first of the two 02:30s, as dated
    assert local(program, "ev-202") == "2025-10-26 09:30+0100"
    assert program.session("ev-102").kind.value == "panel" and program.session("ev-103").kind.value == "workshop"
    assert [s.name for s in program.session("ev-102").speakers] == ["Max Muster", "Erika Muster"]
    assert "https://example.org/folien.pdf" in program.session("ev-102").description.get("de")
    assert program.session("ev-103").title.get("de") == "Workshop Open Data"  # English only: shown to everyone


def test_xml_with_utc_dates_and_local_starts_far_from_utc():
    program = load_program(FIXTURES / "frab-utc-dates.xml")
    assert program.conference.timezone == "Asia/Tokyo"
    assert local(program, "ev-7") == "2025-11-20 09:00+0900" and program.session("ev-8").kind.value == "break"
    assert not [w for w in program.warnings if "disagrees" in w]


def test_a_declared_zone_that_contradicts_the_offsets_is_warned_about():
    imported = parse_schedule((FIXTURES / "pretalx-wrong-zone.json").read_bytes(), "mixed.json")
    assert any("time_zone_name is UTC" in w for w in imported.warnings)
    assert any("Clash" in s for s in imported.skipped)  # two events in one room at once
    program = parse_program(yaml.safe_dump(imported.document, allow_unicode=True))
    assert local(program, "ev-1") == "2025-02-10 09:00+0100"


@pytest.mark.parametrize("data, message", [(b"", "neither"), (b"{\"x\": ", "not valid JSON"), (b"<schedule><day>", "not valid XML"),
                                           (b"{\"schedule\": {}}", "no schedule.conference.days"), (b"<html/>", "not <schedule>")])
def test_broken_or_unknown_files_get_a_clear_message(data, message):
    with pytest.raises(ScheduleError) as error:
        parse_schedule(data, "x")
    assert message in str(error.value)


def _many_events(count: int) -> bytes:
    zone = ZoneInfo("Europe/Berlin")
    rooms: dict[str, list] = {}
    for number in range(count):
        room = f"Raum {number % 20}"
        start = datetime(2025, 9, 1, 8, 0, tzinfo=zone) + timedelta(days=number // 200, minutes=30 * ((number // 20) % 10))
        rooms.setdefault(room, []).append({"guid": f"g{number}", "id": 1000 + number, "date": start.isoformat(),
                                           "start": f"{start:%H:%M}", "duration": "00:25", "room": room,
                                           "title": f"Vortrag {number}", "type": "Talk", "language": "de",
                                           "persons": [{"public_name": f"Person {number}"}], "links": []})
    return json.dumps({"schedule": {"conference": {"title": "Groß", "acronym": "gross", "time_zone_name": "Europe/Berlin",
                                                   "days": [{"index": 1, "rooms": rooms}]}}}).encode()


def test_about_800_events_import_fast_and_pass_the_checks(tmp_path):
    source = tmp_path / "schedule.json"
    source.write_bytes(_many_events(800))
    began = time.perf_counter()
    program = load_program(source)
    assert len(program.sessions) == 800 and time.perf_counter() - began < 5  # the benchmark measures properly


def test_local_additions_and_own_sessions_survive_reimports(tmp_path):
    source = tmp_path / "schedule.json"
    source.write_bytes((FIXTURES / "pretalx-dst.json").read_bytes())
    (tmp_path / "program.yaml").write_text("""
source: schedule.json
conference:
  venue: {name: "Rathaus", address: "Marktplatz 1"}
additions:
  ev-103: {capacity: 12, keywords: [Daten]}
sessions:
  - id: ausflug
    kind: excursion
    title: {de: "Ausflug"}
    start: "2025-10-25 15:00"
    end: "2025-10-25 17:00"
    capacity: 20
""", encoding="utf-8")
    program = load_program(tmp_path / "program.yaml")
    assert program.session("ev-103").capacity == 12 and program.session("ausflug").capacity == 20
    assert program.conference.venue.name == "Rathaus"
    moved = source.read_text(encoding="utf-8").replace("2025-10-25T13:00:00+02:00", "2025-10-25T14:00:00+02:00")
    source.write_text(moved, encoding="utf-8")
    again = load_program(tmp_path / "program.yaml")
    assert local(again, "ev-103") == "2025-10-25 14:00+0200" and again.session("ev-103").capacity == 12
    (tmp_path / "program.yaml").write_text("source: schedule.json\nadditions:\n  gibtsnicht: {capacity: 3}\n", encoding="utf-8")
    with pytest.raises(ProgramError) as error:
        load_program(tmp_path / "program.yaml")
    assert "gibtsnicht" in str(error.value)


def test_the_import_command_writes_a_program_that_passes_check(tmp_path):
    out = tmp_path / "program.yaml"
    result = subprocess.run([sys.executable, "-m", "bot", "import", str(FIXTURES / "frab-utc-dates.xml"), "-o", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "1 day(s)" in result.stderr and "2 session(s)" in result.stderr
    check = subprocess.run([sys.executable, "-m", "bot", "check", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and "Civic Tech Tokyo" in check.stdout
    broken = tmp_path / "broken.xml"
    broken.write_text("<schedule><day>", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "import", str(broken)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "broken.xml" in result.stderr and "line" in result.stderr
    assert "Traceback" not in result.stderr
