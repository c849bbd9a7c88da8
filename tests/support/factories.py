"""Rows for tests, with sensible defaults; every call says only what matters to the test."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from storage.models import (
    EndReason,
    MentorOffer,
    OutboxMessage,
    Pairing,
    Person,
    PersonStatus,
    Program,
    ResidentPreference,
    Role,
    Round,
)
from storage.outbox import enqueue
from storage.programs import ProgramSettings, ensure_program

TEAM_ID = "T0001"
EPOCH = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)
_user_numbers = itertools.count(100)


def program(session: Session, *, team_id: str = TEAM_ID, time_zone: str = "America/New_York", channel: str | None = "C0COORD1") -> Program:
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


def offer(
    session: Session,
    mentor: Person,
    *,
    year: int = 2026,
    capacity: int = 2,
    available: bool = True,
    subspecialties: Sequence[str] = (),
    focus_areas: Sequence[str] = (),
    preferred_residents: Sequence[int] = (),
) -> MentorOffer:
    row = MentorOffer(
        program_id=mentor.program_id,
        mentor_id=mentor.id,
        academic_year=year,
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


def preference(
    session: Session,
    resident: Person,
    *,
    ranking: Sequence[int] = (),
    round_: Round | None = None,
    subspecialties: Sequence[str] = (),
    focus_areas: Sequence[str] = (),
    note: str | None = None,
) -> ResidentPreference:
    row = ResidentPreference(
        program_id=resident.program_id,
        resident_id=resident.id,
        round_id=round_.id if round_ else None,
        ranking=list(ranking),
        subspecialties=list(subspecialties),
        focus_areas=list(focus_areas),
        note=note,
        updated_at=EPOCH,
    )
    session.add(row)
    session.flush()
    return row


def pairing(
    session: Session,
    mentor: Person,
    resident: Person,
    *,
    slot: int = 1,
    started_on: date = date(2026, 7, 1),
    ended_on: date | None = None,
    end_reason: EndReason | None = None,
) -> Pairing:
    row = Pairing(
        program_id=mentor.program_id,
        mentor_id=mentor.id,
        resident_id=resident.id,
        mentor_slot=slot,
        started_on=started_on,
        ended_on=ended_on,
        end_reason=end_reason,
        created_at=EPOCH,
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
    kind: str = "test.dm",
    **kwargs: object,
) -> OutboxMessage:
    """A DM (group DM with several recipients) queued through the real enqueue()."""
    return enqueue(session, program=prog, kind=kind, text=text, now=now, recipients=recipients, **kwargs)  # type: ignore[arg-type]
