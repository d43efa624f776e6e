"""The guest list without Telegram: reading organizers' CSV files as spreadsheets write them,
comparing a reloaded list with the one loaded, invitation codes and links, and the storage of
guests, connections and failed attempts (on SQLite and PostgreSQL)."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from bot.domain import deeplink
from bot.domain.guests import (ATTEMPTS_PER_HOUR, CODE_ALPHABET, CODE_BITS, CODE_LENGTH, Connection, Guest,
                               GuestListProblem, compare, fingerprint, new_code, read_guest_list)
from bot.storage import AttendeeInfo, Storage
from conftest import berlin, database_for

NOW = berlin("2025-06-01 10:00")
CONFERENCE = "rk22-halle"


def problem(data: bytes) -> GuestListProblem:
    with pytest.raises(GuestListProblem) as raised:
        read_guest_list(data)
    return raised.value


# --- reading CSV files ------------------------------------------------------------------------------


def test_excel_german_with_bom_semicolons_and_quoted_fields():
    data = ("\ufeffName;E-Mail;Organisation;Buchungsnummer\r\n"
            '"Mustermann, Erika";Erika@Example.org;"Stadt ""Halle"" (Saale)";A-1\r\n'
            "\r\n"
            'Jörg Müller;;"Landkreis\nNord";A-2\r\n').encode("utf-8")
    erika, joerg = read_guest_list(data)
    assert (erika.name, erika.email, erika.organization, erika.reference, erika.line) == \
        ("Mustermann, Erika", "erika@example.org", 'Stadt "Halle" (Saale)', "A-1", 2)
    assert (joerg.name, joerg.email, joerg.organization, joerg.line) == ("Jörg Müller", "", "Landkreis Nord", 4)


def test_commas_first_and_last_name_columns_and_windows_1252():
    data = "Vorname,Nachname,Mail\nJürgen,Weiß,j@example.org\n,Solo,\n".encode("cp1252")
    jurgen, solo = read_guest_list(data)
    assert jurgen.name == "Jürgen Weiß" and jurgen.email == "j@example.org" and solo.name == "Solo"


def test_a_pretix_style_export_is_understood():
    data = b"Order code,Attendee name,Email,Company\nXK3F9,Anna Beispiel,anna@example.org,Stadt Jena\n"
    (anna,) = read_guest_list(data.replace(b"Attendee name", b"Name"))
    assert (anna.reference, anna.name, anna.organization) == ("XK3F9", "Anna Beispiel", "Stadt Jena")


@pytest.mark.parametrize("data, code, line", [
    (b"", "empty", None),
    (b"Name;Email\n", "no_guests", None),
    (b"Vorname Nachname;Telefon\nAnna;1\n", "no_name_column", 1),
    (b'Name;Email\nAnna;a@example.org\n"Bob;b@example.org\nCarl;c@example.org\n"Dora";d@example.org\n', "broken_line", 3),
    (b"Name,Email\nAnna,a@example.org\nMustermann, Erika,e@example.org\n", "field_count", 3),
    (b"Name;Email\nAnna;a@example.org\nBob\n", "field_count", 3),
    (b"Name;Email\nAnna;a@example.org\n;b@example.org\n", "no_name", 3),
    (b"Name;Email\nAnna;a@example.org\nBob;not-an-address\n", "bad_email", 3),
    (b"Name;Code\nAnna;7\nBob;8\nCarla;7\n", "twice", 4),
    (b"Name;Email\nAnna Alt;a@example.org\nanna  alt;A@example.org\n", "twice", 3),
    (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml", "not_csv", None),  # an .xlsx sent as it is
    (b"Name;Email\nAnna\x00\x01;a@example.org\n", "not_csv", None),  # binary
])
def test_a_broken_file_is_refused_whole_naming_the_line(data, code, line):
    found = problem(data)
    assert (found.code, found.line) == (code, line)


def test_two_people_may_share_an_office_address():
    assert len(read_guest_list(b"Name;Email\nAnna;buero@stadt.de\nBen;buero@stadt.de\n")) == 2


# --- comparing a reloaded list ---------------------------------------------------------------------


def guest(number: int, name: str, email: str = "", reference: str = "", user_id: int | None = None) -> Guest:
    return Guest(number, CONFERENCE, name, email, "", reference, f"code{number}", user_id)


def test_a_reload_adds_corrects_and_removes_by_code_then_email_then_name():
    current = [guest(1, "Erika Musterman", reference="A-1"), guest(2, "Max Muster", "max@example.org"),
               guest(3, "Gone Person", user_id=77), guest(4, "Same Name")]
    entries = read_guest_list(b"Name;Email;Code\nErika Mustermann;;A-1\nMaximilian Muster;max@example.org;\n"
                              b"Same Name;;\nNew Person;;\n")
    result = compare(current, entries)
    assert sorted((c.guest.name, c.entry.name) for c in result.renamed) == [
        ("Erika Musterman", "Erika Mustermann"), ("Max Muster", "Maximilian Muster")]
    assert [e.name for e in result.added] == ["New Person"]
    assert [g.name for g in result.removed] == ["Gone Person"] and result.removed[0].connected
    assert result.unchanged == 1 and result.anything


def test_an_email_two_guests_share_does_not_match_either():
    current = [guest(1, "Anna", "buero@stadt.de"), guest(2, "Ben", "buero@stadt.de")]
    entries = read_guest_list(b"Name;Email\nAnnette;buero@stadt.de\nBen;buero@stadt.de\n")
    result = compare(current, entries)
    assert [e.name for e in result.added] == ["Annette"] and [g.name for g in result.removed] == ["Anna"]


def test_the_same_list_again_changes_nothing():
    entries = read_guest_list(b"Name;Email\nAnna;a@example.org\n")
    current = [guest(1, "Anna", "a@example.org")]
    assert not compare(current, entries).anything
    assert fingerprint(current) != fingerprint([guest(1, "Anna", "b@example.org")])


# --- codes and links ------------------------------------------------------------------------------


def test_codes_are_unguessable_and_the_link_fits_telegrams_start_parameter():
    assert CODE_LENGTH * math.log2(len(CODE_ALPHABET)) >= CODE_BITS >= 50
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    code = codes.pop()
    link = deeplink.invite_link("KonferenzBot", code)
    parameter = link.split("start=")[1]
    assert len(parameter) <= deeplink.MAX_LENGTH and deeplink.ALLOWED.match(parameter)
    assert deeplink.parse(parameter) == deeplink.Invite(code)
    assert deeplink.parse("G_") == deeplink.Invalid() and deeplink.parse("G_UPPER") == deeplink.Invalid()
    # a session whose id would read as an invitation travels encoded
    assert deeplink.session_parameter("G_x").startswith(deeplink.ENCODED)


# --- storage ----------------------------------------------------------------------------------------


@pytest.fixture
async def storage(tmp_path):
    storage = Storage(database_for(tmp_path / "guests.sqlite3"))
    await storage.open()
    for user_id in (1, 2, 3):
        await storage.attendees.touch(AttendeeInfo(user_id, user_id, f"U{user_id}"), NOW)
    yield storage
    await storage.close()


async def load(storage: Storage, data: bytes, conference: str = CONFERENCE):
    current = await storage.guests.of_conference(conference)
    return await storage.guests.load(conference, compare(current, read_guest_list(data)), fingerprint(current), NOW)


@pytest.mark.postgres_too
async def test_load_connect_a_second_account_and_relink(storage):
    loaded = await load(storage, b"Name;Email\nAnna;a@example.org\nBen;b@example.org\n")
    assert (loaded.added, loaded.changed, loaded.removed) == (2, 0, 0)
    anna, ben = await storage.guests.of_conference(CONFERENCE)
    assert anna.code != ben.code
    assert (await storage.guests.connect(CONFERENCE, anna.code, 1, NOW, 5)).status is Connection.CONNECTED
    assert (await storage.guests.connect(CONFERENCE, anna.code, 1, NOW, 5)).status is Connection.ALREADY
    assert (await storage.guests.connect(CONFERENCE, anna.code, 2, NOW, 5)).status is Connection.TAKEN
    assert (await storage.guests.connect(CONFERENCE, ben.code, 1, NOW, 5)).status is Connection.OTHER_GUEST
    assert (await storage.guests.connect("other-conference", ben.code, 3, NOW, 5)).status is Connection.UNKNOWN
    assert (await storage.guests.of_person(CONFERENCE, 1)).name == "Anna"
    assert (await storage.guests.count(CONFERENCE)).connected == 1
    await storage.guests.unlink(anna.id, NOW)
    assert (await storage.guests.connect(CONFERENCE, anna.code, 2, NOW, 5)).status is Connection.CONNECTED
    assert await storage.guests.of_person(CONFERENCE, 1) is None


@pytest.mark.postgres_too
async def test_a_reload_keeps_codes_and_connections_and_a_stale_one_changes_nothing(storage):
    await load(storage, b"Name;Code\nErika Musterman;A-1\nMax;A-2\n")
    erika = (await storage.guests.find(CONFERENCE, "erika"))[0]
    await storage.guests.connect(CONFERENCE, erika.code, 1, NOW, 5)
    current = await storage.guests.of_conference(CONFERENCE)
    comparison = compare(current, read_guest_list(b"Name;Code\nErika Mustermann;A-1\nNeu;A-3\n"))
    await load(storage, b"Name;Code\nErika Musterman;A-1\nMax;A-2\nZwischendurch;A-9\n")  # another organizer, first
    assert await storage.guests.load(CONFERENCE, comparison, fingerprint(current), NOW) is None
    assert await load(storage, b"Name;Code\nErika Mustermann;A-1\nNeu;A-3\n") is not None
    names = {g.name: g for g in await storage.guests.of_conference(CONFERENCE)}
    assert set(names) == {"Erika Mustermann", "Neu"}
    assert names["Erika Mustermann"].code == erika.code and names["Erika Mustermann"].user_id == 1


@pytest.mark.postgres_too
async def test_failed_attempts_are_limited_per_person_and_hour(storage):
    await load(storage, b"Name\nAnna\n")
    (anna,) = await storage.guests.of_conference(CONFERENCE)
    for attempt in range(ATTEMPTS_PER_HOUR):
        assert (await storage.guests.connect(CONFERENCE, new_code(), 3, NOW, ATTEMPTS_PER_HOUR)).status is Connection.UNKNOWN
    # the right code now is not even looked at, for this person; another person is not held up
    limited = await storage.guests.connect(CONFERENCE, anna.code, 3, NOW + timedelta(minutes=59), ATTEMPTS_PER_HOUR)
    assert limited.status is Connection.LIMITED
    assert (await storage.guests.connect(CONFERENCE, new_code(), 2, NOW, ATTEMPTS_PER_HOUR)).status is Connection.UNKNOWN
    later = await storage.guests.connect(CONFERENCE, anna.code, 3, NOW + timedelta(minutes=61), ATTEMPTS_PER_HOUR)
    assert later.status is Connection.CONNECTED


def test_a_change_other_than_the_name_says_which_fields_it_touches():
    from bot.handlers.guests import preview_text
    from bot.usecases.guests import LoadPreview

    current = [Guest(1, CONFERENCE, "Anna Beispiel", "anna@example.org", "Stadt Halle", "A-1", "code1")]
    entries = read_guest_list(b"Name;E-Mail\nAnna Beispiel;anna@example.org\n")  # organisation and code dropped
    result = compare(current, entries)
    assert [c.fields for c in result.changed] == [["organization", "reference"]]
    text = preview_text("de", LoadPreview("rk22-halle", comparison=result, total=1))
    assert "✏️ Geändert: 1\n   • Anna Beispiel: Organisation, Code" in text
