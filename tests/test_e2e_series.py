"""One bot for a series of conferences, through the whole bot (sandbox): two conferences side by
side keep sign-ups, reminders and announcements apart (with the same session ids); a deep link
names the conference, a button switches; a past conference stays readable and closes; the
separate consent to hear about the next one, and the announcement of an opening; the retention
purge of one conference while the other runs; a database from before the series is adopted."""

from __future__ import annotations

import asyncio

import pytest

from bot import scope
from bot.sandbox.client import buttons_of, text_of
from bot.storage import MIGRATIONS, Storage
from conftest import ADMIN_ID, PROGRAM_FILE, berlin, bot_running, database_for

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

HALLE, ERFURT = "rk22-halle", "rk23-erfurt"


def season(tmp_path, next_day: str = "2025-07-04"):
    """A folder with the shipped conference and a next one on `next_day`: a copy with the same
    session ids (a seat in one must never touch the other)."""
    folder = tmp_path / "season"
    folder.mkdir()
    text = PROGRAM_FILE.read_text(encoding="utf-8")
    (folder / "22-halle.yaml").write_text(text, encoding="utf-8")
    following = (text.replace("2025-06-03", next_day).replace(f"id: {HALLE}", f"id: {ERFURT}")
                 .replace("22. Regionalkonferenz", "23. Regionalkonferenz")
                 .replace("22nd Regional Conference", "23rd Regional Conference"))
    (folder / "23-erfurt.yaml").write_text(following, encoding="utf-8")
    return folder


async def hears(attendee, text: str, timeout: float = 10) -> str:
    """What the bot sent this person on its own, once it contains `text`."""
    said = ""
    deadline = asyncio.get_running_loop().time() + timeout
    while text not in said:
        assert asyncio.get_running_loop().time() < deadline, f"{attendee.first_name} never got {text!r}: {said!r}"
        said += text_of(await attendee.wait(timeout=max(0.1, deadline - asyncio.get_running_loop().time())))
    return said


async def seats(harness, conference_id: str) -> dict[str, int]:
    with scope.within(conference_id):
        return {s: c.confirmed for s, c in (await harness.services.storage.registrations.counts()).items()}


@pytest.mark.postgres_too
async def test_two_conferences_side_by_side_with_a_switch_reminders_and_announcements_apart(tmp_path, clock):
    async with bot_running(tmp_path, clock, program_file=season(tmp_path)) as harness:
        anna, ben, cem = await harness.attendee("Anna"), await harness.attendee("Ben"), await harness.attendee("Cem")
        await cem.send("/start", expect="22. Regionalkonferenz")
        text = text_of(await anna.send("/start", expect="Willkommen"))
        assert "22. Regionalkonferenz" in text  # the one running now
        await anna.send("/anmelden ws-zwilling", expect="Sie sind für „Workshop 1")
        text = text_of(await ben.open_link(f"https://t.me/KonferenzSandboxBot?start=C_{ERFURT}", expect="Willkommen"))
        assert "23. Regionalkonferenz" in text and "4. Juli 2025" in text
        await ben.send("/anmelden ws-zwilling", expect="Sie sind für „Workshop 1")
        assert await seats(harness, HALLE) == {"ws-zwilling": 1} and await seats(harness, ERFURT) == {"ws-zwilling": 1}

        # the switch: Anna's seat in Halle is not in Erfurt, and back
        await anna.press("Andere Konferenz", expect="Sie sind bei")
        await anna.press("23. Regionalkonferenz", expect="Willkommen")
        await anna.send("/meine", expect="noch für nichts angemeldet")
        await anna.send("/konferenz", expect="Sie sind bei")
        await anna.press("22. Regionalkonferenz", expect="Willkommen")
        await anna.send("/meine", expect="Workshop 1")

        # an announcement to everyone of Erfurt reaches Ben (and Anna, who went there), not Cem
        admin = await harness.attendee("Orga", user_id=ADMIN_ID)
        await admin.open_link(f"https://t.me/KonferenzSandboxBot?start=C_{ERFURT}", expect="Willkommen")
        await admin.send("/orga", expect="Konferenz: 23. Regionalkonferenz")
        await admin.send("/durchsage Erfurt: Anmeldung offen", expect="Wer soll")
        await admin.press("Alle", expect="Vorschau")
        await admin.press("Jetzt senden")
        await hears(ben, "Erfurt: Anmeldung offen")
        # reminders: Halle's workshop at 13:15 reminds Anna at 13:00; Ben's in Erfurt is weeks away
        harness.clock.set(berlin("2025-06-03 13:01"))
        await harness.services.reminders.run()
        await hears(anna, "Workshop 1: Digitale Zwillinge")
        assert "Erfurt: Anmeldung offen" not in text_of(await cem.messages_as_outputs())
        kinds = {(row.conference_id, row.kind, row.user_id) for row in await harness.services.storage.outbox.rows()
                 if row.kind in ("reminder", "announcement")}
        assert kinds == {(HALLE, "reminder", anna.id), (ERFURT, "announcement", ben.id),
                         (ERFURT, "announcement", anna.id), (ERFURT, "announcement", ADMIN_ID)}

        # an organizer's switch from /orga lands on /orga of the conference chosen
        await admin.send("/orga", expect="Konferenz: 23.")
        await admin.press("Konferenz wechseln", expect="Sie sind bei")
        text = text_of(await admin.press("22. Regionalkonferenz", expect="Konferenz: 22."))
        assert "Willkommen" not in text

        # /reload reads the file of the conference chosen; one that renamed its id is refused
        halle = harness.services.conferences.get(HALLE).path
        halle.write_text(halle.read_text(encoding="utf-8").replace(f"id: {HALLE}", "id: rk22-neu"), encoding="utf-8")
        await admin.send("/reload", expect="statt 'rk22-halle'")


