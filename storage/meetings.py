"""Meetings: logging one, which moves the pair's due date.

A logged meeting moves the pair's due date (mentoring.cadence.next_due) and with it the day the
reminder sweep next looks at the pair; reminders queued for the old due date are cancelled.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from mentoring.cadence import Pause, next_due
from mentoring.nudges import NudgePolicy, first_nudge_date
from storage import audit
from storage.inserts import insert_one_ignoring_conflicts
from storage.models import Meeting, MeetingPlan, OutboxMessage, OutboxState, Pairing, Person, Program
from storage.outbox import not_yet_sent
from storage.outbox_kinds import NUDGE_PREFIX
from storage.pairings import counterpart_of
from storage.pause_records import pauses_of
from storage.programs import person_today, policy_of, program_today


def reschedule(pairing: Pairing, policy: NudgePolicy, pauses: Sequence[Pause] = ()) -> None:
    """Recompute the due date from start, last meeting and pauses, and when the sweep should
    next look (not before a pause in effect ends)."""
    pairing.next_due_on = next_due(pairing.started_on, pairing.last_met_on, pauses, every_months=policy.cadence_months)
    first_look = first_nudge_date(pairing.next_due_on, policy)
    pairing.next_check_on = max(first_look, pairing.paused_until) if pairing.paused_until else first_look


class MeetingProblem(enum.Enum):
    NOT_IN_PAIRING = "not_in_pairing"
    PAIRING_ENDED = "pairing_ended"
    IN_THE_FUTURE = "in_the_future"
    BEFORE_START = "before_start"


class MeetingError(Exception):
    def __init__(self, problem: MeetingProblem, started_on: date | None = None) -> None:
        super().__init__(problem.value)
        self.problem, self.started_on = problem, started_on


@dataclass(frozen=True)
class MeetingLogged:
    pairing: Pairing
    met_on: date
    new: bool  # False: that day was already logged, nothing changed
    next_due_on: date
    logged_by: Person
    other: Person


def check_meeting_date(met_on: date, *, started_on: date, today: date) -> MeetingProblem | None:
    """Pure: a meeting is on or after the pairing's start and not after today."""
    if met_on > today:
        return MeetingProblem.IN_THE_FUTURE
    if met_on < started_on:
        return MeetingProblem.BEFORE_START
    return None


def _check_meeting(session: Session, pairing: Pairing | None, *, logged_by: Person, met_on: date, now: datetime) -> Program:
    """The pairing's program if `logged_by` may log a meeting on `met_on`; else MeetingError."""
    if pairing is None or logged_by.id not in (pairing.mentor_id, pairing.resident_id):
        raise MeetingError(MeetingProblem.NOT_IN_PAIRING)
    if pairing.ended_on is not None:
        raise MeetingError(MeetingProblem.PAIRING_ENDED)
    program = session.get(Program, pairing.program_id)
    assert program is not None
    problem = check_meeting_date(met_on, started_on=pairing.started_on, today=person_today(logged_by, program, now))
    if problem is not None:
        raise MeetingError(problem, pairing.started_on)
    return program


def check_meeting(session: Session, *, pairing_id: int, logged_by: Person, met_on: date, now: datetime) -> None:
    """Read-only: raise MeetingError if log_meeting would refuse (for a form's quick check)."""
    _check_meeting(session, session.get(Pairing, pairing_id), logged_by=logged_by, met_on=met_on, now=now)


def log_meeting(session: Session, *, pairing_id: int, logged_by: Person, met_on: date, now: datetime) -> MeetingLogged:
    """Record that the pair met on `met_on`. Either person may log it; the same day twice is a no-op.

    Raises MeetingError when the person is not in this pairing, it has ended, or the date is
    in the future (on the logger's calendar) or before the pairing started.
    """
    pairing = session.get(Pairing, pairing_id, with_for_update=True)
    program = _check_meeting(session, pairing, logged_by=logged_by, met_on=met_on, now=now)
    assert pairing is not None

    other = counterpart_of(pairing, logged_by.id)
    new = insert_one_ignoring_conflicts(
        session,
        Meeting,
        {"pairing_id": pairing.id, "met_on": met_on, "logged_by_id": logged_by.id, "created_at": now},
        conflict_columns=("pairing_id", "met_on"),
    )
    if new:
        fulfil_plan(session, program=program, pairing_id=pairing.id, met_on=met_on)
    if new and (pairing.last_met_on is None or met_on > pairing.last_met_on):
        pairing.last_met_on = met_on
        old_due = pairing.next_due_on
        reschedule(pairing, policy_of(program), pauses_of(session, pairing.id))
        if pairing.next_due_on != old_due:
            cancel_pending_nudges(session, pairing_id=pairing.id)
    if new:
        audit.record(
            session, program_id=program.id, at=now, action="meeting.logged", actor=logged_by, subject=other,
            details={"pairing_id": pairing.id, "met_on": met_on.isoformat()},
        )  # fmt: skip
    assert pairing.next_due_on is not None
    return MeetingLogged(pairing, met_on, new, pairing.next_due_on, logged_by, other)


def plan_of(session: Session, pairing_id: int) -> MeetingPlan | None:
    """The day the pair said it will meet (storage/meeting_plans.py), if any."""
    return session.scalars(select(MeetingPlan).where(MeetingPlan.pairing_id == pairing_id)).first()


def fulfil_plan(session: Session, *, program: Program, pairing_id: int, met_on: date) -> None:
    """A meeting was logged: a plan made on or before that day has been kept (or overtaken)."""
    plan = plan_of(session, pairing_id)
    if plan is not None and met_on >= program_today(program, plan.created_at):
        session.execute(delete(MeetingPlan).where(MeetingPlan.id == plan.id))


def cancel_pending_nudges(session: Session, *, pairing_id: int, reason: str = "a meeting was logged") -> int:
    """Reminders (and escalations) queued for a due date that has moved (the pair met, or
    paused): no longer true."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.pairing_id == pairing_id,
            not_yet_sent(),
            OutboxMessage.kind.startswith(NUDGE_PREFIX),
        )
        .values(state=OutboxState.CANCELLED, last_error=reason)
    )
    return cast("CursorResult[Any]", result).rowcount or 0
