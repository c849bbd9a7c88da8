"""Residents' preferences, faculty offers, the pick lists behind them, and the match queue."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mentoring.preferences import Choice, subspecialty_catalogue
from storage import audit
from storage.inserts import insert_or_skip, locked_row
from storage.models import (
    MentorOffer,
    Person,
    PersonStatus,
    Program,
    QueueEntry,
    QueueReason,
    ResidentPreference,
    Role,
    Round,
)
from storage.pairings import active_mentee_counts, mentee_limit, never_again_pairs, offers_for_year

PICK_LIST_LIMIT = 100  # Slack shows at most 100 options per select


def _active_people(program_id: int, role: Role, query: str, ids: Iterable[int] | None) -> Select[Person]:
    statement = _people(program_id, role, query, ids)
    return statement.where(Person.status == PersonStatus.ACTIVE)


def _people(program_id: int, role: Role, query: str, ids: Iterable[int] | None) -> Select[Person]:
    """Everyone on the roster in `role`, whatever their status: what the pick lists search."""
    statement = select(Person).where(Person.program_id == program_id, Person.role == role)
    if ids is not None:
        statement = statement.where(Person.id.in_(set(ids)))
    words = query.strip().lower()
    if words:
        statement = statement.where(func.lower(Person.name).contains(words, autoescape=True))
    return statement.order_by(Person.name, Person.id)


def mentor_candidates(
    session: Session,
    *,
    program: Program,
    resident_id: int,
    year: int,
    query: str = "",
    ids: Iterable[int] | None = None,
    limit: int | None = PICK_LIST_LIMIT,
) -> list[Person]:
    """Faculty a resident may rank: active, not saying "not this year", with a free place,
    never the resident themselves, never someone whose pairing with them ended by request.

    Faculty who have not answered this year's offer yet are listed: residents and faculty
    answer during the same round. The matcher later uses only those who said yes.
    """
    offers = offers_for_year(session, program_id=program.id, year=year)
    counts = active_mentee_counts(session, program_id=program.id)
    never = {mentor for mentor, resident in never_again_pairs(session, program_id=program.id) if resident == resident_id}
    found: list[Person] = []
    for person in session.scalars(_active_people(program.id, Role.FACULTY, query, ids)):
        if person.id == resident_id or person.id in never:
            continue
        if counts.get(person.id, 0) >= mentee_limit(program, offers.get(person.id)):
            continue
        found.append(person)
        if limit is not None and len(found) >= limit:
            break
    return found


def rankable_mentors(
    session: Session,
    *,
    program: Program,
    resident_id: int,
    year: int,
    query: str = "",
    ids: Iterable[int] | None = None,
    limit: int | None = PICK_LIST_LIMIT,
) -> list[Person]:
    """Faculty a resident may rank: every faculty member on the roster, except those who said "not
    this year" (their own answer) and those whose pairing with this resident ended by request
    (which the resident knows).

    Deliberately the same whoever has withdrawn, is paused or has a free place: a name that
    disappeared when someone left, or appeared when a pairing ended, would tell residents who did.
    The matcher skips faculty who cannot take a mentee.
    """
    declined = {
        mentor for mentor, offer in offers_for_year(session, program_id=program.id, year=year).items() if not offer.available
    }
    never = {mentor for mentor, resident in never_again_pairs(session, program_id=program.id) if resident == resident_id}
    found: list[Person] = []
    for person in session.scalars(_people(program.id, Role.FACULTY, query, ids)):
        if person.id in (resident_id, *declined, *never):
            continue
        found.append(person)
        if limit is not None and len(found) >= limit:
            break
    return found


def resident_candidates(
    session: Session,
    *,
    program: Program,
    query: str = "",
    ids: Iterable[int] | None = None,
    limit: int | None = PICK_LIST_LIMIT,
) -> list[Person]:
    """Residents a faculty member may name as preferred: every resident on the roster.

    Deliberately not filtered by who has a mentor, or who has withdrawn: the roster is no secret,
    but a list that left someone out would tell faculty whose pairing ended, or who left. The
    matcher ignores a preference for someone who is not in the round.
    """
    statement = _people(program.id, Role.RESIDENT, query, ids)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def subspecialty_choices(session: Session, *, program_id: int) -> list[Choice]:
    roster = session.scalars(
        select(Person.subspecialty).where(Person.program_id == program_id, Person.subspecialty.is_not(None)).distinct()
    )
    return subspecialty_catalogue(sorted(name for name in roster if name))


def saved_request(session: Session, *, resident_id: int) -> ResidentPreference | None:
    return session.scalars(select(ResidentPreference).where(ResidentPreference.resident_id == resident_id)).first()


def saved_offer(session: Session, *, mentor_id: int) -> MentorOffer | None:
    return session.scalars(select(MentorOffer).where(MentorOffer.mentor_id == mentor_id)).first()


def save_request(
    session: Session,
    *,
    resident: Person,
    ranking: Sequence[int],
    subspecialties: Sequence[str],
    focus_areas: Sequence[str],
    note: str | None,
    round_: Round | None,
    now: datetime,
) -> ResidentPreference:
    """Insert or replace the resident's preferences (one row per resident; two saves at once take turns)."""
    row = locked_row(
        session, ResidentPreference, key="resident_id",
        values={"program_id": resident.program_id, "resident_id": resident.id, "updated_at": now},
    )  # fmt: skip
    row.round_id = round_.id if round_ is not None else None
    row.ranking = list(ranking)
    row.subspecialties = list(subspecialties)
    row.focus_areas = list(focus_areas)
    row.note = note or None
    row.updated_at = now
    audit.record(
        session,
        program_id=resident.program_id,
        at=now,
        action="preferences.saved",
        actor=resident,
        subject=resident,
        details={"ranked": len(ranking), "round_id": row.round_id, "with_note": bool(note)},
    )
    session.flush()
    return row


