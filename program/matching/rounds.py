"""Matching rounds: open one and invite everyone without a pairing, remind those who have not
answered, and run the matcher at the deadline (or when a coordinator asks). The round sweep
(scheduler/rounds.py) and the coordinators' commands both come here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from program.messages import queue_once
from storage.models import Person, Program, Round, RoundState
from storage.outbox_kinds import OutboxKind, invitation_key, proposal_ready_key, round_reminder_key
from storage.programs import academic_year
from storage.proposals import ProposalReview, propose, residents_for_round, residents_waiting, review_of
from storage.roster import active_coordinators
from storage.rounds import (
    RoundError,
    RoundProblem,
    current_round,
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
