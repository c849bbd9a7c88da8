"""The coordinator's review of a match proposal: who with whom, each resident's rank, who is
left out; reassign, then approve. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mentoring.preferences import ordinal
from storage.proposals import ProposalReview
from views.common import (
    Block,
    View,
    actions,
    button,
    chunked_sections,
    context,
    divider,
    escape,
    input_block,
    modal,
    notice_modal,
    option,
    plain,
    quoted_sections,
    section,
)
from views.ids import (
    ACTION_PICK_PROPOSAL_MENTOR,
    ACTION_PICK_PROPOSAL_RESIDENT,
    ACTION_REASSIGN,
    VIEW_PROPOSAL,
)
from views.payload import payload_id
from views.private_metadata import seal, unseal

TITLE = "Match proposal"
# Block IDs carry the proposal's fingerprint: after a reassignment the view gets new IDs, so
# Slack clears the pickers instead of preserving what was just applied.
BLOCK_RESIDENT = "reassign_resident"
BLOCK_MENTOR = "reassign_mentor"
LEAVE_UNMATCHED = "none"  # the mentor picker's "nobody" option
VIEW_BLOCKS_BUDGET = 90  # of Slack's 100, leaving room for the fixed blocks
VIEW_TEXT_BUDGET = 200_000  # characters, of Slack's 250 kB per view


@dataclass(frozen=True)
class ReviewMetadata:
    """What the modal carries: which proposal, and the version the coordinator saw; sealed with
    an HMAC (views/private_metadata.py), so a payload we did not write is refused. Even sealed it is not
    trusted alone: the listener re-reads the proposal, checks it belongs to the coordinator's
    program, and refuses if its fingerprint changed."""

    proposal_id: int
    fingerprint: str

    def seal(self, key: bytes) -> str:
        return seal({"k": "proposal", "p": self.proposal_id, "fp": self.fingerprint}, key=key)

    @classmethod
    def unseal(cls, text: str | None, key: bytes) -> ReviewMetadata | None:
        payload = unseal(text, key=key)
        if payload is None or payload.get("k") != "proposal":
            return None
        proposal_id, fingerprint = payload_id(payload.get("p")), payload.get("fp")
        return cls(proposal_id, fingerprint) if proposal_id is not None and isinstance(fingerprint, str) else None


def _within_budget(body: list[Block]) -> list[Block]:
    """As many of the body's sections as a modal can hold, and a word when some are left out."""
    kept: list[Block] = []
    size = 0
    for block in body:
        size += len(block["text"]["text"])
        if len(kept) >= VIEW_BLOCKS_BUDGET - 1 or size > VIEW_TEXT_BUDGET:
            return [*kept, context("The list is too long to show in full here; the first part is above.")]
        kept.append(block)
    return kept


def versioned(block_id: str, fingerprint: str) -> str:
    return f"{block_id}.{fingerprint}"


def _block_values(values: Mapping[str, Any], prefix: str) -> tuple[str | None, Mapping[str, Any]]:
    """(block id, its actions) of the block whose id starts with `prefix`."""
    for block_id, block_values in values.items():
        if block_id == prefix or block_id.startswith(prefix + "."):
            return block_id, block_values
    return None, {}


def _pair_line(resident: str, mentor: str, choice: int | None) -> str:
    how = f"{ordinal(choice)} choice" if choice is not None else "by shared interests"
    return f"• {resident} → {mentor} ({how})"


def review_blocks(review: ProposalReview, *, notice: str | None = None) -> list[Block]:
    matched, unmatched = len(review.pairs), len(review.unmatched)
    summary = f"*{matched}* matched · *{review.first_choice}* got their first choice · *{unmatched}* not matched"
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice))
    blocks.append(section(summary))
    pair_lines = [_pair_line(p.resident.name, p.mentor.name, p.choice) for p in review.pairs]
    unmatched_lines = [f"• {p.name}" for p in review.unmatched]
    body = chunked_sections(["*Pairs*", *pair_lines] if pair_lines else ["*Pairs*", "No pairs this time."])
    body += chunked_sections(
        ["*Not matched*", *unmatched_lines] if unmatched_lines else ["Everyone in this proposal has a mentor."]
    )
    if review.notes:
        body.append(section("*Notes from residents* (only coordinators see these)"))
        for who, note in review.notes:
            body += quoted_sections(note, lead=f"*{escape(who.name)}*:")
    blocks += _within_budget(body)
    blocks += [
        divider(),
        section(
            "*Reassign a resident* (optional): pick a resident and their new mentor, or “Leave unmatched”, then press Reassign."
        ),
        input_block(
            versioned(BLOCK_RESIDENT, review.fingerprint),
            "Resident",
            {
                "type": "external_select",
                "action_id": ACTION_PICK_PROPOSAL_RESIDENT,
                "placeholder": plain("Search the proposal"),
                "min_query_length": 0,
            },
            optional=True,
        ),
        input_block(
            versioned(BLOCK_MENTOR, review.fingerprint),
            "New mentor",
            {
                "type": "external_select",
                "action_id": ACTION_PICK_PROPOSAL_MENTOR,
                "placeholder": plain("Search faculty"),
                "min_query_length": 0,
            },
            optional=True,
        ),
        actions(button("Reassign", ACTION_REASSIGN)),
        context(
            "Approving creates every pairing above at once and introduces each pair in a group DM. "
            "Residents not matched are told privately and stay on the waiting list. Only coordinators see this."
        ),
    ]
    return blocks


