"""Program checks shared by the file loader and live changes (fast, no sandbox)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.domain import changes
from bot.domain.checks import check_change, check_program, check_sessions
from bot.domain.loader import ProgramError, parse_program
from conftest import PROGRAM_FILE


def after(program, overrides):
    return changes.apply_overrides(program, overrides)


def test_the_shipped_program_is_clean(program):
    assert check_program(program) == []


def test_a_room_change_into_a_busy_room_is_an_error(program):
    new = after(program, changes.change_room(program, "ws-zwilling", "Seminarraum 2"))
    (finding,) = check_change(program, new)
    assert (finding.code, finding.severity, finding.session_id, finding.other_session_id) == \
        ("room_clash", "error", "ws-zwilling", "ws-mobilitaet")


def test_a_delay_past_the_end_is_an_error(program):
    new = after(program, changes.delay(program, "ws-mobilitaet", 600))
    assert [(f.code, f.severity) for f in check_change(program, new)] == [("outside_conference", "error")]


def test_a_delay_into_the_next_session_is_a_warning(program):
    new = after(program, changes.delay(program, "impuls-kts", 15))
    (finding,) = check_change(program, new)
    assert (finding.code, finding.severity, finding.other_session_id) == ("room_clash", "warning", "smart-city-halle")


def test_delaying_all_following_and_harmless_changes_pass(program):
    assert check_change(program, after(program, changes.delay(program, "impuls-kts", 5, following=True))) == []
    assert check_change(program, after(program, changes.change_room(program, "podium", "Saal 9"))) == []
    assert check_change(program, after(program, changes.cancel_session(program, "podium"))) == []


def test_restoring_into_a_room_taken_meanwhile_is_an_error(program):
    cancelled = after(program, changes.cancel_session(program, "ws-zwilling"))
    taken = after(cancelled, changes.change_room(cancelled, "ws-mobilitaet", "Seminarraum 1"))
    restored = after(taken, changes.restore_session(taken, "ws-zwilling"))
    assert [(f.code, f.severity) for f in check_change(taken, restored)] == [("room_clash", "error")]


# --- check_program: every rule, on the shipped program with one thing broken ----------------

def moved(program, session_id, **fields):
    return program.replace_session(dataclasses.replace(program.session(session_id), **fields))


def test_each_rule_of_a_whole_program(program):
    conference = program.conference
    broken = moved(program, "begruessung", start=conference.start - timedelta(minutes=5))
    broken = moved(broken, "get-together", end=conference.end + timedelta(minutes=1))
    broken = moved(broken, "markt", end=broken.session("markt").start)
    broken = moved(broken, "ws-beteiligung", room=" seminarraum 1 ")
    assert {(f.code, f.session_id, f.other_session_id) for f in check_program(broken)} == {
        ("outside_conference", "begruessung", None),
        ("outside_conference", "get-together", None),
        ("end_before_start", "markt", None),
        ("room_clash", "ws-beteiligung", "ws-zwilling"),
    }
    assert all(f.severity == "error" for f in check_program(broken))
    clash = next(f for f in check_program(broken) if f.code == "room_clash")
    assert clash.room == " seminarraum 1 "


def test_check_program_is_in_program_order_and_repeatable(program):
    broken = moved(program, "ws-beteiligung", room="Seminarraum 1")
    broken = moved(broken, "ws-mobilitaet", room="Seminarraum 1")
    broken = moved(broken, "exkursion", end=broken.conference.end + timedelta(hours=1))
    findings = check_program(broken)
    assert [(f.code, f.session_id, f.other_session_id) for f in findings] == [
        ("room_clash", "ws-mobilitaet", "ws-zwilling"),
        ("room_clash", "ws-beteiligung", "ws-zwilling"),
        ("room_clash", "ws-beteiligung", "ws-mobilitaet"),
        ("outside_conference", "exkursion", None),
    ]
    assert check_program(broken) == findings


def test_cancelled_sessions_empty_rooms_and_touching_sessions_never_clash(program):
    cancelled = moved(program, "ws-mobilitaet", room="Seminarraum 1", cancelled=True)
    assert check_program(cancelled) == []
    roomless = moved(moved(program, "ws-zwilling", room=""), "ws-mobilitaet", room="  ")
    assert check_program(roomless) == []
    # impuls-kts ends at 10:20, when smart-city-halle starts in the same room
    assert program.session("impuls-kts").end == program.session("smart-city-halle").start
    assert check_program(program) == []


def test_a_room_clash_ignores_case_and_blanks(program):
    findings = check_program(moved(program, "ws-mobilitaet", room="SEMINARRAUM 1 "))
    assert [(f.code, f.session_id, f.other_session_id) for f in findings] == [("room_clash", "ws-mobilitaet", "ws-zwilling")]


def test_check_sessions_without_a_conference_checks_only_times_and_rooms(program):
    sessions = [*program.sessions, dataclasses.replace(program.session("podium"), id="late", start=program.conference.end,
                                                       end=program.conference.end + timedelta(hours=1), room="Saal 9")]
    assert check_sessions(sessions) == []
    assert [f.code for f in check_sessions(sessions, program.conference)] == ["outside_conference"]


# --- check_change: only what a change newly causes, for the sessions it changes ---------------

def test_a_change_that_creates_nothing_new_reports_nothing(program):
    """A problem already in the program is not the change's: an unrelated change passes."""
    clashing = moved(program, "ws-mobilitaet", room="Seminarraum 1")
    assert len(check_program(clashing)) == 1
    assert check_change(clashing, after(clashing, changes.delay(clashing, "podium", 10))) == []
    # moving one of the two clashing sessions to a new time where they still clash adds nothing new
    assert check_change(clashing, after(clashing, changes.delay(clashing, "ws-mobilitaet", 5))) == []


