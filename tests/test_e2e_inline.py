"""Inline mode end to end: "@bot podium" in any chat lists sessions through the sandbox's strict
answerInlineQuery; a chosen card is posted into another chat, and its deep link opens the
session in the bot with its buttons. Deep links that no card carries get a friendly answer."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.client import buttons_of, text_of
from conftest import ROOT, SettableClock, bot_running

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

BOT_LINK = "https://t.me/KonferenzSandboxBot?start="


def titles(answer: dict) -> list[str]:
    return [result["title"] for result in answer["results"]]


def result(answer: dict, result_id: str) -> dict:
    return next(r for r in answer["results"] if r["id"] == result_id)


async def test_a_german_query_finds_the_panel_as_a_card_with_a_link_into_the_bot(harness):
    anna = await harness.attendee("Anna", "de")
    answer = await harness.client.inline_query(anna.id, "podium")
    assert answer["results"][0]["id"] == "podium"
    panel = answer["results"][0]
    assert panel["type"] == "article" and panel["title"] == "Podiumsdiskussion: Brücken bauen – Netzwerke nutzen"
    assert panel["description"] == "11:05–11:50 Uhr · Großer Saal"
    card = panel["input_message_content"]
    assert card["parse_mode"] == "HTML"
    assert card["message_text"].startswith("<b>Podiumsdiskussion: Brücken bauen – Netzwerke nutzen</b>")
    assert "🕒 Dienstag, 3. Juni 2025, 11:05–11:50 Uhr" in card["message_text"]
    assert "📍 Großer Saal" in card["message_text"] and "🎤 Vertreterinnen und Vertreter" in card["message_text"]
    (button,) = [b for row in panel["reply_markup"]["inline_keyboard"] for b in row]
    assert button["url"] == BOT_LINK + "podium" and "Konferenz-Bot" in button["text"]
    assert answer["is_personal"] is True and answer["cache_time"] == 30 and answer["next_offset"] == ""
    assert answer["button"] is None


async def test_umlauts_typos_and_everyday_words_match_as_in_the_chat(harness):
    anna = await harness.attendee("Anna", "de")
    assert "ws-mobilitaet" in [r["id"] for r in (await harness.client.inline_query(anna.id, "mobilitat"))["results"]]
    assert (await harness.client.inline_query(anna.id, "podiumsdiskusion"))["results"][0]["id"] == "podium"
    assert "mittagspause" in [r["id"] for r in (await harness.client.inline_query(anna.id, "Mittagessen"))["results"]]
    workshop = result(await harness.client.inline_query(anna.id, "zwilling"), "ws-zwilling")
    assert "Anmeldung" in workshop["reply_markup"]["inline_keyboard"][0][0]["text"]


async def test_people_who_never_started_the_bot_can_search_and_nothing_is_stored_about_them(harness):
    stranger = await harness.attendee("Fremd", "de")
    assert (await harness.client.inline_query(stranger.id, "podium"))["results"]
    assert await harness.services.storage.attendees.get(stranger.id) is None


async def test_english_speakers_get_english_cards_and_a_stored_choice_wins(harness):
    ben = await harness.attendee("Ben", "en")
    panel = (await harness.client.inline_query(ben.id, "panel"))["results"][0]
    assert panel["title"] == "Panel discussion: building bridges – using networks"
    assert "🕒 Tuesday" in panel["input_message_content"]["message_text"]
    assert panel["reply_markup"]["inline_keyboard"][0][0]["text"] == "📋 Open in the conference bot"
    anna = await harness.attendee("Anna", "de")
    await anna.send("/language en")
    assert (await harness.client.inline_query(anna.id, "podium"))["results"][0]["title"].startswith("Panel discussion")


async def test_a_card_chosen_for_a_group_opens_the_session_in_the_bot_with_its_buttons(harness):
    anna = await harness.attendee("Anna", "de")
    ben = await harness.attendee("Ben", "de")
    await harness.client.add_group(-4711, "Team Stadtverwaltung")
    answer = await harness.client.inline_query(anna.id, "zwilling", chat_type="group")
    card = await harness.client.choose_inline_result(anna.id, answer["inline_query_id"], "ws-zwilling", -4711)
    assert card["via_bot"]["username"] == "KonferenzSandboxBot" and card["chat"]["id"] == -4711
    assert card["text"].startswith("Workshop 1: Digitale Zwillinge") and "Seminarraum 1" in card["text"]
    link = card["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link == BOT_LINK + "ws-zwilling"
    replies = await ben.open_link(link, expect="Digitale Zwillinge")
    assert "13:15–14:30 Uhr" in text_of(replies) and "45 von 45 Plätzen frei" in text_of(replies)
    labels = [label for label, _ in buttons_of(replies)]
    assert any("Anmelden" in label for label in labels) and any("Merken" in label for label in labels)
    replies = await ben.press("Anmelden", expect="angemeldet")
    assert "Digitale Zwillinge" in text_of(replies)
    assert not await harness.client.outputs(-4711, after=0)  # the bot says nothing in the group


async def test_a_card_posted_into_the_bots_own_chat_is_not_taken_for_a_question(harness):
    anna = await harness.attendee("Anna", "de")
    answer = await harness.client.inline_query(anna.id, "podium")
    seq = await harness.client.last_seq()
    await harness.client.choose_inline_result(anna.id, answer["inline_query_id"], "podium", anna.id)
    await anna.send("/hilfe", expect="So helfe ich Ihnen")  # the card came first and got no answer: only /hilfe did
    outputs = await harness.client.outputs(anna.id, after=seq)
    assert len([o for o in outputs if o["kind"] == "sendMessage"]) == 1


async def test_forged_or_garbage_start_parameters_get_a_friendly_answer(harness):
    anna = await harness.attendee("Anna", "de")
    for garbage in ("/start B64_!!!", "/start <b>x</b>", "/start B64_AAEC", "/start podium extra", "/start signup-"):
        replies = await anna.send(garbage, expect="Mit diesem Link kann ich nichts anfangen")
        assert any("Programm" in label for label, _ in buttons_of(replies)), garbage
        assert "Willkommen" in text_of(replies), garbage  # a first contact by a broken link still gets the welcome
    replies = await anna.send("/start gibt-es-nicht", expect="gibt es nicht")
    assert "gibt-es-nicht" in text_of(replies) and "Willkommen" in text_of(replies)
    assert any("Programm" in label for label, _ in buttons_of(replies))
    assert "Willkommen" in text_of(await anna.send("/start Menu", expect="Willkommen"))


async def test_no_match_gives_no_results_and_a_button_into_the_bot(harness):
    anna = await harness.attendee("Anna", "de")
    answer = await harness.client.inline_query(anna.id, "quantencomputer")
    assert answer["results"] == [] and answer["next_offset"] == ""
    assert answer["button"] == {"text": "🔎 Nichts gefunden – Programm im Bot öffnen", "start_parameter": "Menu"}
    assert "Willkommen" in text_of(await anna.open_link(BOT_LINK + "Menu", expect="Willkommen"))


async def test_an_empty_query_lists_what_is_on_now_and_what_comes_next(harness):
    anna = await harness.attendee("Anna", "de")
    program = harness.services.program.current
    now = harness.services.now()
    answer = await harness.client.inline_query(anna.id, "")
    ids = [r["id"] for r in answer["results"]]
    running = {s.id for s in program.running(now)}
    assert running and set(ids[:len(running)]) == running
    assert "begruessung" not in ids  # over at 10:30
    assert "get-together" in ids


MANY = 120


def many_sessions_program() -> str:
    start = datetime(2025, 9, 10, 8, 0)
    sessions = []
    for index in range(MANY):
        begin = start + timedelta(minutes=5 * index)
        sessions.append(textwrap.dedent(f"""\
              - id: vortrag-{index:03d}
                kind: talk
                title: {{de: "Vortrag {index}: Stadtdaten", en: "Talk {index}: city data"}}
                start: "{begin:%Y-%m-%d %H:%M}"
                end: "{begin + timedelta(minutes=5):%Y-%m-%d %H:%M}"
                room: "Saal"
            """))
    return textwrap.dedent("""\
        conference:
          name: {de: "Datentag", en: "Data day"}
          timezone: Europe/Berlin
          start: "2025-09-10 08:00"
          end: "2025-09-10 18:00"
          venue: {name: "Rathaus", address: "Marktplatz 1"}
        sessions:
        """) + textwrap.indent("".join(sessions), "  ")


async def test_more_than_fifty_matches_come_in_pages(tmp_path):
    program_file = tmp_path / "many.yaml"
    program_file.write_text(many_sessions_program(), encoding="utf-8")
    clock = SettableClock(datetime(2025, 9, 9, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    async with bot_running(tmp_path, clock, program_file) as h:
        anna = await h.attendee("Anna", "de")
        seen: list[str] = []
        offset = ""
        for expected_size, expected_next in ((50, "50"), (50, "100"), (20, "")):
            answer = await h.client.inline_query(anna.id, "vortrag stadtdaten", offset=offset)
            assert len(answer["results"]) == expected_size and answer["next_offset"] == expected_next
            assert answer["button"] is None
            seen += [r["id"] for r in answer["results"]]
            offset = answer["next_offset"]
        assert sorted(seen) == [f"vortrag-{i:03d}" for i in range(MANY)]
        forged = await h.client.inline_query(anna.id, "vortrag", offset="abc")
        assert forged["results"] == [] and forged["next_offset"] == "" and forged["button"] is None
        everything = await asyncio.gather(*(h.client.inline_query(anna.id, "", offset=o) for o in ("", "50", "100")))
        assert [len(a["results"]) for a in everything] == [50, 50, 20]


def test_the_demo_tries_inline_mode(tmp_path):
    """`@ podium` in the demo lists the results, `@1` posts the card, its number opens the link."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    script = "@ podium\n@1\n1\n@ quantencomputer\n@9\n/hilfe\nq\n"
    result = subprocess.run([sys.executable, "-m", "bot", "demo", "--database", str(tmp_path / "demo.sqlite3")],
                            cwd=ROOT, env=env, input=script, text=True, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    output = result.stdout
    assert "[@1] Podiumsdiskussion: Brücken bauen – Netzwerke nutzen" in output
    assert "You, via @bot" in output and "Im Konferenz-Bot öffnen ↗" in output
    assert "Wie tragen Kommunen" in output  # the session's own view, opened through the deep link
    assert "Nichts gefunden" in output and "no result @9" in output
    assert "Traceback" not in output + result.stderr
