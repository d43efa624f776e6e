"""The series without Telegram: which conference a person is in, which are open or over, how a
season's files are checked together, deep links into a conference, and the conference in scope."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot import scope
from bot.domain import deeplink, series
from bot.domain.loader import ProgramError, load_series, program_files
from bot.clock import Clock
from bot.config import Settings
from bot.services import Conferences, ProgramHolder, Services
from bot.storage import AttendeeInfo, Storage
from conftest import PROGRAM_FILE, berlin, database_for


def shifted(program, conference_id: str, days: int):
    """The program moved by `days`, as another conference of the series."""
    def move(moment):
        return moment + timedelta(days=days)
    sessions = tuple(dataclasses.replace(s, start=move(s.start), end=move(s.end)) for s in program.sessions)
    conference = dataclasses.replace(program.conference, id=conference_id, start=move(program.conference.start),
                                     end=move(program.conference.end))
    return dataclasses.replace(program, conference=conference, sessions=sessions)


@pytest.fixture
def season(program):
    return [shifted(program, "past", -60), program, shifted(program, "next", 30), shifted(program, "later", 90)]


def test_a_person_is_in_the_running_conference_else_the_next_else_the_last(season):
    past, halle, nxt, later = season
    assert series.default_conference(season, berlin("2025-06-03 10:00")) is halle
    assert series.default_conference(season, berlin("2025-06-03 20:00")) is halle  # the evening after: still its day
    assert series.default_conference(season, berlin("2025-06-05 10:00")) is nxt  # over: the next one
    assert series.default_conference(season, berlin("2026-01-01 10:00")) is later  # all over: the last one
    assert [p.conference.id for p in series.past_conferences(season, berlin("2025-06-05 10:00"))] == ["rk22-halle", "past"]


def test_a_choice_holds_until_its_conference_is_over_unless_made_after(season):
    now = berlin("2025-06-03 10:00")
    assert series.conference_of(season, "next", now, now).conference.id == "next"
    assert series.conference_of(season, "nonsense", now, now).conference.id == "rk22-halle"
    later = berlin("2025-07-10 10:00")  # "next" ended on 3 July: the choice made before lapses
    assert series.conference_of(season, "next", now, later).conference.id == "later"
    assert series.conference_of(season, "past", later, later).conference.id == "past"  # an organizer looking back


def test_a_season_is_checked_file_by_file_and_as_a_whole(tmp_path):
    text = PROGRAM_FILE.read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")  # the same id twice
    (tmp_path / "c.yaml").write_text(text.replace("  id: rk22-halle\n", ""), encoding="utf-8")  # none
    (tmp_path / "d.yaml").write_text(text.replace("timezone: Europe/Berlin", "timezone: Mars/Olympus"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a program", encoding="utf-8")
    assert [f.name for f in program_files(tmp_path)] == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
    with pytest.raises(ProgramError) as raised:
        load_series(tmp_path)
    problems = [str(p) for p in raised.value.problems]
    assert any(p.startswith(f"{tmp_path / 'b.yaml'}: ") and "'rk22-halle' is taken by" in p for p in problems)
    assert any(p.startswith(f"{tmp_path / 'c.yaml'}: ") and "must be set when there are several" in p for p in problems)
    assert any(p.startswith(f"{tmp_path / 'd.yaml'}: ") and "Mars/Olympus" in p for p in problems)
    assert [p.conference.id for _, p in load_series(tmp_path / "a.yaml")] == ["rk22-halle"]  # one file: as ever
    with pytest.raises(ProgramError, match="taken by"):
        load_series(f"{tmp_path / 'a.yaml'}, {tmp_path / 'b.yaml'}")  # several files, separated by commas


def test_a_deep_link_names_a_conference_and_a_session_of_it():
    assert deeplink.parse("C_rk23-erfurt") == deeplink.InConference("rk23-erfurt", deeplink.Welcome())
    assert deeplink.parse("C_rk23-erfurt_signup-ws-1") == deeplink.InConference("rk23-erfurt", deeplink.SignUp("ws-1"))
    parameter = deeplink.session_parameter("podium", "rk23-erfurt")
    assert parameter == "C_rk23-erfurt_podium" and deeplink.parse(parameter).link == deeplink.ShowSession("podium")
    for forged in ("C_", "C_RK23", "C_rk23_G_abcdefghjkmn", "C_rk23_C_rk24", "C_rk23_Menu"):
        assert deeplink.parse(forged) == deeplink.Invalid(), forged
    long = "x" * 40  # an imported schedule's id may be longer than a program file allows
    assert deeplink.session_parameter(long, "y" * 24) == long  # too long with the conference: the session alone


async def test_rows_belong_to_the_conference_in_scope_and_none_without_one(tmp_path, program):
    storage = Storage(database_for(tmp_path / "scope.sqlite3"))
    storage.database.default_conference = None  # the bot with several conferences
    await storage.open()
    try:
        with pytest.raises(scope.NoConference):
            await storage.bookmarks.of_person(1)
        for conference in ("a", "b"):
            with scope.within(conference):
                await storage.attendees.touch(AttendeeInfo(1, 1, "Anna"), berlin("2025-06-01 10:00"))
                await storage.registrations.sign_up(program, "ws-zwilling", 1, 1, berlin("2025-06-01 10:00"))
        with scope.within("a"):
            assert (await storage.registrations.counts())["ws-zwilling"].confirmed == 1
            await storage.registrations.cancel(program, "ws-zwilling", 1, berlin("2025-06-01 10:00"))
            assert await storage.registrations.of_person(1) == []
        with scope.within("b"):  # the same session id in another conference: untouched
            assert [r.state for r in await storage.registrations.of_person(1)] == ["confirmed"]
    finally:
        await storage.close()


def test_the_program_and_the_organizers_of_the_conference_in_scope(tmp_path, program):
    following = shifted(program, "next", 30)
    following = dataclasses.replace(following, conference=dataclasses.replace(following.conference, organizers=(42,)))
    svc = Services(Settings(admins=frozenset({7})), Clock(), Storage(tmp_path / "unused.sqlite3"),
                   Conferences([ProgramHolder(PROGRAM_FILE, program), ProgramHolder(PROGRAM_FILE, following)]))
    with pytest.raises(scope.NoConference):
        svc.program  # noqa: B018 - several conferences: none is assumed
    with scope.within("next"):
        assert svc.program.current is following and svc.is_admin(42) and svc.is_admin(7)
    with scope.within("rk22-halle"):
        assert svc.program.current is program and not svc.is_admin(42) and svc.is_admin(7)
    assert svc.organizes(42, "next") and not svc.organizes(42, "rk22-halle")


@pytest.mark.postgres_too
async def test_the_opening_counts_only_those_not_told_yet(tmp_path):
    """A second announcement of the same opening reaches only who consented since: its preview
    says so (it said "1 person" and then sent to nobody)."""
    storage = Storage(database_for(tmp_path / "opening.sqlite3"))
    storage.database.default_conference = None
    await storage.open()
    now = berlin("2025-06-03 10:00")
    try:
        with scope.within("rk23-erfurt"):
            await storage.next_conference.consent(1, "de", now)
            assert await storage.next_conference.audience() == 1
            assert await storage.next_conference.announce_opening(now) == 1
            assert await storage.next_conference.audience() == 0
            await storage.next_conference.consent(2, "en", now)
            assert await storage.next_conference.audience() == 1
            assert await storage.next_conference.announce_opening(now) == 1
        with scope.within("rk24-jena"):  # the opening of another conference reaches both again
            assert await storage.next_conference.audience() == 2
    finally:
        await storage.close()
