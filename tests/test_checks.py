"""Program checks shared by the file loader and live changes (fast, no sandbox)."""

from __future__ import annotations

from bot.domain import changes
from bot.domain.checks import check_change, check_program


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
