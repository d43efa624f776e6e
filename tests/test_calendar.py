"""iCalendar files: alarms only on what the attendee chose; the excursion at its meeting point."""

from __future__ import annotations

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
