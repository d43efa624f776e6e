"""Inline results within Telegram's limits, whatever the program holds: a card always fits one
message, result ids are unique and at most 64 bytes, only offsets the bot gave are read, and
what an empty query lists follows the conference clock."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
from telegram import Chat, InlineQuery, Message, Update, User

from bot.domain.program import Speaker, Text
from bot.domain.search import sessions_for_inline
from bot.handlers import inline
from bot.handlers.common import MAX_MESSAGE, telegram_length
from bot.processor import PerChatUpdateProcessor
from bot.sandbox.html import parse_html
from bot.wording import sessions
from conftest import berlin


def test_a_card_of_a_session_with_huge_texts_still_fits_one_message(program):
    panel = program.session("podium")
    huge = dataclasses.replace(
        panel, title=Text.of(de="Titel <&> " * 400), room="Saal & Co " * 100,
        speakers=tuple(Speaker(Text.of(de=f"Sprecherin {i} <b>"), Text.of(de="Rolle " * 20)) for i in range(200)))
    program = program.replace_session(huge)
    card = sessions.card(program, huge, "de")
    text, _ = parse_html(card)  # valid HTML, every value escaped
    assert telegram_length(text) <= MAX_MESSAGE
    assert "Sprecherin 0 <b>" in text and text.startswith("Titel <&>")
    article = inline._article(program, huge, "de", "KonfBot")
    assert len(article.title) <= 200 and len(article.description) <= 200


def test_the_card_tells_what_when_where_and_who(program):
    card = sessions.card(program, program.session("podium"), "en")
    assert card.splitlines()[:4] == [
        "<b>Panel discussion: building bridges – using networks</b>", "🕒 Tuesday, 3 June 2025, 11:05–11:50",
        "📍 Großer Saal", "🎤 Vertreterinnen und Vertreter aus Kommunen, Land und Bund"]


def test_a_cancelled_session_says_so_in_title_and_card_and_offers_no_sign_up(program):
    workshop = dataclasses.replace(program.session("ws-zwilling"), cancelled=True)
    program = program.replace_session(workshop)
    article = inline._article(program, workshop, "de", "KonfBot")
    assert article.title.startswith("❌ Abgesagt: Workshop 1")
    assert "fällt aus" in article.input_message_content.message_text
    assert "Anmeldung" not in article.reply_markup.inline_keyboard[0][0].text


def test_result_ids_are_unique_and_fit_64_bytes():
    ids = ["podium", "x" * 64, "x" * 65, "x" * 66, "ü" * 40]
    made = [inline.result_id(i) for i in ids]
    assert made[:2] == ["podium", "x" * 64]
    assert len(set(made)) == len(made) and all(len(m.encode("utf-8")) <= 64 for m in made)


@pytest.mark.parametrize("offset, expected", [("", 0), ("50", 50), ("100", 100), ("abc", None), ("-50", None),
                                              ("1e3", None), ("9999999", None), (" 50", None)])
def test_only_offsets_the_bot_gives_are_read(offset, expected):
    assert inline._offset(offset) == expected


def test_an_empty_query_lists_now_and_later_then_the_whole_program(program):
    during = sessions_for_inline(program, "", berlin("2025-06-03 11:20"))
    assert during[0].id == "podium" and "begruessung" not in [s.id for s in during]
    assert [s.start for s in during] == sorted(s.start for s in during)
    before = sessions_for_inline(program, "  ", berlin("2025-06-01 08:00"))
    assert [s.id for s in before] == [s.id for s in sorted(program.active_sessions(), key=lambda s: s.start)]
    after = sessions_for_inline(program, "wann", program.conference.end + timedelta(days=1))
    assert len(after) == len(program.sessions)  # "wann" alone names nothing


def test_a_query_lists_every_match_not_just_the_chats_eight(program):
    workshop = program.session("ws-zwilling")
    for index in range(12):
        program = program.replace_session(dataclasses.replace(workshop, id=f"ws-extra-{index}", room=f"Raum {index}"))
    found = sessions_for_inline(program, "workshop", berlin("2025-06-03 08:00"))
    assert len(found) == 15 and {s.id for s in found} >= {f"ws-extra-{i}" for i in range(12)}


def test_inline_queries_do_not_wait_behind_the_users_chat():
    user = User(7, "Anna", False)
    query = Update(1, inline_query=InlineQuery("q1", user, "podium", ""))
    message = Update(2, message=Message(1, datetime.now(timezone.utc), Chat(7, "private"), from_user=user, text="hi"))
    assert PerChatUpdateProcessor._key(query) is None
    assert PerChatUpdateProcessor._key(message) == 7


def test_over_several_days_a_result_names_its_day(tmp_path):
    from bot.domain.loader import load_program

    program_file = tmp_path / "two-days.yaml"
    program_file.write_text(
        'conference: {name: {de: "Fachtage"}, timezone: Europe/Berlin, start: "2025-10-25 09:00", '
        'end: "2025-10-26 17:00", venue: {name: "Rathaus", address: "Markt 1"}}\n'
        'sessions:\n'
        '  - {id: labor, kind: talk, title: {de: "Datenlabor", en: "Data lab"}, start: "2025-10-26 08:00", '
        'end: "2025-10-26 09:00", room: "Ratssaal"}\n', encoding="utf-8")
    program = load_program(program_file)
    labor = program.session("labor")
    assert sessions.summary(program, labor, "de") == "So 26.10. 08:00–09:00 Uhr · Ratssaal"
    assert "🕒 Sunday, 26 October 2025, 08:00–09:00" in sessions.card(program, labor, "en")
