"""The Mini App's day as data: columns, placement, marks and times, from the program alone."""

import textwrap
from datetime import datetime, timezone

from bot.domain.loader import parse_program
from bot.storage import MyRegistration, SessionCount
from bot.web.api import day_state, offers
from bot.domain.signup import Outcome, Status

PROGRAM = textwrap.dedent("""
    conference:
      name: {de: "Testtag", en: "Test day"}
      timezone: America/New_York
      start: "2025-06-03 09:00"
      end: "2025-06-03 17:00"
      venue: {name: "Hall", address: "Main St 1"}
    sessions:
      - {id: a, kind: talk, title: {de: "Vortrag", en: "Talk"}, start: "2025-06-03 09:00", end: "2025-06-03 10:00", room: "Hall A"}
      - {id: b, kind: workshop, title: {de: "Werkstatt", en: "Workshop"}, start: "2025-06-03 09:00", end: "2025-06-03 10:00", room: "Hall B", capacity: 2}
      - {id: lunch, kind: break, title: {de: "Mittag", en: "Lunch"}, start: "2025-06-03 12:00", end: "2025-06-03 13:00"}
      - {id: walk, kind: talk, title: {de: "Rundgang", en: "Walk"}, start: "2025-06-03 09:30", end: "2025-06-03 10:30"}
""")


def state(lang="en", **kwargs):
    program = parse_program(PROGRAM)
    now = datetime(2025, 6, 3, 12, 40, tzinfo=timezone.utc)  # 08:40 in New York
    return day_state(program, lang, now, kwargs.get("counts", {}), kwargs.get("mine", {}), kwargs.get("bookmarks", set()))


def by_id(data):
    return {s["id"]: s for s in data["sessions"]}


def test_rooms_are_columns_and_a_roomless_session_never_hides_another():
    data = state()
    assert data["days"][0]["rooms"] == ["Hall A", "Hall B", "no room given"]
    sessions = by_id(data)
    assert (sessions["a"]["column"], sessions["b"]["column"]) == (1, 2)
    assert sessions["walk"]["column"] == 3  # runs beside a and b: a column of its own
    assert sessions["lunch"]["column"] == 0 and sessions["lunch"]["room"] == "all rooms"  # nothing else then: across


def test_a_delay_keeps_the_rooms_columns_in_place():
    from bot.domain.changes import apply_overrides, delay

    base = parse_program(PROGRAM)
    moved = apply_overrides(base, delay(base, "a", 15))  # Hall A now starts after Hall B
    data = day_state(moved, "en", datetime(2025, 6, 3, 12, 0, tzinfo=timezone.utc), {}, {}, set())
    assert data["days"][0]["rooms"] == ["Hall A", "Hall B", "no room given"]
    assert (by_id(data)["a"]["column"], by_id(data)["b"]["column"]) == (1, 2)


def test_times_are_the_conferences_whatever_the_servers_zone():
    data = state()
    assert data["now"] == {"date": "2025-06-03", "minutes": 8 * 60 + 40, "label": "08:40",
                           "date_label": "Tuesday, 3 June 2025", "next": "09:00"}
    assert by_id(data)["a"]["time"] == "09:00–10:00" and by_id(data)["a"]["start"] == 540
    assert (data["days"][0]["start"], data["days"][0]["end"]) == (540, 780)


def test_marks_say_in_words_what_colour_shows():
    data = state(lang="de", counts={"b": SessionCount("b", 2, 1)}, bookmarks={"a"})
    sessions = by_id(data)
    assert sessions["b"]["marks"] == ["ausgebucht"]
    assert sessions["a"]["marks"] == ["⭐ gemerkt"]
    mine = state(lang="de", counts={"b": SessionCount("b", 2, 1)}, mine={"b": MyRegistration("b", "waitlisted", 1)})
    entry = by_id(mine)["b"]
    assert entry["marks"] == ["⏳ Warteliste: Platz 1"]
    assert [a["action"] for a in entry["actions"]] == ["leave_waitlist", "bookmark", "calendar"]
    assert any("Warteliste" in line for line in entry["details"])  # the chat's own card, as plain text


def test_a_conflict_offers_switch_and_keep_and_a_full_switch_the_waitlist():
    conflict = offers("en", Outcome(Status.CONFLICT, "b", other_session_id="a"))
    assert [(o["action"], o["session_id"], o.get("from_id")) for o in conflict] == [("switch", "b", "a"), ("keep", "a", None)]
    assert [o["action"] for o in offers("en", Outcome(Status.SWITCH_FULL, "b", other_session_id="a"))] == ["waitlist"]
    assert offers("en", Outcome(Status.CONFIRMED, "b")) == []


