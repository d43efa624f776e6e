"""What Storage hands out is typed: frozen dataclasses with parsed values, the same on both backends."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.storage import (Announcement, AttendeeInfo, Confirmation, ContactRequest, FeedbackRow, Match, PendingInput, Profile,
                         Question, Storage)
from conftest import berlin, database_for

NOW = berlin("2025-06-03 10:00")
ANNA, BEN, CEM = 4711, 4712, 4713


@pytest.fixture
async def storage(tmp_path):
    storage = Storage(database_for(tmp_path / "rows.sqlite3"))
    await storage.open()
    for user_id, name in ((ANNA, "Anna"), (BEN, "Ben"), (CEM, "Cem")):
        await storage.attendees.touch(AttendeeInfo(user_id, user_id, name), NOW)
    yield storage
    await storage.close()


def frozen(value) -> bool:
    return dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen


async def test_announcements(storage, program):
    number = await storage.announcements.create(ANNA, "all", "<b>Hallo</b>", None, NOW)
    await storage.announcements.sync_file(list(program.announcements), NOW)
    draft = await storage.announcements.get(number)
    assert isinstance(draft, Announcement) and frozen(draft)
    assert (draft.id, draft.author_id, draft.audience, draft.text_html, draft.texts, draft.state, draft.version) == \
           (number, ANNA, "all", "<b>Hallo</b>", None, "draft", 1)
    assert await storage.announcements.get(number + 1000) is None
    planned = await storage.announcements.recent(limit=50, states=("scheduled",))
    assert planned and all(isinstance(a, Announcement) for a in planned)
    first = min(planned, key=lambda a: a.id)
    assert first.source.startswith("file:") and isinstance(first.texts, dict) and first.texts.get("de")
    assert first.text_html is None and isinstance(first.send_at, float)


async def test_feedback(storage):
    await storage.feedback.save("podium", ANNA, 4, NOW)
    await storage.feedback.add_comment("podium", ANNA, "Gut")
    await storage.feedback.save("podium", BEN, 2, NOW + timedelta(minutes=1))
    rows = await storage.feedback.rows()
    assert rows == [FeedbackRow("podium", 4, "Gut", rows[0].created_at), FeedbackRow("podium", 2, None, rows[1].created_at)]
    assert all(frozen(row) for row in rows)


async def test_questions(storage):
    first = await storage.questions.add("podium", ANNA, "Eins?", NOW)
    second = await storage.questions.add("podium", BEN, "Zwei?", NOW)
    await storage.questions.vote(second, ANNA)
    await storage.questions.show_name(second)
    question = await storage.questions.get(first)
    assert isinstance(question, Question) and frozen(question)
    assert (question.id, question.session_id, question.user_id, question.text, question.show_name, question.state) == \
           (first, "podium", ANNA, "Eins?", False, "open")
    assert await storage.questions.get(first + 1000) is None
    ranked = await storage.questions.of_session("podium")
    assert [(q.id, q.votes, q.first_name, q.show_name) for q in ranked] == [(second, 1, "Ben", True), (first, 0, "Anna", False)]


async def test_networking(storage):
    assert await storage.networking.profile(ANNA) is None
    for user_id, topics in ((ANNA, ["ws-zwilling", "ws-mobilitaet"]), (BEN, ["ws-mobilitaet"]), (CEM, ["ws-zwilling", "ws-mobilitaet"])):
        await storage.networking.save_profile(user_id, NOW, organization=f"Org {user_id}", role="Rolle", topics=topics, complete=1)
    profile = await storage.networking.profile(ANNA)
    assert isinstance(profile, Profile) and frozen(profile)
    assert (profile.user_id, profile.organization, profile.role, profile.topics, profile.complete) == \
           (ANNA, f"Org {ANNA}", "Rolle", ["ws-mobilitaet", "ws-zwilling"], True)
    matches = await storage.networking.matches(ANNA)
    assert all(isinstance(m, Match) for m in matches)
    assert [(m.user_id, m.first_name, m.shared, m.topics) for m in matches] == \
           [(CEM, "Cem", ["ws-mobilitaet", "ws-zwilling"], ["ws-mobilitaet", "ws-zwilling"]), (BEN, "Ben", ["ws-mobilitaet"], ["ws-mobilitaet"])]
    request_id = await storage.networking.request_contact(ANNA, BEN, NOW)
    request = await storage.networking.contact_request(request_id)
    assert isinstance(request, ContactRequest) and frozen(request)
    assert (request.id, request.from_user, request.to_user, request.state) == (request_id, ANNA, BEN, "pending")
    assert await storage.networking.answer_contact(request_id, ANNA, True, NOW) is None  # only the addressee answers
    answered = await storage.networking.answer_contact(request_id, BEN, True, NOW)
    assert answered == dataclasses.replace(request, state="accepted")
    assert (await storage.networking.contact_request(request_id)).state == "accepted"


async def test_conversations(storage):
    assert await storage.conversations.get(ANNA) is None
    expires = NOW + timedelta(minutes=30)
    await storage.conversations.save(ANNA, "question", "text", {"session": "podium"}, expires, NOW)
    pending = await storage.conversations.get(ANNA)
    assert pending == PendingInput("question", "text", {"session": "podium"}, expires) and frozen(pending)
    assert pending.expires_at.utcoffset() == timedelta(0)
    number = await storage.confirmations.create(ANNA, "edit", {"ann": 3}, NOW)
    assert await storage.confirmations.take(number, BEN) is None  # someone else's
    taken = await storage.confirmations.take(number, ANNA)
    assert taken == Confirmation("edit", {"ann": 3}) and frozen(taken)
    assert await storage.confirmations.take(number, ANNA) is None  # taken once


async def test_the_program_file_in_force_is_recorded_by_start_and_reload(storage):
    assert await storage.program_changes.base() is None
    assert await storage.program_changes.start_with_file("aaaa") is None
    assert await storage.program_changes.start_with_file("aaaa") == "aaaa"  # a second process with the same file
    revision = await storage.program_changes.revision()
    assert await storage.program_changes.record([], [], None, "reload", NOW, base="bbbb")
    assert (await storage.program_changes.base(), await storage.program_changes.revision()) == ("bbbb", revision + 1)
    assert await storage.program_changes.record([], [], None, "room", NOW)  # a live change leaves the file in force alone
    assert await storage.program_changes.base() == "bbbb"
    assert await storage.program_changes.start_with_file("cccc") == "bbbb"
    assert await storage.program_changes.base() == "cccc"


async def test_a_process_started_with_another_file_than_the_others_is_warned_about(storage, caplog):
    from types import SimpleNamespace

    from bot.app import _start_with_program
    from bot.domain.loader import load_program
    from conftest import PROGRAM_FILE

    program = load_program(PROGRAM_FILE)
    await storage.program_changes.start_with_file("an older file")
    alone = SimpleNamespace(storage=storage, cluster=SimpleNamespace(solo=True),
                            program=SimpleNamespace(base=program, path=PROGRAM_FILE))
    await _start_with_program(alone)  # alone: a restart with a new file is simply the new program
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    await storage.program_changes.start_with_file("the others' file")
    await _start_with_program(SimpleNamespace(**{**vars(alone), "cluster": SimpleNamespace(solo=False)}))
    assert [r for r in caplog.records if r.levelname == "WARNING" and "give every process the same file" in r.getMessage()]
    assert await storage.program_changes.base() == program.fingerprint()
