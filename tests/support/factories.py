"""Rows for tests, with sensible defaults; every call says only what matters to the test."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentoring.cadence import next_due
from mentoring.programs import MAX_MENTEES_CEILING
from storage.models import (
    ChangeRequest,
    EndReason,
    Meeting,
    MentorOffer,
    OutboxMessage,
    OutboxState,
    Pairing,
    Person,
    PersonStatus,
    Program,
    Proposal,
    ProposalPair,
    ProposalState,
    QueueEntry,
    QueueReason,
    RequestKind,
    RequestState,
    ResidentPreference,
    Role,
    Round,
    RoundState,
)
from storage.outbox import enqueue
from storage.outbox_kinds import OutboxKind
from storage.programs import ProgramSettings, ensure_program

TEAM_ID = "T0001"
EPOCH = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
_user_numbers = itertools.count(100)


def program(
    session: Session, *, team_id: str = TEAM_ID, time_zone: str = "America/New_York", channel: str | None = "C0COORD1"
) -> Program:
    return ensure_program(
        session,
        team_id=team_id,
        settings=ProgramSettings(time_zone=time_zone, coordinator_channel_id=channel),
        now=EPOCH,
    )


def person(
    session: Session,
    prog: Program,
    *,
    role: Role = Role.RESIDENT,
    name: str | None = None,
    slack_user_id: str | None = None,
    is_coordinator: bool | None = None,
    pgy: int | None = None,
    subspecialty: str | None = None,
) -> Person:
    number = next(_user_numbers)
    row = Person(
        program_id=prog.id,
        team_id=prog.team_id,
        slack_user_id=slack_user_id or f"U{number:07d}",
        name=name or f"{role.value.title()} {number}",
        role=role,
        is_coordinator=role is Role.COORDINATOR if is_coordinator is None else is_coordinator,
        pgy=pgy if pgy is not None else (1 if role is Role.RESIDENT else None),
        subspecialty=subspecialty,
        status=PersonStatus.ACTIVE,
        created_at=EPOCH,
        updated_at=EPOCH,
    )
    session.add(row)
    session.flush()
    return row


def outbox_dm(
    session: Session,
    prog: Program,
    recipients: list[Person],
    *,
    now: datetime,
    text: str = "Hello from the outbox",
    kind: OutboxKind = OutboxKind.MEETING_LOGGED,
    **kwargs: object,
) -> OutboxMessage:
    """A DM (group DM with several recipients) queued through the real enqueue()."""
    return enqueue(session, program=prog, kind=kind, text=text, now=now, recipients=recipients, **kwargs)  # type: ignore[arg-type]


def pairing(
    session: Session,
    prog: Program,
    mentor: Person,
    resident: Person,
    *,
    started_on: date = date(2026, 7, 1),
    mentor_slot: int | None = None,
    last_met_on: date | None = None,
    ended_on: date | None = None,
    end_reason: EndReason | None = None,
) -> Pairing:
    """A pairing (in the mentor's next free slot unless one is given), active unless `ended_on`
    is given; due after the program's cadence; its first reminder look is its first day."""
    if mentor_slot is None:
        taken = set(
            session.scalars(select(Pairing.mentor_slot).where(Pairing.mentor_id == mentor.id, Pairing.ended_on.is_(None)))
        )
        free = set(range(1, prog.max_mentees_per_mentor + 1)) - taken
        mentor_slot = 1 if ended_on is not None else min(free, default=MAX_MENTEES_CEILING + 1)  # trips the database's check
    row = Pairing(
        program_id=prog.id,
        mentor_id=mentor.id,
        resident_id=resident.id,
        mentor_slot=mentor_slot,
        started_on=started_on,
        last_met_on=last_met_on,
        end_reason=end_reason,
        next_due_on=next_due(started_on, last_met_on, every_months=prog.cadence_months),
        created_at=EPOCH,
    )
    if ended_on is not None:
        row.ended_on, row.next_due_on, row.next_check_on = ended_on, None, None
    session.add(row)
    session.flush()
    return row


def matching_round(
    session: Session,
    prog: Program,
    *,
    academic_year: int = 2026,
    state: RoundState = RoundState.OPEN,
    deadline_at: datetime | None = None,
) -> Round:
    row = Round(
        program_id=prog.id,
        academic_year=academic_year,
        state=state,
        opened_at=EPOCH,
        deadline_at=deadline_at or EPOCH + timedelta(days=21),
    )
    session.add(row)
    session.flush()
    return row


def preference(
    session: Session,
    prog: Program,
    *,
    resident: Person,
    ranking: Sequence[Person | int] = (),
    round_: Round | None = None,
    subspecialties: Sequence[str] = (),
    focus_areas: Sequence[str] = ("academic",),
    note: str | None = None,
) -> ResidentPreference:
    row = ResidentPreference(
        program_id=prog.id,
        resident_id=resident.id,
        round_id=round_.id if round_ else None,
        ranking=[m.id if isinstance(m, Person) else m for m in ranking],
        subspecialties=list(subspecialties),
        focus_areas=list(focus_areas),
        note=note,
        updated_at=EPOCH,
    )
    session.add(row)
    session.flush()
    return row


def offer(
    session: Session,
    prog: Program,
    *,
    mentor: Person,
    capacity: int = 2,
    academic_year: int = 2026,
    available: bool = True,
    subspecialties: Sequence[str] = (),
    focus_areas: Sequence[str] = ("academic",),
    preferred_residents: Sequence[int] = (),
) -> MentorOffer:
    row = MentorOffer(
        program_id=prog.id,
        mentor_id=mentor.id,
        academic_year=academic_year,
        available=available,
        capacity=capacity if available else 0,
        subspecialties=list(subspecialties),
        focus_areas=list(focus_areas),
        preferred_residents=list(preferred_residents),
        updated_at=EPOCH,
    )
    session.add(row)
    session.flush()
    return row


def proposal(
    session: Session,
    prog: Program,
    *,
    pairs: Sequence[tuple[Person, Person, int]],
    unmatched: Sequence[Person] = (),
    round_: Round | None = None,
    created_at: datetime = EPOCH,
) -> Proposal:
    """A pending proposal: pairs are (mentor, resident, resident_rank)."""
    row = Proposal(
        program_id=prog.id,
        round_id=round_.id if round_ else None,
        state=ProposalState.PENDING,
        unmatched_resident_ids=[r.id for r in unmatched],
        created_at=created_at,
        pairs=[ProposalPair(mentor_id=m.id, resident_id=r.id, resident_rank=rank) for m, r, rank in pairs],
    )
    session.add(row)
    session.flush()
    return row


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def meeting(session: Session, pair: Pairing, met_on: date, *, logged_by: Person | None = None) -> Meeting:
    """A logged meeting; keeps the pairing's last-met and due dates as logging one would."""
    row = Meeting(
        pairing_id=pair.id, met_on=met_on, logged_by_id=logged_by.id if logged_by else None, created_at=_at_noon(met_on)
    )
    session.add(row)
    if pair.last_met_on is None or met_on > pair.last_met_on:
        pair.last_met_on = met_on
        if pair.ended_on is None:
            pair.next_due_on = next_due(pair.started_on, met_on)
    session.flush()
    return row


def end_pairing(session: Session, pair: Pairing, ended_on: date, reason: EndReason = EndReason.COORDINATOR) -> Pairing:
    pair.ended_on, pair.end_reason, pair.next_due_on, pair.next_check_on = ended_on, reason, None, None
    session.flush()
    return pair


def queued(
    session: Session, prog: Program, who: Person, *, since: datetime = EPOCH, reason: QueueReason = QueueReason.MIDYEAR_REQUEST
) -> QueueEntry:
    row = QueueEntry(program_id=prog.id, person_id=who.id, reason=reason, queued_at=since)
    session.add(row)
    session.flush()
    return row


def change_request(
    session: Session,
    prog: Program,
    requester: Person,
    *,
    kind: RequestKind = RequestKind.CHANGE,
    pair: Pairing | None = None,
    note: str | None = None,
    state: RequestState = RequestState.OPEN,
) -> ChangeRequest:
    row = ChangeRequest(
        program_id=prog.id, requester_id=requester.id, kind=kind, pairing_id=pair.id if pair else None,
        note=note, state=state, created_at=EPOCH,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def failed_delivery(
    session: Session,
    prog: Program,
    recipients: list[Person],
    *,
    error: str = "user_disabled",
    at: datetime = EPOCH,
    kind: OutboxKind = OutboxKind.NUDGE_DUE,
) -> OutboxMessage:
    """A DM the delivery job gave up on."""
    row = OutboxMessage(
        program_id=prog.id, kind=kind, recipient_user_ids=[p.slack_user_id for p in recipients], text="hello",
        not_before=at, state=OutboxState.FAILED, attempts=1, last_error=error, created_at=at,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def program_of(session: Session, person: Person) -> Program:
    program = session.get(Program, person.program_id)
    assert program is not None
    return program
