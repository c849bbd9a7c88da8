"""From "a new academic year starts" to "every pair has been introduced", through the real Bolt
app, the scheduler's round sweep and the fake Slack.

Messages go through the outbox and the real delivery job (scheduler/delivery.py), so people
click the buttons they actually received.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from mentoring.preferences import FocusArea
from scheduler.context import JobContext
from scheduler.delivery import deliver_pending
from scheduler.rounds import round_sweep
from storage.models import (
    AuditEntry,
    OutboxMessage,
    OutboxState,
    Pairing,
    Proposal,
    ProposalState,
    QueueEntry,
    QueueReason,
    ResidentPreference,
    Role,
    Round,
    RoundState,
)
from tests.support import factories
from tests.support.forms import offer_values, request_values
from views.ids import ACTION_OPEN_OFFER, ACTION_OPEN_REQUEST, ACTION_PICK_MENTOR, ACTION_REVIEW_PROPOSAL

ACADEMIC = FocusArea.ACADEMIC.value
WELLBEING = FocusArea.WELLBEING.value

PEOPLE = {
    "UCOORD1": ("Casey Coordinator", Role.COORDINATOR, None),
    "UADA": ("Dr. Ada Alvarez", Role.FACULTY, "Cardiology"),
    "UBEN": ("Dr. Ben Brooks", Role.FACULTY, "Nephrology"),
    "UCY": ("Dr. Cy Chen", Role.FACULTY, "Oncology"),
    "URIA": ("Ria Resident", Role.RESIDENT, None),
    "USAM": ("Sam Resident", Role.RESIDENT, None),
    "UTEO": ("Teo Resident", Role.RESIDENT, None),
    "UUMA": ("Uma Resident", Role.RESIDENT, None),
}


@pytest.fixture
def roster(arrange, fake_slack):
    ids = {}
    with arrange() as session:
        program = factories.program(session)
        for user_id, (name, role, subspecialty) in PEOPLE.items():
            person = factories.person(session, program, role=role, name=name, slack_user_id=user_id, subspecialty=subspecialty)
            ids[user_id] = person.id
            fake_slack.add_user(user_id, name=name)
    return ids


def _opened_view(fake_slack) -> dict:
    return fake_slack.calls_to("views.open")[-1].response["view"]


def _button(message: dict, action_id: str) -> dict:
    for block in message.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {message}")


def deliver(jobs: JobContext) -> list[OutboxMessage]:
    """Run the delivery job; the messages it sent this time."""

    def sent_ids() -> set[int]:
        with jobs.session_factory() as session:
            return set(session.scalars(select(OutboxMessage.id).where(OutboxMessage.state == OutboxState.SENT)))

    before = sent_ids()
    report = deliver_pending(jobs)
    assert report.failed == 0, report
    with jobs.session_factory() as session:
        return session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(sent_ids() - before)).order_by(OutboxMessage.id)
        ).all()


def test_round_from_opening_to_introductions(bot, roster, fake_slack, clock, session_factory, arrange):
    slack = WebClient(token="xoxb-test-token", base_url=fake_slack.url, retry_handlers=[])
    jobs = JobContext(session_factory=session_factory, clock=clock, slack=slack)

    # July 1, 09:00 in New York: the scheduler opens the round and invites everyone.
    clock.set(datetime(2026, 7, 1, 13, 0, tzinfo=UTC))
    assert round_sweep(jobs).opened == 1
    assert round_sweep(jobs).opened == 0  # once per year
    invitations = deliver(jobs)
    assert sorted(m.recipient_user_ids[0] for m in invitations) == sorted(u for u in PEOPLE if u != "UCOORD1")

    # Faculty answer through the button in their invitation.
    faculty_answers = {
        "UADA": offer_values(available=True, capacity=2, subspecialties=["cardiology"], focus_areas=[ACADEMIC]),
        "UBEN": offer_values(available=True, capacity=1, subspecialties=["nephrology"], focus_areas=[WELLBEING]),
        "UCY": offer_values(available=False, capacity=None),
    }
    for user_id, values in faculty_answers.items():
        invitation = fake_slack.messages(user_id)[-1]
        _button(invitation, ACTION_OPEN_OFFER)
        bot.click(ACTION_OPEN_OFFER, user_id=user_id)
        view = _opened_view(fake_slack)
        assert view["callback_id"] == "offer.submit"
        reply = bot.submit_view(view, user_id=user_id, values=values)
        assert reply.ack_json["response_action"] == "update"
        assert "Thanks" in str(fake_slack.view(view["id"]))

    # Residents see only faculty who can still take someone, and rank them.
    bot.click(ACTION_OPEN_REQUEST, user_id="URIA")
    offered = [o["text"]["text"] for o in bot.suggest(ACTION_PICK_MENTOR, user_id="URIA")]
    assert offered == ["Dr. Ada Alvarez (Cardiology)", "Dr. Ben Brooks (Nephrology)"]
    ada, ben = roster["UADA"], roster["UBEN"]
    cardiology, nephrology = (["cardiology"], [ACADEMIC]), (["nephrology"], [WELLBEING])
    answers = {
        "URIA": ([ada, ben], cardiology),
        "USAM": ([ada], cardiology),
        "UTEO": ([ada], cardiology),
        "UUMA": ([ben], nephrology),
    }
    for user_id, (ranking, (subspecialties, focus)) in answers.items():
        bot.click(ACTION_OPEN_REQUEST, user_id=user_id)
        view = _opened_view(fake_slack)
        values = request_values(ranking, subspecialties=subspecialties, focus_areas=focus, note="nights are hard")
        reply = bot.submit_view(view, user_id=user_id, values=values)
        assert reply.ack_json["response_action"] == "update", reply.ack
    # Reopening shows the saved answers.
    bot.click(ACTION_OPEN_REQUEST, user_id="URIA")
    reopened = _opened_view(fake_slack)
    initial = [
        b["element"].get("initial_option", {}).get("value")
        for b in reopened["blocks"]
        if b.get("block_id", "").startswith("choice_")
    ]
    assert initial[:2] == [str(ada), str(ben)]

    # July 16, after the deadline: the matcher runs and the coordinator is asked to review.
    clock.set(datetime(2026, 7, 16, 13, 0, tzinfo=UTC))
    assert round_sweep(jobs).proposed == 1
    delivered = deliver(jobs)
    assert [m.kind for m in delivered] == ["proposal.ready"]
    review_message = fake_slack.messages("UCOORD1")[-1]
    proposal_id = _button(review_message, ACTION_REVIEW_PROPOSAL)["value"]

    bot.click(ACTION_REVIEW_PROPOSAL, user_id="UCOORD1", value=proposal_id)
    review = _opened_view(fake_slack)
    shown = str(review["blocks"])
    # Ada takes her two most compatible (ties by ID: Ria, Sam); Teo falls back on Ben by shared
    # interests, but Ben prefers Uma, who shares his, so Teo is left out.
    assert "*3* matched · *3* got their first choice · *1* not matched" in shown
    assert "Uma Resident → Dr. Ben Brooks (1st choice)" in shown
    assert "Ria Resident → Dr. Ada Alvarez (1st choice)" in shown and "• Teo Resident" in shown

    reply = bot.submit_view(review, user_id="UCOORD1", values={})
    assert reply.ack_json["response_action"] == "update"
    assert "Approved" in str(fake_slack.view(review["id"]))

    # Introductions, the kind word to the one left out, and the coordinators' summary.
    delivered = deliver(jobs)
    assert sorted(m.kind for m in delivered) == ["pairing.introduction"] * 3 + [
        "proposal.approved",
        "proposal.not_matched",
    ]
    with session_factory() as session:
        pairings = session.scalars(select(Pairing).order_by(Pairing.id)).all()
        assert len(pairings) == 3
        assert all(p.started_on == date(2026, 7, 16) and p.next_due_on == date(2026, 10, 16) for p in pairings)
        assert all(p.next_check_on == date(2026, 10, 2) for p in pairings)  # 14 days before due
        assert sorted(p.mentor_slot for p in pairings if p.mentor_id == ada) == [1, 2]
        people = {v: k for k, v in roster.items()}
        for pairing in pairings:
            group = fake_slack.dm_channel(people[pairing.mentor_id], people[pairing.resident_id])
            intro = fake_slack.messages(group)[-1]["text"]
            assert "every three months" in intro and "Friday, October 16, 2026" in intro
            assert "trust and respect" in intro and "boundaries" in intro and "confidential" in intro
        left_out = "UTEO"
        assert {people[p.resident_id] for p in pairings} == {"URIA", "USAM", "UUMA"}
        assert "more residents than places" in fake_slack.messages(left_out)[-1]["text"]
        assert f"<@{left_out}>" in fake_slack.messages("UCOORD1")[-1]["text"]

        assert session.scalars(select(Proposal.state)).all() == [ProposalState.APPROVED]
        assert session.scalars(select(Round.state)).all() == [RoundState.CLOSED]
        waiting = session.scalars(select(QueueEntry).where(QueueEntry.resolved_at.is_(None))).all()
        assert [(w.person_id, w.reason) for w in waiting] == [(roster[left_out], QueueReason.UNMATCHED)]
        assert (
            session.scalar(select(ResidentPreference.note).where(ResidentPreference.resident_id == roster["URIA"]))
            == "nights are hard"
        )
        actions = session.scalars(select(AuditEntry.action)).all()
        assert actions.count("pairing.created") == 3 and "proposal.approved" in actions and "round.opened" in actions
        assert not any("nights are hard" in str(e.details) for e in session.scalars(select(AuditEntry)))
        # Nothing waits to be sent twice, and nothing went to a channel.
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.channel_id.is_not(None))).all() == []
    assert deliver(jobs) == []
