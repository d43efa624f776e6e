"""The storage engine on both backends: group commit, a failing call undone alone, the seat
book's cached counts and waitlist places equal to what the database says, claims that two
processes never share, the leader's lease, and the shared send budget."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from bot.domain.loader import load_program
from bot.domain.messages import FeedbackPrompt
from bot.storage import AttendeeInfo, Storage
from conftest import PROGRAM_FILE, berlin, database_for, query
from postgres import execute

NOW = berlin("2025-06-03 08:00")


@pytest.fixture(params=["among others", "alone"])
async def storage(tmp_path, request):
    """Also as the only process writing: seat counts are then carried from batch to batch."""
    storage = Storage(database_for(tmp_path / "engine.sqlite3"))
    await storage.open()
    await storage.sole_writer(request.param == "alone")
    yield storage
    await storage.close()


@pytest.fixture
def small():
    """The shipped program with 2 seats per workshop, so that waitlists form at once."""
    program = load_program(PROGRAM_FILE)
    sessions = tuple(dataclasses.replace(s, capacity=2) if s.capacity else s for s in program.sessions)
    return dataclasses.replace(program, sessions=sessions)


@pytest.fixture
async def two(tmp_path):
    """Two storage engines on one database, as two bot processes."""
    database = database_for(tmp_path / "two.sqlite3")
    first, second = Storage(database), Storage(database)
    await first.open()
    await second.open()
    yield first, second
    await first.close()
    await second.close()


async def people(storage: Storage, ids) -> None:
    await asyncio.gather(*(storage.attendees.touch(AttendeeInfo(i, i, f"P{i}"), NOW) for i in ids))


async def test_concurrent_calls_share_one_commit_and_a_failing_one_is_undone_alone(storage):
    await people(storage, range(1, 41))
    engine = storage.database.engine
    batches = engine.batches

    def failing(conn):
        conn.execute("UPDATE attendees SET first_name = 'changed' WHERE user_id = 1")
        raise ValueError("this call fails after writing")

    results = await asyncio.gather(*(storage.bookmarks.toggle(i, "podium", NOW) for i in range(2, 41)),
                                   storage.database.run(failing), return_exceptions=True)
    assert engine.batches - batches < 39  # calls that arrived together committed together
    assert isinstance(results[-1], ValueError)
    assert all(result is True for result in results[:-1])
    assert (await storage.attendees.get(1)).first_name == "P1"  # the failing call's write is gone
    assert len(query(storage.database.location, "SELECT * FROM bookmarks")) == 39  # the others' writes stayed


async def test_a_write_the_database_refuses_fails_its_own_call_even_if_the_answer_comes_later(storage):
    """On PostgreSQL a batch runs in one pipeline: a refused write is only answered with the
    next read or the commit. The refusal still reaches the call that wrote, and only it."""
    await people(storage, range(1, 21))

    def refused(conn):  # a write whose answer nobody reads: a second attendee with the id 1
        conn.execute("INSERT INTO attendees (user_id, chat_id, first_name, first_seen, last_seen) VALUES (1, 1, 'x', 'a', 'a')")

    def counts(conn):
        conn.execute("UPDATE attendees SET first_name = 'counted' WHERE user_id = 2")
        return conn.execute("UPDATE attendees SET last_name = 'n' WHERE user_id > 10").rowcount

    results = await asyncio.gather(*(storage.bookmarks.toggle(i, "podium", NOW) for i in range(3, 13)),
                                   storage.database.run(refused), storage.database.run(counts),
                                   *(storage.bookmarks.toggle(i, "podium", NOW) for i in range(13, 21)),
                                   return_exceptions=True)
    assert isinstance(results[10], Exception)  # the unique key refused it
    assert results[11] == 10  # a row count inside the pipeline is the real one
    assert all(result is True for result in results[:10] + results[12:])
    assert len(query(storage.database.location, "SELECT * FROM bookmarks")) == 18
    assert (await storage.attendees.get(2)).first_name == "counted" and (await storage.attendees.get(1)).first_name == "P1"
    # and when nothing fails (the whole batch in one pipeline), row counts are still the real ones
    results = await asyncio.gather(*(storage.bookmarks.toggle(i, "panel", NOW) for i in range(3, 13)),
                                   storage.database.run(counts), storage.database.run(counts))
    assert results[10:] == [10, 10]


async def test_waitlist_places_in_one_batch_match_the_database(storage, small):
    """Arrivals out of order within one batch: every answer is the place the database gives."""
    ids = list(range(100, 120))
    await people(storage, ids)
    arrivals = [50, 40, 60, 40, 70, 10, 80, 80, 5, 90, 45, 46, 100, 1, 200, 150, 160, 3, 300, 2]
    outcomes = await asyncio.gather(*(storage.registrations.sign_up(small, "ws-zwilling", user, arrival, NOW)
                                      for user, arrival in zip(ids, arrivals)))
    # replay: the place each person had when decided = their rank among those waitlisted before them
    waiting: list[tuple[int, int]] = []
    confirmed = 0
    for user, arrival, outcome in zip(ids, arrivals, outcomes):
        if confirmed < 2:
            confirmed += 1
            assert outcome.status.value == "confirmed"
            continue
        waiting.append((arrival, len(waiting)))
        assert outcome.position == sorted(waiting).index((arrival, len(waiting) - 1)) + 1, (user, arrival)
    final = {r.user_id: r.position for r in await storage.registrations.listed("ws-zwilling") if r.position}
    for user in ids[2:]:
        assert (await storage.registrations.get("ws-zwilling", user)).position == final[user]


async def test_cached_seat_counts_never_overbook_a_batch_of_signups_and_cancels(storage, small):
    ids = list(range(200, 260))
    await people(storage, ids)
    calls = []
    for index, user in enumerate(ids):
        calls.append(storage.registrations.sign_up(small, ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung")[index % 3], user, index, NOW))
        if index % 7 == 6:
            calls.append(storage.registrations.cancel(small, ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung")[(index - 6) % 3],
                                                      ids[index - 6], NOW))
    await asyncio.gather(*calls)
    counts = await storage.registrations.counts()
    for workshop in ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung"):
        stored = query(storage.database.location, "SELECT COUNT(*) FROM registrations WHERE session_id = ? AND state = 'confirmed'",
                       (workshop,))[0][0]
        assert counts[workshop].confirmed == stored == 2  # full, never over: freed seats went to the waitlist


async def test_seat_counts_carried_between_batches_stay_true_through_failures_and_erasure(storage, small):
    await storage.sole_writer(True)
    ids = list(range(300, 330))
    await people(storage, ids)
    for user in ids[:3]:  # one batch each: two seats taken, one waits; the counts are carried
        await storage.registrations.sign_up(small, "ws-zwilling", user, user, NOW)
    assert storage.database.engine._seat_counts["confirmed"] == {("", "ws-zwilling"): 2}  # (conference, session)

    def fails_after_signing_up(conn):
        from bot.domain import signup as rules
        from bot.storage.registrations import SeatBook
        book = SeatBook(conn)
        rules.cancel(book, small, "ws-zwilling", ids[0], NOW)  # frees a seat, moves ids[2] up...
        raise RuntimeError("...and fails: all of it is undone")

    results = await asyncio.gather(storage.database.run(fails_after_signing_up),
                                   *(storage.registrations.sign_up(small, "ws-zwilling", user, user, NOW) for user in ids[3:6]),
                                   return_exceptions=True)
    assert isinstance(results[0], RuntimeError) and [r.status.value for r in results[1:]] == ["waitlisted"] * 3
    assert [r.position for r in results[1:]] == [2, 3, 4]
    await storage.privacy.erase(small, ids[1], NOW)  # erasure frees ids[1]'s seat: ids[2] moves up
    later = [await storage.registrations.sign_up(small, "ws-zwilling", user, user, NOW) for user in ids[6:8]]
    assert [(r.status.value, r.position) for r in later] == [("waitlisted", 4), ("waitlisted", 5)]
    stored = dict(query(storage.database.location, "SELECT state, COUNT(*) FROM registrations WHERE session_id = 'ws-zwilling' "
                                          "AND state IN ('confirmed', 'waitlisted') GROUP BY state"))
    assert stored == {"confirmed": 2, "waitlisted": 5}
    assert storage.database.engine._seat_counts["confirmed"] == {("", "ws-zwilling"): 2}  # (conference, session)


async def test_two_processes_never_claim_the_same_message(two):
    first, second = two
    database = first.database.location
    await people(first, range(1, 301))
    await first.outbox.enqueue([(i, FeedbackPrompt("podium")) for i in range(1, 301)], NOW, NOW)
    claimed: list[int] = []
    while True:
        batches = await asyncio.gather(first.outbox.claim_due(NOW, 40, "a"), second.outbox.claim_due(NOW, 40, "b"))
        if not any(batches):
            break
        claimed += [m.id for batch in batches for m in batch]
    assert len(claimed) == len(set(claimed)) == 300
    owners = dict(query(database, "SELECT claimed_by, COUNT(*) FROM outbox GROUP BY claimed_by"))
    assert set(owners) <= {"a", "b"} and sum(owners.values()) == 300
    # b dies: only its rows go out again, a's stay claimed
    requeued = await first.outbox.requeue_in_flight(live=["a"])
    assert requeued == owners.get("b", 0)


async def test_the_lease_has_one_holder_until_it_runs_out(storage):
    assert await storage.coordination.hold_lease("leader", "a", 10)
    assert not await storage.coordination.hold_lease("leader", "b", 10)
    assert await storage.coordination.hold_lease("leader", "a", 10)  # renewed
    execute(storage.database.location, "UPDATE leases SET expires_at = expires_at - 9")  # 9 s later
    assert not await storage.coordination.hold_lease("leader", "b", 10)
    execute(storage.database.location, "UPDATE leases SET expires_at = expires_at - 2")  # a's lease ran out
    assert await storage.coordination.hold_lease("leader", "b", 10)  # b takes over
    assert not await storage.coordination.hold_lease("leader", "a", 10)


async def test_hosts_whose_clocks_differ_by_seconds_never_lead_together(monkeypatch, two):
    """A lease judged by each host's own clock: b's clock runs 7 s ahead, so a's lease of a
    second looks long expired to b, and both would lead. Judged by the database's clock, b
    waits until a stops renewing; and b reckons the database's time right despite its clock."""
    import bot.cluster as cluster_module
    from bot.cluster import Cluster
    monkeypatch.setattr(Cluster, "LEASE", 1.0)
    first, second = two
    a, b = Cluster(first, alone=False), Cluster(second, alone=False)
    real = time.time
    skewed = lambda: real() + 7.0  # noqa: E731
    await a.beat()
    assert a.is_leader
    for _ in range(4):
        monkeypatch.setattr(cluster_module.time, "time", skewed)
        await b.beat()
        monkeypatch.setattr(cluster_module.time, "time", real)
        await a.beat()
        assert a.is_leader and not b.is_leader
    monkeypatch.setattr(cluster_module.time, "time", skewed)
    assert abs(b.database_time() - real()) < 0.5  # 7 s ahead by its clock, right by the database's
    b_tap = b.database_time()  # a tap reaching b, then (20 ms later) one reaching a: a waiting list keeps their order
    monkeypatch.setattr(cluster_module.time, "time", real)
    await asyncio.sleep(0.02)
    assert b_tap < a.database_time() < b_tap + 0.5
    await a.stop()  # a leaves: b leads at its next beat
    await b.beat()
    assert b.is_leader


