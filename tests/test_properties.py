"""Property-based checks with hypothesis: whatever people type or tap, and whatever a program
file contains, the bot answers sensibly, stays up, and never sends what Telegram rejects."""

from __future__ import annotations


import asyncio
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import pytest

from bot.domain.loader import ProgramError, parse_program
from bot.sandbox.client import text_of
from conftest import ADMIN_ID, PROGRAM_FILE, ROOT, SettableClock, berlin, bot_running

COMMANDS = ["start", "programm", "program", "jetzt", "now", "danach", "ort", "anmelden", "signup", "abmelden", "cancel",
            "meine", "merken", "erinnerung", "sprache", "language", "hilfe", "teilnehmer", "export", "durchsage",
            "durchsagen", "geplant", "verschieben", "raum", "absagen", "reload", "abbrechen", "gibtsnicht"]
SESSION_IDS = ["begruessung", "podium", "ws-zwilling", "exkursion", "nope", "x" * 24]
WELL_FORMED = ["p:0", "p:999", "n", "x", "v", "h", "m", "l:de", "l:en", "l:fr", "me", "ay:1", "ab:1:all", "as:1", "ad:1",
               "aw:1", "ae:1", "ac:1", "ok:1", "no:2", "rm:5", "rm:7", "rm:0"] + \
              [f"{a}:{s}" for a in ("s", "su", "cx", "wl", "ko", "kp", "bm", "mp") for s in SESSION_IDS] + \
              ["sw:ws-zwilling:ws-mobilitaet", "sw:nope:podium"]

texts = st.text(min_size=1, max_size=200).filter(lambda t: t.strip())
command_texts = st.builds(lambda c, a: f"/{c} {a}".strip(), st.sampled_from(COMMANDS), st.text(max_size=60))
callback_data = st.one_of(st.sampled_from(WELL_FORMED), st.text(min_size=1, max_size=64).filter(lambda d: len(d.encode()) <= 64))
raw_kinds = st.sampled_from(["sticker", "photo", "voice", "edited", "group", "channel", "inline", "blocked_member"])
actions = st.lists(st.one_of(st.tuples(st.just("text"), texts), st.tuples(st.just("command"), command_texts),
                             st.tuples(st.just("tap"), callback_data), st.tuples(st.just("raw"), raw_kinds)),
                   min_size=1, max_size=8)


