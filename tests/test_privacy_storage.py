"""What /loeschen promises is what the database shows: no table keeps the person's id or name."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain.announcements import Audience
from bot.domain.guests import compare, fingerprint, read_guest_list
from bot.domain.messages import FeedbackPrompt
from bot.storage import AttendeeInfo, Storage
from conftest import berlin, column_names, database_for, query, table_names

NOW = berlin("2025-06-03 10:00")
ANNA, BEN = 4711, 4712


async def test_delete_user_leaves_no_trace_in_any_table(tmp_path, program):
    database = database_for(tmp_path / "privacy.sqlite3")
    storage = Storage(database)
    await storage.open()
    try:
        for user_id, name in ((ANNA, "Annegret"), (BEN, "Bertram")):
            await storage.attendees.touch(AttendeeInfo(user_id, user_id, name, "Zuname" + name, f"user{user_id}", "de"), NOW)
        await storage.registrations.sign_up(program, "ws-zwilling", ANNA, 1, NOW)
        await storage.registrations.sign_up(program, "exkursion", ANNA, 2, NOW)
        await storage.bookmarks.toggle(ANNA, "podium", NOW)
        await storage.attendees.set_reminder_minutes(ANNA, 10)
        await storage.feedback.save("begruessung", ANNA, 5, NOW)
        await storage.feedback.add_comment("begruessung", ANNA, "Annegret fand es gut")
        question = await storage.questions.add("podium", ANNA, "Eine Frage von Annegret", NOW)
        await storage.questions.vote(question, ANNA)
        await storage.questions.vote(question, BEN)
        for user_id in (ANNA, BEN):
            await storage.networking.save_profile(user_id, NOW, organization="Stadt", role="Rolle", topics=["ws-zwilling"], complete=1)
        await storage.networking.request_contact(BEN, ANNA, NOW)
        await storage.conversations.save(ANNA, "feedback", "comment", {"session": "podium", "note": "Annegret"},
                                         NOW + timedelta(minutes=30), NOW)
        await storage.confirmations.create(ANNA, "change", {"by": "Annegret"}, NOW)
        announcement = await storage.announcements.create(ANNA, "all", "Hallo von Annegret", None, NOW)
        await storage.announcements.start(announcement, (), NOW)
        listed = read_guest_list("Name;E-Mail\nAnnegret Zuname;annegret@example.org\nBertram Zuname;b@example.org\n".encode())
        await storage.guests.load("rk22-halle", compare([], listed), fingerprint([]), NOW)
        code = (await storage.guests.find("rk22-halle", "annegret"))[0].code
        await storage.guests.connect("rk22-halle", "wrongcode", ANNA, NOW, 5)  # a failed attempt is kept for an hour
        assert (await storage.guests.connect("rk22-halle", code, ANNA, NOW, 5)).status.value == "connected"
        await storage.attendees.take_part("rk22-halle", ANNA, NOW)
        await storage.next_conference.consent(ANNA, "de", NOW)  # a consent of its own: /loeschen takes it too
        exported = await storage.privacy.export(ANNA)
        assert exported["attendee"] and exported["registrations"] and exported["questions"] and exported["networking_profile"]
        assert exported["contact_requests"] and exported["feedback"] and exported["messages_to_you"]
        assert [row["name"] for row in exported["guest_list_entry"]] == ["Annegret Zuname"]
        assert len(exported["invitation_attempts"]) == 1
        assert exported["next_conference_consent"][0]["language"] == "de" and exported["conferences_taken_part_in"]

        await storage.privacy.erase(program, ANNA, NOW)
    finally:
        await storage.close()
    for table in table_names(database):
        for row in query(database, f"SELECT * FROM {table}"):
            assert ANNA not in row, (table, row)
            assert not any(isinstance(v, str) and ("Annegret" in v and table != "announcements") for v in row), (table, row)
    # what organizers keep, anonymized: the star rating and the history of seats
    assert query(database, "SELECT rating, user_id, comment FROM feedback") == [(5, None, None)]
    assert query(database, "SELECT COUNT(*) FROM questions") == [(0,)]
    assert query(database, "SELECT COUNT(*) FROM registration_history WHERE user_id = 0")[0][0] >= 2
    assert query(database, "SELECT author_id FROM announcements") == [(None,)]
    assert query(database, "SELECT COUNT(*) FROM question_votes") == [(0,)]  # went with the question
    assert query(database, "SELECT name FROM guests") == [("Bertram Zuname",)]  # her entry of the guest list went

async def test_purge_removes_every_person(tmp_path, program):
    database = database_for(tmp_path / "purge.sqlite3")
    storage = Storage(database)
    await storage.open()
    try:
        for user_id in (ANNA, BEN):
            await storage.attendees.touch(AttendeeInfo(user_id, user_id, f"P{user_id}"), NOW)
            await storage.registrations.sign_up(program, "ws-zwilling", user_id, user_id, NOW)
        await storage.outbox.enqueue([(ANNA, FeedbackPrompt("ws-zwilling"))], NOW, NOW)
        await storage.guests.load("rk22-halle", compare([], read_guest_list(b"name\nNie Verbunden\n")), fingerprint([]), NOW)
        await storage.privacy.purge(NOW)
        assert await storage.privacy.purged_at()
        assert await storage.guests.of_conference("rk22-halle") == []  # also who never opened their link
        assert await storage.attendees.count() == 0
        assert await storage.outbox.rows() == []
        assert await storage.audiences.recipients(Audience("all"), ()) == []
    finally:
        await storage.close()


async def test_an_erased_person_who_writes_again_is_stored_again(tmp_path, program):
    """Attendees remembers who wrote recently; an erasure through storage.privacy must make it forget
    them, or the next message is answered from memory, nothing is stored, and what the bot then owes
    them (a seat's confirmation) is dropped for want of an attendee row."""
    storage = Storage(database_for(tmp_path / "again.sqlite3"))
    anna = AttendeeInfo(ANNA, ANNA, "Anna")
    await storage.open()
    try:
        await storage.attendees.touch(anna, NOW)
        await storage.privacy.erase(program, ANNA, NOW)
        assert await storage.attendees.get(ANNA) is None
        assert (await storage.attendees.touch(anna, NOW)).user_id == ANNA
        assert await storage.attendees.get(ANNA) is not None
        assert await storage.outbox.enqueue([(ANNA, FeedbackPrompt("ws-zwilling"))], NOW, NOW) == 1

        await storage.privacy.purge(NOW)  # everyone at once
        await storage.attendees.touch(anna, NOW)
        assert await storage.attendees.count() == 1
    finally:
        await storage.close()


async def test_a_touch_under_way_during_an_erasure_is_not_remembered(tmp_path, program, monkeypatch):
    """A touch that read the person just before the erasure committed answers its own caller,
    but must not be kept: the next touch would be answered from memory about a row that is gone."""
    storage = Storage(database_for(tmp_path / "race.sqlite3"))
    await storage.open()
    engine = storage.database.engine
    run, erased, read = engine.run, asyncio.Event(), asyncio.Event()

    async def touch_answers_after_the_erasure(work, **options):
        result = await run(work, **options)
        if not options["serialized"]:  # the touches' upsert: it has read Anna; answer once she is erased
            read.set()
            await erased.wait()
        return result

    try:
        await storage.attendees.touch(AttendeeInfo(ANNA, ANNA, "Anna"), NOW)
        renamed = AttendeeInfo(ANNA, ANNA, "Annegret")  # not what is remembered: this touch writes
        monkeypatch.setattr(engine, "run", touch_answers_after_the_erasure)
        touch = asyncio.create_task(storage.attendees.touch(renamed, NOW))
        await read.wait()
        await storage.privacy.erase(program, ANNA, NOW)
        erased.set()
        assert (await touch).first_name == "Annegret"
        monkeypatch.setattr(engine, "run", run)
        await storage.attendees.touch(renamed, NOW)
        assert await storage.attendees.get(ANNA) is not None
    finally:
        erased.set()
        await storage.close()


# Columns that identify or describe a person, wherever they appear.
PERSON_COLUMNS = {"user_id", "chat_id", "admin_id", "author_id", "from_user", "to_user", "first_name", "last_name",
                  "username", "telegram_language", "progress_chat_id", "organization", "role", "comment", "email"}


async def test_the_personal_data_registry_covers_every_personal_column_of_the_schema(tmp_path):
    from bot.storage import PERSONAL_DATA

    database = database_for(tmp_path / "schema.sqlite3")
    storage = Storage(database)
    await storage.open()
    await storage.close()
    registry = {entry.table: entry for entry in PERSONAL_DATA}
    tables = table_names(database)
    for table in tables:
        columns = set(column_names(database, table))
        personal = columns & PERSON_COLUMNS
        if not personal:
            continue
        assert table in registry, f"{table} holds {personal} but PERSONAL_DATA does not list it"
        entry = registry[table]
        assert set(entry.keys) <= columns and {c for c, _ in entry.anonymize} <= columns, table
        if entry.anonymize:  # kept rows: every personal column must be one that is cleared
            kept = personal - {c for c, _ in entry.anonymize}
            assert not kept, f"{table} keeps {kept} after erasure"
    assert set(registry) <= set(tables)