async def test_the_shared_send_budget_counts_every_process(two):
    first, second = two
    now = time.time()
    windows = [("overall", 30, 1.0), ("chat:7", 3, 3.0)]
    waits = [(await (first if i % 2 else second).coordination.take_send_slot(windows, now + i * 0.001))[0] for i in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]  # three to one chat, from either process
    assert 2.9 < waits[3] <= 3.0 and 2.9 < waits[4] <= 3.0  # the fourth waits for the first to leave the window
    overall = [(await first.coordination.take_send_slot([("overall", 30, 1.0)], now + 0.01))[0] for _ in range(30)]
    assert overall.count(0.0) == 27 and all(w > 0 for w in overall[27:])  # 3 went to chat 7 already


async def test_a_send_held_up_on_its_way_counts_late_for_every_process(two):
    first, second = two
    now = time.time()
    overall = [("overall", 2, 1.0)]
    assert await first.coordination.take_send_slot(overall, now) == (0.0, now)
    await first.coordination.take_send_slot(overall, now + 0.5)
    await first.coordination.count_send_later(overall, now, now + 0.2)  # it may have arrived 0.2 s late
    wait, moment = await second.coordination.take_send_slot(overall, now + 1.05)
    assert wait == pytest.approx(0.15) and moment is None  # without: sent, within a second of that arrival


