"""Pairings: who is paired with whom now, who can still take whom (mentor capacity, the
never-again rule), and starting or ending a pairing.

Every path that creates a pairing (approving a proposal, a coordinator's manual pair) goes
through create_pairing, which checks the program's rules and picks a free mentor slot. The
partial unique indexes on pairings are the last word: two transactions that both believed a
slot was free cannot both commit, and the loser's IntegrityError becomes a PairingConflict.

A rule that stands in the way is a PairingRuleError carrying what was refused and whom it names
(PairingRefusal); views/pairings.py turns it into words.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mentoring.cadence import next_due
from mentoring.nudges import first_nudge_date
from storage.models import EndReason, MentorOffer, Pairing, Person, PersonStatus, Program, Role
from storage.outbox import cancel_for_pairing
from storage.pause_records import close_for_ended_pairing
from storage.programs import academic_year, policy_of, program_today

# Pairings that ended this way are never proposed again (DESIGN.md: "never pair two people
# again after their pairing ended by request").
NEVER_AGAIN_REASONS = (EndReason.CHANGE_REQUEST, EndReason.WITHDRAWAL)


class PairingProblem(enum.Enum):
    NOT_FACULTY = "not_faculty"
    MENTOR_WITHDRAWN = "mentor_withdrawn"
    NEVER_AGAIN = "never_again"
    NOT_MENTORING_THIS_YEAR = "not_mentoring_this_year"
    MENTOR_FULL = "mentor_full"
    NO_FREE_PLACE = "no_free_place"
    NOT_RESIDENT = "not_resident"
    RESIDENT_WITHDRAWN = "resident_withdrawn"
    HAS_MENTOR = "has_mentor"
    NO_MENTOR = "no_mentor"  # ending a pairing that is not there
    TAKEN_MEANWHILE = "taken_meanwhile"  # a concurrent transaction took the place first
    # A proposal under review:
    PROPOSAL_NOT_FOUND = "proposal_not_found"
    PROPOSAL_APPROVED = "proposal_approved"
    PROPOSAL_REPLACED = "proposal_replaced"
    PROPOSAL_CHANGED = "proposal_changed"  # edited since the coordinator opened it
    NOT_IN_PROPOSAL = "not_in_proposal"
    UNKNOWN_MENTOR = "unknown_mentor"  # a mentor picked who is not on the program's roster


@dataclass(frozen=True)
class PairingRefusal:
    """One rule in the way, and the names a message about it needs."""

    problem: PairingProblem
    mentor: str | None = None
    resident: str | None = None
    limit: int | None = None  # MENTOR_FULL: how many mentees the mentor can take
    current_mentor: str | None = None  # HAS_MENTOR


class PairingRuleError(ValueError):
    """Pairings the program's rules do not allow; nothing was written. `approving`: the
    refusals stopped a whole proposal's approval."""

    def __init__(self, *refusals: PairingRefusal, approving: bool = False) -> None:
        super().__init__(", ".join(r.problem.value for r in refusals))
        self.refusals, self.approving = refusals, approving

    @property
    def problem(self) -> PairingProblem:
        return self.refusals[0].problem


class PairingConflict(PairingRuleError):
    """Another transaction took the same place at the same moment; nothing was written."""

    def __init__(self) -> None:
        super().__init__(PairingRefusal(PairingProblem.TAKEN_MEANWHILE))


def active_pairings_of(session: Session, *, person_id: int, lock: bool = False) -> list[Pairing]:
    """The person's current pairings (a resident's one, a mentor's up to two), oldest first,
    both people loaded. `lock` holds them for an update that ends them."""
    query = (
        select(Pairing)
        .where(or_(Pairing.mentor_id == person_id, Pairing.resident_id == person_id), Pairing.ended_on.is_(None))
        .options(selectinload(Pairing.mentor), selectinload(Pairing.resident))
        .order_by(Pairing.started_on, Pairing.id)
    )
    if lock:
        query = query.with_for_update(of=Pairing)
    return list(session.scalars(query))


