"""Who is asking, and what they may do: one place for every surface to ask."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.models import Person, PersonStatus, Role
from storage.programs import program_for_team
from storage.roster import coordinators, find_person


class Audience(enum.Enum):
    EVERYONE = "everyone"
    RESIDENTS = "residents"
    FACULTY = "faculty"
    COORDINATORS = "coordinators"


@dataclass(frozen=True)
class Actor:
    """A snapshot of the person behind a request, safe to use after the session closed."""

    person_id: int
    program_id: int
    team_id: str
    slack_user_id: str
    name: str
    role: Role
    is_coordinator: bool
    withdrawn: bool

    @classmethod
    def of(cls, person: Person) -> Actor:
        return cls(
            person_id=person.id,
            program_id=person.program_id,
            team_id=person.team_id,
            slack_user_id=person.slack_user_id,
            name=person.name,
            role=person.role,
            is_coordinator=person.is_coordinator,
            withdrawn=person.status is PersonStatus.WITHDRAWN,
        )


@dataclass(frozen=True)
class Lookup:
    actor: Actor | None
    program_id: int | None
    coordinator_user_ids: tuple[str, ...]


def lookup_actor(session: Session, *, team_id: str, user_id: str) -> Lookup:
    """The caller's roster entry, or the coordinators to name when they are not on it."""
    program = program_for_team(session, team_id)
    if program is None:
        return Lookup(actor=None, program_id=None, coordinator_user_ids=())
    person = find_person(session, program_id=program.id, team_id=team_id, slack_user_id=user_id)
    if person is not None:
        return Lookup(actor=Actor.of(person), program_id=program.id, coordinator_user_ids=())
    names = tuple(p.slack_user_id for p in coordinators(session, program_id=program.id))
    return Lookup(actor=None, program_id=program.id, coordinator_user_ids=names)


def allows(audience: Audience, actor: Actor) -> bool:
    if audience is Audience.EVERYONE:
        return True
    if audience is Audience.COORDINATORS:
        return actor.is_coordinator
    if audience is Audience.RESIDENTS:
        return actor.role is Role.RESIDENT
    return actor.role is Role.FACULTY
