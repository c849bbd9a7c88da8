"""Programs: a workspace's first is created on first start; an operator adds more
(`mentorbot program add`). Outcomes, never wording: mentorbot/program_commands.py words them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentoring.cadence import AcademicCalendar
from mentoring.nudges import NudgePolicy
from mentoring.programs import DEFAULT_CADENCE_MONTHS, DEFAULT_MAX_MENTEES, handle_from_name
from mentoring.reporting import WeeklySlot
from mentoring.working_hours import local_date, resolve_zone
from storage import audit
from storage.models import Person, Program

DEFAULT_PROGRAM_NAME = "Residency mentorship"
DEFAULT_PROGRAM_HANDLE = handle_from_name(DEFAULT_PROGRAM_NAME)


@dataclass(frozen=True)
class ProgramSettings:
    """What the operator's configuration says about the program; None leaves a value alone."""

    time_zone: str
    coordinator_channel_id: str | None = None
    name: str = DEFAULT_PROGRAM_NAME
    summary_at: WeeklySlot | None = None
    check_in_minimum_answers: int | None = None


# What every new program starts with, whether made on a first start or by `mentorbot program add`.
NEW_PROGRAM_DEFAULTS: dict[str, Any] = {
    "academic_year_start_month": 7,
    "academic_year_start_day": 1,
    "max_mentees_per_mentor": DEFAULT_MAX_MENTEES,
    "cadence_months": DEFAULT_CADENCE_MONTHS,
    "peer_mentoring": False,
    "approaching_days": 14,
    "missed_every_days": 7,
    "missed_limit": 3,
    "escalation_days": 14,
    "summary_weekday": 0,
    "summary_hour": 9,
    "summary_minute": 0,
    "paused": False,
}


def program_zone(program: Program) -> ZoneInfo:
    return resolve_zone(None, program.time_zone)


def program_today(program: Program, now: datetime) -> date:
    """Today on the program's calendar."""
    return local_date(now, program_zone(program))


def person_zone(person: Person, program: Program) -> ZoneInfo:
    """The person's Slack time zone (cached on the row), else the program's."""
    return resolve_zone(person.slack_time_zone, program.time_zone)


def person_today(person: Person, program: Program, now: datetime) -> date:
    """Today on the person's own calendar (Slack time zone, else the program's)."""
    return local_date(now, person_zone(person, program))


def policy_of(program: Program) -> NudgePolicy:
    """The program's reminder settings."""
    return NudgePolicy(
        approaching_days=program.approaching_days,
        missed_every_days=program.missed_every_days,
        missed_limit=program.missed_limit,
        escalation_days=program.escalation_days,
        cadence_months=program.cadence_months,
    )


def academic_calendar(program: Program) -> AcademicCalendar:
    return AcademicCalendar(program.academic_year_start_month, program.academic_year_start_day)


def academic_year(program: Program, now: datetime) -> int:
    """The calendar year the program's current academic year started in."""
    return academic_calendar(program).year_of(program_today(program, now))


def load_program(session: Session, program_id: int) -> Program:
    """A program that must exist (its id came from a row of ours), loaded in this unit of work."""
    program = session.get(Program, program_id)
    assert program is not None, f"no program {program_id}"
    return program


def program_for_team(session: Session, team_id: str) -> Program | None:
    """The workspace's first program: the one created at first start, which the environment's
    settings (MENTORBOT_TIME_ZONE...) apply to, and whose coordinators someone on no roster is
    told to ask."""
    query = select(Program).where(Program.team_id == team_id).order_by(Program.id).limit(1)
    return session.scalars(query).first()


def programs_of_team(session: Session, team_id: str) -> list[Program]:
    """Every program of the workspace, the first first."""
    return list(session.scalars(select(Program).where(Program.team_id == team_id).order_by(Program.id)))


def program_by_handle(session: Session, *, team_id: str, handle: str) -> Program | None:
    query = select(Program).where(Program.team_id == team_id, Program.handle == handle.lower())
    return session.scalars(query).first()


def teams_with_programs(session: Session) -> list[str]:
    return list(session.scalars(select(Program.team_id).distinct().order_by(Program.team_id)))


def ensure_program(session: Session, *, team_id: str, settings: ProgramSettings, now: datetime) -> Program:
    """Create the workspace's program on first start; later starts apply the configured values."""
    program = program_for_team(session, team_id)
    if program is None:
        program = Program(
            team_id=team_id,
            handle=DEFAULT_PROGRAM_HANDLE,
            name=settings.name,
            time_zone=settings.time_zone,
            coordinator_channel_id=settings.coordinator_channel_id,
            **NEW_PROGRAM_DEFAULTS,
            created_at=now,
        )
        _apply_summary_slot(program, settings.summary_at)
        if settings.check_in_minimum_answers is not None:
            program.check_in_minimum_answers = settings.check_in_minimum_answers
        session.add(program)
        session.flush()
        audit.record(session, program_id=program.id, at=now, action="program.created", actor_fallback="startup")
        return program
    program.time_zone = settings.time_zone
    if settings.coordinator_channel_id:
        program.coordinator_channel_id = settings.coordinator_channel_id
    _apply_summary_slot(program, settings.summary_at)
    if settings.check_in_minimum_answers is not None:
        program.check_in_minimum_answers = settings.check_in_minimum_answers
    return program