def test_a_room_written_differently_is_no_change(program):
    assert check_change(program, after(program, changes.change_room(program, "ws-zwilling", "seminarraum 1"))) == []


def test_a_delay_of_a_whole_room_past_the_end_names_every_session_that_leaves(program):
    new = after(program, changes.delay(program, "smart-city-halle", 300, following=True))
    assert [(f.code, f.severity, f.session_id) for f in check_change(program, new)] == [
        ("outside_conference", "error", "podium"),  # would start after the end
        ("outside_conference", "warning", "smart-city-halle"),  # starts before, runs over
    ]


def test_a_delay_before_the_start_and_a_moved_room_at_once_are_errors(program):
    early = after(program, changes.delay(program, "begruessung", -10))
    assert [(f.code, f.severity) for f in check_change(program, early)] == [("outside_conference", "error")]
    both = after(program, [dataclasses.replace(o, room="Seminarraum 2")
                           for o in changes.delay(program, "ws-zwilling", 15)])
    assert [(f.code, f.severity, f.session_id, f.other_session_id, f.room) for f in check_change(program, both)] == [
        ("room_clash", "error", "ws-zwilling", "ws-mobilitaet", "Seminarraum 2")]


def test_a_time_moved_into_a_room_used_by_others_names_the_moved_session_first(program):
    """The clash is found for the later session of the pair (podium), but the change is about
    the one that moved: it is named first."""
    new = after(program, changes.delay(program, "smart-city-halle", 10))
    (finding,) = check_change(program, new)
    assert (finding.session_id, finding.other_session_id, finding.severity) == ("smart-city-halle", "podium", "warning")


def test_errors_come_before_warnings(program):
    # two changes at once: impuls-kts into the next talk (a warning), the get-together after the end (an error)
    overrides = changes.delay(program, "impuls-kts", 15) + changes.delay(program, "get-together", 90)
    findings = check_change(program, after(program, overrides))
    assert [(f.severity, f.session_id) for f in findings] == [("error", "get-together"), ("warning", "impuls-kts")]


def test_restoring_a_session_whose_room_is_free_passes(program):
    cancelled = after(program, changes.cancel_session(program, "ws-zwilling"))
    assert check_change(cancelled, after(cancelled, changes.restore_session(cancelled, "ws-zwilling"))) == []


def test_the_loader_and_the_checks_agree_on_the_shipped_file(program):
    """The file loads only when check_program finds nothing; a room clash written into the file
    is refused by the loader as the same change is refused in the chat."""
    text = PROGRAM_FILE.read_text(encoding="utf-8").replace('room: "Seminarraum 2"', 'room: "Seminarraum 1"')
    with pytest.raises(ProgramError) as refused:
        parse_program(text)
    assert [str(p).split(":")[0] for p in refused.value.problems] == ["session 'ws-mobilitaet' (line 152)"]
    new = after(program, changes.change_room(program, "ws-mobilitaet", "Seminarraum 1"))
    assert [(f.code, f.session_id) for f in check_change(program, new)] == [("room_clash", "ws-mobilitaet")]


def test_the_departure_moves_with_its_session(program):
    departure = program.session("exkursion").meeting_point.departure
    moved = after(program, changes.delay(program, "exkursion", -10))
    assert moved.session("exkursion").meeting_point.departure == departure - timedelta(minutes=10)
    twice = after(moved, changes.delay(moved, "exkursion", 30))  # overrides replace: relative to the file
    assert twice.session("exkursion").meeting_point.departure == departure + timedelta(minutes=20)
    roomed = after(program, changes.change_room(program, "exkursion", "Foyer"))
    assert roomed.session("exkursion").meeting_point.departure == departure


def test_a_delay_that_runs_past_the_conference_end_is_a_warning_not_a_refusal(program):
    """The bus is late: the excursion (until 16:00, the conference's end) may run over with the
    organizer's explicit confirmation; moving a session to start after the end stays refused."""
    late_bus = check_change(program, after(program, changes.delay(program, "exkursion", 15)))
    assert [(f.code, f.severity) for f in late_bus] == [("outside_conference", "warning")]
    too_late = check_change(program, after(program, changes.delay(program, "exkursion", 90)))
    assert [(f.code, f.severity) for f in too_late] == [("outside_conference", "error")]
