"""The guest list through the whole bot (sandbox): organizers load the CSV in the chat (a broken
one loads nothing), reload it with changes after a preview, fetch the invitation links; a guest
opens theirs and takes a seat, a second account is refused, an organizer re-links; with
`guests_only` everyone else reads the program and is told politely how to register, in the chat
and on the Mini App; guessing codes stops after a few tries."""

from __future__ import annotations

import csv
import io

import pytest

from bot.sandbox.client import text_of
from conftest import ADMIN_ID, PROGRAM_FILE, bot_running, init_data, web_settings
from test_e2e_webapp import Page

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox

GUESTS = ("\ufeffName;E-Mail;Organisation;Code\n"
          "Anna Beispiel;anna@example.org;Stadt Halle;A-1\n"
          '"Musterman, Ben";ben@example.org;"Kreis ""Nord""";A-2\n').encode("utf-8")


def guests_only_program(tmp_path):
    text = PROGRAM_FILE.read_text(encoding="utf-8").replace(
        "  attendees: 135\n",
        "  attendees: 135\n  guests_only: true\n"
        "  registration: {de: 'Anmeldung unter https://example.org/anmeldung', en: 'Register at https://example.org/register'}\n",
        1)
    path = tmp_path / "program.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def invitations(harness, admin) -> dict[str, str]:
    """Name → personal link, from the CSV the organizers get for their mail merge."""
    await admin.send("/gaeste", expect="Gästeliste")
    replies = await admin.press("Einladungslinks", expect="Einladungslinks für")
    document = [o for o in replies if o["kind"] == "sendDocument"][0]["message"]["document"]
    rows = csv.DictReader(io.StringIO((await harness.client.file(document["file_id"])).decode("utf-8-sig")), delimiter=";")
    return {row["name"]: row["link"] for row in rows}


@pytest.mark.postgres_too
async def test_load_reload_invite_connect_refuse_a_second_account_and_relink(tmp_path, clock):
    async with bot_running(tmp_path, clock, program_file=guests_only_program(tmp_path)) as harness:
        admin = await harness.attendee("Orga", user_id=ADMIN_ID)
        await admin.send("/gaeste", expect="0 Gäste")
        await admin.press("Liste laden", expect="als CSV-Datei")
        broken = b"Name,Email\nAnna,a@example.org\nMustermann, Erika,e@example.org\n"
        text = text_of(await admin.send_document("gaeste.csv", broken, expect="nicht geladen"))
        assert "Zeile 3: 3 Felder statt 2" in text and "nichts wurde geändert" in text
        text = text_of(await admin.send_document("gaeste.csv", GUESTS, expect="Vorschau"))
        assert "2 Gäste in der Datei" in text and "Neu: 2" in text
        await admin.press("Bestätigen", expect="Gästeliste geladen")
        links = await invitations(harness, admin)
        assert set(links) == {"Anna Beispiel", "Musterman, Ben"}

        anna = await harness.attendee("Anna")
        text = text_of(await anna.open_link(links["Anna Beispiel"], expect="Willkommen, Anna Beispiel"))
        assert "verbunden" in text
        await anna.send("/anmelden ws-zwilling", expect="Sie sind für „Workshop 1")
        mallory = await harness.attendee("Mallory")
        text = text_of(await mallory.open_link(links["Anna Beispiel"], expect="anderen Telegram-Konto"))
        assert "kontakt@smart-city-dialog.de" in text
        await admin.send("/teilnehmer ws-zwilling", expect="Anna Beispiel (Stadt Halle) – Telegram: Anna")

        # the list again, with a name corrected, a guest removed and one added: a preview first
        await admin.send("/gaeste", expect="2 Gäste, davon 1")
        await admin.press("Liste laden", expect="als CSV-Datei")
        changed = GUESTS.replace(b'"Musterman, Ben";ben@example.org;"Kreis ""Nord""";A-2', b"Carla Neu;carla@example.org;;A-3")
        changed = changed.replace(b"Anna Beispiel;", b"Anna Beispiel-Klein;")
        text = text_of(await admin.send_document("gaeste2.csv", changed, expect="Vorschau"))
        assert "Anna Beispiel → Anna Beispiel-Klein" in text and "Entfernt: 1" in text and "Musterman, Ben" in text
        assert "Neu: 1" in text
        await admin.press("Bestätigen", expect="Gästeliste geladen")
        assert set(await invitations(harness, admin)) == {"Anna Beispiel-Klein", "Carla Neu"}
        await mallory.open_link(links["Musterman, Ben"], expect="kenne ich nicht")  # removed: the link is dead

        # an organizer re-links: Anna's link works again, for the next account that opens it
        await admin.send("/gaeste", expect="Gästeliste")
        await admin.press("Verbindung lösen", expect="Wessen Verbindung")
        await admin.send("beispiel", expect="Welcher Gast?")
        await admin.press("Anna Beispiel-Klein", expect="Verbindung von")
        await admin.press("Bestätigen", expect="funktioniert wieder")
        await mallory.open_link(links["Anna Beispiel"], expect="Willkommen, Anna Beispiel-Klein")
        await anna.send("/anmelden ws-mobilitaet", expect="angemeldeten Gästen")


async def test_guests_only_refuses_others_politely_in_the_chat_and_on_the_page(tmp_path, clock):
    async with bot_running(tmp_path, clock, program_file=guests_only_program(tmp_path), **web_settings()) as harness:
        stranger = await harness.attendee("Sam")
        text = text_of(await stranger.send("/anmelden ws-zwilling", expect="angemeldeten Gästen vorbehalten"))
        assert "persönlichen Link" in text and "https://example.org/anmeldung" in text
        await stranger.send("/frage Wie geht es weiter?", expect="angemeldeten Gästen vorbehalten")
        await stranger.send("/vernetzen", expect="angemeldeten Gästen vorbehalten")
        await stranger.send("/programm", expect="Programm")  # reading stays open
        english = await harness.attendee("Kim", lang="en")
        await english.send("/signup ws-zwilling", expect="https://example.org/register")
        page = Page(harness, init_data(stranger.id, first_name="Sam"))
        status, answer = await page.seat("signup", "ws-zwilling")
        assert status == 200 and answer["status"] == "not_a_guest" and "persönlichen Link" in answer["message"]
        assert (await harness.services.storage.registrations.counts()) == {}
        # guessing: after five wrong codes, not even a right one is looked at for an hour
        for attempt in range(5):
            await stranger.send(f"/start G_{'a' * 15}{'bcdfg'[attempt]}", expect="kenne ich nicht")
        await stranger.send("/start G_zzzzzzzzzzzzzzzz", expect="Zu viele ungültige Einladungslinks")
