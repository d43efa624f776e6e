"""Texts: every template fills and is valid Telegram HTML, plurals agree with their number,
both languages have the same keys, no sentence assumes the grammatical gender of a title,
shortened labels end with "…" and never cut a time or a number."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser

import pytest

from bot.texts import CATALOGS, Html, commands, plain, shorten, t

ALLOWED = {"b", "i", "u", "s", "code", "pre", "a"}
DUMMY = "Workshop <1> & „X“"  # a title with markup characters: must come out escaped


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


def fields(template: str) -> list[tuple[str, str]]:
    """(name, format spec) of every placeholder, nested ones included."""
    found = []
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            found.append((name, spec or ""))
            found += fields(spec or "")
    return found


def counted(template: str) -> set[str]:
    """Names used with a plural form, and names that hold a number by their meaning."""
    names = {name for name, spec in fields(template) if "|" in spec}
    return names | {name for name, _ in fields(template) if name in NUMERIC}


NUMERIC = {"count", "minutes", "hours", "days", "capacity", "confirmed", "waiting", "free", "position", "sent",
           "blocked", "failed", "votes", "retention", "sessions", "length", "limit", "page", "pages", "id",
           "before", "after", "day", "year"}


def dummy_values(template: str, number: int) -> dict[str, object]:
    numbers = counted(template)
    return {name: number if name in numbers else DUMMY for name, _ in fields(template)}


def all_templates():
    return [(lang, key) for lang in CATALOGS for key in CATALOGS[lang].TEXTS]


def template_problems(lang: str, key: str, number: int) -> list[str]:
    """What is wrong with one template filled with `number` for its counted values: unbalanced
    or unknown tags, an unescaped value, or a failure to fill as plain text."""
    template = CATALOGS[lang].TEXTS[key]
    text = t(lang, key, **dummy_values(template, number))
    checker = TagBalance()
    checker.feed(text)
    checker.close()
    problems = [f"tags {checker.errors + checker.stack}"] if checker.errors or checker.stack else []
    if "<1>" in text:
        problems.append("a value is not escaped")
    if any(name not in counted(template) for name, _ in fields(template)) and "Workshop &lt;1&gt; &amp; „X“" not in text:
        problems.append("a text value does not appear, escaped")
    plain(lang, key, **dummy_values(template, number))  # fills without HTML as well
    return [f"{lang}/{key} with {number}: {problem}" for problem in problems]


def test_every_template_fills_and_is_valid_telegram_html():
    problems = [problem for lang, key in all_templates() for number in (0, 1, 2, 21)
                for problem in template_problems(lang, key, number)]
    assert not problems, "\n".join(problems)


def test_the_template_checks_can_fail(monkeypatch):
    """The loops here must be able to fail: an unclosed tag and a plural with one form are found."""
    monkeypatch.setitem(CATALOGS["de"].TEXTS, "zz_broken", "<b>{title}")
    monkeypatch.setitem(CATALOGS["de"].TEXTS, "zz_plural", "{count} {count:Platz|Platz}")
    assert template_problems("de", "zz_broken", 1) == ["de/zz_broken with 1: tags ['b']"]
    assert plural_problems("de", "zz_plural")


def plural_problems(lang: str, key: str) -> list[str]:
    problems = []
    for name, spec in fields(CATALOGS[lang].TEXTS[key]):
        if "|" in spec:
            one, other = spec.split("|", 1)
            if not (one.strip() and other.strip()) or one == other:
                problems.append(f"{lang}/{key}: plural {name}:{spec}")
    return problems


def test_plural_forms_are_complete():
    plurals = [(lang, key) for lang, key in all_templates()
               if any("|" in spec for _, spec in fields(CATALOGS[lang].TEXTS[key]))]
    assert len(plurals) > 20  # the check has something to check
    problems = [problem for lang, key in plurals for problem in plural_problems(lang, key)]
    assert not problems, "\n".join(problems)


def test_both_languages_have_the_same_keys():
    assert set(CATALOGS["de"].TEXTS) == set(CATALOGS["en"].TEXTS)


def test_both_languages_use_the_same_placeholders():
    for key, template in CATALOGS["de"].TEXTS.items():
        names_de = {name for name, _ in fields(template)}
        names_en = {name for name, _ in fields(CATALOGS["en"].TEXTS[key])}
        assert names_de == names_en, key


def bare(text: str) -> str:
    return re.sub(r"</?b>", "", text)


@pytest.mark.parametrize("lang, one, two", [("de", "1 Person ", "2 Personen "), ("en", "1 person ", "2 people ")])
@pytest.mark.parametrize("key", ["change_preview", "change_done"])
def test_person_plurals(lang, key, one, two):
    assert one in bare(t(lang, key, lines="", count=1))
    assert two in bare(t(lang, key, lines="", count=2))
    assert "0 " + two.split()[1] in bare(t(lang, key, lines="", count=0))
    assert "1 Personen" not in bare(t(lang, key, lines="", count=1)) and "1 people" not in bare(t(lang, key, lines="", count=1))


@pytest.mark.parametrize("lang, key, values, one, two", [
    ("de", "reload_preview", {"lines": ""}, "wird 1 Person.", "werden 2 Personen."),
    ("en", "reload_preview", {"lines": ""}, "1 person will", "2 people will"),
    ("de", "admin_reload_promoted", {}, "1 Person ist von der Warteliste nachgerückt und wurde", "2 Personen sind von der Warteliste nachgerückt und wurden"),
    ("en", "admin_reload_promoted", {}, "1 person moved up from the waiting list and was", "2 people moved up from the waiting list and were"),
    ("en", "bc_edit_preview", {"id": 3, "body": ""}, "for 1 recipient:", "for 2 recipients:"),
    ("en", "bc_edit_done", {}, "to 1 recipient.", "to 2 recipients."),
    ("de", "bc_withdraw_done", {"id": 3}, "1 Nachricht wird gelöscht", "2 Nachrichten werden gelöscht"),
    ("en", "bc_withdraw_done", {"id": 3}, "1 message is", "2 messages are"),
    ("de", "feedback_line", {"title": "X", "average": "4,0"}, "(1 Bewertung)", "(2 Bewertungen)"),
    ("en", "feedback_line", {"title": "X", "average": "4.0"}, "(1 rating)", "(2 ratings)"),
    ("de", "admin_export_caption", {"time": "10:00"}, "(1 Zeile)", "(2 Zeilen)"),
    ("en", "admin_export_caption", {"time": "10:00"}, "(1 row)", "(2 rows)"),
    ("de", "scheduled_started", {"id": 3}, "an 1 Empfänger", "an 2 Empfänger"),
    ("en", "scheduled_started", {"id": 3}, "1 recipient.", "2 recipients."),
    ("de", "opening_preview", {"preview": ""}, "An 1 Person, die um Bescheid gebeten hat", "An 2 Personen, die um Bescheid gebeten haben"),
    ("en", "opening_preview", {"preview": ""}, "To 1 person who asked", "To 2 people who asked"),
])
def test_count_plurals(lang, key, values, one, two):
    assert one in bare(t(lang, key, count=1, **values))
    assert two in bare(t(lang, key, count=2, **values))


@pytest.mark.parametrize("lang, key, name, values, one, two", [
    ("de", "reminder_set", "minutes", {}, "1 Minute vor", "2 Minuten vor"),
    ("en", "reminder_set", "minutes", {}, "1 minute before", "2 minutes before"),
    ("de", "details_seats_free", "capacity", {"free": 1}, "1 von 1 Platz frei", "1 von 2 Plätzen frei"),
    ("en", "details_seats_free", "capacity", {"free": 1}, "1 of 1 seat free", "1 of 2 seats free"),
    ("de", "reload_capacity", "after", {"title": "X", "before": 5}, "5 → 1 Platz", "5 → 2 Plätze"),
    ("en", "reload_capacity", "after", {"title": "X", "before": 5}, "5 → 1 seat", "5 → 2 seats"),
    ("de", "admin_reload_ok", "sessions", {}, "1 Programmpunkt.", "2 Programmpunkte."),
    ("en", "admin_reload_ok", "sessions", {}, "1 session.", "2 sessions."),
    ("de", "privacy_notice", "retention", {"until": "1.7.", "controller": "X", "contact": ""}, "bis 1 Tag nach", "bis 2 Tage nach"),
    ("en", "privacy_notice", "retention", {"until": "1 Jul", "controller": "X", "contact": ""}, "until 1 day after", "until 2 days after"),
    ("de", "change_ask_scope", "count", {"room": "Saal"}, "folgt danach noch ein Programmpunkt. Soll er", "folgen danach noch 2 Programmpunkte. Sollen sie"),
    ("en", "change_ask_scope", "count", {"room": "Saal"}, "One more session follows", "2 more sessions follow"),
])
def test_named_plurals(lang, key, name, values, one, two):
    assert one in t(lang, key, **{name: 1}, **values)
    assert two in t(lang, key, **{name: 2}, **values)


@pytest.mark.parametrize("lang, minutes, days, expected", [
    ("de", 60 * 24 * 2 + 60, 2, "2 Tagen, 1 Std."), ("en", 60 * 24 * 2 + 60, 2, "2 days, 1 h"),
    ("de", 60 * 24 + 5, 1, "1 Tag, 0 Std."), ("en", 60 * 24 + 5, 1, "1 day, 0 h"),
])
def test_durations(lang, minutes, days, expected):
    from datetime import timedelta

    from bot.texts import format_duration
    assert format_duration(lang, timedelta(minutes=minutes)) == expected


def test_plural_values_are_escaped_in_html_and_not_in_plain():
    assert t("de", "feedback_line", title="<b>", average="4", count=1) == "&lt;b&gt;: Ø 4 (1 Bewertung)"
    assert plain("de", "feedback_line", title="<b>", average="4", count=1) == "<b>: Ø 4 (1 Bewertung)"
    assert t("de", "feedback_line", title=Html("<b>x</b>"), average="4", count=2) == "<b>x</b>: Ø 4 (2 Bewertungen)"


def test_no_text_assumes_the_gender_or_number_of_a_title():
    quoted = r"(„\{\w+\}“|“\{\w+\}”|\{title\}|\{other\}|\{conference\}|\{venue\})"
    for lang in CATALOGS:
        for key, template in CATALOGS[lang].TEXTS.items():
            # a relative pronoun or article that must agree with whatever the title is
            assert not re.search(r"[“”], (das|die|der|dem|den|welche[rsnm]?) ", template), (key, template)
            assert not re.search(quoted + r"[^.?!\n]*\b(bevor|nachdem|weil|wenn|ob) (es|er|sie) ", template), (key, template)
            articles = r"(im|am|zum|zur|vom|beim|ins|der|die|das|den|dem|des)" if lang == "de" else r"(the|a|an)"
            assert not re.search(r"\b" + articles + " " + quoted, template, re.IGNORECASE), (key, template)


def test_the_conflict_names_both_sessions_without_a_pronoun():
    for lang in CATALOGS:
        text = t(lang, "signup_conflict", other="Workshop 1: Digitale Zwillinge", title="Workshop 2")
        assert "Workshop 1: Digitale Zwillinge" in text and "Workshop 2" in text
    assert ", das zur selben Zeit" not in t("de", "signup_conflict", other="A", title="B")


# shorten()

def test_short_texts_stay_as_they_are():
    assert shorten("Foyer", 10) == "Foyer"
    assert shorten("Foyer", 5) == "Foyer"
    assert shorten("", 5) == ""
    assert plain("de", "reminder_button_minutes", minutes=5) == "5 Min."


@pytest.mark.parametrize("text, limit, expected", [
    ("Abfahrt 14:45 Uhr am Bus", 12, "Abfahrt…"),  # would cut inside 14:45
    ("Abfahrt 14:45 Uhr am Bus", 11, "Abfahrt…"),
    ("Abfahrt 14:45 Uhr am Bus", 15, "Abfahrt 14:45…"),
    ("Abfahrt 14:45 Uhr am Bus", 20, "Abfahrt 14:45 Uhr…"),
    ("Podiumsdiskussion: Brücken bauen – Netzwerke nutzen", 40, "Podiumsdiskussion: Brücken bauen…"),
    ("Podiumsdiskussion: Brücken bauen – Netzwerke nutzen", 50, "Podiumsdiskussion: Brücken bauen – Netzwerke…"),
    ("Workshop 1: Digitale Zwillinge", 11, "Workshop 1…"),
    ("Treffpunkt um 9:30 vor dem Haus", 16, "Treffpunkt um…"),
    ("Treffpunkt 14.45 Uhr", 15, "Treffpunkt…"),
    ("Preis 1.000 Euro", 10, "Preis…"),
    ("Am 2025-06-03 in Halle", 10, "Am…"),
    ("Zeit: 14:45–15:30 im Foyer", 16, "Zeit…"),
    ("Kaffee (im Foyer)", 10, "Kaffee…"),
    ("A Stadtentwicklungsplanungsamtleitungsbesprechung", 20, "A Stadtentwicklungs…"),  # one long word: cut inside
])
def test_shorten_cuts_between_words_and_never_inside_a_number(text, limit, expected):
    assert shorten(text, limit) == expected


SAMPLES = ["Abfahrt 14:45 Uhr am Bus", "Podiumsdiskussion: Brücken bauen – Netzwerke nutzen",
           "Kaffee & Kuchen – 15:30 Uhr im Erdgeschoss, danach 16:00 Abschluss", "2025-06-03 09:30 Begrüßung",
           "✖️ Abmelden von „Workshop 3: Bürgerbeteiligung digital“", "🇬🇧 English", "x" * 80,
           "Workshop 1: Digitale Zwillinge für die Stadtplanung von morgen"]


@pytest.mark.parametrize("text", SAMPLES)
def test_a_shortened_label_never_exceeds_the_limit_ends_with_an_ellipsis_and_keeps_times_whole(text):
    times = re.findall(r"\d+(?:[:.–-]\d+)*", text)
    for limit in range(1, len(text) + 2):
        short = shorten(text, limit)
        assert len(short) <= limit, (limit, short)
        if len(text) <= limit:
            assert short == text
            continue
        assert short.endswith("…") and short.count("…") == 1, (limit, short)
        assert text.startswith(short[:-1]), (limit, short)
        assert not re.search(r"\d…", short) or any(short[:-1].endswith(time) for time in times), (limit, short)
        for number in re.findall(r"\d+(?:[:.–-]\d+)*", short[:-1]):
            assert number in times, (limit, short)  # no time or number appears cut in half
        assert "14:4…" not in short and "Netzwerke nutze…" not in short


def test_shorten_with_no_room():
    assert shorten("Abfahrt", 1) == "…"
    assert shorten("Abfahrt", 0) == ""


ONE_SESSION = """
conference:
  name: {en: "Open Data Day"}
  timezone: America/New_York
  start: "2025-03-01 10:00"
  end: "2025-03-01 12:00"
  venue: {name: "Library"}
