"""Proposals: the matcher's result stored for review, edited by coordinators, then approved.

Approval is one transaction: every pairing is created (each through capacity.create_pairing,
which checks the rules and takes a free mentor slot), the proposal is marked approved, the
queue is resolved, and the unmatched are queued for follow-up. If any pairing breaks a rule,
or a concurrent transaction took a place first, nothing at all is written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentoring.matching import MatchProblem, MatchResult, Mentor, Resident, match
from mentoring.preferences import subspecialty_key
from storage import audit
from storage.capacity import (
    NewPairing,
    PairingConflict,
    PairingRuleError,
    active_mentee_counts,
    active_pairing_of_resident,
    check_mentor_can_take,
    create_pairing,
    mentee_limit,
    never_again_pairs,
    offers_for_year,
    people_by_id,
)
from storage.models import (
    Person,
    PersonStatus,
    Program,
    Proposal,
    ProposalPair,
    ProposalState,
    QueueReason,
    ResidentPreference,
    Role,
    Round,
    RoundState,
)
from storage.pause_records import paused_people
from storage.preferences import queue_person, resolve_waiting, waiting_residents
from storage.programs import program_today
from storage.requests import PersonRef
from storage.rounds import close_round, lock_round


class ProposalChanged(PairingRuleError):
    """The proposal is not what the coordinator looked at (edited or replaced meanwhile)."""


# --- building the problem ---------------------------------------------------------------------


def _unpaired_active_residents(session: Session, people: Sequence[Person]) -> list[Person]:
    return [
        person
        for person in people
        if person.role is Role.RESIDENT
        and person.status is PersonStatus.ACTIVE
        and active_pairing_of_resident(session, person.id) is None
    ]


def residents_for_round(session: Session, *, round_: Round) -> list[Person]:
    """Who a round matches: residents who answered it, and anyone waiting in the queue."""
    answered = session.scalars(
        select(Person)
        .join(ResidentPreference, ResidentPreference.resident_id == Person.id)
        .where(ResidentPreference.round_id == round_.id)
    ).all()
    waiting = waiting_residents(session, program_id=round_.program_id)
    unique = {person.id: person for person in [*answered, *waiting]}
    return _unpaired_active_residents(session, sorted(unique.values(), key=lambda p: p.id))


def residents_waiting(session: Session, *, program_id: int) -> list[Person]:
    return _unpaired_active_residents(session, waiting_residents(session, program_id=program_id))


def build_problem(
    session: Session, *, program: Program, year: int, residents: Sequence[Person], paused: Collection[int] = ()
) -> MatchProblem:
    """The matcher's input from the database.

    Mentors are the faculty who said yes to this year's offer, with what is left of their
    capacity after their active pairings. Residents without saved preferences are matched by
    their roster subspecialty. Pairs that ended by request are excluded, and so is anyone in
    `paused` (people on a pause they asked for: never proposed until it ends).
    """
    residents = [person for person in residents if person.id not in paused]
    preferences = {
        row.resident_id: row
        for row in session.scalars(
            select(ResidentPreference).where(ResidentPreference.resident_id.in_([p.id for p in residents]))
        )
    }
    problem_residents = []
    for person in residents:
        saved = preferences.get(person.id)
        if saved is not None:
            problem_residents.append(
                Resident(
                    id=str(person.id),
                    ranking=tuple(str(mentor_id) for mentor_id in saved.ranking),
                    subspecialties=frozenset(saved.subspecialties),
                    focus_areas=frozenset(saved.focus_areas),
                )
            )
        else:
            roster = {subspecialty_key(person.subspecialty)} if person.subspecialty else set()
            problem_residents.append(Resident(id=str(person.id), subspecialties=frozenset(roster)))

    offers = offers_for_year(session, program_id=program.id, year=year)
    faculty = people_by_id(session, offers)
    counts = active_mentee_counts(session, program_id=program.id)
    mentors = []
    for mentor_id, offer in sorted(offers.items()):
        person = faculty[mentor_id]
        if not offer.available or person.status is not PersonStatus.ACTIVE or person.role is not Role.FACULTY:
            continue
        if mentor_id in paused:
            continue
        mentors.append(
            Mentor(
                id=str(mentor_id),
                capacity=max(0, mentee_limit(program, offer) - counts.get(mentor_id, 0)),
                subspecialties=frozenset(offer.subspecialties),
                focus_areas=frozenset(offer.focus_areas),
                preferred_residents=tuple(str(r) for r in offer.preferred_residents),
            )
        )
    excluded = {(str(m), str(r)) for m, r in never_again_pairs(session, program_id=program.id)}
    return MatchProblem(
        residents=tuple(problem_residents),
        mentors=tuple(mentors),
        excluded_pairs=frozenset(excluded),
        max_mentees_per_mentor=program.max_mentees_per_mentor,
    )


# --- storing and reading proposals ------------------------------------------------------------


def pending_proposal(session: Session, *, program_id: int) -> Proposal | None:
    query = (
        select(Proposal)
        .where(Proposal.program_id == program_id, Proposal.state == ProposalState.PENDING)
        .order_by(Proposal.id.desc())
    )
    return session.scalars(query).first()


def proposal_of_program(session: Session, *, program_id: int, proposal_id: int, lock: bool = False) -> Proposal | None:
    """The proposal if it belongs to this program (ids from payloads are never trusted alone)."""
    query = select(Proposal).where(Proposal.id == proposal_id, Proposal.program_id == program_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def store_proposal(
    session: Session,
    *,
    program: Program,
    round_: Round | None,
    result: MatchResult,
    now: datetime,
    actor: Person | None = None,
    actor_fallback: str = "scheduler",
) -> Proposal:
    """Store the matcher's result as the program's one pending proposal (an older one is discarded)."""
    replaced = []
    for older in session.scalars(
        select(Proposal).where(Proposal.program_id == program.id, Proposal.state == ProposalState.PENDING)
    ):
        older.state = ProposalState.DISCARDED
        older.decided_at = now
        replaced.append(older.id)
    proposal = Proposal(
        program_id=program.id,
        round_id=round_.id if round_ is not None else None,
        state=ProposalState.PENDING,
        unmatched_resident_ids=[int(r) for r in result.unmatched_residents],
        stats=result.stats.to_dict(),
        created_at=now,
    )
    proposal.pairs = [
        ProposalPair(mentor_id=int(pair.mentor), resident_id=int(pair.resident), resident_rank=pair.resident_rank)
        for pair in result.pairs
    ]
    session.add(proposal)
    session.flush()
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="proposal.created",
        actor=actor,
        actor_fallback=actor_fallback,
        details={"proposal_id": proposal.id, "round_id": proposal.round_id, "pairs": len(result.pairs),
                 "unmatched": len(result.unmatched_residents), "replaced": replaced},
    )  # fmt: skip
    return proposal


def propose(
    session: Session,
    *,
    program: Program,
    year: int,
    round_: Round | None,
    residents: Sequence[Person],
    now: datetime,
    actor: Person | None = None,
    actor_fallback: str = "scheduler",
) -> Proposal:
    """Run the matcher for these residents and store its proposal (nobody paused today is in it)."""
    paused = paused_people(session, program_id=program.id, today=program_today(program, now))
    result = match(build_problem(session, program=program, year=year, residents=residents, paused=paused))
    return store_proposal(
        session, program=program, round_=round_, result=result, now=now, actor=actor, actor_fallback=actor_fallback
    )


def fingerprint(proposal: Proposal) -> str:
    """Changes whenever the proposal's content does: approval checks the coordinator saw this."""
    content = {
        "id": proposal.id,
        "pairs": sorted((pair.resident_id, pair.mentor_id) for pair in proposal.pairs),
        "unmatched": sorted(proposal.unmatched_resident_ids),
    }
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ProposedPair:
    resident: PersonRef
    mentor: PersonRef
    # Position of the mentor in the resident's own ranking (1 = first choice); None when the
    # matcher chose by shared interests, or a coordinator assigned someone they did not rank.
    choice: int | None


