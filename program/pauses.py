"""Pausing a pairing's meetings and picking them up again: each operation is the storage change
plus the messages it causes, in the caller's transaction (see storage/pauses.py for the rules).

- Pausing: the other person gets a neutral notice (paused until when; nothing to do).
- Resuming early, or the day a pause ends: the pair's group DM gets one "back on" message, in
  both people's working hours (so a pause ending on a Saturday is announced on Monday).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy.orm import Session

from storage.models import Pairing, Person, Program
from storage.outbox import enqueue
from storage.pauses import (
    PauseOutcome,
    PauseResult,
    ResumeOutcome,
    ResumeResult,
    close_ended_pauses,
    pause_pairings,
    resume,
)
from storage.programs import program_today
from views import pauses as views

KIND_PAUSED_NOTICE = "pause.notice"
KIND_BACK_ON = "pause.back_on"
ENDED_PAUSES_BATCH = 500


def pause(session: Session, *, person: Person, pairing_ids: Collection[int], ends_on: date, now: datetime) -> list[PauseResult]:
    """Pause the pairings and tell each other person, neutrally."""
    program = session.get(Program, person.program_id)
    assert program is not None
    results = pause_pairings(session, person=person, pairing_ids=pairing_ids, ends_on=ends_on, now=now)
    for result in results:
        if result.outcome is PauseOutcome.PAUSED:
            assert result.ends_on is not None
            notice = views.paused_notice(other_user_id=person.slack_user_id, ends_on=result.ends_on)
            enqueue(
                session, program=program, kind=KIND_PAUSED_NOTICE, text=notice["text"], blocks=notice["blocks"], now=now,
                recipients=[result.other], pairing_id=result.pairing.id,
            )  # fmt: skip
    return results


def end_pause_early(
    session: Session, *, person: Person, now: datetime, pairing_ids: Collection[int] | None = None
) -> list[ResumeResult]:
    """End the person's pauses today; each pair still together is told its meetings are back on."""
    program = session.get(Program, person.program_id)
    assert program is not None
    results = resume(session, person=person, now=now, pairing_ids=pairing_ids)
    for result in results:
        if result.outcome is ResumeOutcome.RESUMED:
            assert result.pairing is not None and result.next_due_on is not None
            _announce_back_on(session, program, result.pairing, result.next_due_on, now)
    return results


def announce_ended_pauses(session: Session, *, program: Program, now: datetime) -> int:
    """Close the pauses whose day has come and tell each pair, once; returns how many."""
    today = program_today(program, now)
    ended = close_ended_pauses(session, program_id=program.id, today=today, now=now, limit=ENDED_PAUSES_BATCH)
    for pause_ended in ended:
        _announce_back_on(session, program, pause_ended.pairing, pause_ended.next_due_on, now)
    return len(ended)


def _announce_back_on(session: Session, program: Program, pairing: Pairing, next_due_on: date, now: datetime) -> None:
    # No dedupe key: each pause is closed once, under its row lock, in this same transaction.
    message = views.back_on_message(
        mentor_user_id=pairing.mentor.slack_user_id, resident_user_id=pairing.resident.slack_user_id,
        next_due_on=next_due_on, pairing_id=pairing.id,
    )  # fmt: skip
    enqueue(
        session, program=program, kind=KIND_BACK_ON, text=message["text"], blocks=message["blocks"], now=now,
        recipients=[pairing.mentor, pairing.resident], pairing_id=pairing.id,
    )  # fmt: skip