def _apply_summary_slot(program: Program, slot: WeeklySlot | None) -> None:
    if slot is not None:
        program.summary_weekday, program.summary_hour, program.summary_minute = slot.weekday, slot.hour, slot.minute


# --- Programs an operator adds and changes (`mentorbot program add|set`) ----------------------


@dataclass(frozen=True)
class ProgramOptions:
    """A program's settings as an operator gives them; None leaves a value as it is (or, for a
    new program, at its default). Checked by the command line before it comes here; the
    database's constraints are the last word."""

    name: str | None = None
    time_zone: str | None = None
    coordinator_channel_id: str | None = None
    academic_year_start: tuple[int, int] | None = None  # (month, day)
    cadence_months: int | None = None
    max_mentees_per_mentor: int | None = None
    approaching_days: int | None = None
    missed_every_days: int | None = None
    missed_limit: int | None = None
    escalation_days: int | None = None
    summary_at: WeeklySlot | None = None
    peer_mentoring: bool | None = None
    check_in_minimum_answers: int | None = None
    paused: bool | None = None  # a paused program's jobs do not run (no reminders, no summaries)


class ProgramConflict(enum.Enum):
    HANDLE_TAKEN = "handle_taken"
    NAME_TAKEN = "name_taken"


class ProgramConflictError(ValueError):
    def __init__(self, conflict: ProgramConflict, value: str) -> None:
        super().__init__(f"{conflict.value}: {value}")
        self.conflict, self.value = conflict, value


def _name_taken(session: Session, *, team_id: str, name: str, other_than: int | None) -> bool:
    query = select(func.count()).select_from(Program).where(Program.team_id == team_id, Program.name == name)
    if other_than is not None:
        query = query.where(Program.id != other_than)
    return bool(session.scalar(query))


def _changes(program: Program, options: ProgramOptions) -> dict[str, object]:
    """Column -> new value, for what `options` sets and differs from the program."""
    wanted: dict[str, object] = {}
    for option in fields(options):
        value = getattr(options, option.name)
        if value is None:
            continue
        if option.name == "academic_year_start":
            month, day = value
            wanted["academic_year_start_month"], wanted["academic_year_start_day"] = month, day
        elif option.name == "summary_at":
            wanted["summary_weekday"], wanted["summary_hour"], wanted["summary_minute"] = value.weekday, value.hour, value.minute
        else:
            wanted[option.name] = value
    return {column: value for column, value in wanted.items() if getattr(program, column) != value}


def add_program(
    session: Session, *, team_id: str, handle: str, name: str, options: ProgramOptions, now: datetime, actor_label: str
) -> Program:
    """A new program in the workspace, with the defaults of the first one's rules (July 1, every 3
    months, 2 mentees, Monday 09:00) where `options` says nothing. ProgramConflictError when the
    handle or name is taken in the workspace (nothing written)."""
    if program_by_handle(session, team_id=team_id, handle=handle) is not None:
        raise ProgramConflictError(ProgramConflict.HANDLE_TAKEN, handle)
    if _name_taken(session, team_id=team_id, name=name, other_than=None):
        raise ProgramConflictError(ProgramConflict.NAME_TAKEN, name)
    first = program_for_team(session, team_id)
    program = Program(
        team_id=team_id,
        handle=handle,
        name=name,
        # A new program starts in the workspace's zone (the first program's) unless told otherwise.
        time_zone=first.time_zone if first is not None else "America/New_York",
        coordinator_channel_id=None,
        **NEW_PROGRAM_DEFAULTS,
        created_at=now,
    )
    for column, value in _changes(program, replace(options, name=None)).items():
        setattr(program, column, value)
    session.add(program)
    session.flush()
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="program.created",
        actor_fallback=actor_label,
        details={"handle": handle, "name": name},
    )
    return program


def update_program(session: Session, *, program: Program, options: ProgramOptions, now: datetime, actor_label: str) -> list[str]:
    """Apply what `options` sets; returns the columns that changed (audited, old and new values).

    Lowering the maximum mentees leaves pairings that exceed it as they are (nobody is unpaired
    by a settings change); new pairings follow the new maximum. A new cadence applies from the
    next meeting logged or the next reminder sweep (storage/reminders.py)."""
    if options.name is not None and _name_taken(session, team_id=program.team_id, name=options.name, other_than=program.id):
        raise ProgramConflictError(ProgramConflict.NAME_TAKEN, options.name)
    changes = _changes(program, options)
    if not changes:
        return []
    before = {column: getattr(program, column) for column in changes}
    for column, value in changes.items():
        setattr(program, column, value)
    session.flush()
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="program.updated",
        actor_fallback=actor_label,
        details={column: {"from": before[column], "to": value} for column, value in changes.items()},
    )
    return sorted(changes)
