"""Residents' preferences and faculty's offers: what their forms show, checking them, saving them.

A resident who answers outside a round joins the waiting list, and the coordinators are told.
Someone who cannot answer now (they left, or already have a mentor) is `Blocked`; a form with
problems comes back with them by field (mentoring/preferences.py words them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from mentoring.preferences import (
    Blocked,
    BlockedReason,
    Choice,
    OfferAnswers,
    Problems,
    RequestAnswers,
    check_offer,
    check_request,
    subspecialty_key,
)
from program.messages import queue_once
from storage.models import Person, PersonStatus, Program, QueueReason
from storage.outbox_kinds import OutboxKind, queue_joined_key
from storage.pairings import active_pairing_of_resident, people_by_id
from storage.preferences import (
    OfferInput,
    queue_person,
    rankable_mentors,
    resident_candidates,
    save_offer,
    save_request,
    saved_offer,
    saved_request,
    subspecialty_choices,
    waiting_residents,
)
from storage.programs import academic_year, load_program
from storage.roster import Actor, active_coordinators, person_of
from storage.rounds import last_answer_day, open_round_of, year_label
from views import rounds as words


@dataclass(frozen=True)
class Named:
    """Someone a form names (a ranked mentor, a preferred resident), as the form shows them."""

    person_id: int
    name: str
    subspecialty: str | None


def _blocked_from_requesting(session: Session, resident: Person) -> Blocked | None:
    if resident.status is PersonStatus.WITHDRAWN:
        return Blocked(BlockedReason.WITHDRAWN)
    current = active_pairing_of_resident(session, resident.id)
    if current is not None:
        return Blocked(BlockedReason.HAS_MENTOR, mentor_name=current.mentor.name)
    return None


def _blocked_from_offering(mentor: Person) -> Blocked | None:
    return Blocked(BlockedReason.WITHDRAWN) if mentor.status is PersonStatus.WITHDRAWN else None


def _named(session: Session, ids: Sequence[int]) -> list[Named | None]:
    people = people_by_id(session, ids)
    return [Named(i, people[i].name, people[i].subspecialty) if i in people else None for i in ids]


def _last_day(session: Session, program: Program, now: datetime) -> date | None:
    round_ = open_round_of(session, program=program, now=now)
    return last_answer_day(program, round_.deadline_at) if round_ else None


# --- residents' preferences --------------------------------------------------------------------


@dataclass(frozen=True)
class RequestForm:
    """What the preferences modal shows: the saved answers, and the round's last day if one is open."""

    saved_choices: list[Named | None]
    catalogue: list[Choice]
    saved_subspecialties: Sequence[str]
    saved_focus_areas: Sequence[str]
    saved_note: str
    last_day: date | None


def request_form(session: Session, *, actor: Actor, now: datetime) -> RequestForm | Blocked:
    resident = person_of(session, actor)
    blocked = _blocked_from_requesting(session, resident)
    if blocked is not None:
        return blocked
    program = load_program(session, resident.program_id)
    saved = saved_request(session, resident_id=resident.id)
    return RequestForm(
        saved_choices=_named(session, [int(i) for i in saved.ranking]) if saved else [],
        catalogue=subspecialty_choices(session, program_id=program.id),
        saved_subspecialties=saved.subspecialties if saved else (),
        saved_focus_areas=saved.focus_areas if saved else (),
        saved_note=(saved.note or "") if saved else "",
        last_day=_last_day(session, program, now),
    )


def check_request_answers(session: Session, *, actor: Actor, answers: RequestAnswers, now: datetime) -> Blocked | Problems:
    """Whether the answers can be saved now: Blocked, or the problems by field (empty: fine)."""
    resident = person_of(session, actor)
    blocked = _blocked_from_requesting(session, resident)
    if blocked is not None:
        return blocked
    program = load_program(session, resident.program_id)
    eligible = rankable_mentors(
        session, program=program, resident_id=resident.id, year=academic_year(program, now), ids=answers.ranking, limit=None
    )
    catalogue = subspecialty_choices(session, program_id=program.id)
    return check_request(
        answers,
        resident_id=resident.id,
        eligible_mentor_ids=[p.id for p in eligible],
        known_subspecialties=[c.key for c in catalogue],
    )


@dataclass(frozen=True)
class RequestSaved:
    ranked_names: tuple[str, ...]
    last_day: date | None  # the round's last day for answers; None outside a round
    queued: bool