sessions:
  - id: talk
    kind: talk
    title: {en: "Open data in practice"}
    start: "2025-03-01 10:00"
    end: "2025-03-01 11:00"
"""


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_one_session_program_gets_texts_of_its_own(lang):
    from bot.domain.loader import parse_program
    from bot.handlers import views

    program = parse_program(ONE_SESSION)
    welcome = views.welcome(program, lang)
    helped = t(lang, "help", example=views.example(program, lang))
    for text in (welcome, helped, t(lang, "mine_none")):
        for word in ("Workshop", "workshop", "Exkursion", "xcursion", "Podium", "panel", "HAL-PLAN", "Halle", "Mittag",
                     "lunch"):
            assert word not in text, (word, text)
    assert "Open Data Day" in welcome and "Open data in practice" in welcome  # an English-only program, for everyone
    assert "\n\n\n" not in welcome and "<i></i>" not in welcome  # no motto, no gap


def test_moments_and_decimals_read_as_each_language_writes_them():
    from datetime import datetime

    from bot.texts import format_decimal, format_moment

    moment = datetime(2025, 6, 3, 14, 30)
    assert (format_moment("de", moment), format_moment("en", moment)) == ("Di 3.06. 14:30 Uhr", "Tue 3 Jun 14:30")
    assert (format_decimal("de", 4.25), format_decimal("en", 4.25)) == ("4,2", "4.2")


@pytest.mark.parametrize("lang, archive, opening", [("de", "/archiv", "/eroeffnung"), ("en", "/archive", "/opening")])
def test_the_help_names_every_command_of_the_menu_and_the_series(lang, archive, opening):
    """Someone who asks /hilfe how to switch conferences or to hear of the next one finds it."""
    help_text = t(lang, "help", example="X")
    missing = [name for name, _ in commands(lang)[1:-1] if f"/{name} " not in help_text]  # not /start, nor /hilfe itself
    assert missing == [] and archive in help_text
    assert opening in t(lang, "help_admin")
