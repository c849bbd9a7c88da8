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

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.access import Actor
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from bot.listeners.interactions import permitted, refusal, rows, tell, who
from bot.matching import approve_and_introduce
from mentoring.access import Refusal
from storage.capacity import PairingRuleError, academic_year, people_by_id
from storage.models import Program, ProposalState
from storage.preferences import mentor_candidates
from storage.proposals import pending_proposal, proposal_of_program, reassign, review_of
from views.access import refusal_text
from views.common import View, notice_modal, option
from views.ids import (
    ACTION_PICK_PROPOSAL_MENTOR,
    ACTION_PICK_PROPOSAL_RESIDENT,
    ACTION_REASSIGN,
    ACTION_REVIEW_PROPOSAL,
    VIEW_PROPOSAL,
)
from views.preferences import person_label
from views.proposals import (
    LEAVE_UNMATCHED,
    TITLE,
    ReviewMetadata,
    approved_view,
    read_reassign,
    review_modal,
)

log = logging.getLogger(__name__)

ALREADY_DONE = (
    "There's no proposal waiting for review: it has been approved or replaced. `/mentor admin match` runs the matcher again."
)
APPROVING = "Approving the pairs… this takes a moment."


def _fresh_review_view(ctx: ListenerContext, key: bytes, actor: Actor, proposal_id: int | None, notice: str) -> View:
    """The proposal as it is now (or the program's pending one), with a notice on top."""
    with ctx.services.unit_of_work() as session:
        proposal = proposal_of_program(session, program_id=actor.program_id, proposal_id=proposal_id) if proposal_id else None
        if proposal is None or proposal.state is not ProposalState.PENDING:
            proposal = pending_proposal(session, program_id=actor.program_id)
        if proposal is None:
            return notice_modal(TITLE, f"{notice}\n{ALREADY_DONE}")
        return review_modal(review_of(session, proposal=proposal), key=key, notice=notice)