def raw_update(kind: str, user: dict, chat_id: int) -> dict:
    base = {"message_id": 900, "date": 1748937600, "from": user, "chat": {"id": chat_id, "type": "private", "first_name": "X"}}
    if kind == "sticker":
        return {"message": {**base, "sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                                                "is_animated": False, "is_video": False, "type": "regular"}}}
    if kind == "photo":
        return {"message": {**base, "photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}}
    if kind == "voice":
        return {"message": {**base, "voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}}}
    if kind == "edited":
        return {"edited_message": {**base, "edit_date": 1748937700, "text": "wann ist mittag"}}
    if kind == "group":
        return {"message": {**base, "chat": {"id": -100123, "type": "supergroup", "title": "G"}, "text": "hallo bot"}}
    if kind == "channel":
        return {"channel_post": {"message_id": 5, "date": 1748937600, "chat": {"id": -100999, "type": "channel", "title": "C"},
                                 "text": "Kanal"}}
    if kind == "inline":
        return {"inline_query": {"id": "iq1", "from": user, "query": "podium", "offset": ""}}
    return {"my_chat_member": {"chat": base["chat"], "from": user, "date": 1748937600,
                               "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "B"}},
                               "new_chat_member": {"status": "kicked", "until_date": 0,
                                                   "user": {"id": 1, "is_bot": True, "first_name": "B"}}}}


async def converse(steps: list[tuple[str, str]], as_admin: bool) -> tuple[list[str], list[dict], str]:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        async with bot_running(Path(scratch), SettableClock(berlin("2025-06-03 10:30"))) as h:
            person = await h.attendee("Hypo", "de", user_id=ADMIN_ID if as_admin else None)
            user = {"id": person.id, "is_bot": False, "first_name": "Hypo"}
            last_message = (await person.send("/start"))[0]["message_id"]
            for kind, value in steps:
                if kind in ("text", "command"):
                    replies = await person.send(value, timeout=8)
                    if not [o for o in replies if o["kind"] != "answerCallbackQuery"]:
                        problems.append(f"no answer to {value!r}")
                elif kind == "tap":
                    replies = await person.tap(value, last_message, forge=True, expect_message=False, timeout=8)
                    if not any(o["kind"] == "answerCallbackQuery" for o in replies):
                        problems.append(f"button {value!r} left spinning")
                elif value == "inline":  # as Telegram sends one: the sandbox knows the query it answers
                    await h.client.inline_query(person.id, "podium")
                else:
                    await h.client.update(raw_update(value, user, person.id))
                    await asyncio.sleep(0.2)
            alive = await person.send("/hilfe", timeout=8, expect="❓")  # German, or English after "/sprache en"
            if not any(title in text_of(alive) for title in ("So helfe ich Ihnen", "How I can help")):
                problems.append("no answer to /hilfe after the conversation: is the bot still up?")
            requests = await h.client.requests()
            shown = text_of(person.history)
    rejected = [r for r in requests if r.get("status") not in (200, None, 403)]
    return problems, rejected, shown


@settings(max_examples=int(os.environ.get("BOT_FUZZ_EXAMPLES", "12")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=actions, as_admin=st.booleans())
@pytest.mark.slow  # many examples, or the bot or a subprocess per example
def test_arbitrary_input_never_breaks_the_bot(steps, as_admin, caplog):
    caplog.set_level(logging.ERROR)
    caplog.clear()
    problems, rejected, shown = asyncio.run(converse(steps, as_admin))
    assert problems == []
    assert rejected == [], [(r["method"], r.get("description")) for r in rejected]
    assert "Traceback" not in shown
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith(("bot", "telegram"))]
    assert errors == [], [r.getMessage() for r in errors]


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=False), st.text(max_size=30),
              st.sampled_from(["2025-06-03 09:30", "Europe/Berlin", "workshop", "all", "25:99", "2025-02-30 10:00"])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(
        st.sampled_from(["conference", "sessions", "id", "kind", "title", "start", "end", "room", "capacity", "venue",
                         "timezone", "name", "de", "en", "speakers", "meeting_point", "announcements", "at", "audience",
                         "text", "latitude", "longitude", "departure", "privacy", "retention_days", "organizer"]),
        children, max_size=6)),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(document=yaml_values)
@pytest.mark.slow  # many examples, or the bot or a subprocess per example
def test_arbitrary_program_structures_give_messages_not_tracebacks(document):
    text = yaml.safe_dump(document, allow_unicode=True)
    try:
        parse_program(text)
    except ProgramError as error:
        assert error.problems and all(str(p) for p in error.problems)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400))
def test_arbitrary_text_as_a_program_file(text):
    try:
        parse_program(text)
    except ProgramError as error:
        assert error.problems


@settings(max_examples=150, deadline=None)
@given(mutation=st.tuples(st.integers(0, 10_000), st.text(max_size=12)))
@pytest.mark.slow  # many examples, or the bot or a subprocess per example
def test_mutated_shipped_program_gives_messages_not_tracebacks(mutation):
    original = PROGRAM_FILE.read_text(encoding="utf-8")
    position, insert = mutation
    position %= len(original)
    try:
        parse_program(original[:position] + insert + original[position + len(insert):])
    except ProgramError as error:
        assert error.problems


@settings(max_examples=6, deadline=None)
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
@pytest.mark.slow  # many examples, or the bot or a subprocess per example
def test_check_command_exits_0_or_1_without_traceback(text):
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "program.yaml"
        path.write_text(text, encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "bot", "check", str(path)], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr + result.stdout
