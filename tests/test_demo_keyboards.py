"""The demo's button numbers stay bound to the message they were shown on: a message that
arrives while someone types never turns their number into another button."""

from __future__ import annotations

from bot.sandbox.demo import Keyboards, _render


def shown(keyboards: Keyboards, message_id: int, *labels: str, kind: str = "sendMessage") -> str:
    markup = {"inline_keyboard": [[{"text": label, "callback_data": f"{message_id}:{label}"} for label in labels]]}
    return _render({"kind": kind, "message": {"message_id": message_id, "text": "…", "reply_markup": markup}}, keyboards)


def test_each_message_numbers_its_own_buttons():
    keyboards = Keyboards()
    assert "[1.1] Bestätigen   [1.2] Abbrechen" in shown(keyboards, 40, "Bestätigen", "Abbrechen")
    assert "[2.1] Details" in shown(keyboards, 41, "Details")
    seen = keyboards.clock
    assert keyboards.press("1.1", seen) == (40, "40:Bestätigen", None)
    assert keyboards.press("1", seen) == (41, "41:Details", None)  # a bare number: the newest message's
    assert keyboards.press("3.1", seen) == "there is no button 3.1"
    assert keyboards.press("hallo", seen) is None and keyboards.press("7", seen) is None  # text, not a button


def test_a_message_that_arrives_while_typing_does_not_take_the_number():
    keyboards = Keyboards()
    shown(keyboards, 40, "Bestätigen", "Abbrechen")  # the /reload preview
    seen = keyboards.clock  # the prompt appears; the organizer starts typing "1"
    shown(keyboards, 41, "Details")  # a reminder arrives meanwhile
    refusal = keyboards.press("1", seen)
    assert refusal == "a new message arrived while you typed: type 2.1 for its button, or 1.1 for the one you saw"
    assert keyboards.press("1.1", seen) == (40, "40:Bestätigen", None)  # bound to its message, still valid


def test_an_edited_or_deleted_message_keeps_its_number_and_refuses_a_stale_press():
    keyboards = Keyboards()
    shown(keyboards, 40, "Merken")
    seen = keyboards.clock
    assert "[1.1] Gemerkt" in shown(keyboards, 40, "Gemerkt", kind="editMessageText")  # the same message, renumbered
    assert keyboards.press("1.1", seen).startswith("message 1 changed while you typed")
    assert keyboards.press("1.1", keyboards.clock) == (40, "40:Gemerkt", None)
    assert "(message 1 deleted)" in _render({"kind": "deleteMessage", "message_id": 40}, keyboards)
    assert keyboards.press("1.1", keyboards.clock) == "there is no button 1.1"