@dataclass(frozen=True)
class ProposalReview:
    """Everything the review screen shows, detached from the session."""

    proposal_id: int
    state: ProposalState
    is_round: bool
    pairs: tuple[ProposedPair, ...]
    unmatched: tuple[PersonRef, ...]
    fingerprint: str
    # Residents' notes for the coordinators (the review is shown to coordinators only).
    notes: tuple[tuple[PersonRef, str], ...] = ()

    @property
    def first_choice(self) -> int:
        return sum(1 for pair in self.pairs if pair.choice == 1)


def review_of(session: Session, *, proposal: Proposal) -> ProposalReview:
    people = people_by_id(
        session,
        [
            *(p.mentor_id for p in proposal.pairs),
            *(p.resident_id for p in proposal.pairs),
            *proposal.unmatched_resident_ids,
        ],
    )
    resident_ids = [*(p.resident_id for p in proposal.pairs), *proposal.unmatched_resident_ids]
    preferences = session.scalars(select(ResidentPreference).where(ResidentPreference.resident_id.in_(resident_ids))).all()
    rankings = {row.resident_id: [int(m) for m in row.ranking] for row in preferences}
    notes = sorted(
        ((PersonRef.of(people[row.resident_id]), row.note) for row in preferences if row.note),
        key=lambda item: (item[0].name.lower(), item[0].person_id),
    )
    pairs = []
    for pair in proposal.pairs:
        ranking = rankings.get(pair.resident_id, [])
        choice = ranking.index(pair.mentor_id) + 1 if pair.mentor_id in ranking else None
        pairs.append(ProposedPair(PersonRef.of(people[pair.resident_id]), PersonRef.of(people[pair.mentor_id]), choice))
    pairs.sort(key=lambda p: (p.resident.name.lower(), p.resident.person_id))
    unmatched = sorted(
        (PersonRef.of(people[r]) for r in proposal.unmatched_resident_ids), key=lambda p: (p.name.lower(), p.person_id)
    )
    return ProposalReview(
        proposal_id=proposal.id,
        state=proposal.state,
        is_round=proposal.round_id is not None,
        pairs=tuple(pairs),
        unmatched=tuple(unmatched),
        fingerprint=fingerprint(proposal),
        notes=tuple(notes),
    )


