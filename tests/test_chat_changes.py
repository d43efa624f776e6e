"""Changes made in the chat beside the program file: only what the chat changed wins, a
re-released file that contradicts it is a conflict, and each way of resolving it does what the
organizer chose."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.domain import changes
from bot.domain.changes import KEEP, SHIFT, SOURCE
from bot.domain.loader import load_program
from conftest import PROGRAM_FILE, berlin

MINUTES = timedelta(minutes=1)


def program():
    return load_program(PROGRAM_FILE)


def moved(base, session_id: str, minutes: int):
    """The file re-released with one session moved."""
    session = base.session(session_id)
    return base.replace_session(dataclasses.replace(session, start=session.start + minutes * MINUTES,
                                                    end=session.end + minutes * MINUTES))


def chat(base, intent: dict):
    return changes.anchored(changes.intent_overrides(base, intent), base)


def test_a_room_changed_in_the_chat_follows_the_files_new_time():
    base = program()
    overrides = chat(base, {"op": "room", "session": "podium", "room": "Foyer"})
    new_base = moved(base, "podium", 30)
    assert changes.conflicts(overrides, base, new_base) == []
    podium = changes.apply_overrides(new_base, overrides).session("podium")
    assert (podium.room, podium.start) == ("Foyer", berlin("2025-06-03 11:35"))


def test_a_delay_the_file_contradicts_is_resolved_as_chosen():
    base = program()
    overrides = chat(base, {"op": "delay", "session": "podium", "minutes": 10})
    new_base = moved(base, "podium", 60)
    [conflict] = changes.conflicts(overrides, base, new_base)
    assert conflict.time and not conflict.room and conflict.shift == 10 * MINUTES
    starts = {}
    for choice in (KEEP, SOURCE, SHIFT):
        kept, ended = changes.resolve([conflict], choice)
        starts[choice] = changes.apply_overrides(new_base, kept).session("podium").start
        assert ended == (["podium"] if choice == SOURCE else [])
        assert changes.conflicts(kept, new_base, new_base) == []  # anchored to the new file: settled
    assert starts == {KEEP: berlin("2025-06-03 11:15"), SOURCE: berlin("2025-06-03 12:05"),
                      SHIFT: berlin("2025-06-03 12:15")}


def test_taking_the_files_time_keeps_the_room_the_chat_chose():
    base = program()
    overrides = chat(base, {"op": "delay", "session": "podium", "minutes": 10})
    overrides = changes.anchored(changes.intent_overrides(changes.apply_overrides(base, overrides),
                                                          {"op": "room", "session": "podium", "room": "Foyer"}), base)
    new_base = moved(base, "podium", 60)
    kept, ended = changes.resolve(changes.conflicts(overrides, base, new_base), SOURCE)
    podium = changes.apply_overrides(new_base, kept).session("podium")
    assert ended == [] and (podium.start, podium.room) == (berlin("2025-06-03 12:05"), "Foyer")


def test_a_session_that_left_the_file_keeps_its_chat_change_dormant():
    base = program()
    overrides = chat(base, {"op": "delay", "session": "podium", "minutes": 10})
    without = dataclasses.replace(base, sessions=tuple(s for s in base.sessions if s.id != "podium"))
    [conflict] = changes.conflicts(overrides, base, without)
    assert conflict.source is None
    kept, ended = changes.resolve([conflict], SOURCE)
    assert kept == overrides and ended == []
    assert changes.conflicts(kept, without, base) == []  # back, unchanged: the delay applies again
    assert changes.apply_overrides(base, kept).session("podium").start == berlin("2025-06-03 11:15")


def test_a_change_made_before_the_files_state_was_kept_counts_as_made_against_the_file():
    base = program()
    legacy = [dataclasses.replace(o, against=None) for o in chat(base, {"op": "delay", "session": "podium", "minutes": 10})]
    assert changes.apply_overrides(base, legacy).session("podium").start == berlin("2025-06-03 11:15")
    assert changes.conflicts(legacy, base, moved(base, "podium", 60))[0].shift == 10 * MINUTES


def test_a_delay_into_another_held_session_is_a_new_clash():
    base = program()
    after = changes.apply_overrides(base, chat(base, {"op": "delay", "session": "ws-zwilling", "minutes": 30}))
    assert changes.new_clashes(base, after, ["ws-zwilling"], {"ws-zwilling", "exkursion"}) == [("ws-zwilling", "exkursion")]
    assert changes.new_clashes(base, after, ["ws-zwilling"], {"ws-zwilling", "podium"}) == []



def test_a_room_change_says_which_day_and_time_when_there_are_several_days():
    from bot.domain.changes import change_room, diff, apply_overrides
    from bot.domain.loader import parse_program
    from bot.handlers.changes import change_lines
    from test_e2e_multiday import TWO_DAYS

    program = parse_program(TWO_DAYS)
    moved = apply_overrides(program, change_room(program, "labor", "Foyer"))
    lines = change_lines(moved, [c.as_dict() for c in diff(program, moved)], "de")
    assert lines == "• Datenlabor (So 26.10. 08:00–09:00 Uhr): 📍 Ratssaal → Foyer"
