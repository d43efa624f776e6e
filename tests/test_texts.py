"""Texts: every template fills and is valid Telegram HTML, plurals agree with their number,
both languages have the same keys, shortened labels end with "…" and never cut a time."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser

import pytest

from bot.texts import CATALOGS, plain, shorten, t

ALLOWED = {"b", "i", "u", "s", "code", "pre", "a"}


class TagBalance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            self.errors.append(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append("/" + tag)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("number", [1, 2])
def test_every_template_fills_and_is_valid_html(lang, number):
    for key, template in CATALOGS[lang].TEXTS.items():
        values = {name: number for name in placeholders(template)}
        text = t(lang, key, **values)
        checker = TagBalance()
        checker.feed(text)
        assert not checker.errors and not checker.stack, (key, text)


def test_both_languages_have_the_same_keys():
    assert set(CATALOGS["de"].TEXTS) == set(CATALOGS["en"].TEXTS)


@pytest.mark.parametrize("lang, one, two", [("de", "1 Person ", "2 Personen "), ("en", "1 person ", "2 people ")])
def test_plurals_agree(lang, one, two):
    assert one in plain(lang, "change_done", count=1) and two in plain(lang, "change_done", count=2)
    preview = re.sub(r"</?b>", "", t(lang, "change_preview", lines="", count=1))
    assert one in preview and two in re.sub(r"</?b>", "", t(lang, "change_preview", lines="", count=2))
    assert "1 Personen" not in t(lang, "change_done", count=1) and "1 people" not in t(lang, "change_done", count=1)


def test_no_text_assumes_the_gender_of_a_title():
    for template in CATALOGS["de"].TEXTS.values():
        assert not re.search(r"“, (das|die|der) ", template), template


@pytest.mark.parametrize("text, limit", [("Abfahrt 14:45 Uhr am Bus", 12), ("Abfahrt 14:45 Uhr am Bus", 11),
                                         ("Podiumsdiskussion: Brücken bauen – Netzwerke nutzen", 40),
                                         ("Treffpunkt um 9:30 vor dem Haus", 16)])
def test_shorten_ends_with_an_ellipsis_and_never_cuts_a_time(text, limit):
    short = shorten(text, limit)
    assert len(short) <= limit and short.endswith("…")
    assert not re.search(r"\d:\d?…|\d…", short), short
    assert "nutze…" not in short


def test_short_texts_stay_as_they_are():
    assert shorten("Foyer", 10) == "Foyer"
    assert plain("de", "reminder_button_minutes", minutes=5) == "5 Min."