async def test_a_chat_window_is_stored_under_a_hash_that_erasure_finds(two):
    first, second = two
    database = first.database.location
    now = time.time()
    assert await first.coordination.take_send_slot([("chat:4242", 1, 3.0)], now) == (0.0, now)
    assert 2.8 < (await second.coordination.take_send_slot([("chat:4242", 1, 3.0)], now + 0.1))[0] <= 3.0  # the same key for both
    rows = query(database, "SELECT key FROM rate_budget")
    assert len(rows) == 1 and "4242" not in rows[0][0]
    assert (await first.privacy.export(4242))["recent_messages_count"]
    await second.coordination.take_send_slot([("chat:77", 3, 3.0)], now)
    await first.privacy.erase(load_program(PROGRAM_FILE), 4242, NOW)
    assert len(query(database, "SELECT key FROM rate_budget")) == 1  # chat 77's window stays
    assert "recent_messages_count" not in await first.privacy.export(4242)


async def test_bulk_sends_of_all_processes_take_turns_in_one_timetable(two):
    first, second = two
    started = time.time()
    slots = [time.time() + await (first if i % 2 else second).coordination.reserve_bulk_slot(0.5) - started
             for i in range(4)]
    assert slots[0] < 0.1  # the first goes at once
    assert all(0.45 < later - earlier < 0.55 for earlier, later in zip(slots, slots[1:]))  # then one per 0.5 s