@pytest.mark.postgres_too
async def test_archive_consent_opening_and_the_purge_of_one_conference_while_the_next_runs(tmp_path, clock):
    async with bot_running(tmp_path, clock, program_file=season(tmp_path)) as harness:
        svc = harness.services
        anna, eva, dora = await harness.attendee("Anna"), await harness.attendee("Eva"), await harness.attendee("Dora")
        await anna.send("/anmelden ws-zwilling", expect="Sie sind für")
        await eva.send("/anmelden ws-mobilitaet", expect="Sie sind für")
        await dora.send("/bescheid", expect="nächsten Konferenz")
        await dora.press("Ja, Bescheid geben", expect="Danke")
        await anna.open_link(f"https://t.me/KonferenzSandboxBot?start=C_{ERFURT}", expect="Willkommen")
        await anna.send("/anmelden ws-beteiligung", expect="Sie sind für")  # Anna takes part in both

        # the opening of Erfurt goes to those who asked to hear of it, not to who is in it already
        admin = await harness.attendee("Orga", user_id=ADMIN_ID)
        await admin.open_link(f"https://t.me/KonferenzSandboxBot?start=C_{ERFURT}", expect="Willkommen")
        await admin.send("/orga", expect="Konferenz: 23.")
        await admin.press("Eröffnung ankündigen", expect="An 1 Person")
        await admin.press("Bestätigen", expect="Wird an 1 Person gesendet")
        text = await hears(dora, "Die nächste Konferenz ist offen")
        assert "23. Regionalkonferenz" in text and "/bescheid" in text
        await admin.press("Bericht", expect="zugestellt 1")

        # July 4th: Halle is over and past its retention (30 days), Erfurt runs today
        harness.clock.set(berlin("2025-07-04 10:00"))
        await svc.reminders.run()
        with scope.within(HALLE):
            assert await svc.storage.privacy.purged_at() is not None
            assert await svc.storage.registrations.counts() == {}
        with scope.within(ERFURT):
            assert await svc.storage.privacy.purged_at() is None
            assert (await svc.storage.registrations.counts())["ws-beteiligung"].confirmed == 1
        assert await svc.storage.attendees.get(eva.id) is None  # nothing left of her: forgotten entirely
        assert await svc.storage.attendees.get(dora.id) is None
        assert await svc.storage.next_conference.consented(dora.id)  # her consent alone stays
        assert (await svc.storage.attendees.get(anna.id)).first_name == "Anna"
        assert await svc.storage.attendees.conferences_of(anna.id) == [ERFURT]

        # the archive: Halle is readable, and closed
        await anna.send("/archiv", expect="Vergangene Konferenzen")
        text = text_of(await anna.press("22. Regionalkonferenz", expect="Begrüßung"))
        assert "Podiumsdiskussion" in text
        text = text_of(await anna.open_link(f"https://t.me/KonferenzSandboxBot?start=C_{HALLE}_signup-ws-zwilling",
                                            expect="ist vorbei"))
        assert "/archiv" in text
        await anna.send("/meine", expect="Workshop 3")  # still in Erfurt, her seat there kept


