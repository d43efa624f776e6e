"""Sign-up rules, run inside real storage transactions (SQLite in a temp file)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import pytest

from bot.domain.signup import Status
from bot.storage import AttendeeInfo, Storage
from conftest import database_for, berlin

NOW = berlin("2025-06-03 10:00")
arrivals = itertools.count(1)


@pytest.fixture
async def storage(tmp_path):
    storage = Storage(database_for(tmp_path / "rules.sqlite3"))
    await storage.open()
    yield storage
    await storage.close()


@pytest.fixture
def small(program):
    """The Halle program with workshops of 2 seats and an excursion of 1."""
    for session_id, seats in (("ws-zwilling", 2), ("ws-mobilitaet", 2), ("ws-beteiligung", 2), ("exkursion", 1)):
        program = program.replace_session(dataclasses.replace(program.session(session_id), capacity=seats))
    return program


async def people(storage, *ids):
    for user_id in ids:
        await storage.attendees.touch(AttendeeInfo(user_id, user_id, f"P{user_id}"), NOW)


async def sign(storage, program, session_id, user_id):
    return await storage.registrations.sign_up(program, session_id, user_id, next(arrivals), NOW)


async def test_confirm_then_twice_changes_nothing(storage, small):
    await people(storage, 1)
    assert (await sign(storage, small, "ws-zwilling", 1)).status == Status.CONFIRMED
    assert (await sign(storage, small, "ws-zwilling", 1)).status == Status.ALREADY_CONFIRMED
    assert (await storage.registrations.counts())["ws-zwilling"].confirmed == 1


async def test_only_sessions_with_capacity_take_signups(storage, small):
    await people(storage, 1)
    assert (await sign(storage, small, "podium", 1)).status == Status.NO_SIGNUP
    assert (await sign(storage, small, "nope", 1)).status == Status.UNKNOWN_SESSION


async def test_full_session_waitlists_with_position(storage, small):
    await people(storage, 1, 2, 3, 4)
    for user in (1, 2):
        assert (await sign(storage, small, "ws-zwilling", user)).status == Status.CONFIRMED
    third = await sign(storage, small, "ws-zwilling", 3)
    fourth = await sign(storage, small, "ws-zwilling", 4)
    assert (third.status, third.position) == (Status.WAITLISTED, 1)
    assert (fourth.status, fourth.position) == (Status.WAITLISTED, 2)
    again = await sign(storage, small, "ws-zwilling", 4)
    assert (again.status, again.position) == (Status.ALREADY_WAITLISTED, 2)


async def test_cancel_promotes_first_in_line_and_queues_a_message(storage, small):
    await people(storage, 1, 2, 3, 4)
    for user in (1, 2, 3, 4):
        await sign(storage, small, "ws-zwilling", user)
    outcome = await storage.registrations.cancel(small, "ws-zwilling", 1, NOW)
    assert outcome.status == Status.CANCELLED
    assert [(p.user_id, p.session_id) for p in outcome.promotions] == [(3, "ws-zwilling")]
    mine = {r.session_id: r for r in await storage.registrations.of_person(4)}
    assert mine["ws-zwilling"].position == 1
    rows = await storage.outbox.rows("promoted")
    assert [(r.user_id, r.state) for r in rows] == [(3, "pending")]


async def test_leaving_the_waitlist_promotes_nobody(storage, small):
    await people(storage, 1, 2, 3)
    for user in (1, 2, 3):
        await sign(storage, small, "ws-zwilling", user)
    outcome = await storage.registrations.cancel(small, "ws-zwilling", 3, NOW)
    assert outcome.status == Status.LEFT_WAITLIST and not outcome.promotions
    assert (await storage.registrations.cancel(small, "ws-zwilling", 3, NOW)).status == Status.NOT_REGISTERED


async def test_overlapping_seat_offers_a_switch(storage, small):
    await people(storage, 1)
    await sign(storage, small, "ws-zwilling", 1)
    outcome = await sign(storage, small, "ws-mobilitaet", 1)
    assert (outcome.status, outcome.other_session_id) == (Status.CONFLICT, "ws-zwilling")
    # excursion does not overlap the workshops: both are fine
    assert (await sign(storage, small, "exkursion", 1)).status == Status.CONFIRMED


async def test_switch_with_free_seat_moves_and_promotes_old_waitlist(storage, small):
    await people(storage, 1, 2, 3)
    for user in (1, 2, 3):
        await sign(storage, small, "ws-zwilling", user)  # 3 waits
    outcome = await storage.registrations.switch(small, "ws-zwilling", "ws-mobilitaet", 1, next(arrivals), NOW)
    assert outcome.status == Status.SWITCHED
    assert [p.user_id for p in outcome.promotions] == [3]
    states = {r.session_id: r.state for r in await storage.registrations.of_person(1)}
    assert states == {"ws-mobilitaet": "confirmed"}


async def test_switch_to_full_session_keeps_old_seat(storage, small):
    await people(storage, 1, 2, 3)
    await sign(storage, small, "ws-zwilling", 1)
    for user in (2, 3):
        await sign(storage, small, "ws-mobilitaet", user)
    outcome = await storage.registrations.switch(small, "ws-zwilling", "ws-mobilitaet", 1, next(arrivals), NOW)
    assert (outcome.status, outcome.other_session_id) == (Status.SWITCH_FULL, "ws-zwilling")
    assert {r.session_id: r.state for r in await storage.registrations.of_person(1)} == {"ws-zwilling": "confirmed"}
    waiting = await storage.registrations.join_waitlist(small, "ws-mobilitaet", 1, next(arrivals), NOW)
    assert (waiting.status, waiting.position, waiting.other_session_id) == (Status.WAITLISTED, 1, "ws-zwilling")
    # a seat frees up: 1 moves over, and its old seat is released
    outcome = await storage.registrations.cancel(small, "ws-mobilitaet", 2, NOW)
    assert [(p.user_id, p.released) for p in outcome.promotions] == [(1, "ws-zwilling")]
    assert {r.session_id: r.state for r in await storage.registrations.of_person(1)} == {"ws-mobilitaet": "confirmed"}


async def test_nobody_ever_holds_two_overlapping_seats(storage, small):
    await people(storage, *range(1, 9))
    workshops = ["ws-zwilling", "ws-mobilitaet", "ws-beteiligung"]
    for user in range(1, 9):
        for session_id in workshops:
            outcome = await sign(storage, small, session_id, user)
            if outcome.status == Status.CONFLICT:
                await storage.registrations.join_waitlist(small, session_id, user, next(arrivals), NOW)
    for user in range(1, 5):
        await storage.registrations.cancel(small, workshops[user % 3], user, NOW)
    for user in range(1, 9):
        confirmed = [r for r in await storage.registrations.of_person(user) if r.state == "confirmed" and r.session_id in workshops]
        assert len(confirmed) <= 1, (user, confirmed)
    counts = await storage.registrations.counts()
    assert all(counts[s].confirmed <= 2 for s in workshops)


async def test_signup_closes_when_the_session_starts(storage, small):
    await people(storage, 1)
    late = berlin("2025-06-03 13:20")
    outcome = await storage.registrations.sign_up(small, "ws-zwilling", 1, next(arrivals), late)
    assert outcome.status == Status.CLOSED


def leaving_early(program, minutes: int = 15):
    """The excursion's bus leaves `minutes` before the session starts."""
    session = program.session("exkursion")
    point = dataclasses.replace(session.meeting_point, departure=session.start - timedelta(minutes=minutes))
    return program.replace_session(dataclasses.replace(session, meeting_point=point))


