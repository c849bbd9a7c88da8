"""A pair's planned meeting day: one per pairing, replaced by a new pick, gone once they meet."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from storage.meeting_plans import PlanError, PlanProblem, check_plan_date, plan_meeting
from storage.meetings import log_meeting, plan_of
from storage.models import AuditEntry, MeetingPlan, Pairing, Person, Role
from tests.support import factories

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


@pytest.fixture
def world(arrange):
    with arrange() as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY)
        resident = factories.person(session, prog, role=Role.RESIDENT)
        stranger = factories.person(session, prog, role=Role.RESIDENT)
        pairing = factories.pairing(session, prog, mentor, resident)
    return mentor, resident, stranger, pairing


def _plan(session, person, pairing, planned_on, starts_at=None, now=NOW):
    return plan_meeting(session, person=session.get(Person, person.id), pairing_id=pairing.id, planned_on=planned_on,
                        starts_at=starts_at, today=now.date(), now=now)  # fmt: skip


@pytest.mark.parametrize(
    ("planned_on", "problem"),
    [
        (TODAY, None),
        (date(2027, 11, 26), None),  # 366 days on
        (date(2026, 11, 24), PlanProblem.IN_THE_PAST),
        (date(2027, 11, 27), PlanProblem.TOO_FAR),
    ],
)
def test_check_plan_date(planned_on, problem):
    assert check_plan_date(planned_on, today=TODAY) is problem


def test_a_new_plan_replaces_the_old_one(world, arrange, session_factory):
    mentor, resident, _, pairing = world
    starts_at = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    with arrange() as session:
        planned = _plan(session, mentor, pairing, date(2026, 12, 3), starts_at)
        assert (planned.other.id, planned.next_due_on) == (resident.id, date(2026, 10, 1))
    with arrange() as session:
        _plan(session, resident, pairing, date(2026, 12, 10))
    with session_factory() as session:
        [plan] = session.scalars(select(MeetingPlan))
        assert (plan.planned_on, plan.starts_at, plan.planned_by_id) == (date(2026, 12, 10), None, resident.id)
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "meeting.planned")) == 2


@pytest.mark.parametrize(
    ("who", "planned_on", "ended", "problem"),
    [
        ("stranger", date(2026, 12, 3), False, PlanProblem.NOT_IN_PAIRING),
        ("mentor", date(2026, 12, 3), True, PlanProblem.PAIRING_ENDED),
        ("mentor", date(2026, 11, 1), False, PlanProblem.IN_THE_PAST),
    ],
)
def test_a_refused_plan_writes_nothing(world, arrange, session_factory, who, planned_on, ended, problem):
    mentor, _, stranger, pairing = world
    if ended:
        with arrange() as session:
            factories.end_pairing(session, session.get(Pairing, pairing.id), date(2026, 11, 1))
    with pytest.raises(PlanError) as raised, arrange() as session:
        _plan(session, {"mentor": mentor, "stranger": stranger}[who], pairing, planned_on)
    assert raised.value.problem is problem
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(MeetingPlan)) == 0


@pytest.mark.parametrize(("met_on", "kept"), [(date(2026, 11, 24), True), (date(2026, 11, 25), False)])
def test_logging_a_meeting_on_or_after_the_day_of_planning_fulfils_the_plan(world, arrange, session_factory, met_on, kept):
    mentor, _, _, pairing = world
    with arrange() as session:
        _plan(session, mentor, pairing, date(2026, 12, 3))
    with arrange() as session:
        log_meeting(session, pairing_id=pairing.id, logged_by=session.get(Person, mentor.id), met_on=met_on, now=NOW)
    with session_factory() as session:
        assert (plan_of(session, pairing.id) is not None) is kept
