"""Pausing a pairing's meetings, ending a pause early, and closing pauses whose day has come:
one transaction each (see mentoring/pauses.py for the rules).

A pause is asked for by one of the pairing's two people, starts today (the program's calendar)
and has an end date; no reason is ever asked or kept. Pausing stops the pair's clock: the due
date moves by the paused days, reminders already queued are cancelled, and the sweep does not
look at the pair until the pause ends. Each operation returns what happened; the caller words
the messages and queues them in the same transaction.

Races: the pairing row is locked first (PostgreSQL; SQLite has a single writer), and a partial
unique index allows one open pause per pairing, so two people pausing at the same moment give
one pause and one "already paused".
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mentoring.pauses import check_pause_end, end_early
from storage import audit
from storage.inserts import insert_or_skip
from storage.meetings import active_pairings_of, cancel_pending_nudges, other_person, policy_of, reschedule
from storage.models import Pairing, PairingPause, Person, Program
from storage.pause_records import as_pause, open_pause, pauses_of
from storage.programs import program_today


class NotInPairingError(ValueError):
    """The caller skipped the access check: only a pairing's own people may pause it."""


class PauseOutcome(str, enum.Enum):
    PAUSED = "paused"
    ALREADY_PAUSED = "already_paused"  # the pairing was paused already (maybe by the other person)
    PAIRING_ENDED = "pairing_ended"


@dataclass(frozen=True)
class PauseResult:
    outcome: PauseOutcome
    pairing: Pairing
    other: Person
    ends_on: date | None  # the pause now in effect: this one, or the one found there
    next_due_on: date | None


def _program(session: Session, program_id: int) -> Program:
    program = session.get(Program, program_id)
    assert program is not None
    return program


def _locked_pairing(session: Session, pairing_id: int, person: Person) -> Pairing:
    pairing = session.get(Pairing, pairing_id, with_for_update=True, populate_existing=True)
    if pairing is None or person.id not in (pairing.mentor_id, pairing.resident_id):
        raise NotInPairingError(f"person {person.id} is not in pairing {pairing_id}")
    return pairing


def pause_pairings(
    session: Session, *, person: Person, pairing_ids: Collection[int], ends_on: date, now: datetime
) -> list[PauseResult]:
    """Pause each of the person's pairings named (a mentor may pause one mentee or both) until
    `ends_on`. Raises PauseLengthError for an end date the rules refuse, NotInPairingError for a
    pairing that is not theirs."""
    program = _program(session, person.program_id)
    today = program_today(program, now)
    check_pause_end(ends_on, today=today)
    results = []
    for pairing_id in sorted(set(pairing_ids)):  # one lock order for every caller
        pairing = _locked_pairing(session, pairing_id, person)
        other = other_person(pairing, person.id)
        if not pairing.active:
            results.append(PauseResult(PauseOutcome.PAIRING_ENDED, pairing, other, None, None))
            continue
        existing = open_pause(session, pairing.id)
        if existing is not None or not _insert_pause(session, program, pairing, person, today, ends_on, now):
            found = open_pause(session, pairing.id)
            results.append(
                PauseResult(PauseOutcome.ALREADY_PAUSED, pairing, other, found.ends_on if found else None, pairing.next_due_on)
            )
            continue
        pairing.paused_until = ends_on
        reschedule(pairing, policy_of(program), pauses_of(session, pairing.id))
        cancel_pending_nudges(session, pairing_id=pairing.id, reason="the pair paused its meetings")
        audit.record(
            session, program_id=program.id, at=now, action="pairing.paused", actor=person, subject=other,
            details={"pairing_id": pairing.id, "until": ends_on.isoformat()},
        )  # fmt: skip
        results.append(PauseResult(PauseOutcome.PAUSED, pairing, other, ends_on, pairing.next_due_on))
    return results


def _insert_pause(
    session: Session, program: Program, pairing: Pairing, person: Person, today: date, ends_on: date, now: datetime
) -> bool:
    """The pause row, unless another open pause of this pairing got in first (the unique index)."""
    statement = (
        insert_or_skip(session, PairingPause)
        .values(
            program_id=program.id,
            pairing_id=pairing.id,
            paused_by_id=person.id,
            starts_on=today,
            ends_on=ends_on,
            ended_early=False,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["pairing_id"], index_where=PairingPause.closed_at.is_(None))
        .returning(PairingPause.id)
    )
    return session.execute(statement).scalar() is not None