async def test_signup_closes_when_the_bus_leaves_not_at_the_start(storage, small):
    early = leaving_early(small)  # bus 14:30, session 14:45
    await people(storage, 1, 2)
    assert (await storage.registrations.sign_up(early, "exkursion", 1, next(arrivals), berlin("2025-06-03 14:29"))).status == Status.CONFIRMED
    refused = await storage.registrations.sign_up(early, "exkursion", 2, next(arrivals), berlin("2025-06-03 14:35"))
    assert refused.status == Status.DEPARTED
    assert (await storage.registrations.sign_up(small, "exkursion", 2, next(arrivals), berlin("2025-06-03 14:35"))).status \
        == Status.WAITLISTED  # with the bus at the start, 14:35 is still open


async def test_capacity_change_never_drops_anyone(storage, small):
    await people(storage, 1, 2, 3, 4)
    for user in (1, 2, 3, 4):
        await sign(storage, small, "ws-zwilling", user)
    lowered = small.replace_session(dataclasses.replace(small.session("ws-zwilling"), capacity=1))
    promotions, overbooked = await storage.registrations.reconcile_capacities(lowered, NOW)
    assert not promotions and [(o.session_id, o.confirmed, o.capacity) for o in overbooked] == [("ws-zwilling", 2, 1)]
    assert (await storage.registrations.counts())["ws-zwilling"].confirmed == 2
    outcome = await storage.registrations.cancel(lowered, "ws-zwilling", 1, NOW)
    assert not outcome.promotions  # still at capacity after the cancellation
    raised = small.replace_session(dataclasses.replace(small.session("ws-zwilling"), capacity=3))
    promotions, overbooked = await storage.registrations.reconcile_capacities(raised, NOW)
    assert [p.user_id for p in promotions] == [3, 4] and not overbooked


