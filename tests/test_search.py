"""Free-text search finds sessions by everyday words and by keywords from program.yaml."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.domain.program import Text
from bot.domain.intents import Intent, intent_of
from bot.domain.search import search, sessions_for_inline


def ids(program, query):
    return [hit.session.id for hit in search(program, query)]


@pytest.mark.parametrize("query", ["Mittagessen", "Essen", "wann gibt es essen", "Kaffee", "lunch", "coffee",
                                   "when is lunch", "Mittagspause"])
def test_everyday_words_find_the_break(program, query):
    assert ids(program, query)[0] == "mittagspause"


def test_keywords_and_typos(program):
    with_keyword = program.replace_session(dataclasses.replace(program.session("markt"), keywords=("Brezel",)))
    assert ids(with_keyword, "brezel") == ["markt"]
    assert ids(program, "brezel") == []
    assert ids(program, "Podiumsdiskusion")[0] == "podium"
    assert set(ids(program, "Workshop")) == {"ws-zwilling", "ws-mobilitaet", "ws-beteiligung"}
    assert ids(program, "Bus")[0] == "exkursion"


def test_with_several_breaks_lunch_and_coffee_words_find_all_of_them(program):
    lunch = program.session("mittagspause")
    later = timedelta(hours=3)
    coffee = dataclasses.replace(lunch, id="kaffeepause", title=Text.of(de="Kaffee und Kuchen", en="Coffee and cake"),
                                 start=lunch.start + later, end=lunch.end + later)
    two_breaks = dataclasses.replace(program, sessions=(*program.sessions, coffee))
    for query in ("Kaffee", "coffee", "lunch", "Essen", "Pause", "break"):
        assert set(ids(two_breaks, query)) == {"mittagspause", "kaffeepause"}, query


@pytest.mark.parametrize("query, expected", [
    ("wann ist die nächste pause", ["mittagspause"]),
    ("what is there to eat", ["mittagspause"]),
    ("gibt es getränke", ["get-together"]),
    ("Abend", ["get-together"]),
    ("wann ist das get together", ["get-together"]),
    ("wann ist der Ausflug", ["exkursion"]),
    ("wo sind die Stände", None),
])
def test_everyday_words_of_other_kinds(program, query, expected):
    found = ids(program, query)
    if expected is None:
        assert found[0] == "markt"
    else:
        assert found == expected


def test_everyday_words_do_not_make_other_queries_noisy(program):
    assert ids(program, "essen") == ["mittagspause"]  # not the marketplace, not every session
    assert "markt" not in ids(program, "Stadt")  # "Stadt" is one letter from "Stand"
    assert ids(program, "where can I get coffee")[0] == "mittagspause"
    for filler in ("vor", "aus", "sich", "wann kommt", "next", "is there"):
        assert ids(program, filler) == [], filler
    assert ids(program, "Quantencomputer im Weltall") == []


def test_a_room_number_finds_the_sessions_in_that_room(program):
    assert ids(program, "raum 2") == ["ws-mobilitaet"]
    assert ids(program, "Seminarraum 3") == ["ws-beteiligung"]


def test_a_number_beside_words_that_find_nothing_finds_nothing(program):
    assert ids(program, "<script>alert(1)</script>") == []  # not "Workshop 1"
    assert ids(program, "bin um 1 da") == []
    assert ids(program, "ich habe 2 Fragen zur Podiumsdiskussion") == ["podium"]  # not Workshop 2 as well
    assert ids(program, "Workshop 2") == ["ws-mobilitaet"]


@pytest.mark.parametrize("query, expected", [
    ("was läuft jetzt?", Intent.NOW), ("Was läuft gerade", Intent.NOW), ("what's on now", Intent.NOW),
    ("was kommt als nächstes", Intent.NEXT), ("what's next?", Intent.NEXT),
    ("Programm", Intent.PROGRAM), ("agenda please", Intent.PROGRAM),
    ("wie komme ich hin", Intent.VENUE), ("Adresse?", Intent.VENUE),
    ("hilfe", Intent.HELP), ("Hallo", Intent.HELP), ("guten Morgen", Intent.HELP),
    ("danke!", Intent.THANKS), ("Vielen Dank für die Info", Intent.THANKS), ("thanks", Intent.THANKS),
])
def test_what_a_message_without_a_session_in_it_asks_for(query, expected):
    assert intent_of(query) is expected


@pytest.mark.parametrize("query", ["wo ist der Workshop", "Workshop jetzt", "raum 2", "wann ist Mittagessen",
                                   "morgen", "Programm Mobilität", "danke, wo ist die Exkursion?", ""])
def test_a_message_that_names_something_is_a_search_not_an_intent(query):
    assert intent_of(query) is None


def test_a_room_named_by_a_letter_finds_its_sessions(program):
    lettered = program
    for session_id, room in (("ws-zwilling", "Raum A"), ("ws-mobilitaet", "Raum B")):
        lettered = lettered.replace_session(dataclasses.replace(lettered.session(session_id), room=room))
    assert ids(lettered, "Raum B") == ["ws-mobilitaet"]  # "raum" is a filler and "b" a single letter
    assert ids(lettered, "wo ist raum a?") == ["ws-zwilling"]
    assert ids(lettered, "b") == []  # a letter alone names no room
    assert [s.id for s in sessions_for_inline(lettered, "Raum B", lettered.conference.start)] == ["ws-mobilitaet"]
