"""Two coordinators approving at the same moment on PostgreSQL: capacity and one active mentor
per resident hold, because the database refuses what two transactions both believed possible.

Each approval runs in its own thread, session and connection. A barrier in `before_flush`
holds both until each has read the mentor's free places and chosen the same slot, so the race
happens every run rather than by luck.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from storage.db import make_engine, make_session_factory, session_scope
from storage.models import AuditEntry, Pairing, Person, Program, Proposal, ProposalPair, ProposalState, Role
from storage.pairings import PairingConflict, PairingRuleError
from storage.proposals import approve
from tests.support import factories
from tests.support.refusals import worded

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 7, 20, 14, 0, tzinfo=UTC)


def _proposal(session: Session, program: Program, pairs: list[tuple[Person, Person]]) -> int:
    proposal = Proposal(program_id=program.id, state=ProposalState.PENDING, unmatched_resident_ids=[], created_at=NOW)
    proposal.pairs = [ProposalPair(mentor_id=m.id, resident_id=r.id, resident_rank=1) for m, r in pairs]
    session.add(proposal)
    session.flush()
    return proposal.id


def _race(session_factory, program_id: int, approver_id: int, proposal_ids: list[int]) -> list[object]:
    barrier = threading.Barrier(len(proposal_ids), timeout=20)
    outcomes: list[object] = [None] * len(proposal_ids)

    def run(index: int, proposal_id: int) -> None:
        waited = False

        def hold_until_both_chose(session: Session, flush_context: object, instances: object) -> None:
            nonlocal waited
            if not waited and any(isinstance(o, Pairing) for o in session.new):
                waited = True
                barrier.wait()

        try:
            with session_scope(session_factory) as session:
                event.listen(session, "before_flush", hold_until_both_chose)
                program = session.get(Program, program_id)
                approver = session.get(Person, approver_id)
                approve(session, program=program, proposal_id=proposal_id, approver=approver, now=NOW)
            outcomes[index] = "approved"
        except PairingRuleError as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(proposal_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "an approval hung"
    return outcomes


@pytest.fixture
def pg_session_factory(pg_database_url):
    engine = make_engine(pg_database_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_two_approvals_cannot_give_a_mentor_a_third_mentee(pg_session_factory):
    with session_scope(pg_session_factory) as session:
        program = factories.program(session)
        coordinator = factories.person(session, program, role=Role.COORDINATOR)
        mentor = factories.person(session, program, role=Role.FACULTY)
        factories.offer(session, program, mentor=mentor, capacity=2)
        first, second, third = (factories.person(session, program) for _ in range(3))
        factories.pairing(session, program, mentor=mentor, resident=first, mentor_slot=1)  # one place left
        proposals = [_proposal(session, program, [(mentor, second)]), _proposal(session, program, [(mentor, third)])]
        ids = (program.id, coordinator.id, mentor.id)

    outcomes = _race(pg_session_factory, ids[0], ids[1], proposals)

    assert sorted(o == "approved" for o in outcomes) == [False, True]
    (lost,) = [o for o in outcomes if o != "approved"]
    assert isinstance(lost, PairingConflict)
    assert "nothing was saved" in worded(lost)
    with session_scope(pg_session_factory) as session:
        active = session.scalars(select(Pairing).where(Pairing.mentor_id == ids[2], Pairing.ended_on.is_(None))).all()
        assert sorted(p.mentor_slot for p in active) == [1, 2]
        states = sorted(s.value for s in session.scalars(select(Proposal.state)))
        assert states == ["approved", "pending"]  # the loser is untouched, ready to be reassigned
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "proposal.approved")) == 1


def test_two_approvals_cannot_give_a_resident_two_mentors(pg_session_factory):
    with session_scope(pg_session_factory) as session:
        program = factories.program(session)
        coordinator = factories.person(session, program, role=Role.COORDINATOR)
        mentors = [factories.person(session, program, role=Role.FACULTY) for _ in range(2)]
        for mentor in mentors:
            factories.offer(session, program, mentor=mentor, capacity=2)
        resident = factories.person(session, program)
        proposals = [
            _proposal(session, program, [(mentors[0], resident)]),
            _proposal(session, program, [(mentors[1], resident)]),
        ]
        ids = (program.id, coordinator.id, resident.id)

    outcomes = _race(pg_session_factory, ids[0], ids[1], proposals)

    assert sorted(o == "approved" for o in outcomes) == [False, True]
    with session_scope(pg_session_factory) as session:
        active = session.scalars(select(Pairing).where(Pairing.resident_id == ids[2], Pairing.ended_on.is_(None))).all()
        assert len(active) == 1


def test_the_same_proposal_approved_twice_at_once_is_approved_once(pg_session_factory):
    with session_scope(pg_session_factory) as session:
        program = factories.program(session)
        coordinator = factories.person(session, program, role=Role.COORDINATOR)
        mentor = factories.person(session, program, role=Role.FACULTY)
        factories.offer(session, program, mentor=mentor, capacity=2)
        residents = [factories.person(session, program) for _ in range(2)]
        proposal = _proposal(session, program, [(mentor, r) for r in residents])
        ids = (program.id, coordinator.id)

    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[object] = []

    def run() -> None:
        barrier.wait()
        try:
            with session_scope(pg_session_factory) as session:
                approve(session, program=session.get(Program, ids[0]), proposal_id=proposal,
                        approver=session.get(Person, ids[1]), now=NOW)  # fmt: skip
            outcomes.append("approved")
        except PairingRuleError as error:
            outcomes.append(worded(error))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # The proposal row lock makes the second wait, then see it approved: no conflict, a clear answer.
    assert sorted(outcomes) == ["This proposal has already been approved, so nothing more was done.", "approved"]
    with session_scope(pg_session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Pairing)) == 2
