"""Pending inputs end with their moment: any command, another flow's button, /abbrechen or
/cancel, a timeout; they survive a restart. Through the sandbox, in German and English."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.sandbox.client import text_of
from bot.sandbox.server import SandboxServer
from conftest import bot_running

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox


async def test_commands_end_a_pending_question(harness):
    anna = await harness.attendee("Anna")
    await anna.send("/frage", expect="Zu welchem Programmpunkt")
    await anna.press("Podiumsdiskussion", expect="Schreiben Sie jetzt Ihre Frage")
    replies = await anna.send("/programm", minimum=2)
    assert "Beendet, ohne abzuschicken: Ihre Frage" in text_of(replies)  # said once, before the program
    assert "Beendet" not in text_of(await anna.send("/meine"))
    replies = await anna.send("wo ist das Mittagessen")
    assert "eingereicht" not in text_of(replies)
    assert await harness.services.storage.questions.of_session("podium") == []


async def test_another_flows_button_ends_a_pending_question(harness):
    anna = await harness.attendee("Anna")
    await anna.send("/frage")
    await anna.press("Podiumsdiskussion", expect="Schreiben Sie jetzt Ihre Frage")
    await anna.send("/start podium")  # a command: ends it too, so tap a button of another flow first
    await anna.send("/frage")
    await anna.press("Podiumsdiskussion", expect="Schreiben Sie jetzt Ihre Frage")
    await anna.press("Merken")  # on the older card: a button outside the question flow
    await anna.send("Wie finanzieren Kommunen das?")
    assert await harness.services.storage.questions.of_session("podium") == []


async def test_cancel_in_english_ends_the_question_and_says_what_was_dropped(harness):
    ben = await harness.attendee("Ben", "en")
    await ben.send("/question", expect="Which session")
    await ben.press("Panel discussion", expect="Write your question")
    replies = await ben.send("/cancel")
    text = text_of(replies)
    assert "question" in text.lower() and "give back" not in text.lower()
    await ben.send("How is this funded?")
    assert await harness.services.storage.questions.of_session("podium") == []
    assert "nothing to cancel" in text_of(await ben.send("/cancel")).lower()
    replies = await ben.send("/unregister")
    assert "no sign-up" in text_of(replies).lower() or "give back" in text_of(replies).lower()


async def test_german_abbrechen_and_a_question_that_is_posted(harness):
    anna = await harness.attendee("Anna")
    await anna.send("/frage")
    await anna.press("Podiumsdiskussion", expect="Schreiben Sie jetzt Ihre Frage")
    assert "Frage" in text_of(await anna.send("/abbrechen"))
    await anna.send("/frage")
    await anna.press("Podiumsdiskussion", expect="Schreiben Sie jetzt Ihre Frage")
    assert "eingereicht" in text_of(await anna.send("Wie geht es weiter?"))
    (question,) = await harness.services.storage.questions.of_session("podium")
    assert question.text == "Wie geht es weiter?"
    await anna.send("Und noch etwas")  # the prompt has ended: this is a search
    assert len(await harness.services.storage.questions.of_session("podium")) == 1


@pytest.mark.postgres_too
async def test_a_pending_input_survives_a_restart_and_expires(tmp_path, clock):
    server = await SandboxServer().start()
    database = tmp_path / "conversations.sqlite3"
    try:
        async with bot_running(tmp_path, clock, server=server, database=database) as h:
            anna = await h.attendee("Anna")
            await anna.send("/frage")
            await anna.press("Podiumsdiskussion", expect="Schreiben Sie jetzt Ihre Frage")
        async with bot_running(tmp_path, clock, server=server, database=database) as h:
            anna.client = h.client
            assert "eingereicht" in text_of(await anna.send("Nach dem Neustart?"))
            await anna.send("/frage")
            await anna.press("Podiumsdiskussion", expect="Schreiben Sie jetzt Ihre Frage")
            clock.set(clock.now() + timedelta(minutes=31))
            await anna.send("Zu spät?")
            assert [q.text for q in await h.services.storage.questions.of_session("podium")] == ["Nach dem Neustart?"]
    finally:
        await server.stop()