def _require_pending(proposal: Proposal | None, expected_fingerprint: str | None) -> Proposal:
    if proposal is None:
        raise PairingRuleError("I couldn't find that proposal.")
    if proposal.state is ProposalState.APPROVED:
        raise ProposalChanged("This proposal has already been approved, so nothing more was done.")
    if proposal.state is ProposalState.DISCARDED:
        raise ProposalChanged("This proposal was replaced by a newer one, so nothing was done.")
    if expected_fingerprint is not None and fingerprint(proposal) != expected_fingerprint:
        raise ProposalChanged("Someone changed this proposal while you were looking at it, so nothing was done.")
    return proposal


# --- editing ----------------------------------------------------------------------------------


def reassign(
    session: Session,
    *,
    program: Program,
    proposal_id: int,
    resident_id: int,
    mentor_id: int | None,
    year: int,
    actor: Person,
    now: datetime,
    expected_fingerprint: str | None = None,
) -> Proposal:
    """Give a resident in the proposal another mentor, or none (mentor_id None)."""
    proposal = _require_pending(
        proposal_of_program(session, program_id=program.id, proposal_id=proposal_id, lock=True), expected_fingerprint
    )
    current = next((pair for pair in proposal.pairs if pair.resident_id == resident_id), None)
    if current is None and resident_id not in proposal.unmatched_resident_ids:
        raise PairingRuleError("That resident is not part of this proposal.")
    resident = session.get(Person, resident_id)
    assert resident is not None
    if mentor_id is None:
        if current is not None:
            proposal.pairs.remove(current)
            proposal.unmatched_resident_ids = sorted({*proposal.unmatched_resident_ids, resident_id})
    else:
        mentor = session.get(Person, mentor_id)
        if mentor is None or mentor.program_id != program.id:
            raise PairingRuleError("Please pick a faculty member on the roster.")
        promised = sum(1 for pair in proposal.pairs if pair.mentor_id == mentor.id and pair.resident_id != resident_id)
        check_mentor_can_take(session, program=program, mentor=mentor, resident=resident, year=year, promised=promised)
        saved = session.scalars(select(ResidentPreference).where(ResidentPreference.resident_id == resident_id)).first()
        ranking = [int(m) for m in saved.ranking] if saved is not None else []
        rank = ranking.index(mentor.id) + 1 if mentor.id in ranking else None
        if current is None:
            proposal.pairs.append(ProposalPair(mentor_id=mentor.id, resident_id=resident_id, resident_rank=rank))
            proposal.unmatched_resident_ids = [r for r in proposal.unmatched_resident_ids if r != resident_id]
        else:
            current.mentor_id, current.resident_rank = mentor.id, rank
    session.flush()
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="proposal.reassigned",
        actor=actor,
        subject=resident,
        details={"proposal_id": proposal.id, "mentor_id": mentor_id},
    )
    return proposal


