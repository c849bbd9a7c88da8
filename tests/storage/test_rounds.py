"""Rounds: deadlines in the program's time zone, one round per year, who is invited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from storage.db import session_scope
from storage.models import PersonStatus, Program, Role, Round
from storage.rounds import (
    RoundError,
    deadline_at_end_of,
    invitees,
    last_answer_day,
    not_answered,
    open_round,
    should_auto_open,
)
from tests.support import factories
from tests.support.refusals import refused

JULY_1 = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_day", "deadline"),
    [
        (date(2026, 7, 15), datetime(2026, 7, 16, 4, 0, tzinfo=UTC)),  # EDT
        (date(2026, 12, 15), datetime(2026, 12, 16, 5, 0, tzinfo=UTC)),  # EST
        (date(2026, 3, 7), datetime(2026, 3, 8, 5, 0, tzinfo=UTC)),  # the night the clocks change
    ],
)
def test_a_deadline_is_the_end_of_the_last_day_in_the_programs_zone(arrange, last_day, deadline):
    with arrange() as session:
        program = factories.program(session)
        assert deadline_at_end_of(program, last_day) == deadline
        assert last_answer_day(program, deadline) == last_day


def test_one_round_per_academic_year(arrange):
    with arrange() as session:
        program = factories.program(session)
        open_round(session, program=program, deadline_at=datetime(2026, 7, 16, 4, tzinfo=UTC), now=JULY_1)
        with refused(RoundError, match="2026–27 matching round is open"):
            open_round(session, program=program, deadline_at=datetime(2026, 7, 20, tzinfo=UTC), now=JULY_1)
        with refused(RoundError, match="must be today or later"):
            later = datetime(2027, 7, 2, tzinfo=UTC)
            open_round(session, program=program, deadline_at=later, now=later)


@pytest.mark.parametrize(
    ("now", "paused", "expected"),
    [
        (datetime(2026, 7, 1, 4, 0, tzinfo=UTC), False, True),  # midnight in New York
        (datetime(2026, 7, 1, 3, 59, tzinfo=UTC), False, False),  # still June 30 there
        (datetime(2026, 7, 30, 12, 0, tzinfo=UTC), False, True),  # catching up after downtime
        (datetime(2026, 7, 31, 12, 0, tzinfo=UTC), False, False),  # too late: a coordinator decides
        (datetime(2026, 11, 25, 12, 0, tzinfo=UTC), False, False),
        (datetime(2026, 7, 1, 13, 0, tzinfo=UTC), True, False),
    ],
)
def test_the_scheduler_opens_a_round_only_just_after_the_year_starts(arrange, now, paused, expected):
    with arrange() as session:
        program = factories.program(session)
        program.paused = paused
        assert should_auto_open(program, None, now) is expected


def test_the_year_start_is_a_program_setting(arrange):
    with arrange() as session:
        program = factories.program(session)
        program.academic_year_start_month, program.academic_year_start_day = 6, 24
        assert should_auto_open(program, None, datetime(2026, 6, 24, 13, tzinfo=UTC))
        assert not should_auto_open(program, None, JULY_1.replace(month=8))
        assert not should_auto_open(program, Round(), datetime(2026, 6, 24, 13, tzinfo=UTC))


def test_invitees_are_everyone_without_a_pairing_who_has_not_withdrawn(session_factory, arrange):
    with arrange() as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.COORDINATOR, name="Coordinator only")
        busy_mentor = factories.person(session, program, role=Role.FACULTY, name="Busy mentor")
        factories.person(session, program, role=Role.FACULTY, name="Free mentor", is_coordinator=True)
        paired = factories.person(session, program, name="Paired resident")
        factories.pairing(session, program, mentor=busy_mentor, resident=paired)
        factories.person(session, program, name="Waiting resident")
        gone = factories.person(session, program, name="Withdrawn resident")
        gone.status = PersonStatus.WITHDRAWN
        program_id = program.id
    with session_scope(session_factory) as session:
        assert [p.name for p in invitees(session, program_id=program_id)] == ["Free mentor", "Waiting resident"]


def test_not_answered_leaves_out_those_who_did(session_factory, arrange):
    with arrange() as session:
        program = factories.program(session)
        answered = factories.person(session, program, name="Answered")
        factories.person(session, program, name="Silent")
        offered = factories.person(session, program, role=Role.FACULTY, name="Offered")
        old_offer = factories.person(session, program, role=Role.FACULTY, name="Offered last year")
        round_ = open_round(session, program=program, deadline_at=datetime(2026, 7, 16, 4, tzinfo=UTC), now=JULY_1)
        factories.preference(session, program, resident=answered, round_=round_)
        factories.offer(session, program, mentor=offered, academic_year=2026)
        factories.offer(session, program, mentor=old_offer, academic_year=2025)
        round_id = round_.id
    with session_scope(session_factory) as session:
        round_ = session.get(Round, round_id)
        assert [p.name for p in not_answered(session, round_=round_)] == ["Offered last year", "Silent"]
        assert session.get(Program, round_.program_id) is not None
