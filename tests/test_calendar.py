"""iCalendar files: alarms only on what the attendee chose; the excursion at its meeting point."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from icalendar import Calendar

from bot.domain.calendar import agenda_ics
from conftest import berlin


def events(data: bytes) -> dict[str, object]:
    return {str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_alarms_only_on_chosen_sessions_and_excursion_at_its_meeting_point(program):
    sessions = [program.session(i) for i in ("begruessung", "ws-zwilling", "exkursion")]
    data = agenda_ics(program, sessions, "de", berlin("2025-06-01 12:00"),
                      alarms={"ws-zwilling": timedelta(minutes=10), "exkursion": timedelta(minutes=30)},
                      destination_label="Ziel: ")
    found = events(data)
    assert not found["begruessung"].walk("VALARM")
    (alarm,) = found["ws-zwilling"].walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=10)
    (bus,) = found["exkursion"].walk("VALARM")
    assert bus.decoded("TRIGGER") == -timedelta(minutes=30)
    location = str(found["exkursion"]["LOCATION"])
    assert "Bushaltestelle vor dem MMZ" in location and "Bildungszentrum" not in location
    assert "Ziel: Bildungszentrum Halle-Neustadt" in str(found["exkursion"]["DESCRIPTION"])
    assert "Seminarraum 1" in str(found["ws-zwilling"]["LOCATION"])
    again = events(agenda_ics(program, sessions, "de", berlin("2025-06-02 12:00")))
    assert set(again) == set(found) and not any(e.walk("VALARM") for e in again.values())


def test_uids_are_stable_and_every_file_is_a_newer_sequence(program):
    sessions = [program.session(i) for i in ("begruessung", "exkursion")]
    first = events(agenda_ics(program, sessions, "de", berlin("2025-06-01 12:00")))
    second = events(agenda_ics(program, sessions, "en", berlin("2025-06-02 12:00")))
    conference = program.conference.id
    for session_id in ("begruessung", "exkursion"):
        assert str(first[session_id]["UID"]) == str(second[session_id]["UID"]) == f"{session_id}@{conference}.konferenz-bot"
        assert int(second[session_id]["SEQUENCE"]) > int(first[session_id]["SEQUENCE"])


def test_locations_and_the_destination_in_english(program):
    sessions = [program.session(i) for i in ("podium", "exkursion")]
    found = events(agenda_ics(program, sessions, "en", berlin("2025-06-01 12:00"), destination_label="Destination: "))
    excursion = str(found["exkursion"]["LOCATION"])
    assert excursion == "Bushaltestelle vor dem MMZ, Mansfelder Straße 56, 06108 Halle (Saale)"
    description = str(found["exkursion"]["DESCRIPTION"])
    assert description.splitlines()[0] == "Destination: Bildungszentrum Halle-Neustadt" and "By bus" in description
    venue = program.conference.venue
    assert str(found["podium"]["LOCATION"]) == f"Großer Saal, {venue.name.get('en')}, {venue.address.get('en')}"
    assert "Destination" not in str(found["podium"].get("DESCRIPTION", ""))


def test_a_cancelled_session_carries_no_alarm_even_when_chosen(program):
    cancelled = dataclasses.replace(program.session("ws-zwilling"), cancelled=True)
    found = events(agenda_ics(program, [cancelled], "de", berlin("2025-06-01 12:00"),
                              alarms={"ws-zwilling": timedelta(minutes=15)}))
    assert str(found["ws-zwilling"]["STATUS"]) == "CANCELLED" and not found["ws-zwilling"].walk("VALARM")


def test_the_night_the_clocks_go_back_reads_and_files_right():
    """A session from 02:30 summer time to 02:15 winter time (45 minutes): the texts name the
    zones, and the calendar file gives UTC, where a wall time with a TZID would be the first."""
    from pathlib import Path

    from bot.domain.loader import load_program
    from bot.texts import format_range
    fixtures = Path(__file__).parent / "fixtures"
    program = load_program(fixtures / "pretalx-dst.json")
    night = program.session("ev-201")
    assert format_range("de", program.local(night.start), program.local(night.end)) == "02:30 CEST–02:15 CET Uhr"
    data = agenda_ics(program, [night], "de", night.start).decode()
    assert "DTSTART:20251026T003000Z" in data and "DTEND:20251026T011500Z" in data
