"""Approving a proposal: every pair starts (all or nothing), is introduced, the unmatched are told
kindly, and the coordinators get the summary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from program.matching.pairs import introduce
from program.messages import queue_once
from storage.models import Person, Program, Round
from storage.outbox_kinds import OutboxKind, approved_key, not_matched_key
from storage.proposals import Approval, approve
from storage.roster import active_coordinators
from storage.rounds import year_label
from views import rounds as words


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
