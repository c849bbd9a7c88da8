"""The coordinator's review of a proposal: open it, reassign residents, approve it.

Nothing in the payload is trusted: every click, pick list and submission checks on the roster
that the caller is a coordinator (bot/access.py POLICY), refuses private_metadata it did not seal,
re-reads the proposal named there from the database (it must belong to the caller's program and
still be pending), and refuses an approval when the proposal is not the version the coordinator
was looking at.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.kit import Click, Done, ListenerContext, Submission, Suggestion, Verdict
from bot.runtime import Services
from mentoring.access import Refusal
from program.matching import proposals
from storage.pairings import PairingRuleError
from storage.roster import Actor
from views.access import refusal_text
from views.common import View, click_answer, notice_modal, option
from views.ids import (
    ACTION_PICK_PROPOSAL_MENTOR,
    ACTION_PICK_PROPOSAL_RESIDENT,
    ACTION_REASSIGN,
    ACTION_REVIEW_PROPOSAL,
    VIEW_PROPOSAL,
)
from views.pairings import pairing_problem_text
from views.payload import payload_id
from views.preferences import person_label
from views.proposals import (
    ALREADY_DONE,
    APPLY_FIRST,
    APPROVING,
    LEAVE_UNMATCHED,
    NOT_APPROVED,
    PICK_BOTH,
    REPLACED,
    TITLE,
    ReviewMetadata,
    approved_view,
    nothing_to_review_modal,
    read_reassign,
    reassigned_notice,
    refused_notice,
    resident_options,
    review_modal,
)

log = logging.getLogger(__name__)


def fresh_review_view(services: Services, actor: Actor, proposal_id: int | None, notice: str) -> View:
    """The proposal as it is now (or the program's pending one), with a notice on top."""
    with services.reading() as session:
        review = proposals.review_now(session, actor=actor, proposal_id=proposal_id)
    if review is None:
        return nothing_to_review_modal(notice)
    return review_modal(review, key=services.metadata_key, notice=notice)


def review_clicked(click: Click) -> None:
    """A button without a proposal (e.g. on the App Home) just means "the pending one"."""
    actor, problem = click.who.actor, click.who.refusal(ACTION_REVIEW_PROPOSAL)
    if problem or actor is None:
        click.answer(click_answer(problem or ""))
        return
    value = click.value
    with click.services.reading() as session:
        review = proposals.review_now(session, actor=actor, proposal_id=None)
    if review is None:
        click.answer(click_answer(ALREADY_DONE))
        return
    replaced = value != "" and payload_id(value) != review.proposal_id
    click.open(review_modal(review, key=click.services.metadata_key, notice=REPLACED if replaced else None))


def reassign_clicked(click: Click) -> None:
    view = click.body.get("view") or {}
    metadata = ReviewMetadata.unseal(view.get("private_metadata"), click.services.metadata_key)
    actor, problem = click.who.actor, click.who.refusal(ACTION_REASSIGN)
    if problem or actor is None or metadata is None:
        updated = notice_modal(TITLE, problem or refusal_text(Refusal.TAMPERED))
    else:
        updated = reassigned_view(click.services, actor, metadata, view)
    click.client.views_update(view_id=view["id"], view=updated)


def reassigned_view(services: Services, actor: Actor, metadata: ReviewMetadata, view: dict[str, Any]) -> View:
    choice = read_reassign((view.get("state") or {}).get("values") or {})
    if choice.resident_id is None or (choice.mentor_id is None and not choice.leave_unmatched):
        return fresh_review_view(services, actor, metadata.proposal_id, PICK_BOTH)
    try:
        with services.unit_of_work() as session:
            done = proposals.reassign_resident(
                session,
                actor=actor,
                proposal_id=metadata.proposal_id,
                resident_id=choice.resident_id,
                mentor_id=choice.mentor_id,
                expected_fingerprint=metadata.fingerprint,
                now=services.clock(),
            )
    except PairingRuleError as error:
        return fresh_review_view(services, actor, metadata.proposal_id, refused_notice(pairing_problem_text(error)))
    return review_modal(done.review, key=services.metadata_key, notice=reassigned_notice(done.resident_name, done.mentor_name))


def check_approval(submission: Submission) -> Verdict:
    services = submission.services
    metadata = ReviewMetadata.unseal(submission.view.get("private_metadata"), services.metadata_key)
    actor, problem = submission.who.actor, submission.who.refusal(VIEW_PROPOSAL)
    if problem or metadata is None or actor is None:
        return Verdict.show(notice_modal(TITLE, problem or refusal_text(Refusal.TAMPERED)))
    unapplied = read_reassign(submission.values)
    if not unapplied.empty and unapplied.resident_block_id:
        return Verdict.errors({unapplied.resident_block_id: APPLY_FIRST})

    def work() -> Done:
        try:
            with services.unit_of_work() as session:
                approval = proposals.approve_and_introduce(
                    session, actor=actor, proposal_id=metadata.proposal_id, now=services.clock(),
                    expected_fingerprint=metadata.fingerprint,
                )  # fmt: skip
                shown = approved_view(pairs=len(approval.pairings), unmatched_names=[p.name for p in approval.unmatched])
                paired = [u for n in approval.pairings for u in (n.mentor.slack_user_id, n.resident.slack_user_id)]
        except PairingRuleError as error:
            return Done(
                view=fresh_review_view(services, actor, metadata.proposal_id, refused_notice(pairing_problem_text(error)))
            )
        return Done(view=shown, refresh=paired)

    return Verdict.show(notice_modal(TITLE, APPROVING), then=work)


# --- pick lists inside the review ---------------------------------------------------------------


def residents_to_reassign(suggestion: Suggestion) -> list[dict[str, Any]]:
    services = suggestion.services
    metadata = ReviewMetadata.unseal((suggestion.body.get("view") or {}).get("private_metadata"), services.metadata_key)
    if metadata is None:
        return []
    with services.reading() as session:
        review = proposals.pending_review_of(session, actor=suggestion.actor, proposal_id=metadata.proposal_id)
    return resident_options(review, suggestion.query) if review is not None else []


def mentors_to_assign(suggestion: Suggestion) -> list[dict[str, Any]]:
    services = suggestion.services
    with services.reading() as session:
        people = proposals.mentors_to_assign(session, actor=suggestion.actor, query=suggestion.query, now=services.clock())
        return [option("Leave unmatched", LEAVE_UNMATCHED)] + [
            option(person_label(p.name, p.subspecialty), str(p.id)) for p in people
        ]


def register(ctx: ListenerContext) -> None:
    ctx.on_click(ACTION_REVIEW_PROPOSAL, review_clicked, what=ACTION_REVIEW_PROPOSAL)
    ctx.on_click(ACTION_REASSIGN, reassign_clicked, what=ACTION_REASSIGN)
    ctx.on_submit(
        VIEW_PROPOSAL,
        check_approval,
        what=VIEW_PROPOSAL,
        check_failed=lambda: Verdict.show(notice_modal(TITLE, NOT_APPROVED)),
        work_failed=lambda submission: Done(view=notice_modal(TITLE, NOT_APPROVED)),
    )
    ctx.on_options(ACTION_PICK_PROPOSAL_RESIDENT, residents_to_reassign)
    ctx.on_options(ACTION_PICK_PROPOSAL_MENTOR, mentors_to_assign)
