"""Matching rounds: open one and invite everyone without a pairing, remind those who have not
answered, and run the matcher at the deadline (or when a coordinator asks). The round sweep
(scheduler/rounds.py) and the coordinators' commands both come here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from program.messages import queue_once
from storage.models import Person, Program, Round, RoundState
from storage.outbox_kinds import OutboxKind, invitation_key, proposal_ready_key, round_reminder_key
from storage.programs import academic_calendar, academic_year, load_program, program_today
from storage.proposals import ProposalReview, pending_proposal, propose, residents_for_round, residents_waiting, review_of
from storage.roster import Actor, active_coordinators, person_of
from storage.rounds import (
    RoundError,
    RoundProblem,
    current_round,
    deadline_at_end_of,
    default_deadline,
    invitees,
    last_answer_day,
    not_answered,
    open_round,
    reminder_was_needless,
    should_auto_open,
    stop_answers,
    year_label,
)
from views import rounds as words


def start_round(
    session: Session,
    *,
    program: Program,
    deadline_at: datetime,
    now: datetime,
    actor: Person | None = None,
    actor_fallback: str = "scheduler",
) -> tuple[Round, int]:
    """Open this year's round and invite everyone without a pairing; (round, invited)."""
    round_ = open_round(session, program=program, deadline_at=deadline_at, now=now, actor=actor, actor_fallback=actor_fallback)
    last_day = last_answer_day(program, deadline_at)
    label = year_label(program, round_.academic_year)
    people = invitees(session, program_id=program.id)
    for person in people:
        message = words.invitation(is_resident=person.is_resident, year_label=label, last_day=last_day)
        queue_once(
            session, program, OutboxKind.ROUND_INVITATION, message, now=now, to=[person],
            dedupe_key=invitation_key(round_.id, person.id),
        )  # fmt: skip
    return round_, len(people)


def open_at_year_start(session: Session, *, program: Program, now: datetime) -> bool:
    """The scheduler's opening: on the academic year's first days, if nobody opened it; True if opened."""
    if not should_auto_open(program, current_round(session, program=program, now=now), now):
        return False
    start_round(session, program=program, deadline_at=default_deadline(program, now), now=now)
    return True


def remind(session: Session, *, program: Program, round_: Round, now: datetime) -> int:
    """The one reminder before the deadline, to those who have not answered; marks it done."""
    round_.reminded_at = now
    if reminder_was_needless(round_):
        return 0
    last_day = last_answer_day(program, round_.deadline_at)
    people = not_answered(session, round_=round_)
    for person in people:
        message = words.reminder(is_resident=person.is_resident, last_day=last_day)
        queue_once(
            session, program, OutboxKind.ROUND_REMINDER, message, now=now, to=[person],
            dedupe_key=round_reminder_key(round_.id, person.id),
        )  # fmt: skip
    return len(people)


@dataclass(frozen=True)
class ProposalMade:
    review: ProposalReview
    source: str  # "the 2026–27 round" or "the waiting list"


def make_proposal(
    session: Session,
    *,
    program: Program,
    now: datetime,
    actor: Person | None = None,
    actor_fallback: str = "scheduler",
    round_: Round | None = None,
) -> ProposalMade:
    """Run the matcher: for this year's round while it has not been approved, else for the
    waiting list against the remaining capacity. Coordinators are told (the actor answers
    privately instead). RoundError when there is nobody to match."""
    year = academic_year(program, now)
    if round_ is None:
        found = current_round(session, program=program, now=now)
        round_ = found if found is not None and found.state is not RoundState.CLOSED else None
    if round_ is not None:
        residents = residents_for_round(session, round_=round_)
        source = f"the {year_label(program, round_.academic_year)} round"
        stop_answers(round_)
    else:
        residents = residents_waiting(session, program_id=program.id)
        if not residents:
            raise RoundError(RoundProblem.NOBODY_WAITING)
        source = "the waiting list"
    proposal = propose(
        session,
        program=program,
        year=year,
        round_=round_,
        residents=residents,
        now=now,
        actor=actor,
        actor_fallback=actor_fallback,
    )
    review = review_of(session, proposal=proposal)
    message = words.proposal_ready(
        proposal_id=proposal.id,
        matched=len(review.pairs),
        unmatched=len(review.unmatched),
        first_choice=review.first_choice,
        source=source,
    )
    for coordinator in active_coordinators(session, program_id=program.id):
        if actor is not None and coordinator.id == actor.id:
            continue
        queue_once(
            session, program, OutboxKind.PROPOSAL_READY, message, now=now, to=[coordinator],
            dedupe_key=proposal_ready_key(proposal.id, coordinator.id),
        )  # fmt: skip
    return ProposalMade(review=review, source=source)


# --- a coordinator's commands ---------------------------------------------------------------------


@dataclass(frozen=True)
class RoundOpened:
    year_label: str
    last_day: date
    invited: int


def open_round_now(session: Session, *, actor: Actor, last_day: date | None, now: datetime) -> RoundOpened:
    """A coordinator opens this year's round; answers count through `last_day` (default: two weeks)."""
    program = load_program(session, actor.program_id)
    if last_day is not None:
        check_last_day(program, last_day, now)
    deadline_at = deadline_at_end_of(program, last_day) if last_day else default_deadline(program, now)
    round_, invited = start_round(session, program=program, deadline_at=deadline_at, now=now, actor=person_of(session, actor))
    return RoundOpened(year_label(program, round_.academic_year), last_answer_day(program, deadline_at), invited)


def check_last_day(program: Program, last_day: date, now: datetime) -> None:
    """A round's last day for answers falls between today and the end of this academic year."""
    today = program_today(program, now)
    if last_day < today:
        raise RoundError(RoundProblem.DEADLINE_PAST)
    year = academic_year(program, now)
    latest = academic_calendar(program).year_bounds(year)[1] - timedelta(days=1)
    if last_day > latest:
        raise RoundError(RoundProblem.DEADLINE_AFTER_YEAR, year_label=year_label(program, year), latest=latest)


def close_answers_now(session: Session, *, actor: Actor, now: datetime) -> ProposalMade:
    """A coordinator stops taking answers now and runs the matcher (what the deadline does)."""
    program = load_program(session, actor.program_id)
    round_ = current_round(session, program=program, now=now)
    if round_ is None:
        raise RoundError(RoundProblem.NO_ROUND)
    if round_.state is RoundState.CLOSED:
        raise RoundError(RoundProblem.ALREADY_CLOSED)
    if round_.state is RoundState.PROPOSED and pending_proposal(session, program_id=program.id) is not None:
        raise RoundError(RoundProblem.AWAITING_REVIEW)
    return make_proposal(session, program=program, now=now, actor=person_of(session, actor), round_=round_)


def match_now(session: Session, *, actor: Actor, now: datetime) -> ProposalMade:
    """A coordinator runs the matcher: on this year's round until it is approved, else the waiting list."""
    return make_proposal(session, program=load_program(session, actor.program_id), now=now, actor=person_of(session, actor))
