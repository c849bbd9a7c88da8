"""The reminder sweep's storage side: which pairs are due a look, and deciding their nudges once.

Level-triggered (see mentoring/nudges.py): for each pair whose `next_check_on` has come, ask what
reminders should exist by today for its current due date, insert the ones not yet decided
(the unique key (pairing, kind, due_on, sequence) makes each decision once, even with two
sweeps racing), and move `next_check_on` to the next day anything new can happen. The query
walks the `next_check_on` index, so a sweep costs what is due, not how many pairs exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mentoring.cadence import next_due
from mentoring.nudges import Nudge, NudgePolicy
from mentoring.pauses import reminders_today
from storage.inserts import insert_ignoring_conflicts
from storage.models import NudgeDecision, Pairing, PersonStatus, Program


def programs_to_sweep(session: Session) -> list[Program]:
    """Paused programs are skipped; their pairs catch up (one current reminder) when resumed."""
    return list(session.scalars(select(Program).where(Program.paused.is_(False)).order_by(Program.id)))


def due_pairings(session: Session, *, program_id: int, today: date, limit: int) -> Sequence[Pairing]:
    """Active pairs whose next look is today or earlier, both people loaded.

    Rows another sweep holds are skipped (PostgreSQL), so concurrent sweeps share the work.
    """
    query = (
        select(Pairing)
        .where(Pairing.next_check_on <= today, Pairing.program_id == program_id, Pairing.ended_on.is_(None))
        .order_by(Pairing.next_check_on, Pairing.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Pairing)
        .options(selectinload(Pairing.mentor), selectinload(Pairing.resident))
    )
    return session.scalars(query).all()


def decide(
    session: Session, *, pairings: Sequence[Pairing], policy: NudgePolicy, today: date, now: datetime
) -> list[tuple[Pairing, Nudge]]:
    """Insert the decisions due by `today` that were not made before; return only the new ones.

    One INSERT ... ON CONFLICT DO NOTHING for the whole batch: the unique key decides which are
    new. A pair with a withdrawn member gets nothing (the withdrawal ends the pairing; this
    guards the moment in between), and a paused pair nothing until its pause ends. Every pair's
    `next_check_on` moves past today, or to NULL when nothing more can come for its due date
    (logging a meeting sets a new one).
    """
    candidates: dict[tuple[int, str, date, int], tuple[Pairing, Nudge]] = {}
    for pairing in pairings:
        due_on = pairing.next_due_on or next_due(pairing.started_on, pairing.last_met_on, every_months=policy.cadence_months)
        pairing.next_due_on = due_on
        nudges, pairing.next_check_on = reminders_today(due_on, today, policy, paused_until=pairing.paused_until)
        if all(p.status is PersonStatus.ACTIVE for p in (pairing.mentor, pairing.resident)):
            for nudge in nudges:
                candidates[(pairing.id, nudge.kind.value, nudge.due_on, nudge.sequence)] = (pairing, nudge)
    rows = [{"pairing_id": p, "kind": k, "due_on": d, "sequence": n, "decided_at": now} for p, k, d, n in candidates]
    new = insert_ignoring_conflicts(session, NudgeDecision, rows, conflict_columns=("pairing_id", "kind", "due_on", "sequence"))
    return [candidates[(r["pairing_id"], r["kind"], r["due_on"], r["sequence"])] for r in new]
