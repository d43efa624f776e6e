"""The reminder plan: lead times, opt-out, cancellation, moved sessions, daylight saving."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from bot.domain.loader import parse_program
from bot.domain.reminders import Subject, due_now, next_due, plan
from conftest import berlin

EARLY = berlin("2025-06-01 12:00")


def subject(user, session, relation="confirmed", lead=None, since=EARLY, excursion=None):
    return Subject(user, session, relation, since, lead, excursion)


def test_default_lead_15_minutes_and_30_for_the_excursion(program):
    owed = plan(program, [subject(1, "ws-zwilling"), subject(1, "exkursion")])
    by_kind = {(r.session_id, r.kind): r.due for r in owed}
    assert by_kind[("ws-zwilling", "reminder")] == berlin("2025-06-03 13:00")
    assert by_kind[("exkursion", "reminder")] == berlin("2025-06-03 14:15")
    assert by_kind[("exkursion", "reminder_venue")] == berlin("2025-06-03 14:15")  # meeting point as a venue


def test_chosen_lead_and_opt_out(program):
    owed = plan(program, [subject(1, "ws-zwilling", lead=5), subject(2, "ws-zwilling", lead=0), subject(3, "podium", "bookmark", lead=30)])
    assert [(r.user_id, r.session_id, r.due) for r in owed] == [
        (3, "podium", berlin("2025-06-03 10:35")), (1, "ws-zwilling", berlin("2025-06-03 13:10"))]


def test_one_reminder_per_attendee_and_session(program):
    owed = plan(program, [subject(1, "ws-zwilling"), subject(1, "ws-zwilling", "bookmark")])
    assert len(owed) == 1 and owed[0].kind == "reminder"


def test_waitlisted_attendee_gets_a_status_instead(program):
    owed = plan(program, [subject(1, "ws-zwilling", "waitlisted")])
    assert [(r.kind, r.key.split(":")[0]) for r in owed] == [("waitlist_status", "waitlist")]


def test_cancelled_registration_owes_nothing(program):
    # a cancelled registration is simply not a subject any more
    assert plan(program, []) == []


def test_moved_session_moves_the_reminder_and_changes_its_key(program):
    before = plan(program, [subject(1, "podium")])[0]
    session = program.session("podium")
    moved = program.replace_session(dataclasses.replace(session, start=session.start + timedelta(minutes=20),
                                                        end=session.end + timedelta(minutes=20)))
    after = plan(moved, [subject(1, "podium")])[0]
    assert after.due - before.due == timedelta(minutes=20) and after.key != before.key


def test_cancelled_session_owes_nothing(program):
    cancelled = program.replace_session(dataclasses.replace(program.session("podium"), cancelled=True))
    assert plan(cancelled, [subject(1, "podium")]) == []


def test_signing_up_inside_the_window_reminds_at_once_and_after_the_start_never(program):
    late = subject(1, "ws-zwilling", since=berlin("2025-06-03 13:02"))
    (reminder,) = plan(program, [late])
    assert reminder.due == berlin("2025-06-03 13:02") and due_now([reminder], berlin("2025-06-03 13:02:01"))
    assert plan(program, [subject(1, "ws-zwilling", since=berlin("2025-06-03 13:20"))]) == []


def test_a_late_excursion_sign_up_gets_the_bus_and_its_meeting_point_at_once(program):
    # 14:30 is inside the excursion's 30 minutes before the 14:45 departure, whatever the session lead
    owed = plan(program, [subject(1, "exkursion", lead=5, since=berlin("2025-06-03 14:30"))])
    assert {(r.kind, r.due) for r in owed} == {("reminder", berlin("2025-06-03 14:30")),
                                                ("reminder_venue", berlin("2025-06-03 14:30"))}
    assert len(due_now(owed, berlin("2025-06-03 14:30:01"))) == 2 and due_now(owed, berlin("2025-06-03 14:45")) == []


def test_the_excursion_keeps_its_own_lead_time(program):
    def due(**values):
        return {(r.session_id, r.kind): r.due for r in plan(program, [subject(1, "ws-zwilling", **values),
                                                                       subject(1, "exkursion", **values)])}
    owed = due(lead=5)
    assert owed[("ws-zwilling", "reminder")] == berlin("2025-06-03 13:10")
    assert owed[("exkursion", "reminder")] == berlin("2025-06-03 14:15")  # still 30 minutes before the bus
    owed = due(lead=5, excursion=45)
    assert owed[("exkursion", "reminder")] == owed[("exkursion", "reminder_venue")] == berlin("2025-06-03 14:00")
    owed = due(excursion=0)
    assert ("exkursion", "reminder") not in owed and ("ws-zwilling", "reminder") in owed


def test_due_now_drops_reminders_whose_session_started(program):
    owed = plan(program, [subject(1, "podium"), subject(1, "ws-zwilling")])
    assert [r.session_id for r in due_now(owed, berlin("2025-06-03 11:00"))] == ["podium"]
    assert [r.session_id for r in due_now(owed, berlin("2025-06-03 13:05"))] == ["ws-zwilling"]  # podium started: dropped
    assert next_due(owed, berlin("2025-06-03 11:00")) == berlin("2025-06-03 13:00")


DST_PROGRAM = """
conference:
  name: Nachtkonferenz
  timezone: Europe/Berlin
  start: "2025-03-30 00:00"
  end: "2025-03-30 06:00"
  venue: {name: Sternwarte}