def submit_request(
    session: Session, *, actor: Actor, answers: RequestAnswers, now: datetime
) -> RequestSaved | Blocked | Problems:
    """Check again and save the preferences: for the open round, or (outside one) join the
    waiting list and tell the coordinators privately."""
    refused = check_request_answers(session, actor=actor, answers=answers, now=now)
    if isinstance(refused, Blocked) or refused:
        return refused
    resident = person_of(session, actor)
    program = load_program(session, resident.program_id)
    round_ = open_round_of(session, program=program, now=now)
    save_request(
        session,
        resident=resident,
        ranking=answers.ranking,
        subspecialties=answers.subspecialties,
        focus_areas=answers.focus_areas,
        note=answers.note,
        round_=round_,
        now=now,
    )
    names = people_by_id(session, answers.ranking)
    ranked = tuple(names[i].name for i in answers.ranking if i in names)
    if round_ is not None:
        return RequestSaved(ranked, last_answer_day(program, round_.deadline_at), queued=False)
    entry, newly = queue_person(session, person=resident, reason=QueueReason.MIDYEAR_REQUEST, now=now)
    if newly:
        waiting = len(waiting_residents(session, program_id=program.id))
        message = words.resident_queued(resident_user_id=resident.slack_user_id, waiting=waiting)
        for coordinator in active_coordinators(session, program_id=program.id):
            queue_once(
                session, program, OutboxKind.QUEUE_JOINED, message, now=now, to=[coordinator],
                dedupe_key=queue_joined_key(entry.id, coordinator.id),
            )  # fmt: skip
    return RequestSaved(ranked, None, queued=True)


def mentors_to_rank(session: Session, *, actor: Actor, query: str, now: datetime) -> list[Person]:
    """The pick list of faculty a resident may rank, searched as they type; none if they cannot ask."""
    resident = person_of(session, actor)
    if _blocked_from_requesting(session, resident):
        return []  # a resident with a mentor (or who left) has nobody to rank
    program = load_program(session, resident.program_id)
    return rankable_mentors(session, program=program, resident_id=resident.id, year=academic_year(program, now), query=query)


# --- faculty's offers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferForm:
    """What the availability modal shows: this year's answer if given, and the saved choices."""

    max_capacity: int
    catalogue: list[Choice]
    year_label: str
    available: bool | None
    capacity: int | None
    saved_subspecialties: Sequence[str]
    saved_focus_areas: Sequence[str]
    saved_preferred: list[Named]
    last_day: date | None
    cadence_months: int = 3


def offer_form(session: Session, *, actor: Actor, now: datetime) -> OfferForm | Blocked:
    mentor = person_of(session, actor)
    blocked = _blocked_from_offering(mentor)
    if blocked is not None:
        return blocked
    program = load_program(session, mentor.program_id)
    year = academic_year(program, now)
    saved = saved_offer(session, mentor_id=mentor.id)
    this_year = saved is not None and saved.academic_year == year
    roster_subspecialty = [subspecialty_key(mentor.subspecialty)] if mentor.subspecialty else []
    preferred = [p for p in _named(session, [int(i) for i in saved.preferred_residents]) if p] if saved else []
    return OfferForm(
        max_capacity=program.max_mentees_per_mentor,
        catalogue=subspecialty_choices(session, program_id=program.id),
        year_label=year_label(program, year),
        available=saved.available if this_year and saved else None,
        capacity=saved.capacity if this_year and saved and saved.available else None,
        saved_subspecialties=saved.subspecialties if saved else roster_subspecialty,
        saved_focus_areas=saved.focus_areas if saved else (),
        saved_preferred=preferred,
        last_day=_last_day(session, program, now),
        cadence_months=program.cadence_months,
    )


def check_offer_answers(session: Session, *, actor: Actor, answers: OfferAnswers) -> Blocked | Problems:
    mentor = person_of(session, actor)
    blocked = _blocked_from_offering(mentor)
    if blocked is not None:
        return blocked
    program = load_program(session, mentor.program_id)
    residents = resident_candidates(session, program=program, ids=answers.preferred_residents, limit=None)
    return check_offer(
        answers,
        max_capacity=program.max_mentees_per_mentor,
        eligible_resident_ids=[r.id for r in residents],
        known_subspecialties=[c.key for c in subspecialty_choices(session, program_id=program.id)],
    )


@dataclass(frozen=True)
class OfferSaved:
    available: bool
    capacity: int


def submit_offer(session: Session, *, actor: Actor, answers: OfferAnswers, now: datetime) -> OfferSaved | Blocked | Problems:
    """Check again and save the offer; it stands for this academic year."""
    refused = check_offer_answers(session, actor=actor, answers=answers)
    if isinstance(refused, Blocked) or refused:
        return refused
    mentor = person_of(session, actor)
    offer = OfferInput(
        available=bool(answers.available),
        capacity=answers.capacity or 0,
        subspecialties=answers.subspecialties,
        focus_areas=answers.focus_areas,
        preferred_residents=answers.preferred_residents,
    )
    row = save_offer(
        session, mentor=mentor, year=academic_year(load_program(session, mentor.program_id), now), offer=offer, now=now
    )
    return OfferSaved(available=row.available, capacity=row.capacity)


def residents_to_prefer(session: Session, *, actor: Actor, query: str) -> list[Person]:
    """The pick list of residents a faculty member may name as preferred."""
    return resident_candidates(session, program=load_program(session, actor.program_id), query=query)
