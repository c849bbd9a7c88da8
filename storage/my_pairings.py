""" "My pairing": one person's current pairings as they see them. The one read model behind
`/mentor status`, the App Home and the reminders each person gets.

Plain values, safe to render after the session closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentoring.cadence import next_due
from storage.models import Meeting, Pairing, Person, PersonStatus, Program, QueueEntry, Role
from storage.pairings import active_pairings_of, counterpart_of
from storage.pause_records import open_pause
from storage.programs import program_zone
from storage.roster import PersonRef


@dataclass(frozen=True)
class MyPairing:
    pairing_id: int
    me: PersonRef
    counterpart: PersonRef
    i_mentor: bool  # True when `me` is the mentor in this pairing
    started_on: date
    last_met_on: date | None
    due_on: date  # when the next meeting is due
    paused_until: date | None = None  # meetings on hold until then
    paused_by_me: bool = False  # only the person who paused may end it early


def due_date(pairing: Pairing, last_met_on: date | None = None) -> date:
    """When the pair's next meeting is due: stored with the pairing, else from its start and
    last meeting (three months after the later of the two)."""
    return pairing.next_due_on or next_due(pairing.started_on, last_met_on or pairing.last_met_on)


def as_seen_by(pairing: Pairing, person_id: int, *, last_met_on: date | None = None, paused_by_me: bool = False) -> MyPairing:
    """The pairing from one of its two people's side. `last_met_on`: a later meeting than the
    pairing records, if one was found (see my_pairings)."""
    last_met = later_of(pairing.last_met_on, last_met_on)
    i_mentor = pairing.mentor_id == person_id
    return MyPairing(
        pairing_id=pairing.id,
        me=PersonRef.of(pairing.mentor if i_mentor else pairing.resident),
        counterpart=PersonRef.of(counterpart_of(pairing, person_id)),
        i_mentor=i_mentor,
        started_on=pairing.started_on,
        last_met_on=last_met,
        due_on=due_date(pairing, last_met),
        paused_until=pairing.paused_until,
        paused_by_me=paused_by_me,
    )


def both_sides(pairing: Pairing) -> tuple[MyPairing, MyPairing]:
    """The mentor's view of the pairing, then the resident's: what each of them is told."""
    return as_seen_by(pairing, pairing.mentor_id), as_seen_by(pairing, pairing.resident_id)


def my_pairings(session: Session, *, person_id: int) -> list[MyPairing]:
    """The person's current pairings, oldest first."""
    active = active_pairings_of(session, person_id=person_id)
    latest = latest_meetings(session, [p.id for p in active])
    paused_by_me = {p.id for p in active if (pause := open_pause(session, p.id)) is not None and pause.paused_by_id == person_id}
    return [as_seen_by(p, person_id, last_met_on=latest.get(p.id), paused_by_me=p.id in paused_by_me) for p in active]


def latest_meetings(session: Session, pairing_ids: Sequence[int]) -> dict[int, date]:
    """Pairing id -> the latest meeting logged for it (pairings without one are absent)."""
    if not pairing_ids:
        return {}
    query = (
        select(Meeting.pairing_id, func.max(Meeting.met_on))
        .where(Meeting.pairing_id.in_(pairing_ids))
        .group_by(Meeting.pairing_id)
    )
    return dict(session.execute(query).all())


def later_of(a: date | None, b: date | None) -> date | None:
    return max((d for d in (a, b) if d is not None), default=None)


# --- the App Home's personal part ----------------------------------------------------------------


@dataclass(frozen=True)
class PersonHome:
    role: Role
    withdrawn: bool
    pairings: tuple[MyPairing, ...]
    waiting_since: date | None  # on the list for a (new) match


def person_home(session: Session, *, person: Person, program: Program) -> PersonHome:
    waiting = session.scalars(
        select(QueueEntry.queued_at).where(QueueEntry.person_id == person.id, QueueEntry.resolved_at.is_(None))
    ).first()
    return PersonHome(
        role=person.role,
        withdrawn=person.status is PersonStatus.WITHDRAWN,
        pairings=tuple(my_pairings(session, person_id=person.id)),
        waiting_since=waiting.astimezone(program_zone(program)).date() if waiting else None,
    )