def old_database(database) -> None:
    """A database as the bot made it before the series (today's schema), with a person's rows."""
    import bot.storage.engine as engine

    before = next(i for i, script in enumerate(MIGRATIONS) if "CREATE TABLE guests" in script)
    rows = [
        "INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen) VALUES (4711, 4711, 'Anna', "
        "'2025-06-01T10:00:00', '2025-06-01T10:00:00')",
        "INSERT INTO registrations (session_id, user_id, state, arrival, created_at, updated_at) "
        "VALUES ('ws-zwilling', 4711, 'confirmed', 1, '2025-06-01T10:00:00', '2025-06-01T10:00:00')",
        "INSERT INTO bookmarks (user_id, session_id, created_at) VALUES (4711, 'podium', '2025-06-01T10:00:00')",
        "INSERT INTO outbox (dedup_key, user_id, chat_id, kind, payload, not_before, state, created_at, updated_at) "
        "VALUES ('feedback:podium:4711', 4711, 4711, 'feedback', '{\"session_id\": \"podium\"}', 0, 'sent', 'x', 'x')",
        "INSERT INTO meta (key, value) VALUES ('program_revision', '3')",
    ]

    async def make() -> None:
        original = engine.MIGRATIONS
        engine.MIGRATIONS = MIGRATIONS[:before]
        storage = Storage(database)
        try:
            await storage.open()
            for statement in rows:
                await storage.database.run(lambda conn, statement=statement: conn.execute(statement))
        finally:
            engine.MIGRATIONS = original
            await storage.close()
    return make()


@pytest.mark.postgres_too
async def test_a_database_from_before_the_series_is_adopted_by_the_conference_of_its_program(tmp_path, clock):
    database = tmp_path / "old.sqlite3"
    await old_database(database_for(database))
    folder = season(tmp_path)
    # with both programs named, the rows could be either's (the same session ids): it does not start
    with pytest.raises(Exception, match="BOT_PROGRAM naming only the program"):
        async with bot_running(tmp_path, clock, program_file=folder, database=database):
            pass
    async with bot_running(tmp_path, clock, program_file=folder / "22-halle.yaml", database=database) as harness:
        anna = await harness.attendee("Anna", user_id=4711)
        await anna.send("/meine", expect="Workshop 1")  # her seat of before, in Halle
        assert any("Podium" in label for label, _ in buttons_of(await anna.send("/merken", expect="Gemerkte")))
        with scope.within(HALLE):
            assert await harness.services.storage.program_changes.revision() == 3
        keys = [row.dedup_key for row in await harness.services.storage.outbox.rows(kind="feedback")]
        assert keys == [f"{HALLE}/feedback:podium:4711"]  # sent before: never owed again
    async with bot_running(tmp_path, clock, program_file=folder, database=database) as harness:
        anna = await harness.attendee("Anna", user_id=4711)
        await anna.send("/meine", expect="Workshop 1")
        await anna.open_link(f"https://t.me/KonferenzSandboxBot?start=C_{ERFURT}", expect="Willkommen")
        await anna.send("/meine", expect="noch für nichts angemeldet")


async def test_a_guests_link_of_the_next_conference_connects_there_and_offers_the_way_back(tmp_path, clock):
    from test_e2e_guests import GUESTS, invitations

    async with bot_running(tmp_path, clock, program_file=season(tmp_path)) as harness:
        admin = await harness.attendee("Orga", user_id=ADMIN_ID)
        await admin.open_link(f"https://t.me/KonferenzSandboxBot?start=C_{ERFURT}", expect="Willkommen")
        await admin.send("/gaeste", expect="0 Gäste")
        await admin.press("Liste laden", expect="als CSV-Datei")
        await admin.send_document("gaeste.csv", GUESTS, expect="Vorschau")
        await admin.press("Bestätigen", expect="Gästeliste geladen")
        links = await invitations(harness, admin)
        anna = await harness.attendee("Anna")
        await anna.send("/start", expect="22. Regionalkonferenz")  # in Halle, the one running now
        replies = await anna.open_link(links["Anna Beispiel"], expect="Anna Beispiel")
        assert "23. Regionalkonferenz" in text_of(replies)
        assert any("Andere Konferenz" in label for label, _ in buttons_of(replies))  # back to Halle, if she wants


@pytest.mark.postgres_too
async def test_a_chosen_conference_that_is_over_gives_way_to_the_next_and_says_so_once(tmp_path, clock):
    async with bot_running(tmp_path, clock, program_file=season(tmp_path)) as harness:
        anna = await harness.attendee("Anna")
        await anna.open_link(f"https://t.me/KonferenzSandboxBot?start=C_{HALLE}", expect="Willkommen")
        harness.clock.set(berlin("2025-06-05 10:00"))  # Halle is over, Erfurt is next
        said = text_of(await anna.send("/start", expect="Willkommen"))
        assert "„22. Regionalkonferenz Modellprojekte Smart Cities“ ist vorbei – ab jetzt geht es hier um „23." in said
        assert "ist vorbei" not in text_of(await anna.send("/start", expect="Willkommen"))  # once
        attendee = await harness.services.storage.attendees.get(anna.id)
        assert attendee.conference_id is None  # the lapsed choice is gone, also from /meinedaten