@pytest.mark.slow  # waits out a lease in real seconds
async def test_when_the_leader_dies_another_process_takes_over_within_the_lease(monkeypatch, two):
    from bot.cluster import Cluster
    monkeypatch.setattr(Cluster, "BEAT", 0.1)
    monkeypatch.setattr(Cluster, "LEASE", 0.5)
    monkeypatch.setattr(Cluster, "DEAD_AFTER", 0.4)
    first, second = two
    led: list[str] = []
    a, b = Cluster(first, alone=False), Cluster(second, alone=False)
    for cluster in (a, b):
        cluster.on_lead(lambda cluster=cluster: _note(led, cluster.instance))
    await a.start()
    await b.start()
    await asyncio.sleep(0.5)
    assert a.is_leader and not b.is_leader and led == [a.instance]
    assert sorted(b.live) == sorted([a.instance, b.instance])
    a._task.cancel()  # a dies: no more heartbeats, no goodbye
    died = time.monotonic()
    while not b.is_leader:
        assert time.monotonic() - died < Cluster.LEASE + 3 * Cluster.BEAT, "nobody took over"
        await asyncio.sleep(0.02)
    assert led == [a.instance, b.instance]
    await asyncio.sleep(0.6)
    assert b.live == [b.instance]  # a's heartbeat is too old: it no longer counts
    await b.stop()


async def _note(led: list[str], instance: str) -> None:
    led.append(instance)


async def test_two_processes_signing_up_at_once_never_overbook_nor_double_seat(small, two):
    """Two storage engines on one database (as two bot processes): the same 60 people try the
    three parallel workshops from both at once; the rules hold across them."""
    first, second = two
    database = first.database.location
    ids = list(range(500, 560))
    await people(first, ids)
    workshops = ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung")
    calls = []
    for index, user in enumerate(ids):
        calls.append(first.registrations.sign_up(small, workshops[index % 3], user, 2 * index, NOW))
        calls.append(second.registrations.sign_up(small, workshops[(index + 1) % 3], user, 2 * index + 1, NOW))
    await asyncio.gather(*calls)
    confirmed = query(database, "SELECT session_id, user_id FROM registrations WHERE state = 'confirmed'")
    per_session = {w: sum(1 for s, _ in confirmed if s == w) for w in workshops}
    assert per_session == {w: 2 for w in workshops}  # every seat taken, none twice
    holders = [user for _, user in confirmed]
    assert len(holders) == len(set(holders))  # nobody holds two overlapping seats
    for workshop in workshops:  # the waitlist is in arrival order, without gaps
        waiting = query(database, "SELECT arrival FROM registrations WHERE session_id = ? AND state = 'waitlisted' "
                                  "ORDER BY arrival, id", (workshop,))
        places = [(await first.registrations.get(workshop, user)).position for user, in query(
            database, "SELECT user_id FROM registrations WHERE session_id = ? AND state = 'waitlisted' "
                      "ORDER BY arrival, id", (workshop,))]
        assert places == list(range(1, len(waiting) + 1))