async def test_waitlist_order_follows_arrival_not_call_order(storage, small):
    await people(storage, 1, 2, 3, 4)
    await storage.registrations.sign_up(small, "ws-zwilling", 1, 10, NOW)
    await storage.registrations.sign_up(small, "ws-zwilling", 2, 20, NOW)
    await storage.registrations.sign_up(small, "ws-zwilling", 4, 400, NOW)  # arrived later, processed first
    await storage.registrations.sign_up(small, "ws-zwilling", 3, 300, NOW)
    positions = {r.user_id: r.position for r in await storage.registrations.listed("ws-zwilling") if r.state == "waitlisted"}
    assert positions == {3: 1, 4: 2}


async def test_registrations_survive_reopening(tmp_path, small):
    path = database_for(tmp_path / "durable.sqlite3")
    storage = Storage(path)
    await storage.open()
    await people(storage, 1, 2, 3)
    for user in (1, 2, 3):
        await sign(storage, small, "ws-zwilling", user)
    await storage.close()
    reopened = Storage(path)
    await reopened.open()
    listed = await reopened.registrations.listed("ws-zwilling")
    assert [(r.user_id, r.state) for r in listed] == [(1, "confirmed"), (2, "confirmed"), (3, "waitlisted")]
    await reopened.close()


async def test_a_seat_is_never_taken_from_someone_who_did_not_queue_to_move(storage, small):
    """Anna waits for Workshop 1 and then takes the excursion; a delay makes the two overlap.
    When a seat in Workshop 1 frees, she is passed over (she keeps the excursion and her place
    in line) and Ben, behind her, gets it: nobody loses a seat without having said so."""
    from bot.domain.changes import apply_overrides, delay
    await people(storage, 1, 2, 3, 4)
    for user in (1, 4):
        await sign(storage, small, "ws-zwilling", user)  # the two seats are taken
    assert (await sign(storage, small, "ws-zwilling", 2)).status == Status.WAITLISTED  # Anna waits
    assert (await sign(storage, small, "exkursion", 2)).status == Status.CONFIRMED  # and takes the bus
    assert (await sign(storage, small, "ws-zwilling", 3)).status == Status.WAITLISTED  # Ben waits behind her
    moved = apply_overrides(small, delay(small, "ws-zwilling", 90))  # 14:45: now it overlaps the bus
    outcome = await storage.registrations.cancel(moved, "ws-zwilling", 1, NOW)
    assert [(p.session_id, p.user_id, p.released) for p in outcome.promotions] == [("ws-zwilling", 3, None)]
    assert (await storage.registrations.get("exkursion", 2)).state == "confirmed"
    assert (await storage.registrations.get("ws-zwilling", 2)).state == "waitlisted"
