"""Faults: the sandbox answers 429, 500, hangs past the timeout or drops the connection on 10 %
of all calls while attendees sign up and a broadcast goes out. Every deliverable message
arrives, no registration is lost, and the bot keeps answering."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from bot.sandbox.client import text_of
from bot.storage import AttendeeInfo
from conftest import ADMIN_ID, wait_until

pytestmark = pytest.mark.slow  # starts the bot and injects faults for real seconds

FAULTS = {"rate_429": 0.025, "rate_500": 0.025, "rate_timeout": 0.025, "rate_drop": 0.025, "retry_after": 1,
          "timeout_seconds": 6, "seed": 11}



async def test_ten_percent_faults_lose_nothing(harness):
    storage = harness.services.storage
    crowd = list(range(700_000, 700_120))
    for user_id in crowd:
        harness.sandbox.add_user(f"F{user_id}", user_id=user_id)
        await storage.attendees.touch(AttendeeInfo(user_id, user_id, f"F{user_id}"), harness.clock.now())
        await storage.attendees.take_part("rk22-halle", user_id, harness.clock.now())  # as writing to the bot does
    admin = await harness.attendee("Orga", user_id=ADMIN_ID)
    signers = [await harness.attendee(f"S{i}") for i in range(40)]
    await admin.send("/durchsage Störung? Keine Sorge.", expect="Wer soll")
    await admin.press("Alle", expect="Vorschau")
    await harness.client.configure(faults=FAULTS)
    message_id, data = await admin.find_button("Jetzt senden")
    await harness.client.press(ADMIN_ID, message_id, data)  # its answer may be among the faults
    for person in signers:  # sign-ups while the broadcast runs and the API misbehaves
        await harness.client.message(person.id, "/anmelden ws-zwilling")

    def announced() -> Counter:
        return Counter(o["chat_id"] for o in harness.sandbox.outputs if o["kind"] == "sendMessage"
                       and o["message"]["text"].startswith("📢 Durchsage"))

    everyone = set(crowd) | {ADMIN_ID} | {p.id for p in signers}
    await wait_until(lambda: set(announced()) >= set(crowd) | {ADMIN_ID}, 120)
    deadline = time.monotonic() + 60
    while len(await storage.registrations.listed("ws-zwilling")) < len(signers) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(7)  # replies that hang past the timeout settle
    await harness.client.configure(faults={})
    listed = await storage.registrations.listed("ws-zwilling")
    assert {r.user_id for r in listed if r.state == "confirmed"} == {p.id for p in signers}  # none lost
    announced_to = announced()
    assert set(announced_to) <= everyone and set(announced_to) >= set(crowd) | {ADMIN_ID}
    duplicates = sum(c - 1 for c in announced_to.values())
    timeouts = sum(1 for r in harness.sandbox.requests if r.get("fault") == "timeout")
    assert duplicates <= timeouts  # only a send that timed out after arriving is ever repeated
    injected = Counter(r.get("fault") for r in harness.sandbox.requests)
    assert injected["429"] and injected["500"] and injected["drop"] and injected["timeout"]  # they really happened
    assert "So helfe ich Ihnen" in text_of(await signers[0].send("/hilfe", expect="So helfe ich Ihnen", timeout=20))
