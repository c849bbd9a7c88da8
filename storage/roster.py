"""The roster: who is in the program and in what role, and who is asking."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import audit
from storage.models import Person, PersonStatus, Program, Role
from storage.programs import program_for_team


@dataclass(frozen=True)
class PersonRef:
    """Someone as messages and screens name them: plain values, safe after the session closed."""

    person_id: int
    name: str
    slack_user_id: str
    role: Role

    @classmethod
    def of(cls, person: Person) -> PersonRef:
        return cls(person.id, person.name, person.slack_user_id, person.role)


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
class ProgramRef:
    """A program as a person in several sees it named: plain values."""

    program_id: int
    handle: str
    name: str


@dataclass(frozen=True)
class Lookup:
    """Who is asking: their membership in the program at hand (`actor`: the first program's
    unless a surface chose another, see `in_program`), every membership they hold in the
    workspace with its program, or (when they are on no roster) the coordinators to name."""

    actor: Actor | None
    program_id: int | None
    coordinator_user_ids: tuple[str, ...]
    memberships: tuple[Actor, ...] = ()
    programs: tuple[ProgramRef, ...] = ()  # the memberships' programs, in the same order

    @property
    def several(self) -> bool:
        return len(self.memberships) > 1

    def program(self, program_id: int) -> ProgramRef | None:
        return next((p for p in self.programs if p.program_id == program_id), None)

    def by_handle(self, handle: str) -> Actor | None:
        """The membership in the program of that handle, if the person has one."""
        found = next((p for p in self.programs if p.handle == handle.lower()), None)
        return self.membership(found.program_id) if found else None

    def membership(self, program_id: int) -> Actor | None:
        return next((m for m in self.memberships if m.program_id == program_id), None)

    def in_program(self, program_id: int) -> Lookup:
        """The same person acting in `program_id`: no actor when they are not in it (a stamp on a
        button or form naming a program they are not in reaches nothing)."""
        actor = self.membership(program_id)
        return Lookup(actor, program_id if actor else None, self.coordinator_user_ids, self.memberships, self.programs)


def memberships_of(session: Session, *, team_id: str, user_id: str) -> list[tuple[Person, Program]]:
    """Someone's roster rows in the workspace, one per program, in the order programs were made."""
    query = (
        select(Person, Program)
        .join(Program, Program.id == Person.program_id)
        .where(Program.team_id == team_id, Person.team_id == team_id, Person.slack_user_id == user_id)
        .order_by(Person.program_id)
    )
    return [(person, program) for person, program in session.execute(query)]


def lookup_actor(session: Session, *, team_id: str, user_id: str) -> Lookup:
    """The caller's memberships (the first program's acts unless a surface picks another), or
    the coordinators of the workspace's first program to name when they are on no roster."""
    found = memberships_of(session, team_id=team_id, user_id=user_id)
    if found:
        memberships = tuple(Actor.of(person) for person, _ in found)
        programs = tuple(ProgramRef(program.id, program.handle, program.name) for _, program in found)
        chosen = memberships[0]
        return Lookup(chosen, chosen.program_id, (), memberships, programs)
    program = program_for_team(session, team_id)
    if program is None:
        return Lookup(actor=None, program_id=None, coordinator_user_ids=())
    names = tuple(p.slack_user_id for p in coordinators(session, program_id=program.id))
    return Lookup(actor=None, program_id=program.id, coordinator_user_ids=names)


def in_several_programs(session: Session, program: Program, people: Sequence[Person]) -> bool:
    """Whether any of `people` is also on another program's roster in the workspace (then what
    the bot tells them names the program it is about)."""
    user_ids = [p.slack_user_id for p in people]
    query = select(Person.id).where(
        Person.team_id == program.team_id, Person.slack_user_id.in_(user_ids), Person.program_id != program.id
    )
    return session.scalars(query.limit(1)).first() is not None


def load_person(session: Session, person_id: int) -> Person:
    """Someone who must exist (their id came from a row of ours), loaded in this unit of work."""
    person = session.get(Person, person_id)
    assert person is not None, f"no person {person_id}"
    return person


def person_of(session: Session, actor: Actor) -> Person:
    """The actor's own roster row, loaded in this unit of work."""
    return load_person(session, actor.person_id)


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


class RosterProblem(enum.Enum):
    RESIDENT_AS_COORDINATOR = "resident_as_coordinator"  # a resident cannot also be a coordinator


class RosterError(ValueError):
    """A roster change that breaks a program rule; nothing was written. `who` names the entry
    (a Slack ID for an imported row, a name for someone already on the roster)."""

    def __init__(self, problem: RosterProblem, *, who: str, on_roster: bool) -> None:
        super().__init__(f"{problem.value}: {who}")
        self.problem, self.who, self.on_roster = problem, who, on_roster


def find_person(session: Session, *, program_id: int, team_id: str, slack_user_id: str) -> Person | None:
    query = select(Person).where(
        Person.program_id == program_id,
        Person.team_id == team_id,
        Person.slack_user_id == slack_user_id,
    )
    return session.scalars(query).first()


def person_by_user_id(session: Session, *, program_id: int, slack_user_id: str) -> Person | None:
    query = select(Person).where(Person.program_id == program_id, Person.slack_user_id == slack_user_id)
    return session.scalars(query.order_by(Person.id)).first()


def roster_of(session: Session, *, program_id: int) -> list[Person]:
    """Everyone on one program's roster (withdrawn people too: they are still members), by name."""
    return list(session.scalars(select(Person).where(Person.program_id == program_id).order_by(Person.name, Person.id)))


def coordinators(session: Session, *, program_id: int) -> list[Person]:
    query = (
        select(Person).where(Person.program_id == program_id, Person.is_coordinator.is_(True)).order_by(Person.name, Person.id)
    )
    return list(session.scalars(query))


def active_coordinators(session: Session, *, program_id: int) -> list[Person]:
    """Coordinators who have not withdrawn, by name: who is told about the program's business."""
    query = (
        select(Person)
        .where(Person.program_id == program_id, Person.is_coordinator.is_(True), Person.status == PersonStatus.ACTIVE)
        .order_by(Person.name, Person.id)
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
            raise RosterError(RosterProblem.RESIDENT_AS_COORDINATOR, who=entry.slack_user_id, on_roster=False)
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
        raise RosterError(RosterProblem.RESIDENT_AS_COORDINATOR, who=person.name, on_roster=True)
    elif person.is_coordinator:
        return person
    else:
        person.is_coordinator = True
        person.updated_at = now
    audit.record(
        session, program_id=program.id, at=now, action="roster.coordinator_added", actor_fallback=actor_label, subject=person
    )
    return person