# --- approval ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    proposal: Proposal
    pairings: tuple[NewPairing, ...]
    unmatched: tuple[Person, ...]


def approve(
    session: Session,
    *,
    program: Program,
    proposal_id: int,
    approver: Person,
    now: datetime,
    expected_fingerprint: str | None = None,
) -> Approval:
    """Create every proposed pairing, or none: PairingRuleError lists what stands in the way.

    The proposal row is locked first, so two coordinators approving the same proposal take
    turns and the second is told it is already approved. Two different proposals racing for
    one mentor's last place are stopped by the database (PairingConflict).
    """
    proposal = _require_pending(
        proposal_of_program(session, program_id=program.id, proposal_id=proposal_id, lock=True), expected_fingerprint
    )
    people = people_by_id(session, [*(p.mentor_id for p in proposal.pairs), *(p.resident_id for p in proposal.pairs)])
    created: list[NewPairing] = []
    problems: list[str] = []
    for pair in sorted(proposal.pairs, key=lambda p: p.id):
        try:
            created.append(
                create_pairing(
                    session,
                    program=program,
                    mentor=people[pair.mentor_id],
                    resident=people[pair.resident_id],
                    now=now,
                    proposal_id=proposal.id,
                )
            )
        except PairingConflict:
            raise  # the session is unusable after a failed flush: stop at once
        except PairingRuleError as problem:
            problems.append(str(problem))
    if problems:
        raise PairingRuleError("Nothing was approved yet. " + " ".join(problems) + " Please reassign and try again.")

    proposal.state = ProposalState.APPROVED
    proposal.decided_at = now
    proposal.decided_by_id = approver.id
    paired_ids = [n.mentor.id for n in created] + [n.resident.id for n in created]
    resolve_waiting(session, person_ids=paired_ids, now=now)
    unmatched = [
        person
        for person in people_by_id(session, proposal.unmatched_resident_ids).values()
        if person.status is PersonStatus.ACTIVE and active_pairing_of_resident(session, person.id) is None
    ]
    unmatched.sort(key=lambda p: (p.name.lower(), p.id))
    for person in unmatched:
        queue_person(session, person=person, reason=QueueReason.UNMATCHED, now=now)
    if proposal.round_id is not None:
        round_ = lock_round(session, proposal.round_id)
        if round_ is not None and round_.state is not RoundState.CLOSED:
            close_round(round_, now=now)
    for new in created:
        audit.record(
            session,
            program_id=program.id,
            at=now,
            action="pairing.created",
            actor=approver,
            subject=new.resident,
            details={"pairing_id": new.pairing.id, "mentor_id": new.mentor.id, "proposal_id": proposal.id},
        )
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="proposal.approved",
        actor=approver,
        details={"proposal_id": proposal.id, "pairs": len(created), "unmatched": len(unmatched)},
    )
    session.flush()
    return Approval(proposal=proposal, pairings=tuple(created), unmatched=tuple(unmatched))