def test_seats_are_offered_only_until_the_session_starts():
    program = parse_program(PROGRAM)
    before = day_state(program, "en", datetime(2025, 6, 3, 12, 0, tzinfo=timezone.utc), {}, {}, set())
    after = day_state(program, "en", datetime(2025, 6, 3, 13, 5, tzinfo=timezone.utc), {}, {}, set())  # 09:05 local
    assert [a["action"] for a in by_id(before)["b"]["actions"]] == ["signup", "bookmark", "calendar"]
    assert [a["action"] for a in by_id(after)["b"]["actions"]] == ["bookmark", "calendar"]
    over = day_state(program, "en", datetime(2025, 6, 3, 14, 5, tzinfo=timezone.utc), {}, {}, set())  # 10:05 local
    assert by_id(over)["b"]["actions"] == []  # as in the chat: nothing to bookmark once it is over


def test_seats_on_a_bus_close_at_its_departure_before_the_session_starts():
    program = parse_program(PROGRAM.replace(
        '  - {id: lunch,', '  - {id: bus, kind: excursion, title: {de: "Fahrt", en: "Trip"}, start: "2025-06-03 14:00", '
        'end: "2025-06-03 16:00", capacity: 9, meeting_point: {name: "Stop", departure: "2025-06-03 13:45"}}\n'
        '  - {id: lunch,'))
    at_1350 = datetime(2025, 6, 3, 17, 50, tzinfo=timezone.utc)  # 13:50 local: the bus has left
    assert [a["action"] for a in by_id(day_state(program, "en", at_1350, {}, {}, set()))["bus"]["actions"]] \
        == ["bookmark", "calendar"]


def test_a_full_session_offers_its_waiting_list_and_its_button_says_so():
    entry = by_id(state(lang="de", counts={"b": SessionCount("b", 2, 0)}))["b"]
    assert entry["actions"][0] == {"action": "waitlist", "label": "⏳ Auf die Warteliste"}
    assert by_id(state(lang="de", counts={"b": SessionCount("b", 1, 0)}))["b"]["actions"][0]["action"] == "signup"


def test_each_session_knows_whether_it_is_over_running_next_or_later_and_says_so_in_words():
    program = parse_program(PROGRAM)
    at_0930 = datetime(2025, 6, 3, 13, 30, tzinfo=timezone.utc)  # 09:30 in New York: a, b and walk run
    sessions = by_id(day_state(program, "en", at_0930, {}, {}, set()))
    assert {key: sessions[key]["phase"] for key in sessions} == {"a": "now", "b": "now", "walk": "now", "lunch": "next"}
    assert sessions["a"]["marks"] == ["▶ on now"] and "signup" not in [a["action"] for a in sessions["b"]["actions"]]
    at_1230 = datetime(2025, 6, 3, 16, 30, tzinfo=timezone.utc)
    data = day_state(program, "en", at_1230, {}, {}, set())
    assert by_id(data)["a"]["phase"] == "past" and by_id(data)["a"]["marks"] == ["over"]
    assert data["now"]["next"] is None and data["now"]["date_label"] == "Tuesday, 3 June 2025"
    assert data["days"][0]["date_label"] == "Tuesday, 3 June 2025"
    assert state()["now"]["next"] == "09:00"  # 08:40: the first sessions are next


def test_a_delay_shows_as_words_against_the_program_file():
    from bot.domain.changes import apply_overrides, delay

    base = parse_program(PROGRAM)
    moved = apply_overrides(base, delay(base, "b", 10))
    sessions = by_id(day_state(moved, "de", datetime(2025, 6, 3, 12, 0, tzinfo=timezone.utc), {}, {}, set()))
    assert sessions["b"]["delay"] == 10 and "⏱ 10 Min. später" in sessions["b"]["marks"]
    assert sessions["a"]["delay"] == 0 and not any("⏱" in mark for mark in sessions["a"]["marks"])
    earlier = apply_overrides(base, delay(base, "a", -5))
    assert "⏱ 5 min early" in by_id(day_state(earlier, "en", datetime(2025, 6, 3, 12, 0, tzinfo=timezone.utc), {}, {},
                                               set()))["a"]["marks"]