async def test_a_process_that_joins_others_waits_until_they_know_it_and_then_nobody_is_solo(monkeypatch, two):
    from bot.cluster import Cluster
    monkeypatch.setattr(Cluster, "BEAT", 0.1)
    monkeypatch.setattr(Cluster, "JOIN_GRACE", 0.3)
    first, second = two
    a, b = Cluster(first, alone=False), Cluster(second, alone=False)
    await a.join()
    assert a.solo  # nobody else: the shared budget and the database's word are not needed
    await a.start()
    joined = time.monotonic()
    await b.join()
    assert time.monotonic() - joined >= 0.3  # b waited for a's next beat
    assert not b.solo and not a.solo  # a has seen b meanwhile
    await a.stop()
    await b.beat()
    assert b.solo


@pytest.mark.slow  # waits out a lease in real seconds
async def test_a_process_that_stalled_joins_again_before_it_writes(monkeypatch, two):
    """The others may have counted a stalled process gone and trust themselves alone: its
    next write waits until they have seen it again."""
    from bot.cluster import Cluster
    monkeypatch.setattr(Cluster, "JOIN_GRACE", 0.5)
    first, second = two
    a, b = Cluster(first, alone=False), Cluster(second, alone=False)
    await a.join()
    await b.join()
    await a.beat()
    assert not a.solo
    # b froze: its last beat is DEAD_AFTER + 1 s old
    execute(second.database.location, "UPDATE instances SET heartbeat = heartbeat - ? WHERE id = ?",
            (Cluster.DEAD_AFTER + 1, b.instance))
    b._beaten_at = time.monotonic() - Cluster.DEAD_AFTER - 1
    await a.beat()
    assert a.solo  # b counts as gone: a trusts what it cached
    write = asyncio.create_task(second.conversations.save(1, "ask", "question", {}, NOW.replace(year=2026), NOW))
    await asyncio.sleep(0.2)
    assert not write.done()  # b announced itself and waits for the others to see it
    await a.beat()
    assert not a.solo
    await write
    assert (await first.conversations.get(1)).flow == "ask"
    started = time.monotonic()
    await second.conversations.save(2, "ask", "question", {}, NOW.replace(year=2026), NOW)
    assert time.monotonic() - started < 0.3  # beating as usual: no wait


async def test_while_sole_writer_nothing_pending_is_known_without_the_database(tmp_path):
    database = database_for(tmp_path / "pending.sqlite3")
    storage, other = Storage(database), Storage(database)
    await storage.open()
    await other.open()
    until = NOW.replace(year=2026)
    try:
        await other.conversations.save(1, "ask", "question", {}, until, NOW)  # before: read at the start
        await storage.sole_writer(True)
        calls = storage.database.engine.calls
        assert await storage.conversations.get(2) is None and storage.database.engine.calls == calls  # no round trip
        assert (await storage.conversations.get(1)).flow == "ask"
        await storage.conversations.save(2, "ask", "question", {"x": 1}, until, NOW)
        assert (await storage.conversations.get(2)).data == {"x": 1}
        assert await storage.conversations.end(2) == "ask"
        calls = storage.database.engine.calls
        assert await storage.conversations.get(2) is None and storage.database.engine.calls == calls
        await storage.sole_writer(False)  # another process joined: its writes count, so ask again
        await other.conversations.save(3, "ask", "question", {}, until, NOW)
        assert (await storage.conversations.get(3)).flow == "ask"
    finally:
        await storage.close()
        await other.close()


