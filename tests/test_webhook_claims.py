"""The storage contract of webhook mode: each update id is claimed by one instance at a time,
handled once, taken over when its instance went silent, and forgotten after a while. The
same contract holds for any storage backend."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage import Storage

NOW = 1_750_000_000.0
from conftest import database_for


@pytest.fixture
async def storage(tmp_path):
    storage = Storage(database_for(tmp_path / "claims.sqlite3"))
    await storage.open()
    yield storage
    await storage.close()


async def test_an_update_is_claimed_once_and_done_stays_done(storage):
    assert await storage.updates.claim(1, "a", NOW, 60) == "claimed"
    assert await storage.updates.claim(1, "b", NOW + 1, 60) == "busy"  # a retry while a works on it
    assert await storage.updates.claim(1, "a", NOW + 1, 60) == "busy"  # also for a's own second delivery
    await storage.updates.finish(1, NOW + 2)
    assert await storage.updates.claim(1, "b", NOW + 3, 60) == "done"
    assert await storage.updates.claim(1, "b", NOW + 3600, 60) == "done"  # done never goes stale
    assert await storage.updates.claim(2, "b", NOW, 60) == "claimed"  # other updates are independent


async def test_a_stale_claim_is_taken_over_by_one_instance(storage):
    assert await storage.updates.claim(7, "dead", NOW, 60) == "claimed"
    assert await storage.updates.claim(7, "b", NOW + 59, 60) == "busy"
    assert await storage.updates.claim(7, "b", NOW + 61, 60) == "claimed"
    assert await storage.updates.claim(7, "c", NOW + 62, 60) == "busy"  # b's claim is fresh now
    await storage.updates.finish(7, NOW + 63)
    assert await storage.updates.claim(7, "c", NOW + 200, 60) == "done"


async def test_concurrent_claims_of_one_update_let_exactly_one_win(storage):
    results = await asyncio.gather(*(storage.updates.claim(9, f"i{n}", NOW, 60) for n in range(20)))
    assert results.count("claimed") == 1 and results.count("busy") == 19


async def test_a_released_claim_is_claimed_again_and_only_its_owner_releases_it(storage):
    assert await storage.updates.claim(3, "a", NOW, 60) == "claimed"
    await storage.updates.release(3, "b")  # not b's claim: nothing happens
    assert await storage.updates.claim(3, "b", NOW + 1, 60) == "busy"
    await storage.updates.release(3, "a")
    assert await storage.updates.claim(3, "b", NOW + 1, 60) == "claimed"
    await storage.updates.finish(3, NOW + 2)
    await storage.updates.release(3, "b")  # a done update is never released
    assert await storage.updates.claim(3, "c", NOW + 3, 60) == "done"


async def test_old_claims_are_purged(storage):
    for update_id in range(5):
        await storage.updates.claim(update_id, "a", NOW + update_id, 60)
    await storage.updates.finish(0, NOW + 10)
    assert await storage.updates.purge(before=NOW + 3) == 2  # 1 and 2; 0 counts from when it was done
    assert await storage.updates.claim(0, "b", NOW + 20, 60) == "done"
    assert await storage.updates.claim(1, "b", NOW + 20, 60) == "claimed"  # forgotten: new to the table
    assert await storage.updates.claim(3, "b", NOW + 20, 60) == "busy"