def counterpart_of(pairing: Pairing, person_id: int) -> Person:
    """The other person in the pairing."""
    return pairing.resident if pairing.mentor_id == person_id else pairing.mentor


def active_mentee_counts(session: Session, *, program_id: int) -> dict[int, int]:
    """Mentor person id -> number of active pairings (mentors with none are absent)."""
    query = (
        select(Pairing.mentor_id, func.count())
        .where(Pairing.program_id == program_id, Pairing.ended_on.is_(None))
        .group_by(Pairing.mentor_id)
    )
    return dict(session.execute(query).all())


def active_mentee_count(session: Session, mentor_id: int) -> int:
    query = select(func.count()).where(Pairing.mentor_id == mentor_id, Pairing.ended_on.is_(None))
    return int(session.scalar(query) or 0)


def active_pairing_of_resident(session: Session, resident_id: int) -> Pairing | None:
    query = select(Pairing).where(Pairing.resident_id == resident_id, Pairing.ended_on.is_(None))
    return session.scalars(query).first()


def never_again_pairs(session: Session, *, program_id: int) -> set[tuple[int, int]]:
    """(mentor id, resident id) of every pairing that ended through a change request or withdrawal."""
    query = select(Pairing.mentor_id, Pairing.resident_id).where(
        Pairing.program_id == program_id, Pairing.end_reason.in_(NEVER_AGAIN_REASONS)
    )
    return {(mentor_id, resident_id) for mentor_id, resident_id in session.execute(query)}


def never_again(session: Session, *, mentor_id: int, resident_id: int) -> bool:
    query = select(Pairing.id).where(
        Pairing.mentor_id == mentor_id,
        Pairing.resident_id == resident_id,
        Pairing.end_reason.in_(NEVER_AGAIN_REASONS),
    )
    return session.scalars(query.limit(1)).first() is not None


def offers_for_year(session: Session, *, program_id: int, year: int) -> dict[int, MentorOffer]:
    query = select(MentorOffer).where(MentorOffer.program_id == program_id, MentorOffer.academic_year == year)
    return {offer.mentor_id: offer for offer in session.scalars(query)}


def offer_for_year(session: Session, *, mentor_id: int, year: int) -> MentorOffer | None:
    query = select(MentorOffer).where(MentorOffer.mentor_id == mentor_id, MentorOffer.academic_year == year)
    return session.scalars(query).first()


def mentee_limit(program: Program, offer: MentorOffer | None) -> int:
    """How many mentees a faculty member may have: what they offered this year, never above
    the program maximum; 0 if they said they cannot mentor; the program maximum if they have
    not answered (only a coordinator's manual pairing reaches that case)."""
    if offer is None:
        return program.max_mentees_per_mentor
    if not offer.available:
        return 0
    return max(0, min(offer.capacity, program.max_mentees_per_mentor))


def is_mentor(person: Person) -> bool:
    return person.role is Role.FACULTY


@dataclass(frozen=True)
class NewPairing:
    pairing: Pairing
    mentor: Person
    resident: Person


def check_mentor_can_take(
    session: Session, *, program: Program, mentor: Person, resident: Person, year: int, promised: int = 0
) -> None:
    """Raise PairingRuleError if this mentor may not take this resident now. `promised` counts
    places already given away elsewhere (e.g. earlier in the same proposal)."""
    if mentor.program_id != program.id or not is_mentor(mentor):
        raise PairingRuleError(PairingRefusal(PairingProblem.NOT_FACULTY, mentor=mentor.name))
    if mentor.status is PersonStatus.WITHDRAWN:
        raise PairingRuleError(PairingRefusal(PairingProblem.MENTOR_WITHDRAWN, mentor=mentor.name))
    if never_again(session, mentor_id=mentor.id, resident_id=resident.id):
        raise PairingRuleError(PairingRefusal(PairingProblem.NEVER_AGAIN, mentor=mentor.name, resident=resident.name))
    limit = mentee_limit(program, offer_for_year(session, mentor_id=mentor.id, year=year))
    if limit == 0:
        raise PairingRuleError(PairingRefusal(PairingProblem.NOT_MENTORING_THIS_YEAR, mentor=mentor.name))
    if active_mentee_count(session, mentor.id) + promised >= limit:
        raise PairingRuleError(PairingRefusal(PairingProblem.MENTOR_FULL, mentor=mentor.name, limit=limit))


