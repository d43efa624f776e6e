"""Attendees converse with the real bot through the sandbox, in German and English."""

from __future__ import annotations

import pytest

from bot.sandbox.client import buttons_of, text_of
from conftest import berlin

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox


async def test_start_shows_welcome_and_menu_in_german(harness):
    anna = await harness.attendee("Anna", "de")
    replies = await anna.send("/start")
    text = text_of(replies)
    assert "Willkommen!\n22. Regionalkonferenz Modellprojekte Smart Cities" in text
    assert "Mansfelder Straße 56" in text and "Dienstag, 3. Juni 2025" in text
    labels = [label for label, _ in buttons_of(replies)]
    assert any("Programm" in label for label in labels) and any("Jetzt" in label for label in labels)


async def test_english_speaker_gets_english(harness):
    ben = await harness.attendee("Ben", "en-GB")
    text = text_of(await ben.send("/start"))
    assert "Welcome!\n22nd Regional Conference" in text and "Tuesday, 3 June 2025" in text
    text = text_of(await ben.send("/program"))
    assert "Workshop 1: Digital twins" in text and "Panel discussion" in text


async def test_program_lists_the_day_and_buttons_open_details(harness):
    anna = await harness.attendee()
    replies = await anna.send("/programm")
    text = text_of(replies)
    for expected in ("09:30–09:55", "Begrüßung", "Großer Saal", "Workshop 1: Digitale Zwillinge", "Seminarraum 2",
                     "Exkursion", "Vormittag", "Nachmittag"):
        assert expected in text, expected
    replies = await anna.press("Podiumsdiskussion")
    details = text_of(replies)
    assert "11:05–11:50 Uhr" in details and "Großer Saal" in details and "Kommunen, Land und Bund" in details
    assert replies[-1]["kind"] == "editMessageText"  # navigation edits in place
    replies = await anna.press("Programm")
    assert "Begrüßung" in text_of(replies)


async def test_details_show_speakers_and_seats(harness):
    anna = await harness.attendee()
    text = text_of(await anna.send("/start begruessung"))  # deep link
    assert "Dr. Alexander Vogt" in text and "Oberbürgermeister" in text
    replies = await anna.send("/start ws-zwilling")
    assert "45 von 45 Plätzen frei" in text_of(replies)
    assert any(data == "su:ws-zwilling" for _, data in buttons_of(replies))


async def test_now_and_next_follow_the_conference_clock(harness):
    anna = await harness.attendee()
    harness.clock.set(berlin("2025-06-03 10:30"))
    text = text_of(await anna.send("/jetzt"))
    assert "Jetzt läuft" in text and "Modellprojekt Smart City Halle" in text
    assert "Als Nächstes" in text and "Podiumsdiskussion" in text and "in 35 Min." in text
    harness.clock.set(berlin("2025-06-03 13:00"))
    text = text_of(await anna.send("/danach"))
    assert "in 15 Min." in text and text.count("Workshop") == 3
    harness.clock.set(berlin("2025-06-03 14:35"))
    text = text_of(await anna.send("/jetzt"))
    assert "Gerade läuft kein Programmpunkt" in text and "Exkursion" in text


async def test_before_and_after_the_day(harness):
    anna = await harness.attendee()
    harness.clock.set(berlin("2025-06-01 08:00"))
    text = text_of(await anna.send("/jetzt"))
    assert "beginnt in" in text and "2 Tag" in text and "09:30" in text
    harness.clock.set(berlin("2025-06-03 16:05"))
    text = text_of(await anna.send("/jetzt"))
    assert "vorbei" in text and "Vielen Dank" in text
    ben = await harness.attendee("Ben", "en")
    text = text_of(await ben.send("/next"))
    assert "is over" in text and "Thank you" in text


async def test_venue_is_a_venue_message(harness):
    anna = await harness.attendee()
    replies = await anna.send("/ort")
    venue = replies[0]["message"]["venue"]
    assert venue["title"].startswith("MMZ") and "06108 Halle (Saale)" in venue["address"]
    replies = await anna.send("/start exkursion")
    await anna.press("Treffpunkt")
    messages = await anna.messages()
    assert messages[-1]["venue"]["title"].startswith("Treffpunkt: Bushaltestelle")


async def test_free_text_search_tolerates_case_umlauts_and_typos(harness):
    anna = await harness.attendee()
    text = text_of(await anna.send("wann ist die Podiumsdiskusion"))
    assert "11:05–11:50 Uhr" in text
    replies = await anna.send("HAL-PLAN")
    assert {data for _, data in buttons_of(replies)} >= {"s:smart-city-halle", "s:ws-zwilling"}
    text = text_of(await anna.send("mobilitaet sensoren"))
    assert "Seminarraum 2" in text
    replies = await anna.send("Quantencomputer im Weltall")
    assert "nichts im Programm gefunden" in text_of(replies)


