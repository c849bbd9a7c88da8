"""The matching path's multi-step work: each function is one decision plus the messages it
causes, written in the caller's transaction (storage operation + outbox rows, committed or
rolled back together). Used by the listeners and by the scheduler's round sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from mentoring.preferences import Problems, RequestAnswers, check_request
from storage import outbox
from storage.admin_pairing import pair, unpair
from storage.capacity import NewPairing, academic_year, active_pairing_of_resident, people_by_id
from storage.models import Pairing, Person, PersonStatus, Program, QueueReason, Round, RoundState
from storage.preferences import (
    mentor_candidates,
    queue_person,
    save_request,
    subspecialty_choices,
    waiting_residents,
)
from storage.proposals import (
    Approval,
    ProposalReview,
    approve,
    propose,
    residents_for_round,
    residents_waiting,
    review_of,
)
from storage.roster import coordinators
from storage.rounds import (
    RoundError,
    current_round,
    invitees,
    last_answer_day,
    not_answered,
    open_round,
    open_round_of,
    reminder_was_needless,
    stop_answers,
    year_label,
)
from views import rounds as messages


def active_coordinators(session: Session, *, program_id: int) -> list[Person]:
    return [p for p in coordinators(session, program_id=program_id) if p.status is PersonStatus.ACTIVE]


def _send(session: Session, program: Program, *, kind: str, to: Sequence[Person], message: dict, now: datetime,
          dedupe_key: str, pairing_id: int | None = None) -> None:  # fmt: skip
    if outbox.exists(session, dedupe_key):
        return
    outbox.enqueue(
        session,
        program=program,
        kind=kind,
        recipients=list(to),
        text=message["text"],
        blocks=message["blocks"],
        now=now,
        dedupe_key=dedupe_key,
        pairing_id=pairing_id,
    )


# --- rounds -----------------------------------------------------------------------------------


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
        _send(
            session,
            program,
            kind="round.invitation",
            to=[person],
            message=messages.invitation(is_resident=person.is_resident, year_label=label, last_day=last_day),
            now=now,
            dedupe_key=f"round:{round_.id}:invite:{person.id}",
        )
    return round_, len(people)


def remind(session: Session, *, program: Program, round_: Round, now: datetime) -> int:
    """The one reminder before the deadline, to those who have not answered; marks it done."""
    round_.reminded_at = now
    if reminder_was_needless(round_):
        return 0
    last_day = last_answer_day(program, round_.deadline_at)
    people = not_answered(session, round_=round_)
    for person in people:
        _send(
            session,
            program,
            kind="round.reminder",
            to=[person],
            message=messages.reminder(is_resident=person.is_resident, last_day=last_day),
            now=now,
            dedupe_key=f"round:{round_.id}:remind:{person.id}",
        )
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
            raise RoundError("Nobody is waiting for a mentor right now, so there is nothing to match.")
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
    for coordinator in active_coordinators(session, program_id=program.id):
        if actor is not None and coordinator.id == actor.id:
            continue
        _send(
            session,
            program,
            kind="proposal.ready",
            to=[coordinator],
            message=messages.proposal_ready(
                proposal_id=proposal.id,
                matched=len(review.pairs),
                unmatched=len(review.unmatched),
                first_choice=review.first_choice,
                source=source,
            ),
            now=now,
            dedupe_key=f"proposal:{proposal.id}:ready:{coordinator.id}",
        )
    return ProposalMade(review=review, source=source)


# --- pairings ---------------------------------------------------------------------------------


def introduce(session: Session, *, program: Program, new: NewPairing, now: datetime) -> None:
    pairing = new.pairing
    assert pairing.next_due_on is not None
    _send(
        session,
        program,
        kind="pairing.introduction",
        to=[new.mentor, new.resident],
        message=messages.introduction(
            mentor_user_id=new.mentor.slack_user_id,
            resident_user_id=new.resident.slack_user_id,
            first_due=pairing.next_due_on,
        ),
        now=now,
        dedupe_key=f"pairing:{pairing.id}:intro",
        pairing_id=pairing.id,
    )


def approve_and_introduce(
    session: Session,
    *,
    program: Program,
    proposal_id: int,
    approver: Person,
    now: datetime,
    expected_fingerprint: str | None,
) -> Approval:
    """Approve (all or nothing), introduce every pair, tell the unmatched kindly, and tell the coordinators."""
    approval = approve(
        session,
        program=program,
        proposal_id=proposal_id,
        approver=approver,
        now=now,
        expected_fingerprint=expected_fingerprint,
    )
    for new in approval.pairings:
        introduce(session, program=program, new=new, now=now)
    proposal = approval.proposal
    label = None
    if proposal.round_id is not None:
        round_ = session.get(Round, proposal.round_id)
        label = year_label(program, round_.academic_year) if round_ is not None else None
    for person in approval.unmatched:
        _send(
            session,
            program,
            kind="proposal.not_matched",
            to=[person],
            message=messages.not_matched(year_label=label),
            now=now,
            dedupe_key=f"proposal:{proposal.id}:not_matched:{person.id}",
        )
    summary = messages.approved_summary(
        approver_user_id=approver.slack_user_id,
        pairs=len(approval.pairings),
        unmatched_user_ids=[p.slack_user_id for p in approval.unmatched],
    )
    for coordinator in active_coordinators(session, program_id=program.id):
        _send(
            session,
            program,
            kind="proposal.approved",
            to=[coordinator],
            message=summary,
            now=now,
            dedupe_key=f"proposal:{proposal.id}:approved:{coordinator.id}",
        )
    return approval


def pair_and_introduce(
    session: Session, *, program: Program, mentor: Person, resident: Person, coordinator: Person, now: datetime
) -> NewPairing:
    new = pair(session, program=program, mentor=mentor, resident=resident, coordinator=coordinator, now=now)
    introduce(session, program=program, new=new, now=now)
    return new


def unpair_and_notify(session: Session, *, program: Program, resident: Person, coordinator: Person, now: datetime) -> Pairing:
    pairing = unpair(session, program=program, resident=resident, coordinator=coordinator, now=now)
    for person in (pairing.mentor, pairing.resident):
        _send(
            session,
            program,
            kind="pairing.ended",
            to=[person],
            message=messages.pairing_ended_notice(),
            now=now,
            dedupe_key=f"pairing:{pairing.id}:ended:{person.id}",
        )
    return pairing


# --- residents' requests ----------------------------------------------------------------------


def request_refusal(session: Session, *, resident: Person) -> str | None:
    """Why this resident cannot ask for a mentor now, in their words; None if they can."""
    if resident.status is PersonStatus.WITHDRAWN:
        return "You've stepped back from the program, so there's nothing to choose right now. If you'd like to come back, use `/mentor rejoin`."
    current = active_pairing_of_resident(session, resident.id)
    if current is not None:
        return (
            f"You already have a mentor, {current.mentor.name}. If you'd like a different one, use `/mentor change`: "
            "no reason needed, and only the coordinators will know."
        )
    return None


def request_problems(session: Session, *, program: Program, resident: Person, answers: RequestAnswers, now: datetime) -> Problems:
    eligible = mentor_candidates(
        session,
        program=program,
        resident_id=resident.id,
        year=academic_year(program, now),
        ids=answers.ranking,
        limit=None,
    )
    catalogue = subspecialty_choices(session, program_id=program.id)
    return check_request(
        answers,
        resident_id=resident.id,
        eligible_mentor_ids=[p.id for p in eligible],
        known_subspecialties=[c.key for c in catalogue],
    )


@dataclass(frozen=True)
class RequestSaved:
    ranked_names: tuple[str, ...]
    last_day: date | None  # the round's last day for answers; None outside a round
    queued: bool


def submit_request(
    session: Session, *, program: Program, resident: Person, answers: RequestAnswers, now: datetime
) -> RequestSaved:
    """Save the preferences: for the open round, or (outside one) join the waiting list and
    tell the coordinators privately."""
    round_ = open_round_of(session, program=program, now=now)
    save_request(
        session,
        resident=resident,
        ranking=answers.ranking,
        subspecialties=answers.subspecialties,
        focus_areas=answers.focus_areas,
        note=answers.note,
        round_=round_,
        now=now,
    )
    names = people_by_id(session, answers.ranking)
    ranked = tuple(names[i].name for i in answers.ranking if i in names)
    if round_ is not None:
        return RequestSaved(ranked, last_answer_day(program, round_.deadline_at), queued=False)
    entry, newly = queue_person(session, person=resident, reason=QueueReason.MIDYEAR_REQUEST, now=now)
    if newly:
        waiting = len(waiting_residents(session, program_id=program.id))
        for coordinator in active_coordinators(session, program_id=program.id):
            _send(
                session,
                program,
                kind="queue.joined",
                to=[coordinator],
                message=messages.resident_queued(resident_user_id=resident.slack_user_id, waiting=waiting),
                now=now,
                dedupe_key=f"queue:{entry.id}:notify:{coordinator.id}",
            )
    return RequestSaved(ranked, None, queued=True)