def review_modal(review: ProposalReview, *, key: bytes, notice: str | None = None) -> View:
    metadata = ReviewMetadata(review.proposal_id, review.fingerprint).seal(key)
    return modal(
        TITLE,
        review_blocks(review, notice=notice),
        callback_id=VIEW_PROPOSAL,
        submit="Approve all",
        close="Not now",
        private_metadata=metadata,
    )


@dataclass(frozen=True)
class ReassignChoice:
    resident_id: int | None
    mentor_id: int | None  # None with leave_unmatched=True means "no mentor"
    leave_unmatched: bool
    resident_block_id: str | None = None  # where a validation error goes

    @property
    def empty(self) -> bool:
        return self.resident_id is None and self.mentor_id is None and not self.leave_unmatched


def _picked(block_values: Mapping[str, Any], action_id: str) -> str | None:
    selected = (block_values.get(action_id) or {}).get("selected_option")
    return selected.get("value") if selected else None


def read_reassign(values: Mapping[str, Any]) -> ReassignChoice:
    resident_block, resident_values = _block_values(values, BLOCK_RESIDENT)
    _, mentor_values = _block_values(values, BLOCK_MENTOR)
    resident = _picked(resident_values, ACTION_PICK_PROPOSAL_RESIDENT)
    mentor = _picked(mentor_values, ACTION_PICK_PROPOSAL_MENTOR)
    return ReassignChoice(
        resident_id=payload_id(resident),
        mentor_id=payload_id(mentor),
        leave_unmatched=mentor == LEAVE_UNMATCHED,
        resident_block_id=resident_block,
    )


def approved_view(*, pairs: int, unmatched_names: list[str]) -> View:
    text = f"*Approved.* {pairs} pair{'s' if pairs != 1 else ''} will be introduced in a group DM, in their working hours."
    blocks = [section(text)]
    if unmatched_names:
        blocks += _within_budget(
            chunked_sections(
                [
                    "*Not matched* (told privately, on the waiting list; please follow up):",
                    *(f"• {n}" for n in unmatched_names),
                ]
            )
        )
    blocks.append(context("Only you can see this."))
    return modal(TITLE, blocks, close="Done")


# --- answers while reviewing ---------------------------------------------------------------------

ALREADY_DONE = (
    "There's no proposal waiting for review: it has been approved or replaced. `/mentor admin match` runs the matcher again."
)
APPROVING = "Approving the pairs… this takes a moment."
REPLACED = "The proposal in that message was replaced; this is the current one."
PICK_BOTH = ":point_right: Pick a resident and their new mentor (or “Leave unmatched”), then press Reassign."
APPLY_FIRST = "Press Reassign to apply this change first, or clear it to approve the proposal as shown."
NOT_APPROVED = "Sorry, something went wrong on my side and nothing was approved. Please try again in a minute."


def nothing_to_review_modal(notice: str) -> View:
    return notice_modal(TITLE, f"{notice}\n{ALREADY_DONE}")


def reassigned_notice(resident: str, mentor: str | None) -> str:
    done = (
        f":white_check_mark: {resident} now goes to {mentor}."
        if mentor
        else f":white_check_mark: {resident} is now left unmatched."
    )
    return done + " Nothing is final until you approve."


def refused_notice(problem: str) -> str:
    return f":warning: {problem}"


def resident_options(review: ProposalReview, query: str) -> list[dict[str, Any]]:
    """Who can be reassigned, by name, with where they go now; filtered by what was typed."""
    entries = [(p.resident, f" → {p.mentor.name}") for p in review.pairs] + [(r, " (not matched)") for r in review.unmatched]
    entries.sort(key=lambda e: (e[0].name.lower(), e[0].person_id))
    wanted = query.strip().lower()
    return [option(r.name + how, str(r.person_id)) for r, how in entries if wanted in r.name.lower()][:100]
