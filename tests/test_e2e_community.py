"""Questions to the panel, and networking that never reveals a contact without both consents."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.client import buttons_of, text_of
from conftest import ADMIN_ID, berlin

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox


@pytest.mark.postgres_too
async def test_questions_votes_once_anonymity_and_moderation(harness):
    harness.clock.set(berlin("2025-06-03 11:10"))  # the panel is running and takes questions
    anna, ben, cem = [await harness.attendee(n) for n in ("Anna", "Ben", "Cem")]
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    replies = await anna.send("/frage Wie kommen kleine Kommunen an Fördermittel?", expect="eingereicht")
    assert "anonym" in text_of(replies)
    await ben.send("/frage Was kostet <Sensorik> & Betrieb?", expect="eingereicht")
    listing = await cem.send("/fragen", expect="Fragen zu")
    assert "Fördermittel" in text_of(listing) and "Anna" not in text_of(listing)
    assert "<Sensorik> & Betrieb" in text_of(listing)  # escaped, shown as written
    question_id = int(next(data for _, data in buttons_of(listing) if data.startswith("qv:")).split(":")[1])
    message_id = listing[0]["message_id"]
    for _ in range(10):  # ten taps at once by one attendee
        await harness.client.press(cem.id, message_id, f"qv:{question_id}")
    await harness.client.press(ben.id, message_id, f"qv:{question_id}", forge=True)
    await asyncio.sleep(1.5)
    votes = {q.id: q.votes for q in await harness.services.storage.questions.of_session("podium")}
    assert votes[question_id] == 2
    await anna.press("Mit meinem Namen", expect="Vornamen")
    assert "– Anna" in text_of(await cem.send("/fragen podium", expect="Fragen zu"))
    forged = await cem.tap(f"qh:{question_id}", message_id, forge=True, expect_message=False)
    assert "Nur die Moderation" in text_of(forged)
    moderation = await admin.send("/fragen", expect="Fragen zu")
    hide = next(data for _, data in buttons_of(moderation) if data.startswith("qh:") and data != f"qh:{question_id}")
    hidden_id = int(hide.split(":")[1])
    answered = next(data for _, data in buttons_of(moderation) if data == f"qa:{hidden_id}")  # kept for later
    redrawn = await admin.tap(hide, moderation[0]["message_id"], expect="Fragen zu")
    labels = [label for label, _ in buttons_of(redrawn)]
    assert f"👁 #{hidden_id} einblenden" in labels and f"✅ #{hidden_id} beantwortet" not in labels
    assert labels.index(f"✅ #{question_id} beantwortet") < labels.index(f"👁 #{hidden_id} einblenden")  # by arrival
    assert "Sensorik" not in text_of(await cem.send("/fragen", expect="Fragen zu"))
    await admin.tap(answered, moderation[0]["message_id"], forge=True, expect="ausgeblendet")  # its old ✅, from before
    assert "Sensorik" not in text_of(await cem.send("/fragen", expect="Fragen zu"))  # still hidden
    await admin.press(f"👁 #{hidden_id}", expect="Fragen zu")
    assert "Sensorik" in text_of(await cem.send("/fragen", expect="Fragen zu"))
    harness.clock.set(berlin("2025-06-03 13:00"))
    after_the_panel = text_of(await cem.send("/frage noch eine?"))
    assert "keine Fragerunde" in after_the_panel and "folgt keine mehr" in after_the_panel
    assert "Podiumsdiskussion" not in after_the_panel  # over: not offered any more


async def join(person, organization: str, role: str, topics: list[str]) -> list[dict]:
    await person.send("/vernetzen", expect="Vernetzen")
    await person.press("Mitmachen", expect="Organisation")
    await person.send(organization, expect="Rolle")
    await person.send(role, expect="Themen")
    for topic in topics:
        await person.press(f"nt:{topic}")
        await asyncio.sleep(0.3)
    return await person.press("Fertig", expect="Themen")


async def test_networking_never_reveals_a_contact_without_both_consents(harness):
    anna, ben, cem, dora = [await harness.attendee(n) for n in ("Anna", "Ben", "Cem", "Dora")]
    await join(anna, "Stadt Halle (Saale)", "Digitalisierung", ["ws-zwilling"])
    await join(cem, "Landkreis X", "Beteiligung", ["ws-beteiligung"])
    await join(dora, "Stadtwerke Y", "Mobilität", ["ws-mobilitaet"])
    suggestions = await join(ben, "Stadt Z", "Smart-City-Büro", ["ws-zwilling", "ws-mobilitaet"])
    text = text_of(suggestions)
    assert "Anna, Digitalisierung (Stadt Halle (Saale))" in text and "Dora" in text and "Cem" not in text
    assert "tg://" not in str(suggestions) and "@" not in text
    await ben.press(f"nr:{anna.id}", expect="Anfrage gesendet")
    request = await anna.wait(timeout=10)
    assert "Ben, Smart-City-Büro (Stadt Z) möchte sich mit Ihnen vernetzen" in text_of(request)
    await anna.press("Nein, danke", expect="vermerkt")
    assert "nicht angenommen" in text_of(await ben.wait(timeout=10))
    again = await ben.tap(f"nr:{anna.id}", request[0]["message_id"], forge=True)
    assert "schon eine Anfrage" in text_of(again)
    await ben.press(f"nr:{dora.id}", expect="Anfrage gesendet")
    await dora.wait(timeout=10)
    forged = await cem.tap("na:1", request[0]["message_id"], forge=True)  # not Cem's request to answer
    assert "bereits erledigt" in text_of(forged)
    await dora.press("Ja, austauschen", expect="vermerkt")
    for _ in range(100):  # both get the other's contact (each chat keeps its own pace)
        if sum("Kontakt:" in ((o.get("message") or {}).get("text") or "") for o in harness.sandbox.outputs) >= 2:
            break
        await asyncio.sleep(0.1)
    everything = [o for o in harness.sandbox.outputs if o["kind"] == "sendMessage"]
    contacts = {o["chat_id"]: o["message"] for o in everything if "Kontakt:" in o["message"]["text"]}
    assert set(contacts) == {ben.id, dora.id}
    assert any(e.get("url") == f"tg://user?id={dora.id}" for e in contacts[ben.id].get("entities", []))
    assert any(e.get("url") == f"tg://user?id={ben.id}" for e in contacts[dora.id].get("entities", []))
    leaked = [o for o in everything if o["chat_id"] in (ben.id, cem.id) and f"tg://user?id={anna.id}" in str(o["message"])]
    assert leaked == []  # Anna declined: her contact never went anywhere
    await anna.send("/vernetzen_aus", expect="gelöscht")
    assert await harness.services.storage.networking.profile(anna.id) is None
    assert "nichts zu löschen" in text_of(await anna.send("/vernetzen_aus"))  # a second time: nothing left
    assert "Anna" not in text_of(await ben.send("/vernetzen", expect="gleichen Themen"))


async def test_a_session_that_takes_questions_offers_the_question_on_its_card(harness):
    anna = await harness.attendee("Anna")
    await anna.send("/start podium")
    await anna.press("Frage stellen", expect="Schreiben Sie jetzt Ihre Frage")
    assert "eingereicht" in text_of(await anna.send("Wie wird das finanziert?"))
    assert [q.text for q in await harness.services.storage.questions.of_session("podium")] == ["Wie wird das finanziert?"]
    harness.clock.set(berlin("2025-06-03 12:00"))  # the panel is over
    card = await anna.send("/start podium")
    assert not any("Frage stellen" in label for label, _ in buttons_of(card))