async def test_touches_arriving_together_are_written_in_one_statement_and_a_bad_one_fails_alone(storage, backend):
    infos = [AttendeeInfo(i, i, f"P{i}", language_code="en" if i % 2 else "de") for i in range(1, 101)]
    before = storage.database.engine.calls
    stored = await asyncio.gather(*(storage.attendees.touch(info, NOW) for info in infos))
    assert [a.first_name for a in stored] == [f"P{i}" for i in range(1, 101)]
    assert [a.telegram_language for a in stored] == [p.language_code for p in infos]
    assert storage.database.engine.calls - before <= 2  # one upsert (or two, if the first went alone), not 100
    assert query(storage.database.location, "SELECT COUNT(*) FROM attendees") == [(100,)]
    bad = AttendeeInfo(500, 500, "Null\x00byte")  # PostgreSQL refuses a NUL in text; SQLite keeps it
    results = await asyncio.gather(*(storage.attendees.touch(info, NOW) for info in
                                     [AttendeeInfo(501, 501, "A"), bad, AttendeeInfo(502, 502, "B")]),
                                   return_exceptions=True)
    assert [r.first_name for r in (results[0], results[2])] == ["A", "B"]
    assert isinstance(results[1], Exception) == (backend == "postgresql")


async def test_a_process_killed_on_this_host_does_not_make_its_successor_wait(storage, monkeypatch):
    import socket

    from bot.cluster import Cluster
    monkeypatch.setattr(Cluster, "JOIN_GRACE", 2.0)
    await storage.coordination.heartbeat(f"{socket.gethostname()}:999999:dead", "2025-06-03T08:00:00")  # no such pid
    started = time.monotonic()
    await Cluster(storage, alone=False).join()
    assert time.monotonic() - started < 1.0


async def test_what_one_process_remembers_of_a_person_never_outlives_another_processes_erasure(two, small):
    """Two processes alive: b erases Anna (she pressed 'delete everything' there); her next tap
    reaches a, which saw her a minute ago. A must store her again before she signs up: had it
    answered from memory, her seat would name a person who is not stored (a broken foreign key)."""
    first, second = two
    for storage in two:
        await storage.sole_writer(False)
    anna = AttendeeInfo(4711, 4711, "Anna")
    await first.attendees.touch(anna, NOW)
    await second.privacy.erase(small, 4711, NOW)
    await first.attendees.touch(anna, NOW)
    outcome = await first.registrations.sign_up(small, "ws-zwilling", 4711, 1, NOW)
    assert outcome.status.value == "confirmed"
    assert (await second.attendees.get(4711)).first_name == "Anna"


async def test_alone_a_process_remembers_who_wrote_and_stops_when_another_joins(tmp_path):
    storage = Storage(database_for(tmp_path / "memory.sqlite3"))
    await storage.open()
    try:
        await storage.sole_writer(True)
        anna = AttendeeInfo(4712, 4712, "Anna")
        await storage.attendees.touch(anna, NOW)
        calls = storage.database.engine.calls
        await storage.attendees.touch(anna, NOW)
        assert storage.database.engine.calls == calls  # alone: remembered, no write
        await storage.sole_writer(False)  # another process joined
        await storage.attendees.touch(anna, NOW)
        assert storage.database.engine.calls == calls + 1
    finally:
        await storage.close()


@pytest.mark.postgres_only
async def test_a_long_read_never_holds_up_a_touch_on_postgresql(storage):
    """The reminder planner reads everybody's sessions (0.2–0.7 s in a burst of sign-ups): on
    PostgreSQL reads have a lane of their own, so a person's touch is not queued behind one
    (SQLite's one connection takes everything in turn)."""
    sleep = "SELECT pg_sleep(0.6)"
    reading = asyncio.create_task(storage.database.run(lambda conn: conn.execute(sleep).fetchall(), write=False))
    await asyncio.sleep(0.05)  # the read is under way
    started = time.monotonic()
    await storage.attendees.touch(AttendeeInfo(7, 7, "Anna"), NOW)
    assert time.monotonic() - started < 0.4 and not reading.done()
    await reading
