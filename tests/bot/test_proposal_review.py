"""The coordinator's review: open, reassign, approve; and every way a payload could lie."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from storage.models import Pairing, Person, Program, Proposal, ProposalState, Role
from storage.proposals import propose
from tests.support import factories
from tests.support.changes import SIGNING_SECRET
from tests.support.forms import selected
from views.ids import (
    ACTION_PICK_PROPOSAL_MENTOR,
    ACTION_PICK_PROPOSAL_RESIDENT,
    ACTION_REASSIGN,
    ACTION_REVIEW_PROPOSAL,
    VIEW_PROPOSAL,
)
from views.private_metadata import metadata_key, unseal
from views.proposals import LEAVE_UNMATCHED

KEY = metadata_key(SIGNING_SECRET)


@pytest.fixture
def proposal(arrange, clock):
    """Ada (2 places), Ben (1) and Cy (1) for Ria, Sam, Teo and Uma: everyone is matched."""
    with arrange() as session:
        program = factories.program(session)
        people = {
            "UCOORD1": factories.person(session, program, role=Role.COORDINATOR, name="Casey", slack_user_id="UCOORD1"),
            "UADA": factories.person(session, program, role=Role.FACULTY, name="Dr. Ada", slack_user_id="UADA"),
            "UBEN": factories.person(session, program, role=Role.FACULTY, name="Dr. Ben", slack_user_id="UBEN"),
            "UCY": factories.person(session, program, role=Role.FACULTY, name="Dr. Cy", slack_user_id="UCY"),
        }
        residents = [
            factories.person(session, program, name=n, slack_user_id=f"U{n.upper()}") for n in ("Ria", "Sam", "Teo", "Uma")
        ]
        factories.offer(session, program, mentor=people["UADA"], capacity=2)
        factories.offer(session, program, mentor=people["UBEN"], capacity=1)
        factories.offer(session, program, mentor=people["UCY"], capacity=1)
        factories.preference(session, program, resident=residents[0], ranking=[people["UBEN"].id], note="I work nights\nmostly")
        made = propose(session, program=program, year=2026, round_=None, residents=residents, now=clock())
        return {
            "proposal": made.id, "program": program.id, **{u: p.id for u, p in people.items()},
            **{r.name: r.id for r in residents},
        }  # fmt: skip


def _opened(fake_slack):
    return fake_slack.calls_to("views.open")[-1].response["view"]


def _open_review(bot, fake_slack, proposal_id, user_id="UCOORD1"):
    bot.click(ACTION_REVIEW_PROPOSAL, user_id=user_id, value=str(proposal_id))
    return _opened(fake_slack)


def _input_block_id(view, prefix):
    return next(b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith(prefix))


def _reassign(bot, fake_slack, view, resident, mentor, user_id="UCOORD1"):
    state = {
        _input_block_id(view, "reassign_resident"): {ACTION_PICK_PROPOSAL_RESIDENT: selected(resident, "external_select")},
        _input_block_id(view, "reassign_mentor"): {ACTION_PICK_PROPOSAL_MENTOR: selected(mentor, "external_select")},
    }
    bot.click(ACTION_REASSIGN, user_id=user_id, response_url=None, view=view | {"state": {"values": state}})
    return fake_slack.view(view["id"])


def test_the_review_shows_pairs_ranks_and_who_is_left_out(bot, proposal, fake_slack):
    view = _open_review(bot, fake_slack, proposal["proposal"])
    text = str(view["blocks"])
    assert view["callback_id"] == VIEW_PROPOSAL and view["submit"]["text"] == "Approve all"
    assert "*4* matched · *1* got their first choice · *0* not matched" in text
    assert "• Ria → Dr. Ben (1st choice)" in text and "(by shared interests)" in text
    assert "*Notes from residents* (only coordinators see these)" in text and "*Ria*:\\n> I work nights\\n> mostly" in text
    assert unseal(view["private_metadata"], key=KEY)["p"] == proposal["proposal"]


def test_reassigning_updates_the_proposal_and_clears_the_pickers(bot, proposal, fake_slack, session_factory):
    view = _open_review(bot, fake_slack, proposal["proposal"])
    updated = _reassign(bot, fake_slack, view, proposal["Uma"], LEAVE_UNMATCHED)
    assert "Uma is now left unmatched" in str(updated["blocks"])
    assert "*3* matched" in str(updated["blocks"]) and "• Uma" in str(updated["blocks"])
    assert _input_block_id(updated, "reassign_resident") != _input_block_id(view, "reassign_resident")
    with session_factory() as session:
        assert session.get(Proposal, proposal["proposal"]).unmatched_resident_ids == [proposal["Uma"]]


def test_a_reassignment_that_breaks_a_rule_is_explained_and_changes_nothing(bot, proposal, fake_slack, session_factory):
    view = _open_review(bot, fake_slack, proposal["proposal"])
    with session_factory() as session:
        before = sorted((p.resident_id, p.mentor_id) for p in session.get(Proposal, proposal["proposal"]).pairs)
    ria_with_ben = next(r for r, m in before if m == proposal["UBEN"])
    other = next(r for r, m in before if m != proposal["UBEN"] and r != ria_with_ben)
    updated = _reassign(bot, fake_slack, view, other, proposal["UBEN"])
    assert ":warning: Dr. Ben already has as many mentees as they can take (1)." in str(updated["blocks"])
    with session_factory() as session:
        assert sorted((p.resident_id, p.mentor_id) for p in session.get(Proposal, proposal["proposal"]).pairs) == before


def test_pickers_list_the_proposals_residents_and_faculty_for_coordinators_only(bot, proposal, fake_slack):
    view = _open_review(bot, fake_slack, proposal["proposal"])
    metadata = {"private_metadata": view["private_metadata"]}
    residents = [o["text"]["text"] for o in bot.suggest(ACTION_PICK_PROPOSAL_RESIDENT, user_id="UCOORD1", view=metadata)]
    assert [r.split(" → ")[0] for r in residents] == ["Ria", "Sam", "Teo", "Uma"]
    mentors = [o["value"] for o in bot.suggest(ACTION_PICK_PROPOSAL_MENTOR, user_id="UCOORD1", value="dr", view=metadata)]
    assert mentors[0] == LEAVE_UNMATCHED and str(proposal["UADA"]) in mentors
    assert bot.suggest(ACTION_PICK_PROPOSAL_RESIDENT, user_id="URIA", view=metadata) == []
    assert bot.suggest(ACTION_PICK_PROPOSAL_MENTOR, user_id="UADA", view=metadata) == []


def test_approving_with_an_unapplied_reassignment_asks_to_apply_it(bot, proposal, fake_slack, session_factory):
    view = _open_review(bot, fake_slack, proposal["proposal"])
    block = _input_block_id(view, "reassign_resident")
    reply = bot.submit_view(
        view,
        user_id="UCOORD1",
        values={block: {ACTION_PICK_PROPOSAL_RESIDENT: selected(proposal["Uma"], "external_select")}},
    )
    assert reply.ack_json == {
        "response_action": "errors",
        "errors": {block: "Press Reassign to apply this change first, or clear it to approve the proposal as shown."},
    }
    assert _pairings(session_factory) == 0


def _pairings(session_factory):
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Pairing))


def test_approving_creates_the_pairings_and_refreshes_their_homes(bot, proposal, fake_slack, session_factory):
    view = _open_review(bot, fake_slack, proposal["proposal"])
    reply = bot.submit_view(view, user_id="UCOORD1", values={})
    assert "Approving" in str(reply.ack_json["view"])
    assert "*Approved.* 4 pairs" in str(fake_slack.view(view["id"])["blocks"])
    assert _pairings(session_factory) == 4
    published = {c.args["user_id"] for c in fake_slack.calls_to("views.publish")}
    assert {"URIA", "USAM", "UTEO", "UUMA", "UADA", "UBEN"} <= published
    # The button in an old message now says there is nothing left to review.
    answer = bot.click(ACTION_REVIEW_PROPOSAL, user_id="UCOORD1", value=str(proposal["proposal"])).only_response()
    assert "no proposal waiting for review" in answer["text"]


def test_an_approval_racing_a_change_is_refused_with_the_current_proposal(bot, proposal, fake_slack, session_factory, arrange):
    view = _open_review(bot, fake_slack, proposal["proposal"])
    _reassign(bot, fake_slack, view, proposal["Uma"], LEAVE_UNMATCHED)  # another tab, another coordinator
    bot.submit_view(view, user_id="UCOORD1", values={})  # the old view, with the old fingerprint
    shown = str(fake_slack.view(view["id"])["blocks"])
    assert "changed this proposal while you were looking at it" in shown and "*3* matched" in shown
    assert _pairings(session_factory) == 0


def test_an_approval_blocked_by_a_rule_shows_why_and_writes_nothing(bot, proposal, fake_slack, session_factory, arrange):
    view = _open_review(bot, fake_slack, proposal["proposal"])
    with arrange() as session:  # meanwhile Ben said he can't after all
        from storage.models import MentorOffer

        session.scalars(select(MentorOffer).where(MentorOffer.mentor_id == proposal["UBEN"])).one().available = False
    bot.submit_view(view, user_id="UCOORD1", values={})
    assert "Dr. Ben said they can't mentor this year" in str(fake_slack.view(view["id"])["blocks"])
    assert _pairings(session_factory) == 0


@pytest.mark.parametrize("user_id", ["UADA", "URIA", "USTRANGER"])
def test_only_coordinators_can_open_reassign_or_approve(bot, proposal, fake_slack, session_factory, user_id):
    refused = bot.click(ACTION_REVIEW_PROPOSAL, user_id=user_id, value=str(proposal["proposal"])).only_response()
    assert refused["response_type"] == "ephemeral"
    assert fake_slack.calls_to("views.open") == []

    view = _open_review(bot, fake_slack, proposal["proposal"])
    updated = _reassign(bot, fake_slack, view, proposal["Uma"], LEAVE_UNMATCHED, user_id=user_id)
    assert "submit" not in updated  # replaced by a refusal
    reply = bot.submit_view(view, user_id=user_id, values={})
    assert reply.ack_json["response_action"] == "update" and "submit" not in reply.ack_json["view"]
    assert _pairings(session_factory) == 0
    with session_factory() as session:
        assert session.get(Proposal, proposal["proposal"]).unmatched_resident_ids == []


@pytest.mark.parametrize("metadata", ["", "not json", json.dumps({"proposal": "1"}), json.dumps({"proposal": 999, "fp": "x"})])
def test_tampered_private_metadata_approves_nothing(bot, proposal, fake_slack, session_factory, metadata):
    reply = bot.submit(VIEW_PROPOSAL, user_id="UCOORD1", values={}, private_metadata=metadata)
    assert reply.ack_json["response_action"] == "update"
    assert _pairings(session_factory) == 0
    with session_factory() as session:
        assert session.get(Proposal, proposal["proposal"]).state is ProposalState.PENDING


def test_a_coordinator_of_another_program_cannot_touch_this_proposal(bot, proposal, fake_slack, session_factory, arrange):
    with arrange() as session:
        other = factories.program(session, team_id="T0002")
        factories.person(session, other, role=Role.COORDINATOR, slack_user_id="UOTHER")
    view = _open_review(bot, fake_slack, proposal["proposal"])
    bot.submit_view(view, user_id="UOTHER", values={}, team_id="T0002")
    assert _pairings(session_factory) == 0


def test_a_replaced_proposal_opens_the_current_one(bot, proposal, fake_slack, arrange, clock):
    with arrange() as session:
        program = session.get(Program, proposal["program"])
        residents = [session.get(Person, proposal[n]) for n in ("Ria", "Sam")]
        newer = propose(session, program=program, year=2026, round_=None, residents=residents, now=clock()).id
    view = _open_review(bot, fake_slack, proposal["proposal"])
    assert "was replaced; this is the current one" in str(view["blocks"])
    assert unseal(view["private_metadata"], key=KEY)["p"] == newer


def test_a_review_button_without_a_proposal_opens_the_pending_one(bot, proposal, fake_slack):
    bot.click(ACTION_REVIEW_PROPOSAL, user_id="UCOORD1", response_url=None, view={"type": "home"})
    view = _opened(fake_slack)
    assert view["callback_id"] == VIEW_PROPOSAL and "replaced" not in str(view["blocks"])
