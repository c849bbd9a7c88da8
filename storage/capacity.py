"""Who can still take whom: mentor capacity, the never-again rule, and creating a pairing.

Every path that creates a pairing (approving a proposal, a coordinator's manual pair) goes
through create_pairing, which checks the program's rules and picks a free mentor slot. The
partial unique indexes on pairings are the last word: two transactions that both believed a
slot was free cannot both commit, and the loser's IntegrityError becomes a PairingConflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentoring.cadence import next_due
from mentoring.nudges import first_nudge_date
from storage.meetings import policy_of
from storage.models import EndReason, MentorOffer, Pairing, Person, PersonStatus, Program, Role
from storage.outbox import cancel_for_pairing
from storage.pause_records import close_for_ended_pairing
from storage.programs import academic_calendar, program_today

# Pairings that ended this way are never proposed again (DESIGN.md: "never pair two people
# again after their pairing ended by request").
NEVER_AGAIN_REASONS = (EndReason.CHANGE_REQUEST, EndReason.WITHDRAWAL)


class PairingRuleError(ValueError):
    """A pairing the program's rules do not allow; the message is meant for a coordinator."""


class PairingConflict(PairingRuleError):
    """Another transaction took the same place at the same moment; nothing was written."""


def academic_year(program: Program, now: datetime) -> int:
    """The calendar year the program's current academic year started in."""
    return academic_calendar(program).year_of(program_today(program, now))


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
        raise PairingRuleError(f"{mentor.name} is not on the roster as faculty, so they can't mentor.")
    if mentor.status is PersonStatus.WITHDRAWN:
        raise PairingRuleError(f"{mentor.name} has stepped back from the program.")
    if never_again(session, mentor_id=mentor.id, resident_id=resident.id):
        raise PairingRuleError(
            f"{mentor.name} and {resident.name} were paired before and that pairing ended by request, "
            "so they are never paired again."
        )
    limit = mentee_limit(program, offer_for_year(session, mentor_id=mentor.id, year=year))
    if limit == 0:
        raise PairingRuleError(f"{mentor.name} said they can't mentor this year.")
    if active_mentee_count(session, mentor.id) + promised >= limit:
        raise PairingRuleError(f"{mentor.name} already has as many mentees as they can take ({limit}).")


def check_can_pair(session: Session, *, program: Program, mentor: Person, resident: Person, year: int) -> None:
    """Raise PairingRuleError naming the first rule this pairing would break."""
    if resident.program_id != program.id or not resident.is_resident:
        raise PairingRuleError(f"{resident.name} is not on the roster as a resident.")
    if resident.status is PersonStatus.WITHDRAWN:
        raise PairingRuleError(f"{resident.name} has stepped back from the program.")
    current = active_pairing_of_resident(session, resident.id)
    if current is not None:
        raise PairingRuleError(f"{resident.name} already has an active mentor ({current.mentor.name}).")
    check_mentor_can_take(session, program=program, mentor=mentor, resident=resident, year=year)


def _free_slot(session: Session, *, program: Program, mentor_id: int) -> int:
    taken = set(session.scalars(select(Pairing.mentor_slot).where(Pairing.mentor_id == mentor_id, Pairing.ended_on.is_(None))))
    for slot in range(1, program.max_mentees_per_mentor + 1):
        if slot not in taken:
            return slot
    raise PairingRuleError("This mentor has no free place.")  # check_can_pair normally says it first


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
    due = next_due(today, None)
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
        raise PairingConflict(
            "Someone else paired one of these people at the same moment, so nothing was saved. "
            "Please look at the current state and try again."
        ) from error


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
