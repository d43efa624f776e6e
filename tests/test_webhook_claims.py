"""The storage contract of webhook mode: each update id is claimed by one instance at a time,
handled once, taken over when its instance went silent, and forgotten after a while. Claims
are stamped with the database's clock; tests make time pass by making stored stamps older.
The same contract holds for any storage backend."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage import Storage
from conftest import database_for
from postgres import execute


@pytest.fixture
async def storage(tmp_path):
    storage = Storage(database_for(tmp_path / "claims.sqlite3"))
    await storage.open()
    yield storage
    await storage.close()


def later(storage: Storage, seconds: float) -> None:
    """`seconds` pass for every claim stored."""
    execute(storage.database.location, "UPDATE processed_updates SET claimed_at = claimed_at - ?", (seconds,))


async def test_an_update_is_claimed_once_and_done_stays_done(storage):
    assert await storage.updates.claim(1, "a", 60) == "claimed"
    assert await storage.updates.claim(1, "b", 60) == "busy"  # a retry while a works on it
    assert await storage.updates.claim(1, "a", 60) == "busy"  # also for a's own second delivery
    await storage.updates.finish(1)
    assert await storage.updates.claim(1, "b", 60) == "done"
    later(storage, 3600)
    assert await storage.updates.claim(1, "b", 60) == "done"  # done never goes stale
    assert await storage.updates.claim(2, "b", 60) == "claimed"  # other updates are independent


async def test_a_stale_claim_is_taken_over_by_one_instance(storage):
    assert await storage.updates.claim(7, "dead", 60) == "claimed"
    later(storage, 59)
    assert await storage.updates.claim(7, "b", 60) == "busy"
    later(storage, 2)
    assert await storage.updates.claim(7, "b", 60) == "claimed"
    assert await storage.updates.claim(7, "c", 60) == "busy"  # b's claim is fresh now
    await storage.updates.finish(7)
    later(storage, 200)
    assert await storage.updates.claim(7, "c", 60) == "done"


async def test_a_claim_its_instance_renews_never_goes_stale(storage):
    assert await storage.updates.claim(8, "slow", 60) == "claimed"
    for _ in range(3):  # its handler runs for three minutes, renewing the claim as it goes
        later(storage, 45)
        assert await storage.updates.renew([8], "slow") == 1
        assert await storage.updates.claim(8, "b", 60) == "busy"
    assert await storage.updates.renew([8], "b") == 0  # only the owner renews
    await storage.updates.finish(8)
    assert await storage.updates.renew([8], "slow") == 0  # a finished update is not working any more
    assert await storage.updates.claim(8, "b", 60) == "done"


async def test_concurrent_claims_of_one_update_let_exactly_one_win(storage):
    results = await asyncio.gather(*(storage.updates.claim(9, f"i{n}", 60) for n in range(20)))
    assert results.count("claimed") == 1 and results.count("busy") == 19


async def test_a_released_claim_is_claimed_again_and_only_its_owner_releases_it(storage):
    assert await storage.updates.claim(3, "a", 60) == "claimed"
    await storage.updates.release(3, "b")  # not b's claim: nothing happens
    assert await storage.updates.claim(3, "b", 60) == "busy"
    await storage.updates.release(3, "a")
    assert await storage.updates.claim(3, "b", 60) == "claimed"
    await storage.updates.finish(3)
    await storage.updates.release(3, "b")  # a done update is never released
    assert await storage.updates.claim(3, "c", 60) == "done"


async def test_old_claims_are_purged(storage):
    for update_id in range(5):
        await storage.updates.claim(update_id, "a", 60)
        later(storage, 1)
    await storage.updates.finish(0)
    later(storage, 100)  # claims of 1, 2, 3, 4 are 104, 103, 102, 101 s old; 0 was done 100 s ago
    assert await storage.updates.purge(102.5) == 2
    assert await storage.updates.claim(0, "b", 60) == "done"
    assert await storage.updates.claim(1, "b", 60) == "claimed"  # forgotten: new to the table
    assert await storage.updates.claim(3, "b", 60) == "claimed"  # kept, but 102 s old: stale, taken over
