"""How sessions and seats read, without the bot: what a person must know to be there in time."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.loader import load_program
from bot.domain.signup import Outcome, Status
from bot.handlers.views import PAGE_BUDGET, mine_view, search_view
from bot.storage import MyRegistration
from bot.wording.seats import outcome_text
from conftest import PROGRAM_FILE
from test_e2e_program_moves import early_bus as early_bus_file


@pytest.fixture
def early_bus(tmp_path: Path):
    """The shipped program with the excursion's bus at 14:30, 15 minutes before the session."""
    return load_program(early_bus_file(tmp_path))


@pytest.mark.parametrize("lang, departure", [("de", "🚌 Abfahrt 14:30"), ("en", "🚌 departs 14:30")])
def test_a_seat_on_a_bus_that_leaves_before_the_session_says_when_it_leaves(early_bus, lang, departure):
    for status in (Status.CONFIRMED, Status.MOVED_UP):
        text = outcome_text(early_bus, lang, Outcome(status, "exkursion"))
        assert "14:45–16:00" in text and departure in text, text
    mine, _ = mine_view(early_bus, lang, [MyRegistration("exkursion", "confirmed", None)])
    assert departure in mine


def test_a_bus_that_leaves_at_the_start_adds_nothing(program):
    text = outcome_text(program, "de", Outcome(Status.CONFIRMED, "exkursion"))
    assert "📍 Bushaltestelle vor dem MMZ" in text and "Abfahrt" not in text


def test_a_search_list_of_very_long_titles_stays_one_message(tmp_path):
    program_file = tmp_path / "program.yaml"
    text = PROGRAM_FILE.read_text(encoding="utf-8")
    program_file.write_text(text.replace('de: "Workshop ', 'de: "' + "Sehr langer Titel " * 100 + 'Workshop '),
                            encoding="utf-8")
    program = load_program(program_file)
    found = [s for s in program.sessions if s.kind.value == "workshop"]
    listed = search_view(program, "de", found, program.conference.start)
    assert len(listed) <= PAGE_BUDGET and listed.startswith("🔎")
