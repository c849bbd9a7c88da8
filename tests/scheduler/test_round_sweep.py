"""The round sweep: opens at the year's start, reminds once before the deadline, matches at it.
Each step happens once however often the sweep runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from scheduler.context import JobContext
from scheduler.jobs import job_by_id
from scheduler.rounds import SweepResult, round_sweep
from storage.models import OutboxMessage, Program, Proposal, Role, Round, RoundState
from tests.support import factories

JULY_1_MORNING = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
JULY_13_MIDNIGHT = datetime(2026, 7, 13, 4, 0, tzinfo=UTC)  # 3 days before the deadline
JULY_16_MIDNIGHT = datetime(2026, 7, 16, 4, 0, tzinfo=UTC)  # the deadline: end of July 15


@pytest.fixture
def jobs(session_factory, clock, fake_slack):
    return JobContext(session_factory=session_factory, clock=clock, slack=WebClient(token="xoxb-t", base_url=fake_slack.url))


@pytest.fixture
def roster(arrange):
    with arrange() as session:
        program = factories.program(session)
        people = {
            "coordinator": factories.person(session, program, role=Role.COORDINATOR, slack_user_id="UCOORD1"),
            "faculty": factories.person(session, program, role=Role.FACULTY, slack_user_id="UFAC1"),
            "quiet_faculty": factories.person(session, program, role=Role.FACULTY, slack_user_id="UFAC2"),
            "resident": factories.person(session, program, slack_user_id="URES1"),
            "quiet_resident": factories.person(session, program, slack_user_id="URES2"),
        }
        return {"program": program.id, **{k: v.id for k, v in people.items()}}


def _messages(session_factory, kind):
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()
        return [(m.recipient_user_ids, m.text) for m in rows]


def test_the_sweep_is_a_registered_job():
    assert job_by_id("matching.round_sweep").run is round_sweep


def test_a_year_of_sweeps_opens_reminds_and_matches_once_each(jobs, clock, roster, arrange, session_factory):
    clock.set(datetime(2026, 6, 30, 20, 0, tzinfo=UTC))
    assert round_sweep(jobs) == SweepResult()

    clock.set(JULY_1_MORNING)
    assert round_sweep(jobs) == SweepResult(opened=1)
    assert round_sweep(jobs) == SweepResult()
    invitations = _messages(session_factory, "round.invitation")
    assert sorted(r[0] for r, _ in invitations) == ["UFAC1", "UFAC2", "URES1", "URES2"]
    assert all("by *Wednesday, July 15, 2026*" in text for _, text in invitations)

    with arrange() as session:
        from storage.models import Person

        round_ = session.scalars(select(Round)).one()
        factories.preference(
            session,
            factories.program_of(session, session.get(Person, roster["resident"])),
            resident=session.get(Person, roster["resident"]),
            round_=round_,
        )
        factories.offer(
            session,
            factories.program_of(session, session.get(Person, roster["faculty"])),
            mentor=session.get(Person, roster["faculty"]),
            capacity=1,
        )

    clock.set(JULY_13_MIDNIGHT.replace(hour=3))
    assert round_sweep(jobs) == SweepResult()
    clock.set(JULY_13_MIDNIGHT)
    assert round_sweep(jobs) == SweepResult(reminded=2)
    assert round_sweep(jobs) == SweepResult()
    assert sorted(r[0] for r, _ in _messages(session_factory, "round.reminder")) == ["UFAC2", "URES2"]

    clock.set(JULY_16_MIDNIGHT)
    assert round_sweep(jobs) == SweepResult(proposed=1)
    assert round_sweep(jobs) == SweepResult()
    with session_factory() as session:
        assert session.scalars(select(Round.state)).one() is RoundState.PROPOSED
        proposal = session.scalars(select(Proposal)).one()
        assert [(p.mentor_id, p.resident_id) for p in proposal.pairs] == [(roster["faculty"], roster["resident"])]
    ((recipients, text),) = _messages(session_factory, "proposal.ready")
    assert recipients == ["UCOORD1"] and "*1* matched" in text

    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    assert round_sweep(jobs) == SweepResult()


def test_a_round_opened_close_to_its_deadline_gets_no_reminder(jobs, clock, roster, arrange, session_factory):
    from program.matching.rounds import start_round

    with arrange() as session:
        program = session.get(Program, roster["program"])
        start_round(session, program=program, deadline_at=JULY_16_MIDNIGHT, now=datetime(2026, 7, 14, 13, tzinfo=UTC))
    clock.set(datetime(2026, 7, 14, 14, tzinfo=UTC))
    assert round_sweep(jobs) == SweepResult()
    with session_factory() as session:
        assert session.scalars(select(Round.reminded_at)).one() is not None
    assert _messages(session_factory, "round.reminder") == []


def test_a_paused_program_gets_no_round_and_no_reminder(jobs, clock, roster, arrange, session_factory):
    with arrange() as session:
        session.get(Program, roster["program"]).paused = True
    clock.set(JULY_1_MORNING)
    assert round_sweep(jobs) == SweepResult()
