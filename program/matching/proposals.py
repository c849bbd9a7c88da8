"""A proposal under review: what the coordinator sees, reassigning a resident, and approving it:
every pair starts (all or nothing), is introduced, the unmatched are told kindly, and the
coordinators get the summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from program.matching.pairs import introduce
from program.messages import queue_once
from storage.models import Person, ProposalState, Round
from storage.outbox_kinds import OutboxKind, approved_key, not_matched_key
from storage.pairings import people_by_id
from storage.preferences import mentor_candidates
from storage.programs import academic_year, load_program
from storage.proposals import (
    Approval,
    ProposalReview,
    approve,
    pending_proposal,
    proposal_of_program,
    reassign,
    review_of,
)
from storage.roster import Actor, active_coordinators, person_of
from storage.rounds import year_label
from views import rounds as words


def approve_and_introduce(
    session: Session,
    *,
    actor: Actor,
    proposal_id: int,
    now: datetime,
    expected_fingerprint: str | None,
) -> Approval:
    """Approve (all or nothing), introduce every pair, tell the unmatched kindly, and tell the
    coordinators. PairingRuleError (nothing written) when a rule stands in the way."""
    program, approver = load_program(session, actor.program_id), person_of(session, actor)
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
        queue_once(
            session, program, OutboxKind.PROPOSAL_NOT_MATCHED, words.not_matched(year_label=label), now=now, to=[person],
            dedupe_key=not_matched_key(proposal.id, person.id),
        )  # fmt: skip
    summary = words.approved_summary(
        approver_user_id=approver.slack_user_id,
        pairs=len(approval.pairings),
        unmatched_user_ids=[p.slack_user_id for p in approval.unmatched],
    )
    for coordinator in active_coordinators(session, program_id=program.id):
        queue_once(
            session, program, OutboxKind.PROPOSAL_APPROVED, summary, now=now, to=[coordinator],
            dedupe_key=approved_key(proposal.id, coordinator.id),
        )  # fmt: skip
    return approval


# --- the coordinator's review ------------------------------------------------------------------


def review_now(session: Session, *, actor: Actor, proposal_id: int | None) -> ProposalReview | None:
    """The proposal as it is now: the one named, while it belongs to the actor's program and is
    pending, else the program's pending one (None: there is none)."""
    proposal = proposal_of_program(session, program_id=actor.program_id, proposal_id=proposal_id) if proposal_id else None
    if proposal is None or proposal.state is not ProposalState.PENDING:
        proposal = pending_proposal(session, program_id=actor.program_id)
    return review_of(session, proposal=proposal) if proposal is not None else None


@dataclass(frozen=True)
class Reassigned:
    review: ProposalReview
    resident_name: str
    mentor_name: str | None  # None: left unmatched


def reassign_resident(
    session: Session,
    *,
    actor: Actor,
    proposal_id: int,
    resident_id: int,
    mentor_id: int | None,
    expected_fingerprint: str,
    now: datetime,
) -> Reassigned:
    """Give a resident in the pending proposal another mentor (or none); PairingRuleError when a
    rule stands in the way, or the proposal is not the version the coordinator saw."""
    program = load_program(session, actor.program_id)
    proposal = reassign(
        session,
        program=program,
        proposal_id=proposal_id,
        resident_id=resident_id,
        mentor_id=mentor_id,
        year=academic_year(program, now),
        actor=person_of(session, actor),
        now=now,
        expected_fingerprint=expected_fingerprint,
    )
    names = people_by_id(session, [resident_id, *([mentor_id] if mentor_id else [])])
    return Reassigned(
        review=review_of(session, proposal=proposal),
        resident_name=names[resident_id].name,
        mentor_name=names[mentor_id].name if mentor_id else None,
    )


def mentors_to_assign(session: Session, *, actor: Actor, query: str, now: datetime) -> list[Person]:
    """Faculty a coordinator may pick for a resident in the review, searched as they type."""
    program = load_program(session, actor.program_id)
    return mentor_candidates(session, program=program, resident_id=0, year=academic_year(program, now), query=query, limit=99)


def pending_review_of(session: Session, *, actor: Actor, proposal_id: int) -> ProposalReview | None:
    """The named proposal's review, only while it is the actor's program's and pending."""
    proposal = proposal_of_program(session, program_id=actor.program_id, proposal_id=proposal_id)
    return review_of(session, proposal=proposal) if proposal is not None and proposal.state is ProposalState.PENDING else None
