"""Free-text search finds sessions by everyday words and by keywords from program.yaml."""

from __future__ import annotations

import dataclasses

import pytest

from bot.domain.search import search


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
