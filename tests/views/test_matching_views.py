"""Every matching screen and message renders as Block Kit Slack accepts, at any size."""

from __future__ import annotations

from datetime import date

import pytest

from mentoring.preferences import FocusArea, subspecialty_catalogue
from sandbox.fake_slack import MESSAGE_BLOCKS_MAX, block_problems, view_problems
from storage.models import ProposalState, Role
from storage.proposals import ProposalReview, ProposedPair
from storage.roster import PersonRef
from views import rounds as messages
from views.preferences import Picked, offer_modal, request_modal
from views.proposals import review_modal

DAY = date(2026, 7, 15)
LONG_NAME = "Dr. " + "Bartholomew-Featherstonehaugh " * 4


@pytest.mark.parametrize(
    "message",
    [
        messages.invitation(is_resident=True, year_label="2026–27", last_day=DAY),
        messages.invitation(is_resident=False, year_label="2026–27", last_day=DAY),
        messages.reminder(is_resident=True, last_day=DAY),
        messages.reminder(is_resident=False, last_day=DAY),
        messages.proposal_ready(proposal_id=1, matched=3, unmatched=1, first_choice=2, source="the 2026–27 round"),
        messages.resident_queued(resident_user_id="U1", waiting=3),
        messages.introduction(mentor_user_id="U1", resident_user_id="U2", first_due=DAY),
        messages.not_matched(year_label="2026–27"),
        messages.not_matched(year_label=None),
        messages.approved_summary(approver_user_id="U1", pairs=40, unmatched_user_ids=[f"U{i:09d}" for i in range(200)]),
    ],
)
def test_messages_are_valid(message):
    assert message["text"]
    assert block_problems(message["blocks"], limit=MESSAGE_BLOCKS_MAX) == []


def test_the_preferences_modal_is_valid_with_everything_filled_in():
    catalogue = subspecialty_catalogue(f"Niche {i}" for i in range(200))
    view = request_modal(
        saved_choices=[Picked(i, LONG_NAME) for i in range(5)],
        catalogue=catalogue,
        saved_subspecialties=[c.key for c in catalogue],
        saved_focus_areas=[a.value for a in FocusArea],
        saved_note="n" * 1000,
        last_day=DAY,
    )
    assert view_problems(view, expected_type="modal") == []


def test_the_offer_modal_is_valid_with_everything_filled_in():
    view = offer_modal(
        max_capacity=2,
        catalogue=subspecialty_catalogue(),
        year_label="2026–27",
        available=True,
        capacity=2,
        saved_subspecialties=["cardiology"],
        saved_focus_areas=[FocusArea.ACADEMIC.value],
        saved_preferred=[Picked(i, LONG_NAME) for i in range(10)],
        last_day=DAY,
    )
    assert view_problems(view, expected_type="modal") == []


def test_a_huge_proposal_still_fits_in_a_modal():
    def person(i: int) -> PersonRef:
        return PersonRef(i, f"{LONG_NAME} {i}", f"U{i:09d}", Role.RESIDENT)

    review = ProposalReview(
        proposal_id=1,
        state=ProposalState.PENDING,
        is_round=True,
        pairs=tuple(ProposedPair(person(i), person(10_000 + i), i % 6 or None) for i in range(5000)),
        unmatched=tuple(person(20_000 + i) for i in range(500)),
        fingerprint="f" * 16,
        notes=tuple((person(i), "note " * 200) for i in range(300)),
    )
    view = review_modal(review, key=b"k" * 32, notice="A notice")
    assert view_problems(view, expected_type="modal") == []
    assert "too long to show in full" in str(view["blocks"])


def test_the_approval_outcome_fits_however_many_were_left_out():
    from views.proposals import approved_view

    view = approved_view(pairs=1, unmatched_names=[f"{LONG_NAME} {i}" for i in range(20_000)])
    assert view_problems(view, expected_type="modal") == []