class ResumeOutcome(str, enum.Enum):
    RESUMED = "resumed"  # meetings are back on today
    LEAVE_ENDED = "leave_ended"  # the pause outlived its pairing: the person is back for matching
    NOT_YOURS = "not_yours"  # paused by the other person: it ends on its own date
    NOT_PAUSED = "not_paused"


@dataclass(frozen=True)
class ResumeResult:
    outcome: ResumeOutcome
    pairing: Pairing | None = None
    other: Person | None = None
    ends_on: date | None = None  # NOT_YOURS: when the other person's pause ends
    next_due_on: date | None = None


def resume(session: Session, *, person: Person, now: datetime, pairing_ids: Collection[int] | None = None) -> list[ResumeResult]:
    """End, today, the pauses this person asked for that are still running (only the named
    pairings', when given). The person who did not pause cannot end it: they are told when it
    ends."""
    program = _program(session, person.program_id)
    today = program_today(program, now)
    query = (
        select(PairingPause)
        .where(PairingPause.paused_by_id == person.id, PairingPause.starts_on <= today, PairingPause.ends_on > today)
        .order_by(PairingPause.pairing_id)
        .with_for_update()
    )
    if pairing_ids is not None:
        query = query.where(PairingPause.pairing_id.in_(list(pairing_ids)))
    mine = list(session.scalars(query))
    results = [_end_early(session, program, row, person, today, now) for row in mine]
    if results:
        return results
    theirs = [
        ResumeResult(ResumeOutcome.NOT_YOURS, pairing, other_person(pairing, person.id), found.ends_on)
        for pairing in active_pairings_of(session, person.id)
        if (pairing_ids is None or pairing.id in pairing_ids)
        and (found := open_pause(session, pairing.id)) is not None
        and found.ends_on > today
    ]
    return theirs or [ResumeResult(ResumeOutcome.NOT_PAUSED)]


def _end_early(session: Session, program: Program, row: PairingPause, person: Person, today: date, now: datetime) -> ResumeResult:
    pairing = _locked_pairing(session, row.pairing_id, person)
    was_open = row.closed_at is None
    shortened = end_early(as_pause(row), today)
    if shortened is None:
        session.delete(row)  # ended the day it began: not a single day was paused
    else:
        row.ends_on, row.ended_early, row.closed_at = shortened.ends_on, True, row.closed_at or now
    session.flush()
    audit.record(
        session, program_id=program.id, at=now, action="pairing.resumed", actor=person, subject=other_person(pairing, person.id),
        details={"pairing_id": pairing.id},
    )  # fmt: skip
    if not (was_open and pairing.active):
        return ResumeResult(ResumeOutcome.LEAVE_ENDED, pairing, other_person(pairing, person.id))
    pairing.paused_until = None
    reschedule(pairing, policy_of(program), pauses_of(session, pairing.id))
    return ResumeResult(ResumeOutcome.RESUMED, pairing, other_person(pairing, person.id), next_due_on=pairing.next_due_on)


@dataclass(frozen=True)
class PauseEnded:
    """A pause whose day has come: the pair is told, once."""

    pairing: Pairing
    ends_on: date
    next_due_on: date


def close_ended_pauses(session: Session, *, program_id: int, today: date, now: datetime, limit: int) -> Sequence[PauseEnded]:
    """Close the open pauses whose end day has come (rows another sweep holds are skipped), so
    each pair is told once that its meetings are back on."""
    query = (
        select(PairingPause)
        .where(PairingPause.program_id == program_id, PairingPause.closed_at.is_(None), PairingPause.ends_on <= today)
        .order_by(PairingPause.ends_on, PairingPause.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=PairingPause)
        .options(
            selectinload(PairingPause.pairing).selectinload(Pairing.mentor),
            selectinload(PairingPause.pairing).selectinload(Pairing.resident),
        )
    )
    ended = []
    for row in session.scalars(query):
        row.closed_at = now
        pairing = row.pairing
        if pairing.paused_until is not None and pairing.paused_until <= today:
            pairing.paused_until = None
        assert pairing.next_due_on is not None
        ended.append(PauseEnded(pairing, row.ends_on, pairing.next_due_on))
    return ended
