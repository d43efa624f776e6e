"""A person's own day on a multi-track conference, and the words for the choice it offers."""

from __future__ import annotations

import textwrap

import pytest

from bot.domain import agenda
from bot.domain.loader import ProgramError, parse_program
from bot.domain.program import parallel_groups
from bot.handlers.views import signup_names

TRACKS = textwrap.dedent("""
    conference:
      name: "Tracks"
      timezone: Europe/Berlin
      start: "2025-10-25 09:00"
      end: "2025-10-25 18:00"
      venue: {name: "Campus"}
    sessions:
      - {id: opening, kind: plenary, title: "Opening", start: "2025-10-25 09:00", end: "2025-10-25 09:30", room: "Aula"}
      - {id: a1, kind: talk, title: "A1", start: "2025-10-25 10:00", end: "2025-10-25 10:45", room: "A"}
      - {id: a2, kind: talk, title: "A2", start: "2025-10-25 11:00", end: "2025-10-25 11:45", room: "A"}
      - {id: b1, kind: talk, title: "B1", start: "2025-10-25 10:00", end: "2025-10-25 10:45", room: "B"}
      - {id: b2, kind: talk, title: "B2", start: "2025-10-25 11:00", end: "2025-10-25 11:45", room: "B"}
      - {id: lunch, kind: break, title: "Lunch", start: "2025-10-25 12:00", end: "2025-10-25 13:00"}
      - {id: party, kind: networking, title: "Party", start: "2025-10-25 17:00", end: "2025-10-25 18:00", for_everybody: true}
      - {id: quiet, kind: plenary, title: "Quiet room", start: "2025-10-25 13:00", end: "2025-10-25 14:00", for_everybody: false}
      - {id: ws1, kind: workshop, title: "W1", start: "2025-10-25 14:00", end: "2025-10-25 15:00", room: "A", capacity: 5}
      - {id: ws2, kind: workshop, title: "W2", start: "2025-10-25 14:00", end: "2025-10-25 15:00", room: "B", capacity: 5}
""")


def test_my_day_holds_my_choices_and_what_is_for_everybody_not_a_whole_room():
    program = parse_program(TRACKS)
    day = agenda.personal_day(program, {"ws1": "confirmed", "ws2": "waitlisted"}, ["b1", "ws1"])
    assert [(e.session.id, e.relation) for e in day] == [
        ("opening", "everybody"), ("b1", "bookmarked"), ("lunch", "everybody"), ("ws1", "confirmed"),
        ("ws2", "waitlisted"), ("party", "everybody")]


def test_two_chosen_sessions_at_once_are_named_as_clashing():
    program = parse_program(TRACKS)
    day = {e.session.id: e for e in agenda.personal_day(program, {}, ["a1", "b1", "a2"])}
    assert [s.id for s in day["a1"].clashes] == ["b1"] and [s.id for s in day["b1"].clashes] == ["a1"]
    assert day["a2"].clashes == ()


def test_for_everybody_must_be_true_or_false():
    with pytest.raises(ProgramError) as error:
        parse_program(TRACKS.replace("for_everybody: true", "for_everybody: sometimes"))
    assert "field 'for_everybody' must be true or false" in str(error.value)


def test_parallel_groups_follow_the_overlaps():
    program = parse_program(TRACKS)
    groups = parallel_groups(s for s in program.sessions if s.id in ("a1", "b1", "a2", "b2", "lunch"))
    assert [[s.id for s in group] for group in groups] == [["a1", "b1"], ["a2", "b2"], ["lunch"]]


@pytest.mark.parametrize("second, german, english", [
    ("14:00", "einen der 2 parallelen Workshops", "one of the 2 parallel workshops"),  # both 14:00–15:00
    ("15:00", "die 2 Workshops", "the 2 workshops"),  # one after the other
])
def test_the_welcome_describes_the_choice_as_the_workshops_run(second, german, english):
    text = TRACKS.replace('"W2", start: "2025-10-25 14:00", end: "2025-10-25 15:00"',
                          f'"W2", start: "2025-10-25 {second}", end: "2025-10-25 {int(second[:2]) + 1}:00"')
    program = parse_program(text)
    assert signup_names(program, "de") == german and signup_names(program, "en") == english


TWO_DAYS = textwrap.dedent("""
    conference:
      name: "Two days"
      timezone: Europe/Berlin
      start: "2025-10-25 09:00"
      end: "2025-10-26 18:00"
      venue: {name: "Campus"}
    sessions:
      - {id: sat-1, kind: talk, title: "Sat 1", start: "2025-10-25 16:00", end: "2025-10-25 17:00", room: "A"}
      - {id: sat-2, kind: talk, title: "Sat 2", start: "2025-10-25 17:00", end: "2025-10-25 17:45", room: "A"}
      - {id: sun-1, kind: talk, title: "Sun 1", start: "2025-10-26 09:00", end: "2025-10-26 10:00", room: "A"}
""")


def test_everything_after_it_in_the_room_stops_at_the_end_of_that_day():
    from bot.domain.changes import delay

    program = parse_program(TWO_DAYS)
    assert [o.session_id for o in delay(program, "sat-1", 20, following=True)] == ["sat-1", "sat-2"]


def test_button_labels_name_the_day_only_when_the_conference_has_several():
    from bot.handlers.views import short_label

    two = parse_program(TWO_DAYS)
    assert short_label(two, two.session("sun-1"), "de") == "So 26.10. 09:00 Sun 1"
    assert short_label(two, two.session("sun-1"), "en", with_day=False) == "09:00 Sun 1"
    one = parse_program(TRACKS)
    assert short_label(one, one.session("a1"), "en") == "10:00 A1"


def test_the_excursions_destination_is_not_a_room(program):
    rooms = program.rooms()
    assert "Bildungszentrum Halle-Neustadt" not in rooms  # where the bus goes
    assert {"Großer Saal", "Foyer", "Seminarraum 1"} <= set(rooms)
