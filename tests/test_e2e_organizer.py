"""The organizer's day by buttons, without knowing a session id: changes are checked, previews
never go stale, cancelling frees seats and restoring gives them back, reload previews
capacities, exports are safe. Through the sandbox."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.client import buttons_of, text_of
from conftest import ADMIN_ID, PROGRAM_FILE, berlin, bot_running, wait_until

pytestmark = pytest.mark.slow  # each test starts the bot against the sandbox


def program_copy(tmp_path, replace: dict[str, str] | None = None, name: str = "program.yaml"):
    text = PROGRAM_FILE.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def button_data(outputs, label: str) -> tuple[int, str]:
    for output in reversed(outputs):
        message = output.get("message") or {}
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if label.casefold() in button["text"].casefold():
                    return message["message_id"], button["callback_data"]
    raise AssertionError(f"no button {label!r}")


async def test_delay_by_buttons_only_with_scope_and_notice(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    anna = await harness.attendee("Anna")
    await anna.send("/start podium")
    await anna.press("Merken")
    replies = await admin.send("/orga")
    assert any("Verschieben" in label for label, _ in buttons_of(replies))
    replies = await admin.press("Verschieben", expect="verschiebt sich")
    assert "smart-city-halle" in text_of(replies)  # ids next to titles, so typing stays possible
    await admin.press("Smart City Halle", expect="Minuten")
    replies = await admin.press("+15", expect="Großer Saal")
    replies = await admin.press("Alles ab hier", expect="Vorschau")
    replies = await admin.press("Bestätigen", expect="Übernommen")
    assert "2 Personen werden benachrichtigt" in text_of(replies)  # plenaries: everybody is there
    notice = text_of(await anna.wait())
    assert "11:05–11:50 Uhr → 11:20–12:05 Uhr" in notice


async def test_pickers_offer_only_what_is_not_over(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    harness.clock.set(berlin("2025-06-03 13:30"))  # the workshops are on, the morning is over
    replies = await admin.send("/verschieben", expect="verschiebt sich")
    labels = [label for label, _ in buttons_of(replies)]
    assert any("Workshop 1" in label for label in labels) and any("Exkursion" in label for label in labels)
    assert not any("Smart City Halle" in label or "Podium" in label for label in labels)
    replies = await admin.send("/absagen", expect="Programmpunkt")
    assert not any("Podium" in label for label, _ in buttons_of(replies))
    harness.clock.set(berlin("2025-06-03 16:30"))
    assert "keinen passenden Programmpunkt" in text_of(await admin.send("/raum", expect="Programmpunkt"))


async def test_room_and_cancel_need_no_ids_and_attendees_view_by_buttons(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    anna = await harness.attendee("Anna")
    await anna.send("/anmelden ws-zwilling")
    await admin.send("/raum", expect="Raum")
    await admin.press("Workshop 1", expect="In welchen Raum")
    await admin.press("Foyer", expect="Vorschau")  # a room of the program, free at 13:15
    await admin.press("Bestätigen", expect="Übernommen")
    assert "Workshop 1: Digitale Zwillinge (13:15–14:30 Uhr): 📍 Seminarraum 1 → Foyer" in text_of(await anna.wait())
    replies = await admin.send("/teilnehmer")
    assert "ws-zwilling" in text_of(replies)
    replies = await admin.press("Workshop 1", expect="Bestätigt")
    assert "Anna" in text_of(replies)


async def test_changes_are_checked_like_the_program_file(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    refused = text_of(await admin.send("/raum ws-zwilling Seminarraum 2"))
    assert "nicht möglich" in refused and "Workshop 2" in refused
    assert "Dieser Raumname hat 61 Zeichen; höchstens 60" in text_of(await admin.send("/raum ws-zwilling " + "R" * 61))
    await admin.send("/raum ws-zwilling", expect="In welchen Raum")  # typed after "another room"
    await admin.press("anderen Raum", expect="Schreiben Sie")
    assert "höchstens 60" in text_of(await admin.send("R" * 500, expect="höchstens"))
    assert "Vorschau" in text_of(await admin.send("Foyer Ost", expect="Vorschau"))  # the prompt stayed open
    refused = text_of(await admin.send("/verschieben ws-mobilitaet 600"))
    assert "nicht möglich" in refused and "außerhalb" in refused
    replies = await admin.send("/verschieben impuls-kts 15")
    assert "Smart City Halle" in text_of(replies) and "Großer Saal" in text_of(replies)
    labels = [label for label, _ in buttons_of(replies)]
    assert any("Trotzdem" in label for label in labels)
    await admin.press("Trotzdem")
    assert "10:10–10:35" in text_of(await admin.send("/start impuls-kts"))
    assert harness.services.program.current.session("ws-zwilling").room == "Seminarraum 1"


async def test_an_older_preview_never_undoes_a_newer_change(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    first = await admin.send("/verschieben ws-zwilling 30")
    first_confirm = button_data(first, "Bestätigen")
    second = await admin.send("/raum ws-zwilling Saal 9")
    await admin.tap(button_data(second, "Bestätigen")[1], button_data(second, "Bestätigen")[0])
    replies = await admin.tap(first_confirm[1], first_confirm[0])
    text = text_of(replies)
    assert "aktuellen Stand" in text and "13:45–15:00" in text  # refused, with a fresh preview
    session = harness.services.program.current.session("ws-zwilling")
    assert session.room == "Saal 9" and harness.services.program.current.local(session.start).strftime("%H:%M") == "13:15"
    await admin.tap(button_data(replies, "Bestätigen")[1], button_data(replies, "Bestätigen")[0])
    details = text_of(await admin.send("/start ws-zwilling"))
    assert "13:45–15:00" in details and "Saal 9" in details


@pytest.mark.postgres_too
async def test_cancelling_frees_seats_and_restoring_gives_them_back(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    anna = await harness.attendee("Anna")
    ben = await harness.attendee("Ben", "en")
    await anna.send("/anmelden ws-beteiligung")
    await ben.send("/signup ws-beteiligung")
    await admin.send("/absagen")
    await admin.press("Workshop 3", expect="Vorschau")
    replies = await admin.press("Bestätigen", expect="Übernommen")
    assert "2 Personen" in text_of(replies)
    notice = await anna.wait()
    assert "fällt aus" in text_of(notice)
    assert any("Workshop 1" in label for label, _ in buttons_of(notice))  # free seats at the same time
    assert "Workshop 3" not in text_of(await anna.send("/meine"))
    card = text_of(await anna.send("/start ws-beteiligung"))
    assert "fällt aus" in card and "Sie sind angemeldet" not in card
    replies = await anna.press("Workshop 1")  # sign up from the notice: no switch offered
    assert "angemeldet" in text_of(replies) and "wechseln" not in text_of(replies)
    assert "Workshop 3" not in text_of(await ben.send("/mine"))
    await admin.send("/wiederherstellen")
    preview = text_of(await admin.press("Workshop 3", expect="Vorschau"))
    assert "2 Personen" in preview  # those whose seats the cancellation ended are told again
    await admin.press("Bestätigen", expect="Übernommen")
    def notice_to(person, words):
        return next((text_of([o]) for o in harness.sandbox.outputs
                     if o["chat_id"] == person.id and words in text_of([o])), None)
    await wait_until(lambda: notice_to(ben, "takes place again") and notice_to(anna, "findet wieder statt"), 10)
    assert "Your seat in “Workshop 3" in notice_to(ben, "takes place again")
    assert "takes place again, Tue 3 Jun 13:15–14:30 · 📍 Seminarraum 3" in notice_to(ben, "takes place again")
    told = notice_to(anna, "findet wieder statt")
    assert "findet wieder statt, Di 3.06. 13:15–14:30 Uhr · 📍 Seminarraum 3" in told  # when and where, once more
    assert "Sie behalten den Platz" in told and "gehört wieder Ihnen" not in told
    mine = text_of(await ben.send("/mine"))
    assert "Workshop 3" in mine and "✅" in mine  # Ben's seat is back
    assert "Workshop 1" in text_of(await anna.send("/meine"))  # Anna keeps what she chose meanwhile
    registrations = {r.user_id: r.state for r in await harness.services.storage.registrations.listed("ws-beteiligung")}
    assert registrations == {ben.id: "confirmed"}


async def test_reload_previews_capacities_and_waits_for_confirmation(tmp_path, clock):
    program_file = program_copy(tmp_path)
    async with bot_running(tmp_path, clock, program_file) as h:
        admin = await h.attendee("Orga", user_id=ADMIN_ID)
        people = [await h.attendee(f"P{i}") for i in range(4)]
        for person in people[:3]:
            await person.send("/anmelden ws-zwilling")
        program_copy(tmp_path, {"capacity: 45": "capacity: 2"})
        replies = await admin.send("/reload")
        text = text_of(replies)
        assert "45 → 2" in text and "überbucht" in text
        await admin.press("Bestätigen", expect="neu geladen")
        assert h.services.program.current.session("ws-zwilling").capacity == 2
        await people[3].send("/anmelden ws-zwilling")  # waitlisted
        program_copy(tmp_path, {"capacity: 45": "capacity: 5"})
        replies = await admin.send("/reload")
        assert "2 → 5" in text_of(replies) and "Warteliste" in text_of(replies)
        await asyncio.sleep(0.5)
        assert (await h.services.storage.registrations.get("ws-zwilling", people[3].id)).state == "waitlisted"
        await admin.press("Bestätigen", expect="neu geladen")
        assert (await h.services.storage.registrations.get("ws-zwilling", people[3].id)).state == "confirmed"


async def test_export_neutralises_formulas_and_broadcast_list_shows_plain_text(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    evil = await harness.attendee("=1+1")
    await evil.send("/anmelden ws-zwilling")
    replies = await admin.send("/export")
    document = [o for o in replies if o["kind"] == "sendDocument"][0]["message"]["document"]
    data = (await harness.client.file(document["file_id"])).decode("utf-8-sig")
    assert "'=1+1" in data and ";=1+1" not in data
    await admin.send("/durchsage Kaffee & Kuchen im <Erdgeschoss>")
    await admin.press("Alle")
    await admin.press("Jetzt senden")
    await asyncio.sleep(1)
    listed = text_of(await admin.send("/durchsagen"))
    assert "Kaffee & Kuchen im <Erdgeschoss>" in listed and "&amp;" not in listed


async def test_state_changing_taps_update_their_message(harness):
    anna = await harness.attendee("Anna")
    await anna.send("/start podium")
    await anna.press("Merken")
    card = (await anna.messages())[-1]
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert any("Nicht mehr merken" in label for label in labels)
    await anna.press("Nicht mehr merken")
    card = (await anna.messages())[-1]
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert any("Merken & erinnern" in label for label in labels)
    await anna.send("/frage Wie geht es weiter?")
    ben = await harness.attendee("Ben")
    await ben.send("/fragen", expect="Fragen zu")
    await ben.press("👍")
    listing = [m for m in await ben.messages() if "Fragen zu" in (m.get("text") or "")][-1]["text"]
    assert "1 👍" in listing


async def test_english_files_have_english_names(harness):
    ben = await harness.attendee("Ben", "en")
    await ben.send("/signup ws-zwilling")
    replies = await ben.send("/mydata")
    names = [o["message"]["document"]["file_name"] for o in replies if o["kind"] == "sendDocument"]
    assert names and not any("meine" in n for n in names)
    await ben.send("/myplan")
    replies = await ben.press("calendar")
    names = [o["message"]["document"]["file_name"] for o in replies if o["kind"] == "sendDocument"]
    assert names and not any("konferenztag" in n for n in names)


async def test_outdated_and_foreign_buttons_get_a_clear_answer(harness):
    anna = await harness.attendee("Anna")
    replies = await anna.send("/start")
    message_id = replies[0]["message_id"]
    for data in ("s:gibtsnicht", "os:delay:podium", "ok:99", "qv:12345"):
        answer = await anna.tap(data, message_id, forge=True, expect_message=False)
        assert text_of(answer), data
    program = harness.services.program.current
    assert program.local(program.session("podium").start).strftime("%H:%M") == "11:05"  # nothing moved


async def test_an_english_organizer_runs_a_change_by_buttons(harness):
    admin = await harness.attendee("Orga", "en", user_id=ADMIN_ID)
    ben = await harness.attendee("Ben", "en")
    await ben.send("/signup ws-mobilitaet")
    replies = await admin.send("/orga")
    assert any("Cancel session" in label for label, _ in buttons_of(replies))
    await admin.press("Cancel session", expect="Which session is cancelled")
    replies = await admin.press("Workshop 2", expect="preview")
    assert "1 person will be notified" in text_of(replies).replace("<b>", "").replace("</b>", "")
    replies = await admin.press("Confirm", expect="Done")
    assert "1 person is being notified" in text_of(replies)
    notice = await ben.wait()
    assert "cancelled" in text_of(notice).lower() and any("Workshop 1" in label for label, _ in buttons_of(notice))
    await admin.send("/delay")
    await admin.press("Workshop 1", expect="By how many minutes")
    await admin.press("+10", expect="preview")
    replies = await admin.press("Confirm", expect="Done")
    assert "13:25" in text_of(await admin.send("/start ws-zwilling"))


async def test_a_cancellation_notice_offers_only_sessions_one_does_not_hold(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    anna = await harness.attendee("Anna")
    await anna.send("/anmelden ws-beteiligung")
    await anna.send("/anmelden exkursion")
    await admin.send("/verschieben ws-beteiligung 30")  # now 13:45–15:00: overlaps the excursion at 14:45
    await admin.press("Bestätigen", expect="Übernommen")
    await admin.send("/absagen ws-beteiligung")
    await admin.press("Bestätigen", expect="Übernommen")

    def cancel_notice():
        return next((o for o in harness.sandbox.outputs if o["chat_id"] == anna.id and "fällt aus" in text_of([o])), None)
    await wait_until(cancel_notice, 10)
    offered = [label for label, _ in buttons_of([cancel_notice()])]
    assert offered and not any("Exkursion" in label for label in offered)  # she holds it already


async def test_clashes_are_named_a_plenary_concerns_everybody_and_a_refused_room_offers_the_rooms(harness):
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    anna, ben = await harness.attendee("Anna"), await harness.attendee("Ben", "en")
    await anna.send("/anmelden ws-zwilling", expect="angemeldet")
    await anna.send("/anmelden exkursion", expect="angemeldet")
    await ben.send("/start")
    preview = text_of(await admin.send("/verschieben ws-zwilling 30", expect="Vorschau"))
    assert "Danach hat 1 Person zwei ihrer Programmpunkte zur selben Zeit" in preview
    await admin.press("Bestätigen", expect="Übernommen")
    replies = await anna.wait(expect="selben Zeit")
    assert "Jetzt zur selben Zeit: „Workshop 1: Digitale Zwillinge“ und „Exkursion" in text_of(replies)
    assert "sagt es ihr." in preview
    await anna.press("Platz in „Workshop 1", expect="abgemeldet")  # the notice lets her give one back
    seat = await harness.services.storage.registrations.get("ws-zwilling", anna.id)
    assert seat is None or seat.state != "confirmed"
    await admin.send("/raum podium Saal 3")
    await admin.press("Bestätigen", expect="Übernommen")
    assert "Großer Saal → Saal 3" in text_of(await ben.wait(expect="Saal 3"))  # a plenary: everybody is told
    refused = await admin.send("/raum ws-mobilitaet Seminarraum 3", expect="In welchen Raum")
    rooms = [label for label, _ in buttons_of(refused)]
    assert any(label.startswith("⛔ Seminarraum 3") for label in rooms) and any("Foyer" in label for label in rooms)
