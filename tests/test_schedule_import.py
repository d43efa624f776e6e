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
    assert [s.name.get("de") for s in program.session("ev-102").speakers] == ["Max Muster", "Erika Muster"]
    assert "https://example.org/folien.pdf" in program.session("ev-102").description.get("de")
    assert program.session("ev-103").title.get("de") == "Workshop Open Data"  # English only: shown to everyone


def test_xml_with_utc_dates_and_local_starts_far_from_utc():
    program = load_program(FIXTURES / "frab-utc-dates.xml")
    assert program.conference.timezone == "Asia/Tokyo"
    assert local(program, "ev-7") == "2025-11-20 09:00+0900" and program.session("ev-8").kind.value == "break"
    assert not [w for w in program.warnings if "disagrees" in str(w)]


def test_a_declared_zone_that_contradicts_the_offsets_is_warned_about():
    imported = parse_schedule((FIXTURES / "pretalx-wrong-zone.json").read_bytes(), "mixed.json")
    assert any("time_zone_name is UTC" in str(w) for w in imported.warnings)
    assert any("Clash" in str(s) for s in imported.skipped)  # two events in one room at once
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
    assert program.conference.venue.name.get("de") == "Rathaus"
    moved = source.read_text(encoding="utf-8").replace("2025-10-25T13:00:00+02:00", "2025-10-25T14:00:00+02:00")
    source.write_text(moved, encoding="utf-8")
    again = load_program(tmp_path / "program.yaml")
    assert local(again, "ev-103") == "2025-10-25 14:00+0200" and again.session("ev-103").capacity == 12
    (tmp_path / "program.yaml").write_text("source: schedule.json\nadditions:\n  gibtsnicht: {capacity: 3}\n", encoding="utf-8")
    dormant = load_program(tmp_path / "program.yaml")  # additions for a session the schedule lacks wait
    assert any("gibtsnicht" in str(warning) and "dormant" in str(warning) for warning in dormant.warnings)


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


def test_a_pentabarf_export_without_dates_or_zone_needs_a_zone_and_then_takes_each_date_from_its_day():
    data = (FIXTURES / "pentabarf-no-dates.xml").read_bytes()
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(data, "fosdem.xml")
    assert refused.value.message.code == "no_zone" and "--timezone" in str(refused.value)
    assert "as to `check`" in str(refused.value)  # `check` takes the option too: the hint names both
    imported = parse_schedule(data, "fosdem.xml", "Europe/Brussels")
    program = parse_program(yaml.safe_dump(imported.document, allow_unicode=True))
    assert local(program, "ev-6001") == "2025-02-01 09:30+0100" and local(program, "ev-6103") == "2025-02-02 10:00+0100"
    assert len(program.sessions) == 7 and program.several_days
    assert str(imported.notes[0]) == "time zone: Europe/Brussels (from --timezone)"
    assert program.conference.venue.name.get("en") == "ULB Solbosch"  # the export names it: no warning
    assert not [w for w in imported.warnings if w.code == "no_venue"]


def test_types_map_to_kinds_with_sense():
    imported = parse_schedule((FIXTURES / "pentabarf-no-dates.xml").read_bytes(), "fosdem.xml", "Europe/Brussels")
    kinds = {s["id"]: s["kind"] for s in imported.document["sessions"]}
    assert kinds["ev-6001"] == "plenary"  # "Opening Ceremony" in a track "Community and Social": not the party
    assert kinds["ev-6004"] == "break" and kinds["ev-6102"] == "plenary" and kinds["ev-6002"] == "talk"
    untagged = parse_schedule((FIXTURES / "pretalx-untagged-en.json").read_bytes(), "civic.json")
    kinds = {s["id"]: s["kind"] for s in untagged.document["sessions"]}
    assert kinds == {"ev-501": "plenary", "ev-502": "talk", "ev-504": "talk", "ev-503": "break"}


def test_the_language_of_untagged_titles_is_the_conferences(tmp_path):
    data = (FIXTURES / "pretalx-untagged-en.json").read_bytes()
    alone = parse_schedule(data, "civic.json")
    assert alone.document["sessions"][0]["title"] == {"de": "Opening Ceremony"}  # nothing says otherwise
    assert "the bot's default" in str(alone.notes[1])
    (tmp_path / "schedule.json").write_bytes(data)
    (tmp_path / "program.yaml").write_text("source: schedule.json\nconference:\n  language: en\n  venue: {name: Guildhall}\n",
                                           encoding="utf-8")
    program = load_program(tmp_path / "program.yaml")
    assert program.session("ev-502").title.values == (("en", "Open Data for Everyone"),)
    assert program.conference.name.values == (("en", "Civic Data Summit"),)
    assert not program.warnings  # the venue is the program file's: no "the export names no venue"
    tagged = json.loads(data)
    tagged["schedule"]["conference"]["days"][0]["rooms"]["Room B"][0]["language"] = "en"
    assert parse_schedule(json.dumps(tagged).encode(), "x").document["sessions"][0]["title"] == {"en": "Opening Ceremony"}


def test_a_program_file_gives_the_zone_a_linked_export_lacks_and_check_warns_of_nothing_it_sets(tmp_path):
    (tmp_path / "fosdem.xml").write_bytes((FIXTURES / "pentabarf-no-dates.xml").read_bytes())
    program_file = tmp_path / "program.yaml"
    program_file.write_text("source: fosdem.xml\n", encoding="utf-8")
    with pytest.raises(ProgramError) as refused:
        load_program(program_file)
    assert "conference.timezone" in str(refused.value)
    program_file.write_text("source: fosdem.xml\nconference:\n  timezone: Europe/Brussels\n  language: en\n"
                            "  venue: {name: ULB, address: Brussels}\nadditions:\n  ev-6003: {capacity: 20}\n", encoding="utf-8")
    program = load_program(program_file)
    assert local(program, "ev-6002") == "2025-02-01 10:00+0100" and program.session("ev-6003").capacity == 20
    assert not program.warnings


def test_an_event_after_midnight_belongs_to_the_night_of_its_day():
    xml = (FIXTURES / "pentabarf-no-dates.xml").read_text(encoding="utf-8").replace("<start>17:00</start>", "<start>01:00</start>")
    imported = parse_schedule(xml.encode(), "late.xml", "Europe/Brussels")  # day_change 09:00: 01:00 is the next date
    closing = next(s for s in imported.document["sessions"] if s["id"] == "ev-6102")
    assert closing["start"] == "2025-02-03 01:00+01:00"


def test_check_reads_a_url_as_import_does(tmp_path):
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = lambda *args: Quiet(*args, directory=str(FIXTURES))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/pentabarf-no-dates.xml"
    try:
        result = subprocess.run([sys.executable, "-m", "bot", "check", url, "--timezone", "Europe/Brussels"], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        refused = subprocess.run([sys.executable, "-m", "bot", "check", url], cwd=ROOT, capture_output=True, text=True,
                                 timeout=60)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert "OK: FOSDEM Mini" in result.stdout and "(Europe/Brussels)" in result.stdout
    assert refused.returncode == 1 and url in refused.stderr and "--timezone" in refused.stderr
    assert "Traceback" not in result.stderr + refused.stderr