def register(ctx: ListenerContext) -> None:
    app, services = ctx.app, ctx.services
    key = services.metadata_key

    # --- opening the review -------------------------------------------------------------------

    @app.action(ACTION_REVIEW_PROPOSAL)
    def review_clicked(ack: Ack, body: dict, client: WebClient, context: BoltContext, respond: Any) -> None:
        ack()
        services.after_ack(lambda: open_review(body, client, context, respond), ACTION_REVIEW_PROPOSAL)

    def open_review(body: dict, client: WebClient, context: BoltContext, respond: Any) -> None:
        with apologise_on_error(respond if body.get("response_url") else None, ACTION_REVIEW_PROPOSAL):
            actor, problem = permitted(services, context, ACTION_REVIEW_PROPOSAL)
            if actor is None:
                tell(client, body, respond, problem or "")
                return
            value = str((body.get("actions") or [{}])[0].get("value") or "")
            with services.unit_of_work() as session:
                clicked = (
                    proposal_of_program(session, program_id=actor.program_id, proposal_id=int(value)) if value.isdigit() else None
                )
                current = pending_proposal(session, program_id=actor.program_id)
                view = None
                if current is not None:
                    # A button without a proposal (e.g. on the App Home) just means "the pending one".
                    replaced = value != "" and (clicked is None or clicked.id != current.id)
                    notice = "The proposal in that message was replaced; this is the current one." if replaced else None
                    view = review_modal(review_of(session, proposal=current), key=key, notice=notice)
            if view is None:
                tell(client, body, respond, ALREADY_DONE)
            else:
                client.views_open(trigger_id=body["trigger_id"], view=view)

    # --- reassigning ---------------------------------------------------------------------------

    @app.action(ACTION_REASSIGN)
    def reassign_clicked(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
        ack()
        services.after_ack(lambda: apply_reassign(body, client, context), ACTION_REASSIGN)

    def apply_reassign(body: dict, client: WebClient, context: BoltContext) -> None:
        view = body.get("view") or {}
        metadata = ReviewMetadata.unseal(view.get("private_metadata"), key)
        actor, problem = permitted(services, context, ACTION_REASSIGN)
        try:
            if actor is None or metadata is None:
                updated = notice_modal(TITLE, problem or refusal_text(Refusal.TAMPERED))
            else:
                updated = reassigned_view(actor, metadata, view)
            client.views_update(view_id=view["id"], view=updated)
        except Exception:
            log.exception("failed while reassigning in proposal review")

    def reassigned_view(actor: Actor, metadata: ReviewMetadata, view: dict) -> View:
        choice = read_reassign((view.get("state") or {}).get("values") or {})
        if choice.resident_id is None or (choice.mentor_id is None and not choice.leave_unmatched):
            return _fresh_review_view(
                ctx,
                key,
                actor,
                metadata.proposal_id,
                ":point_right: Pick a resident and their new mentor (or “Leave unmatched”), then press Reassign.",
            )
        try:
            with services.unit_of_work() as session:
                coordinator, program = rows(session, actor)
                proposal = reassign(
                    session,
                    program=program,
                    proposal_id=metadata.proposal_id,
                    resident_id=choice.resident_id,
                    mentor_id=choice.mentor_id,
                    year=academic_year(program, services.clock()),
                    actor=coordinator,
                    now=services.clock(),
                    expected_fingerprint=metadata.fingerprint,
                )
                names = people_by_id(session, [choice.resident_id, *([choice.mentor_id] if choice.mentor_id else [])])
                resident = names[choice.resident_id].name
                done = (
                    f":white_check_mark: {resident} now goes to {names[choice.mentor_id].name}."
                    if choice.mentor_id
                    else f":white_check_mark: {resident} is now left unmatched."
                )
                return review_modal(
                    review_of(session, proposal=proposal), key=key, notice=done + " Nothing is final until you approve."
                )
        except PairingRuleError as error:
            return _fresh_review_view(ctx, key, actor, metadata.proposal_id, f":warning: {error}")

    # --- approving -----------------------------------------------------------------------------

    @app.view(VIEW_PROPOSAL)
    def approve_submitted(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
        metadata = ReviewMetadata.unseal(view.get("private_metadata"), key)
        found = who(services, context)
        problem = refusal(found, VIEW_PROPOSAL)
        if problem or metadata is None or found.actor is None:
            ack(response_action="update", view=notice_modal(TITLE, problem or refusal_text(Refusal.TAMPERED)))
            return
        unapplied = read_reassign(view["state"]["values"])
        if not unapplied.empty and unapplied.resident_block_id:
            ack(
                response_action="errors",
                errors={
                    unapplied.resident_block_id: "Press Reassign to apply this change first, or clear it to approve the proposal as shown."
                },
            )
            return
        ack(response_action="update", view=notice_modal(TITLE, APPROVING))
        actor = found.actor
        services.after_ack(lambda: approve_now(actor, metadata, view["id"], client), VIEW_PROPOSAL)

    def approve_now(actor: Actor, metadata: ReviewMetadata, view_id: str, client: WebClient) -> None:
        paired_user_ids: list[str] = []
        try:
            with services.unit_of_work() as session:
                approver, program = rows(session, actor)
                approval = approve_and_introduce(
                    session,
                    program=program,
                    proposal_id=metadata.proposal_id,
                    approver=approver,
                    now=services.clock(),
                    expected_fingerprint=metadata.fingerprint,
                )
                outcome = approved_view(pairs=len(approval.pairings), unmatched_names=[p.name for p in approval.unmatched])
                paired_user_ids = [u for n in approval.pairings for u in (n.mentor.slack_user_id, n.resident.slack_user_id)]
        except PairingRuleError as error:
            outcome = _fresh_review_view(ctx, key, actor, metadata.proposal_id, f":warning: {error}")
        except Exception:
            log.exception("failed while approving proposal %s", metadata.proposal_id)
            outcome = notice_modal(
                TITLE, "Sorry, something went wrong on my side and nothing was approved. Please try again in a minute."
            )
        try:
            client.views_update(view_id=view_id, view=outcome)
        except Exception:
            log.exception("could not show the approval outcome")
        if paired_user_ids:
            ctx.home.refresh(client, team_id=actor.team_id, user_ids=paired_user_ids)

    # --- pick lists inside the review -----------------------------------------------------------

    def coordinator_and_proposal(
        surface: str, body: dict, context: BoltContext
    ) -> tuple[Actor, ReviewMetadata] | tuple[None, None]:
        found = who(services, context)
        metadata = ReviewMetadata.unseal((body.get("view") or {}).get("private_metadata"), key)
        if refusal(found, surface) or found.actor is None or metadata is None:
            return None, None
        return found.actor, metadata

    @app.options(ACTION_PICK_PROPOSAL_RESIDENT)
    def proposal_resident_options(ack: Ack, body: dict, context: BoltContext) -> None:
        actor, metadata = coordinator_and_proposal(ACTION_PICK_PROPOSAL_RESIDENT, body, context)
        options: list[dict[str, Any]] = []
        if actor is not None and metadata is not None:
            query = str(body.get("value") or "").strip().lower()
            with services.reading() as session:
                proposal = proposal_of_program(session, program_id=actor.program_id, proposal_id=metadata.proposal_id)
                if proposal is not None and proposal.state is ProposalState.PENDING:
                    review = review_of(session, proposal=proposal)
                    entries = [(p.resident, f" → {p.mentor.name}") for p in review.pairs] + [
                        (r, " (not matched)") for r in review.unmatched
                    ]
                    entries.sort(key=lambda e: (e[0].name.lower(), e[0].person_id))
                    options = [option(r.name + how, str(r.person_id)) for r, how in entries if query in r.name.lower()][:100]
        ack(options=options)

    @app.options(ACTION_PICK_PROPOSAL_MENTOR)
    def proposal_mentor_options(ack: Ack, body: dict, context: BoltContext) -> None:
        actor, _ = coordinator_and_proposal(ACTION_PICK_PROPOSAL_MENTOR, body, context)
        options: list[dict[str, Any]] = []
        if actor is not None:
            query = str(body.get("value") or "")
            with services.reading() as session:
                program = session.get(Program, actor.program_id)
                assert program is not None
                people = mentor_candidates(
                    session,
                    program=program,
                    resident_id=0,
                    year=academic_year(program, services.clock()),
                    query=query,
                    limit=99,
                )
                options = [option("Leave unmatched", LEAVE_UNMATCHED)] + [
                    option(person_label(p.name, p.subspecialty), str(p.id)) for p in people
                ]
        ack(options=options)