sessions:
  - id: nach-umstellung
    kind: talk
    title: Nach der Zeitumstellung
    start: "2025-03-30 03:10"
    end: "2025-03-30 04:00"
"""


def test_lead_time_is_right_across_the_spring_daylight_saving_change():
    program = parse_program(DST_PROGRAM)
    (reminder,) = plan(program, [Subject(1, "nach-umstellung", "confirmed", datetime(2025, 3, 29, tzinfo=timezone.utc), None)])
    # 03:10 CEST is 01:10 UTC; fifteen real minutes before is 00:55 UTC (01:55 CET), not the wall-clock 02:55
    assert reminder.due == datetime(2025, 3, 30, 0, 55, tzinfo=timezone.utc)
    assert reminder.expires - reminder.due == timedelta(minutes=15)


def test_the_bus_reminder_counts_from_the_departure_not_the_start(program):
    session = program.session("exkursion")  # starts 14:45
    point = dataclasses.replace(session.meeting_point, departure=berlin("2025-06-03 14:30"))
    early = program.replace_session(dataclasses.replace(session, meeting_point=point))
    owed = {r.kind: r for r in plan(early, [subject(1, "exkursion")])}
    assert owed["reminder"].due == berlin("2025-06-03 14:00") and owed["reminder"].expires == berlin("2025-06-03 14:30")
    assert owed["reminder_venue"].due == berlin("2025-06-03 14:00")
    assert due_now(list(owed.values()), berlin("2025-06-03 14:31")) == []  # the bus has left: pointless now
    late = subject(2, "exkursion", since=berlin("2025-06-03 14:35"))  # (the rules refuse this sign-up)
    assert plan(early, [late]) == []


def test_a_session_bookmarked_after_it_was_over_brings_no_feedback_question(program):
    from bot.domain.reminders import Subject, feedback_prompts
    during = Subject(1, "podium", "bookmark", berlin("2025-06-03 11:20"), None)
    after = Subject(2, "podium", "bookmark", berlin("2025-06-03 17:00"), None)
    assert [p.user_id for p in feedback_prompts(program, [during, after])] == [1]


def test_a_conference_months_ahead_owes_nothing_until_its_first_session_less_the_longest_lead(program):
    from bot.domain.reminders import quiet_until

    first = min(s.begins for s in program.sessions)
    assert quiet_until(program) == first - timedelta(minutes=60)  # 60: the longest lead one can choose (the bus)
    subjects = [Subject(1, "begruessung", "confirmed", berlin("2025-05-01 10:00"), 60, 60)]
    assert all(r.due >= quiet_until(program) for r in plan(program, subjects))
