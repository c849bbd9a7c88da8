"""The pauses table as the rest of storage needs it: a pairing's pause history (for due dates
and reports), who is paused today (for matching), and closing pauses when a pairing ends.

Kept apart from storage/pauses.py (the pause and resume operations) so that meetings and
pairings can read pauses without importing the operations that build on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentoring.cadence import Pause
from storage.models import PairingPause


def as_pause(row: PairingPause) -> Pause:
    return Pause(row.starts_on, row.ends_on)


def pauses_of(session: Session, pairing_id: int) -> list[Pause]:
    """Every pause of one pairing, oldest first (what its due date is counted from)."""
    return pauses_by_pairing(session, [pairing_id]).get(pairing_id, [])


def pauses_by_pairing(session: Session, pairing_ids: Collection[int]) -> dict[int, list[Pause]]:
    if not pairing_ids:
        return {}
    rows = session.scalars(
        select(PairingPause).where(PairingPause.pairing_id.in_(list(pairing_ids))).order_by(PairingPause.starts_on)
    )
    found: dict[int, list[Pause]] = defaultdict(list)
    for row in rows:
        found[row.pairing_id].append(as_pause(row))
    return dict(found)


def paused_people(session: Session, *, program_id: int, today: date) -> set[int]:
    """Who is on a pause they asked for, today: never proposed to anyone new meanwhile.

    Only the person who paused: the other one did not ask to be left alone. A pause outlives
    its pairing here (someone on leave whose pairing ended is still on leave)."""
    query = select(PairingPause.paused_by_id).where(
        PairingPause.program_id == program_id, PairingPause.starts_on <= today, PairingPause.ends_on > today
    )
    return set(session.scalars(query))


def open_pause(session: Session, pairing_id: int, *, lock: bool = False) -> PairingPause | None:
    """The pairing's pause that is not yet over and dealt with (at most one, by a unique index)."""
    query = select(PairingPause).where(PairingPause.pairing_id == pairing_id, PairingPause.closed_at.is_(None))
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def close_for_ended_pairing(session: Session, pairing_id: int, *, now: datetime) -> None:
    """A pairing that ends has nothing left to pause: its open pause is closed without a
    message (the person who paused stays paused for matching until the date they chose)."""
    pause = open_pause(session, pairing_id, lock=True)
    if pause is not None:
        pause.closed_at = now
