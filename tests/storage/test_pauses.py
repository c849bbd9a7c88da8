"""Pausing and resuming a pairing: the clock stops, reminders wait, paused people are never proposed."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentoring.nudges import NudgePolicy
from mentoring.pauses import PauseLengthError, PauseProblem
from storage.capacity import end_pairing
from storage.db import session_scope
from storage.meetings import log_meeting
from storage.models import AuditEntry, EndReason, OutboxMessage, OutboxState, Pairing, PairingPause, Person, Program, Role
from storage.pause_records import paused_people
from storage.pauses import (
    NotInPairingError,
    PauseOutcome,
    ResumeOutcome,
    close_ended_pauses,
    pause_pairings,
    resume,
)
from storage.proposals import build_problem, propose
from storage.reminders import decide, due_pairings
from tests.support import factories
from tests.support.races import run_together

NOW = datetime(2026, 9, 15, 14, 0, tzinfo=UTC)  # Tue Sep 15, 10:00 in New York
TODAY = date(2026, 9, 15)


@pytest.fixture
def world(arrange):
    with arrange() as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY, name="Dr. Fran")
        riley = factories.person(session, prog, role=Role.RESIDENT, name="Riley")
        sam = factories.person(session, prog, role=Role.RESIDENT, name="Sam")
        first = factories.pairing(session, prog, mentor, riley, started_on=date(2026, 7, 1))
        second = factories.pairing(session, prog, mentor, sam, started_on=date(2026, 7, 1))
    return prog, mentor, riley, sam, first, second


def _person(session: Session, person: Person) -> Person:
    found = session.get(Person, person.id)
    assert found is not None
    return found


def _pause(session, person, pairings, ends_on, now=NOW):
    return pause_pairings(
        session, person=_person(session, person), pairing_ids=[p.id for p in pairings], ends_on=ends_on, now=now
    )


def test_pausing_stops_the_clock_and_the_reminders(world, arrange, session_factory):
    _, mentor, riley, _, first, _ = world
    with arrange() as session:
        # A reminder queued for the old due date must not go out during the pause.
        factories.outbox_dm(session, factories.program_of(session, mentor), [mentor], now=NOW, kind="nudge.approaching",
                            pairing_id=first.id)  # fmt: skip
        [result] = _pause(session, riley, [first], date(2026, 11, 15))
    assert result.outcome is PauseOutcome.PAUSED
    assert result.other.id == mentor.id
    # Due Oct 1 with 16 days left on Sep 15; back on Nov 15, so due Dec 1.
    assert result.next_due_on == date(2026, 12, 1)
    with session_factory() as session:
        pairing = session.get(Pairing, first.id)
        assert (pairing.paused_until, pairing.next_due_on, pairing.next_check_on) == (
            date(2026, 11, 15),
            date(2026, 12, 1),
            date(2026, 11, 17),  # the approaching reminder, 14 days before the new due date
        )
        assert session.scalar(select(OutboxMessage.state)) is OutboxState.CANCELLED
        [pause] = session.scalars(select(PairingPause))
        assert (pause.paused_by_id, pause.starts_on, pause.ends_on, pause.closed_at) == (
            riley.id,
            TODAY,
            date(2026, 11, 15),
            None,
        )
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "pairing.paused"))
        assert entry.details == {"pairing_id": first.id, "until": "2026-11-15"}


def test_a_short_pause_holds_the_sweep_until_the_day_it_ends(world, arrange, session_factory):
    _, _, riley, _, first, _ = world
    with arrange() as session:
        # Back on Sep 29, due Oct 15 (16 days left): the approaching window (Oct 1) comes later.
        _pause(session, riley, [first], date(2026, 9, 22))
        pairing = session.get(Pairing, first.id)
        pairing.next_check_on = TODAY  # as if the sweep had been told to look today anyway
    with arrange() as session:
        program = factories.program_of(session, riley)
        looked = due_pairings(session, program_id=program.id, today=TODAY, limit=10)
        assert decide(session, pairings=looked, policy=NudgePolicy(), today=TODAY, now=NOW) == []
    with session_factory() as session:
        assert session.get(Pairing, first.id).next_check_on == date(2026, 9, 22)


def test_a_mentor_pauses_both_mentees_at_once(world, arrange):
    _, mentor, _, _, first, second = world
    with arrange() as session:
        results = _pause(session, mentor, [second, first], date(2026, 10, 15))
    assert [r.pairing.id for r in results] == sorted([first.id, second.id])
    assert {r.outcome for r in results} == {PauseOutcome.PAUSED}


def test_a_pairing_is_paused_once(world, arrange, session_factory):
    _, mentor, riley, _, first, _ = world
    with arrange() as session:
        _pause(session, riley, [first], date(2026, 11, 15))
    with arrange() as session:
        [again] = _pause(session, mentor, [first], date(2026, 12, 31))
    assert again.outcome is PauseOutcome.ALREADY_PAUSED
    assert again.ends_on == date(2026, 11, 15)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(PairingPause)) == 1


@pytest.mark.parametrize(
    ("ends_on", "problem"),
    [(TODAY, PauseProblem.NOT_AFTER_TODAY), (date(2027, 3, 16), PauseProblem.TOO_LONG)],
)
def test_an_end_date_the_rules_refuse_writes_nothing(world, arrange, session_factory, ends_on, problem):
    _, _, riley, _, first, _ = world
    with pytest.raises(PauseLengthError) as raised, arrange() as session:
        _pause(session, riley, [first], ends_on)
    assert raised.value.problem is problem
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(PairingPause)) == 0
        assert session.get(Pairing, first.id).paused_until is None


def test_only_the_pairings_own_people_may_pause_it(world, arrange):
    _, _, riley, _, _, second = world
    with pytest.raises(NotInPairingError), arrange() as session:
        _pause(session, riley, [second], date(2026, 10, 1))


def test_an_ended_pairing_is_not_paused(world, arrange):
    _, _, riley, _, first, _ = world
    with arrange() as session:
        factories.end_pairing(session, session.get(Pairing, first.id), date(2026, 9, 1))
    with arrange() as session:
        [result] = _pause(session, riley, [first], date(2026, 10, 1))
    assert result.outcome is PauseOutcome.PAIRING_ENDED


def test_resuming_early_gives_back_the_time_left_from_today(world, arrange, session_factory):
    _, _, riley, _, first, _ = world
    with arrange() as session:
        _pause(session, riley, [first], date(2026, 11, 15))
    with arrange() as session:
        [result] = resume(session, person=_person(session, riley), now=NOW + timedelta(days=20))
    assert result.outcome is ResumeOutcome.RESUMED
    assert result.next_due_on == date(2026, 10, 5) + timedelta(days=16)  # 16 days left, back on Oct 5
    with session_factory() as session:
        pairing = session.get(Pairing, first.id)
        assert pairing.paused_until is None
        assert pairing.next_check_on == date(2026, 10, 7)
        [pause] = session.scalars(select(PairingPause))
        assert (pause.ends_on, pause.ended_early) == (date(2026, 10, 5), True)
        assert pause.closed_at is not None  # the pair is told now, not again on Nov 15


def test_a_pause_ended_the_day_it_began_leaves_nothing(world, arrange, session_factory):
    _, _, riley, _, first, _ = world
    with arrange() as session:
        _pause(session, riley, [first], date(2026, 11, 15))
    with arrange() as session:
        [result] = resume(session, person=_person(session, riley), now=NOW + timedelta(hours=2))
    assert result.outcome is ResumeOutcome.RESUMED and result.next_due_on == date(2026, 10, 1)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(PairingPause)) == 0


def test_the_other_person_cannot_end_a_pause_and_is_told_when_it_ends(world, arrange):
    _, mentor, riley, _, first, _ = world
    with arrange() as session:
        _pause(session, riley, [first], date(2026, 11, 15))
    with arrange() as session:
        results = resume(session, person=_person(session, mentor), now=NOW)
    assert [(r.outcome, r.ends_on) for r in results] == [(ResumeOutcome.NOT_YOURS, date(2026, 11, 15))]
    with arrange() as session:
        assert [r.outcome for r in resume(session, person=_person(session, riley), now=NOW, pairing_ids=[999])] == [
            ResumeOutcome.NOT_PAUSED
        ]


def test_a_pause_is_closed_once_on_the_day_it_ends(world, arrange, session_factory):
    prog, _, riley, sam, first, second = world
    with arrange() as session:
        _pause(session, riley, [first], date(2026, 10, 1))
        _pause(session, sam, [second], date(2026, 10, 2))
    for day, expected in [(date(2026, 9, 30), []), (date(2026, 10, 1), [first.id]), (date(2026, 10, 1), []), (date(2026, 10, 3), [second.id])]:  # fmt: skip
        with arrange() as session:
            ended = close_ended_pauses(session, program_id=prog.id, today=day, now=NOW, limit=10)
            assert [e.pairing.id for e in ended] == expected, day
    with session_factory() as session:
        assert session.get(Pairing, first.id).paused_until is None


def test_a_pairing_that_ends_closes_its_pause_but_the_person_stays_paused(world, arrange, session_factory):
    prog, _, riley, _, first, _ = world
    with arrange() as session:
        _pause(session, riley, [first], date(2026, 11, 15))
    with arrange() as session:
        program = session.get(Program, prog.id)
        end_pairing(session, session.get(Pairing, first.id), reason=EndReason.COORDINATOR, program=program, now=NOW)
    with arrange() as session:
        assert close_ended_pauses(session, program_id=prog.id, today=date(2026, 12, 1), now=NOW, limit=10) == []
        assert paused_people(session, program_id=prog.id, today=date(2026, 11, 14)) == {riley.id}
        # Back from leave early: available for matching again from today.
        [result] = resume(session, person=_person(session, riley), now=NOW + timedelta(days=5))
        assert result.outcome is ResumeOutcome.LEAVE_ENDED
        assert paused_people(session, program_id=prog.id, today=date(2026, 9, 20)) == set()


def test_a_meeting_logged_during_a_pause_does_not_wake_the_sweep_early(world, arrange, session_factory):
    _, mentor, riley, _, first, _ = world
    with arrange() as session:
        _pause(session, riley, [first], date(2026, 11, 15))
    with arrange() as session:
        log_meeting(
            session,
            pairing_id=first.id,
            logged_by=_person(session, mentor),
            met_on=date(2026, 9, 20),
            now=NOW + timedelta(days=5),
        )
    with session_factory() as session:
        pairing = session.get(Pairing, first.id)
        # A full interval from the pause's end: Nov 15 + 92 days (Sep 20 -> Dec 20).
        assert pairing.next_due_on == date(2026, 11, 15) + timedelta(days=91)
        assert pairing.next_check_on >= date(2026, 11, 15)


def test_paused_people_are_never_proposed(world, arrange, session_factory):
    prog, mentor, riley, _, first, _ = world
    with arrange() as session:
        program = session.get(Program, prog.id)
        other_mentor = factories.person(session, program, role=Role.FACULTY, name="Dr. Gil")
        waiting = factories.person(session, program, role=Role.RESIDENT, name="Wren")
        also_waiting = factories.person(session, program, role=Role.RESIDENT, name="Ash")
        for faculty in (session.get(Person, mentor.id), other_mentor):
            factories.offer(session, program, mentor=faculty, capacity=2)
        # Riley pauses, then the pairing ends: Riley waits for a new mentor, on leave.
        _pause(session, riley, [first], date(2026, 12, 1))
        end_pairing(session, session.get(Pairing, first.id), reason=EndReason.COORDINATOR, program=program, now=NOW)
    with arrange() as session:
        # Dr. Gil pauses too (their own pairing with Ash, which then ends).
        program = session.get(Program, prog.id)
        gil_pairing = factories.pairing(
            session, program, session.get(Person, other_mentor.id), session.get(Person, also_waiting.id)
        )
        _pause(session, other_mentor, [gil_pairing], date(2026, 12, 1))
        end_pairing(session, gil_pairing, reason=EndReason.COORDINATOR, program=program, now=NOW)
    with arrange() as session:
        program = session.get(Program, prog.id)
        residents = [session.get(Person, p.id) for p in (riley, waiting, also_waiting)]
        problem = build_problem(session, program=program, year=2026, residents=residents, paused={riley.id, other_mentor.id})
        assert {r.id for r in problem.residents} == {str(waiting.id), str(also_waiting.id)}
        assert {m.id for m in problem.mentors} == {str(mentor.id)}
        proposal = propose(session, program=program, year=2026, round_=None, residents=residents, now=NOW)
        proposed = {(p.mentor_id, p.resident_id) for p in proposal.pairs}
        assert all(riley.id not in pair and other_mentor.id not in pair for pair in proposed)
        # Dr. Fran (one place left, with Sam) takes one of the two who are not paused.
        assert len(proposed) == 1 and {m for m, _ in proposed} == {mentor.id}
        assert {r for _, r in proposed} < {waiting.id, also_waiting.id}


# --- PostgreSQL: both people pausing at the same moment ---------------------------------------------


@pytest.mark.postgres
def test_both_people_pausing_at_once_give_one_pause(pg_session_factory):
    with session_scope(pg_session_factory) as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY)
        resident = factories.person(session, prog, role=Role.RESIDENT)
        pairing_id = factories.pairing(session, prog, mentor, resident, started_on=date(2026, 7, 1)).id
    people = iter([(mentor.id, date(2026, 10, 15)), (resident.id, date(2026, 11, 15))])
    lock = threading.Lock()

    def pause_now(barrier: threading.Barrier) -> PauseOutcome:
        with lock:
            person_id, ends_on = next(people)
        with session_scope(pg_session_factory) as session:
            # Both read the pairing (no pause yet) before either locks it: the race is real.
            session.get(Pairing, pairing_id)
            barrier.wait()
            person = session.get(Person, person_id)
            [result] = pause_pairings(session, person=person, pairing_ids=[pairing_id], ends_on=ends_on, now=NOW)
            return result.outcome

    outcomes = run_together(pause_now)
    assert sorted(map(str, outcomes)) == sorted(map(str, [PauseOutcome.PAUSED, PauseOutcome.ALREADY_PAUSED]))
    with session_scope(pg_session_factory) as session:
        [pause] = session.scalars(select(PairingPause))
        pairing = session.get(Pairing, pairing_id)
        assert pairing.paused_until == pause.ends_on
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "pairing.paused")) == 1


@pytest.mark.postgres
def test_the_open_pause_index_holds_even_without_the_row_lock(pg_session_factory):
    """The database's own guard: a second open pause of one pairing is refused outright."""
    with session_scope(pg_session_factory) as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY)
        resident = factories.person(session, prog, role=Role.RESIDENT)
        pairing = factories.pairing(session, prog, mentor, resident)
        row = {"program_id": prog.id, "pairing_id": pairing.id, "paused_by_id": mentor.id, "starts_on": TODAY,
               "ends_on": date(2026, 10, 1), "ended_early": False, "created_at": NOW}  # fmt: skip
        session.add(PairingPause(**row))
        session.flush()
        session.add(PairingPause(**(row | {"paused_by_id": resident.id})))
        with pytest.raises(Exception, match="uq_pauses_open_pairing"):
            session.flush()
        session.rollback()