def check_can_pair(session: Session, *, program: Program, mentor: Person, resident: Person, year: int) -> None:
    """Raise PairingRuleError naming the first rule this pairing would break."""
    if resident.program_id != program.id or not resident.is_resident:
        raise PairingRuleError(PairingRefusal(PairingProblem.NOT_RESIDENT, resident=resident.name))
    if resident.status is PersonStatus.WITHDRAWN:
        raise PairingRuleError(PairingRefusal(PairingProblem.RESIDENT_WITHDRAWN, resident=resident.name))
    current = active_pairing_of_resident(session, resident.id)
    if current is not None:
        raise PairingRuleError(
            PairingRefusal(PairingProblem.HAS_MENTOR, resident=resident.name, current_mentor=current.mentor.name)
        )
    check_mentor_can_take(session, program=program, mentor=mentor, resident=resident, year=year)


def _free_slot(session: Session, *, program: Program, mentor_id: int) -> int:
    taken = set(session.scalars(select(Pairing.mentor_slot).where(Pairing.mentor_id == mentor_id, Pairing.ended_on.is_(None))))
    for slot in range(1, program.max_mentees_per_mentor + 1):
        if slot not in taken:
            return slot
    raise PairingRuleError(PairingRefusal(PairingProblem.NO_FREE_PLACE))  # check_can_pair normally says it first


def create_pairing(
    session: Session,
    *,
    program: Program,
    mentor: Person,
    resident: Person,
    now: datetime,
    proposal_id: int | None = None,
) -> NewPairing:
    """Check the rules, take a free mentor slot, and add the pairing with its first due date.

    Not flushed here: callers flush once after adding every pairing of one decision and turn
    an IntegrityError into PairingConflict (see flush_pairings).
    """
    today = program_today(program, now)
    check_can_pair(session, program=program, mentor=mentor, resident=resident, year=academic_year(program, now))
    due = next_due(today, None, every_months=program.cadence_months)
    pairing = Pairing(
        program_id=program.id,
        mentor_id=mentor.id,
        resident_id=resident.id,
        mentor_slot=_free_slot(session, program=program, mentor_id=mentor.id),
        started_on=today,
        next_due_on=due,
        next_check_on=first_nudge_date(due, policy_of(program)),
        proposal_id=proposal_id,
        created_at=now,
    )
    session.add(pairing)
    # Flushed now so the next pairing of the same decision sees this slot as taken.
    flush_pairings(session)
    return NewPairing(pairing=pairing, mentor=mentor, resident=resident)


def flush_pairings(session: Session) -> None:
    """Flush; a unique-index violation means a concurrent transaction won the place."""
    try:
        session.flush()
    except IntegrityError as error:
        raise PairingConflict() from error


def end_pairing(session: Session, pairing: Pairing, *, reason: EndReason, program: Program, now: datetime) -> None:
    """End a pairing today: the sweep never looks at it again and its unsent messages are cancelled.

    The reason matters: endings by change request or withdrawal keep the two from ever being
    proposed to each other again. Callers record the audit entry (they know who acted on whom)."""
    pairing.ended_on = program_today(program, now)
    pairing.end_reason = reason
    pairing.next_check_on = None
    pairing.paused_until = None
    close_for_ended_pairing(session, pairing.id, now=now)
    cancel_for_pairing(session, pairing_id=pairing.id, reason=f"pairing ended ({reason.value})")


def people_by_id(session: Session, ids: Iterable[int]) -> dict[int, Person]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {person.id: person for person in session.scalars(select(Person).where(Person.id.in_(wanted)))}
