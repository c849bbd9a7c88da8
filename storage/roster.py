"""The roster: who is in the program and in what role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import audit
from storage.models import Person, PersonStatus, Program, Role


@dataclass(frozen=True)
class RosterEntry:
    slack_user_id: str
    name: str
    role: Role
    is_coordinator: bool = False
    email: str | None = None
    pgy: int | None = None
    subspecialty: str | None = None


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


class RosterError(ValueError):
    """A roster change that breaks a program rule; the message is meant for a person."""


def find_person(session: Session, *, program_id: int, team_id: str, slack_user_id: str) -> Person | None:
    query = select(Person).where(
        Person.program_id == program_id,
        Person.team_id == team_id,
        Person.slack_user_id == slack_user_id,
    )
    return session.scalars(query).first()


def coordinators(session: Session, *, program_id: int) -> list[Person]:
    query = (
        select(Person).where(Person.program_id == program_id, Person.is_coordinator.is_(True)).order_by(Person.name, Person.id)
    )
    return list(session.scalars(query))


def _apply(person: Person, entry: RosterEntry) -> bool:
    """Copy the entry onto the person; True when something changed."""
    wanted = {
        "name": entry.name,
        "role": entry.role,
        "is_coordinator": entry.is_coordinator or entry.role is Role.COORDINATOR,
        "email": entry.email,
        "pgy": entry.pgy,
        "subspecialty": entry.subspecialty,
    }
    changed = False
    for field, value in wanted.items():
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed = True
    return changed


def upsert_people(
    session: Session,
    *,
    program: Program,
    entries: Sequence[RosterEntry],
    now: datetime,
    actor_label: str = "cli",
) -> ImportSummary:
    """Insert or update every entry; running it twice changes nothing the second time."""
    created = updated = unchanged = 0
    for entry in entries:
        if entry.role is Role.RESIDENT and entry.is_coordinator:
            raise RosterError(f"{entry.slack_user_id}: a resident cannot also be a coordinator")
        person = find_person(session, program_id=program.id, team_id=program.team_id, slack_user_id=entry.slack_user_id)
        if person is None:
            person = Person(
                program_id=program.id,
                team_id=program.team_id,
                slack_user_id=entry.slack_user_id,
                status=PersonStatus.ACTIVE,
                created_at=now,
                updated_at=now,
            )
            _apply(person, entry)
            session.add(person)
            session.flush()
            action = "roster.added"
            created += 1
        elif _apply(person, entry):
            person.updated_at = now
            action = "roster.updated"
            updated += 1
        else:
            unchanged += 1
            continue
        audit.record(
            session,
            program_id=program.id,
            at=now,
            action=action,
            actor_fallback=actor_label,
            subject=person,
            details={"role": person.role.value, "coordinator": person.is_coordinator},
        )
    session.flush()
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


def add_coordinator(
    session: Session,
    *,
    program: Program,
    slack_user_id: str,
    name: str,
    now: datetime,
    actor_label: str = "cli",
) -> Person:
    """Make someone a coordinator, adding them to the roster if needed (bootstraps the first one)."""
    person = find_person(session, program_id=program.id, team_id=program.team_id, slack_user_id=slack_user_id)
    if person is None:
        person = Person(
            program_id=program.id,
            team_id=program.team_id,
            slack_user_id=slack_user_id,
            name=name,
            role=Role.COORDINATOR,
            is_coordinator=True,
            status=PersonStatus.ACTIVE,
            created_at=now,
            updated_at=now,
        )
        session.add(person)
        session.flush()
    elif person.role is Role.RESIDENT:
        raise RosterError(f"{person.name} is on the roster as a resident; a resident cannot be a coordinator.")
    elif person.is_coordinator:
        return person
    else:
        person.is_coordinator = True
        person.updated_at = now
    audit.record(
        session, program_id=program.id, at=now, action="roster.coordinator_added", actor_fallback=actor_label, subject=person
    )
    return person
