"""The day a pair says it will meet ("we'll meet on…"): one plan per pairing, replaced when they
pick another day, dropped once a meeting on or after the day they planned it is logged.

The plan itself changes no due date and no reminder: the pair's group DM gets calendar links,
and the meeting counts only once it is logged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from storage import audit
from storage.meetings import other_person, plan_of
from storage.models import MeetingPlan, Pairing, Person

# Far enough for any sensible plan, near enough to catch a mistyped year.
FURTHEST_PLAN = timedelta(days=366)


class PlanProblem(enum.Enum):
    NOT_IN_PAIRING = "not_in_pairing"
    PAIRING_ENDED = "pairing_ended"
    IN_THE_PAST = "in_the_past"
    TOO_FAR = "too_far"


class PlanError(Exception):
    def __init__(self, problem: PlanProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def check_plan_date(planned_on: date, *, today: date) -> PlanProblem | None:
    """Pure: a plan is for today or a later day within a year."""
    if planned_on < today:
        return PlanProblem.IN_THE_PAST
    if planned_on > today + FURTHEST_PLAN:
        return PlanProblem.TOO_FAR
    return None


@dataclass(frozen=True)
class Planned:
    pairing: Pairing
    planner: Person
    other: Person
    planned_on: date
    starts_at: datetime | None
    next_due_on: date


def plan_meeting(
    session: Session, *, person: Person, pairing_id: int, planned_on: date, starts_at: datetime | None, today: date, now: datetime
) -> Planned:
    """Record the day (and maybe the time) the pair will meet. `today` is the planner's own date.
    Raises PlanError when the person is not in an active pairing or the day is refused."""
    pairing = session.get(Pairing, pairing_id, with_for_update=True, populate_existing=True)
    if pairing is None or person.id not in (pairing.mentor_id, pairing.resident_id):
        raise PlanError(PlanProblem.NOT_IN_PAIRING)
    if not pairing.active:
        raise PlanError(PlanProblem.PAIRING_ENDED)
    problem = check_plan_date(planned_on, today=today)
    if problem is not None:
        raise PlanError(problem)
    plan = plan_of(session, pairing.id)
    if plan is None:
        plan = MeetingPlan(pairing_id=pairing.id, created_at=now)
        session.add(plan)
    plan.planned_on, plan.starts_at, plan.planned_by_id, plan.created_at = planned_on, starts_at, person.id, now
    other = other_person(pairing, person.id)
    audit.record(
        session, program_id=pairing.program_id, at=now, action="meeting.planned", actor=person, subject=other,
        details={"pairing_id": pairing.id, "planned_on": planned_on.isoformat()},
    )  # fmt: skip
    session.flush()
    assert pairing.next_due_on is not None
    return Planned(pairing, person, other, planned_on, starts_at, pairing.next_due_on)