@dataclass(frozen=True)
class OfferInput:
    available: bool
    capacity: int
    subspecialties: Sequence[str]
    focus_areas: Sequence[str]
    preferred_residents: Sequence[int]


def save_offer(session: Session, *, mentor: Person, year: int, offer: OfferInput, now: datetime) -> MentorOffer:
    """Insert or replace the faculty member's offer; it stands for academic year `year`. Two saves at once take turns."""
    row = locked_row(
        session, MentorOffer, key="mentor_id",
        values={"program_id": mentor.program_id, "mentor_id": mentor.id, "academic_year": year, "updated_at": now},
    )  # fmt: skip
    row.academic_year = year
    row.available = offer.available
    row.capacity = offer.capacity if offer.available else 0
    row.subspecialties = list(offer.subspecialties)
    row.focus_areas = list(offer.focus_areas)
    row.preferred_residents = list(offer.preferred_residents)
    row.updated_at = now
    audit.record(
        session,
        program_id=mentor.program_id,
        at=now,
        action="offer.saved",
        actor=mentor,
        subject=mentor,
        details={"year": year, "available": offer.available, "capacity": row.capacity},
    )
    session.flush()
    return row


# --- the match queue --------------------------------------------------------------------------


def waiting_entry(session: Session, *, person_id: int) -> QueueEntry | None:
    query = select(QueueEntry).where(QueueEntry.person_id == person_id, QueueEntry.resolved_at.is_(None))
    return session.scalars(query).first()


def queue_person(session: Session, *, person: Person, reason: QueueReason, now: datetime) -> tuple[QueueEntry, bool]:
    """Put someone in the queue unless they are already waiting; (entry, newly queued).

    Two transactions queueing the same person at once (a double submit) both succeed: the
    partial unique index keeps one waiting row and the other insert quietly does nothing.
    """
    inserted = session.execute(
        insert_or_skip(session, QueueEntry)
        .values(program_id=person.program_id, person_id=person.id, reason=reason, queued_at=now)
        .on_conflict_do_nothing(index_elements=["person_id"], index_where=QueueEntry.resolved_at.is_(None))
        .returning(QueueEntry.id)
    ).scalar()
    entry = waiting_entry(session, person_id=person.id)
    assert entry is not None
    if inserted is not None:
        audit.record(
            session, program_id=person.program_id, at=now, action="queue.joined", subject=person, details={"reason": reason.value}
        )
    return entry, inserted is not None


def resolve_waiting(session: Session, *, person_ids: Iterable[int], now: datetime) -> int:
    wanted = set(person_ids)
    if not wanted:
        return 0
    entries = session.scalars(select(QueueEntry).where(QueueEntry.person_id.in_(wanted), QueueEntry.resolved_at.is_(None))).all()
    for entry in entries:
        entry.resolved_at = now
    return len(entries)


def people_waiting_for_match(session: Session, *, program_id: int) -> list[Person]:
    """For the channel summary: who is waiting for a (new) match, longest-waiting first.

    Deliberately says nothing about why (a change request, a withdrawal, a mid-year request).
    """
    query = (
        select(Person)
        .join(QueueEntry, QueueEntry.person_id == Person.id)
        .where(
            QueueEntry.program_id == program_id,
            QueueEntry.resolved_at.is_(None),
            Person.status == PersonStatus.ACTIVE,
        )
        .order_by(QueueEntry.queued_at, QueueEntry.id)
    )
    return list(session.scalars(query))


def waiting_residents(session: Session, *, program_id: int) -> list[Person]:
    """Active residents in the queue, longest-waiting first."""
    return [p for p in people_waiting_for_match(session, program_id=program_id) if p.role is Role.RESIDENT]