async def test_a_search_that_finds_several_says_when_and_where_each_is(harness):
    anna, ben = await harness.attendee("Anna", "de"), await harness.attendee("Ben", "en")
    text = text_of(await anna.send("wo ist der Workshop?"))
    assert "13:15–14:30 Workshop 2: Mobilitätskonzepte – smarte Mobilität und Sensorik · Seminarraum 2" in text
    assert "Seminarraum 1" in text and "Seminarraum 3" in text
    text = text_of(await ben.send("where is the workshop?"))
    assert "13:15–14:30 Workshop 3: Participation through digital skills · Seminarraum 3" in text
    assert "over" not in text
    harness.clock.set(berlin("2025-06-03 15:30"))  # a list that mixes what is over with what is not says which
    text = text_of(await ben.send("where is the workshop?"))
    assert "13:15–14:30 Workshop 3: Participation through digital skills · Seminarraum 3 · ✔ over" in text
    assert "Seminarraum 1 · ✔ vorbei" in text_of(await anna.send("wo ist der Workshop?"))


async def test_typed_questions_without_a_session_get_the_view_they_ask_for(harness):
    anna = await harness.attendee("Anna", "de")
    assert "Jetzt läuft" in text_of(await anna.send("Was läuft gerade?", expect="Jetzt läuft"))
    assert "So helfe ich Ihnen" in text_of(await anna.send("hilfe", expect="So helfe ich Ihnen"))
    assert "Gern geschehen" in text_of(await anna.send("Danke!", expect="Gern geschehen"))
    replies = await anna.send("Programm", expect="📋")
    assert "nichts im Programm gefunden" not in text_of(replies)
    assert "Seminarraum 2" in text_of(await anna.send("raum 2", expect="Seminarraum 2"))
    bob = await harness.attendee("Bob", "en")
    assert "On now" in text_of(await bob.send("what's on now?", expect="On now"))


async def test_language_switch_and_help(harness):
    anna = await harness.attendee("Anna", "de")
    text = text_of(await anna.send("/hilfe"))
    assert "/programm" in text and "/teilnehmer" not in text
    text = text_of(await anna.send("/language"))
    assert "Please choose" in text
    await anna.press("English")
    text = text_of(await anna.send("/jetzt"))
    assert "On now" in text
    text = text_of(await anna.send("/sprache de"))
    assert "Deutsch" in text
    assert "Jetzt läuft" in text_of(await anna.send("/now"))


async def test_commands_are_registered_per_language(harness):
    commands = await harness.client.commands()
    german = {c["command"] for c in commands["de"]}
    english = {c["command"] for c in commands["en"]}
    assert {"programm", "jetzt", "anmelden"} <= german and {"program", "now", "signup"} <= english
    assert commands[""] == commands["de"]


async def test_garbage_gets_an_answer_never_silence(harness):
    anna = await harness.attendee()
    assert "kenne ich nicht" in text_of(await anna.send("/gibtsnicht foo"))
    # Escaped, the user's markup shows literally; unescaped, the sandbox would reject or render it.
    assert "„<b>fett</b> & <script>“" in text_of(await anna.send("<b>fett</b> & <script>"))
    await harness.client.update({"message": {"message_id": 999, "date": 1748937600, "chat": {"id": anna.id, "type": "private"},
                                             "from": {"id": anna.id, "is_bot": False, "first_name": "Anna"},
                                             "sticker": {"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1,
                                                         "is_animated": False, "is_video": False, "type": "regular"}}})
    replies = await anna.wait()
    assert "Textnachrichten und Knöpfe" in text_of(replies)


async def test_forged_button_gets_a_refusal(harness):
    anna = await harness.attendee()
    replies = await anna.send("/start")
    message_id = replies[0]["message_id"]
    for data in ("s:nope", "su:../../etc", "zz:1", "x" * 64, "admin:drop-all"):
        answer = await anna.tap(data, message_id, forge=True, expect_message=False)
        assert any(o["kind"] == "answerCallbackQuery" for o in answer), data
    assert "nicht mehr gültig" in text_of(answer) or "nicht (mehr)" in text_of(answer)


async def test_no_request_telegram_would_reject(harness):
    anna = await harness.attendee()
    for text in ("/start", "/programm", "/jetzt", "/ort", "/hilfe", "<i>a&b</i>", "/meine", "/anmelden"):
        await anna.send(text)
    rejected = [r for r in await harness.client.requests() if r.get("status") not in (200, None)]
    assert rejected == []


async def test_a_bookmark_promises_a_reminder_only_before_the_session(harness):
    anna = await harness.attendee()
    await anna.send("/start podium")  # 11:05, the clock says 10:30
    assert "Ich erinnere Sie rechtzeitig vorher" in text_of(await anna.press("Merken"))
    await anna.send("/start smart-city-halle")  # began at 10:20, runs until 11:05
    replies = await anna.press("Merken")
    assert "schon begonnen, daher keine Erinnerung" in text_of(replies) and "rechtzeitig" not in text_of(replies)
