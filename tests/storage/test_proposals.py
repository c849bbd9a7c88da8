"""Proposals from the database: the matcher's input, editing, and all-or-nothing approval."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import (
    AuditEntry,
    EndReason,
    Pairing,
    Person,
    PersonStatus,
    Program,
    Proposal,
    ProposalState,
    QueueEntry,
    QueueReason,
    Role,
)
from storage.pairings import PairingRuleError
from storage.preferences import queue_person
from storage.proposals import (
    ProposalChanged,
    approve,
    build_problem,
    fingerprint,
    propose,
    reassign,
    residents_for_round,
    residents_waiting,
    review_of,
)
from storage.rounds import open_round
from tests.support import factories
from tests.support.refusals import refused

NOW = datetime(2026, 7, 16, 14, 0, tzinfo=UTC)


@pytest.fixture
def program_with_people(arrange):
    with arrange() as session:
        program = factories.program(session)
        coordinator = factories.person(session, program, role=Role.COORDINATOR, name="Casey")
        ada = factories.person(session, program, role=Role.FACULTY, name="Ada")
        ben = factories.person(session, program, role=Role.FACULTY, name="Ben")
        cy = factories.person(session, program, role=Role.FACULTY, name="Cy")
        residents = [factories.person(session, program, name=n) for n in ("Ria", "Sam", "Teo")]
        return {
            "program": program.id, "coordinator": coordinator.id, "ada": ada.id, "ben": ben.id, "cy": cy.id,
            "residents": [r.id for r in residents],
        }  # fmt: skip


def _get(session, ids):
    return session.get(Program, ids["program"]), session.get(Person, ids["coordinator"])


def test_the_problem_counts_active_pairings_and_excludes_pairs_ended_by_request(session_factory, arrange, program_with_people):
    ids = program_with_people
    ria, sam, teo = ids["residents"]
    with arrange() as session:
        ada, ben, cy = (session.get(Person, ids[k]) for k in ("ada", "ben", "cy"))
        factories.offer(
            session,
            factories.program_of(session, ada),
            mentor=ada,
            capacity=2,
            subspecialties=["cardiology"],
            preferred_residents=[sam],
        )
        factories.offer(session, factories.program_of(session, ben), mentor=ben, capacity=1)
        factories.offer(session, factories.program_of(session, cy), mentor=cy, available=False)
        someone = factories.person(session, session.get(Program, ids["program"]), name="Zed")
        factories.pairing(
            session, factories.program_of(session, ada), mentor=ada, resident=someone
        )  # one of Ada's two places is taken
        factories.pairing(
            session,
            factories.program_of(session, ben),
            mentor=ben,
            resident=session.get(Person, ria),
            ended_on=date(2026, 7, 1),
            end_reason=EndReason.CHANGE_REQUEST,
        )
        factories.preference(
            session,
            factories.program_of(session, session.get(Person, ria)),
            resident=session.get(Person, ria),
            ranking=[ids["ben"], ids["ada"]],
            subspecialties=["cardiology"],
        )
        session.get(Person, teo).subspecialty = "Cardiology"

    with session_scope(session_factory) as session:
        program, _ = _get(session, ids)
        residents = [session.get(Person, r) for r in (ria, sam, teo)]
        problem = build_problem(session, program=program, year=2026, residents=residents)
    mentors = {m.id: m for m in problem.mentors}
    assert set(mentors) == {str(ids["ada"]), str(ids["ben"])}  # Cy said no
    assert mentors[str(ids["ada"])].capacity == 1
    assert mentors[str(ids["ada"])].preferred_residents == (str(sam),)
    assert problem.excluded_pairs == {(str(ids["ben"]), str(ria))}
    by_id = {r.id: r for r in problem.residents}
    assert by_id[str(ria)].ranking == (str(ids["ben"]), str(ids["ada"]))
    assert by_id[str(teo)].subspecialties == {"cardiology"}  # no answers: the roster's subspecialty


def _proposal_for_all(session_factory, ids):
    with session_scope(session_factory) as session:
        program, coordinator = _get(session, ids)
        residents = [session.get(Person, r) for r in ids["residents"]]
        proposal = propose(session, program=program, year=2026, round_=None, residents=residents, now=NOW, actor=coordinator)
        return proposal.id, fingerprint(proposal)


@pytest.fixture
def offers(arrange, program_with_people):
    ids = program_with_people
    with arrange() as session:
        factories.offer(
            session,
            factories.program_of(session, session.get(Person, ids["ada"])),
            mentor=session.get(Person, ids["ada"]),
            capacity=2,
        )
        factories.offer(
            session,
            factories.program_of(session, session.get(Person, ids["ben"])),
            mentor=session.get(Person, ids["ben"]),
            capacity=1,
        )
        ria = session.get(Person, ids["residents"][0])
        factories.preference(session, factories.program_of(session, ria), resident=ria, ranking=[ids["ben"]])
    return ids


def test_a_proposal_is_stored_and_reviewed_with_each_residents_choice(session_factory, offers):
    proposal_id, _ = _proposal_for_all(session_factory, offers)
    with session_scope(session_factory) as session:
        proposal = session.get(Proposal, proposal_id)
        review = review_of(session, proposal=proposal)
    assert [(p.resident.name, p.mentor.name, p.choice) for p in review.pairs] == [
        ("Ria", "Ben", 1), ("Sam", "Ada", None), ("Teo", "Ada", None),
    ]  # fmt: skip
    assert review.first_choice == 1 and review.unmatched == ()


def test_a_new_proposal_replaces_the_pending_one(session_factory, offers):
    first, _ = _proposal_for_all(session_factory, offers)
    second, _ = _proposal_for_all(session_factory, offers)
    with session_scope(session_factory) as session:
        assert session.get(Proposal, first).state is ProposalState.DISCARDED
        assert session.get(Proposal, second).state is ProposalState.PENDING
        with refused(ProposalChanged, match="replaced by a newer one"):
            program, coordinator = _get(session, offers)
            approve(session, program=program, proposal_id=first, approver=coordinator, now=NOW)


def test_approval_creates_every_pairing_resolves_the_queue_and_queues_the_unmatched(session_factory, arrange, offers):
    ids = offers
    with arrange() as session:
        extra = factories.person(session, session.get(Program, ids["program"]), name="Uma")
        queue_person(session, person=session.get(Person, ids["residents"][1]), reason=QueueReason.MIDYEAR_REQUEST, now=NOW)
        queue_person(session, person=extra, reason=QueueReason.MIDYEAR_REQUEST, now=NOW)
        ids = {**ids, "residents": [*ids["residents"], extra.id]}
    proposal_id, print_ = _proposal_for_all(session_factory, ids)
    with session_scope(session_factory) as session:
        program, coordinator = _get(session, ids)
        approval = approve(
            session,
            program=program,
            proposal_id=proposal_id,
            approver=coordinator,
            now=NOW,
            expected_fingerprint=print_,
        )
        assert len(approval.pairings) == 3 and [p.name for p in approval.unmatched] == ["Uma"]
    with session_scope(session_factory) as session:
        assert session.get(Proposal, proposal_id).state is ProposalState.APPROVED
        waiting = session.scalars(select(QueueEntry).where(QueueEntry.resolved_at.is_(None))).all()
        assert [(w.person_id, w.reason) for w in waiting] == [(ids["residents"][3], QueueReason.MIDYEAR_REQUEST)]
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "pairing.created")) == 3


def test_approval_is_all_or_nothing(session_factory, arrange, offers):
    proposal_id, _ = _proposal_for_all(session_factory, offers)
    with arrange() as session:  # meanwhile, Ben stepped back
        session.get(Person, offers["ben"]).status = PersonStatus.WITHDRAWN
    with refused(PairingRuleError, match=r"Nothing was approved yet\. Ben has stepped back"):
        with session_scope(session_factory) as session:
            program, coordinator = _get(session, offers)
            approve(session, program=program, proposal_id=proposal_id, approver=coordinator, now=NOW)
    with session_scope(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Pairing)) == 0
        assert session.get(Proposal, proposal_id).state is ProposalState.PENDING


def test_approval_refuses_a_proposal_that_changed_since_it_was_shown(session_factory, offers):
    proposal_id, print_ = _proposal_for_all(session_factory, offers)
    with session_scope(session_factory) as session:
        program, coordinator = _get(session, offers)
        reassign(session, program=program, proposal_id=proposal_id, resident_id=offers["residents"][2], mentor_id=None,
                 year=2026, actor=coordinator, now=NOW)  # fmt: skip
    with refused(ProposalChanged, match="changed this proposal"):
        with session_scope(session_factory) as session:
            program, coordinator = _get(session, offers)
            approve(
                session,
                program=program,
                proposal_id=proposal_id,
                approver=coordinator,
                now=NOW,
                expected_fingerprint=print_,
            )


def test_reassign_moves_a_resident_and_respects_capacity(session_factory, offers):
    ria, sam, _teo = offers["residents"]
    proposal_id, _ = _proposal_for_all(session_factory, offers)
    with session_scope(session_factory) as session:
        program, coordinator = _get(session, offers)

        def move(resident, mentor):
            return reassign(session, program=program, proposal_id=proposal_id, resident_id=resident, mentor_id=mentor,
                            year=2026, actor=coordinator, now=NOW)  # fmt: skip

        with refused(PairingRuleError, match="Ben already has as many mentees as they can take"):
            move(sam, offers["ben"])
        with refused(PairingRuleError, match="Casey is not on the roster as faculty"):
            move(sam, offers["coordinator"])
        with refused(PairingRuleError, match="not part of this proposal"):
            move(offers["ada"], offers["ben"])
        move(ria, None)
        move(sam, offers["ben"])
        proposal = move(ria, offers["ada"])
        review = review_of(session, proposal=proposal)
    assert [(p.resident.name, p.mentor.name) for p in review.pairs] == [("Ria", "Ada"), ("Sam", "Ben"), ("Teo", "Ada")]
    assert review.unmatched == ()


def test_reassign_refuses_faculty_who_said_no(session_factory, arrange, offers):
    with arrange() as session:
        factories.offer(
            session,
            factories.program_of(session, session.get(Person, offers["cy"])),
            mentor=session.get(Person, offers["cy"]),
            available=False,
        )
    proposal_id, _ = _proposal_for_all(session_factory, offers)
    with session_scope(session_factory) as session:
        program, coordinator = _get(session, offers)
        with refused(PairingRuleError, match="Cy said they can't mentor this year"):
            reassign(session, program=program, proposal_id=proposal_id, resident_id=offers["residents"][0],
                     mentor_id=offers["cy"], year=2026, actor=coordinator, now=NOW)  # fmt: skip


def test_reassign_never_re_pairs_a_pair_that_ended_by_request(session_factory, arrange, offers):
    ria = offers["residents"][0]
    with arrange() as session:
        ada = session.get(Person, offers["ada"])
        factories.pairing(
            session, factories.program_of(session, ada), mentor=ada, resident=session.get(Person, ria),
            ended_on=date(2026, 7, 1), end_reason=EndReason.WITHDRAWAL,
        )  # fmt: skip
    proposal_id, _ = _proposal_for_all(session_factory, offers)
    with session_scope(session_factory) as session:
        program, coordinator = _get(session, offers)
        with refused(PairingRuleError, match="never paired again"):
            reassign(session, program=program, proposal_id=proposal_id, resident_id=ria, mentor_id=offers["ada"],
                     year=2026, actor=coordinator, now=NOW)  # fmt: skip


def test_who_a_round_and_the_waiting_list_match(session_factory, arrange, program_with_people):
    ids = program_with_people
    ria, sam, teo = ids["residents"]
    with arrange() as session:
        program = session.get(Program, ids["program"])
        round_ = open_round(session, program=program, deadline_at=datetime(2026, 7, 30, tzinfo=UTC), now=NOW)
        factories.preference(session, program, resident=session.get(Person, ria), round_=round_)
        factories.preference(session, program, resident=session.get(Person, sam))  # answered outside this round
        queue_person(session, person=session.get(Person, teo), reason=QueueReason.REMATCH, now=NOW)
        round_id = round_.id
    with session_scope(session_factory) as session:
        from storage.models import Round

        assert [p.name for p in residents_for_round(session, round_=session.get(Round, round_id))] == ["Ria", "Teo"]
        assert [p.name for p in residents_waiting(session, program_id=ids["program"])] == ["Teo"]
