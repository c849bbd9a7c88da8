"""Matching rounds: one per program and academic year.

OPEN      invitations sent, answers accepted until deadline_at (one reminder before it)
PROPOSED  answers closed, the matcher's proposal awaits a coordinator
CLOSED    the proposal was approved; later requests join the mid-year queue
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage import audit
from storage.models import (
    MentorOffer,
    Pairing,
    Person,
    PersonStatus,
    Program,
    ResidentPreference,
    Role,
    Round,
    RoundState,
)
from storage.programs import academic_calendar, academic_year, program_today, program_zone

DEFAULT_ANSWER_DAYS = 14
REMINDER_BEFORE_DEADLINE = timedelta(days=3)
# The scheduler opens a round by itself only this soon after the academic year starts: a bot
# first installed in November should not surprise everyone with a round; a coordinator opens it.
AUTO_OPEN_WINDOW_DAYS = 30


class RoundProblem(enum.Enum):
    EXISTS = "exists"  # this academic year has a round already (see `state`)
    DEADLINE_PAST = "deadline_past"
    DEADLINE_AFTER_YEAR = "deadline_after_year"  # answers would run past this academic year's last day (`latest`)
    OPENED_MEANWHILE = "opened_meanwhile"  # another process or coordinator opened it at this moment
    NOBODY_WAITING = "nobody_waiting"  # nothing to match outside a round
    NO_ROUND = "no_round"  # closing answers when this academic year has no round
    ALREADY_CLOSED = "already_closed"  # closing answers of a round whose proposal was approved
    AWAITING_REVIEW = "awaiting_review"  # closing answers again while their proposal awaits review


class RoundError(ValueError):
    """A round operation that cannot be done; nothing was written. views/rounds.py words it."""

    def __init__(
        self,
        problem: RoundProblem,
        *,
        year_label: str | None = None,
        state: RoundState | None = None,
        latest: date | None = None,
    ) -> None:
        super().__init__(problem.value)
        self.problem, self.year_label, self.state, self.latest = problem, year_label, state, latest


def deadline_at_end_of(program: Program, last_day: date) -> datetime:
    """Answers are accepted through `last_day` in the program's time zone (until midnight)."""
    midnight = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=program_zone(program))
    return midnight.astimezone(UTC)


def last_answer_day(program: Program, deadline_at: datetime) -> date:
    """The inverse of deadline_at_end_of: the last day answers count, for messages."""
    return (deadline_at.astimezone(program_zone(program)) - timedelta(microseconds=1)).date()


def default_deadline(program: Program, now: datetime) -> datetime:
    return deadline_at_end_of(program, program_today(program, now) + timedelta(days=DEFAULT_ANSWER_DAYS))


def round_for_year(session: Session, *, program_id: int, year: int) -> Round | None:
    query = select(Round).where(Round.program_id == program_id, Round.academic_year == year)
    return session.scalars(query).first()


def current_round(session: Session, *, program: Program, now: datetime) -> Round | None:
    return round_for_year(session, program_id=program.id, year=academic_year(program, now))


def open_round_of(session: Session, *, program: Program, now: datetime) -> Round | None:
    """The round taking answers now, if any."""
    found = current_round(session, program=program, now=now)
    return found if found is not None and found.state is RoundState.OPEN else None


def open_round(
    session: Session,
    *,
    program: Program,
    deadline_at: datetime,
    now: datetime,
    actor: Person | None = None,
    actor_fallback: str = "scheduler",
) -> Round:
    """Open this academic year's round; RoundError if it already has one or the deadline is past."""
    year = academic_year(program, now)
    existing = round_for_year(session, program_id=program.id, year=year)
    if existing is not None:
        raise RoundError(RoundProblem.EXISTS, year_label=year_label(program, existing.academic_year), state=existing.state)
    if deadline_at <= now:
        raise RoundError(RoundProblem.DEADLINE_PAST)
    round_ = Round(program_id=program.id, academic_year=year, state=RoundState.OPEN, opened_at=now, deadline_at=deadline_at)
    try:
        with session.begin_nested():  # another process may open the same round at this moment
            session.add(round_)
            session.flush()
    except IntegrityError:
        raise RoundError(RoundProblem.OPENED_MEANWHILE) from None
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="round.opened",
        actor=actor,
        actor_fallback=actor_fallback,
        details={"round_id": round_.id, "academic_year": year, "deadline_at": deadline_at.isoformat()},
    )
    return round_


def year_label(program: Program, year: int) -> str:
    """ "2026–27" (or "2026" for a calendar-year program)."""
    return academic_calendar(program).label(year, 1).rsplit(" ", 1)[0]


def should_auto_open(program: Program, existing: Round | None, now: datetime) -> bool:
    if program.paused or existing is not None:
        return False
    calendar = academic_calendar(program)
    today = program_today(program, now)
    first_day = calendar.first_day(calendar.year_of(today))
    return first_day <= today < first_day + timedelta(days=AUTO_OPEN_WINDOW_DAYS)


def _without_active_pairing(person_column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    return ~exists().where(
        (Pairing.ended_on.is_(None)) & ((Pairing.mentor_id == person_column) | (Pairing.resident_id == person_column))
    )


def invitees(session: Session, *, program_id: int) -> list[Person]:
    """Residents and faculty on the roster, not withdrawn, without an active pairing."""
    query = (
        select(Person)
        .where(
            Person.program_id == program_id,
            Person.role.in_((Role.RESIDENT, Role.FACULTY)),
            Person.status == PersonStatus.ACTIVE,
            _without_active_pairing(Person.id),
        )
        .order_by(Person.name, Person.id)
    )
    return list(session.scalars(query))


def answered_ids(session: Session, *, round_: Round) -> set[int]:
    """People who answered this round: residents' preferences for it, faculty's offers for its year."""
    residents = session.scalars(select(ResidentPreference.resident_id).where(ResidentPreference.round_id == round_.id))
    faculty = session.scalars(
        select(MentorOffer.mentor_id).where(
            MentorOffer.program_id == round_.program_id, MentorOffer.academic_year == round_.academic_year
        )
    )
    return set(residents) | set(faculty)


def not_answered(session: Session, *, round_: Round) -> list[Person]:
    answered = answered_ids(session, round_=round_)
    return [person for person in invitees(session, program_id=round_.program_id) if person.id not in answered]


def rounds_to_remind(session: Session, *, now: datetime) -> list[Round]:
    """Open rounds whose reminder is due, locked so one process handles each."""
    query = (
        select(Round)
        .where(
            Round.state == RoundState.OPEN,
            Round.reminded_at.is_(None),
            Round.deadline_at > now,
            Round.deadline_at <= now + REMINDER_BEFORE_DEADLINE,
        )
        .order_by(Round.id)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def reminder_was_needless(round_: Round) -> bool:
    """A round opened less than the reminder lead before its deadline: the invitation is enough."""
    return round_.opened_at >= round_.deadline_at - REMINDER_BEFORE_DEADLINE


def rounds_past_deadline(session: Session, *, now: datetime) -> list[Round]:
    query = (
        select(Round)
        .where(Round.state == RoundState.OPEN, Round.deadline_at <= now)
        .order_by(Round.id)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def lock_round(session: Session, round_id: int) -> Round | None:
    return session.scalars(select(Round).where(Round.id == round_id).with_for_update()).first()


def stop_answers(round_: Round) -> None:
    """The matcher has run: answers no longer change this round."""
    round_.state = RoundState.PROPOSED


def close_round(round_: Round, *, now: datetime) -> None:
    round_.state = RoundState.CLOSED
    round_.closed_at = now
