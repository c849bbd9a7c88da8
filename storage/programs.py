"""Programs: created on first start, one per workspace for now (several later)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentoring.cadence import AcademicCalendar
from mentoring.reporting import WeeklySlot
from mentoring.working_hours import local_date, resolve_zone
from storage import audit
from storage.models import Program

DEFAULT_PROGRAM_NAME = "Residency mentorship"


@dataclass(frozen=True)
class ProgramSettings:
    """What the operator's configuration says about the program; None leaves a value alone."""

    time_zone: str
    coordinator_channel_id: str | None = None
    name: str = DEFAULT_PROGRAM_NAME
    summary_at: WeeklySlot | None = None
    check_in_minimum_answers: int | None = None


def program_zone(program: Program) -> ZoneInfo:
    return resolve_zone(None, program.time_zone)


def program_today(program: Program, now: datetime) -> date:
    """Today on the program's calendar."""
    return local_date(now, program_zone(program))


def academic_calendar(program: Program) -> AcademicCalendar:
    return AcademicCalendar(program.academic_year_start_month, program.academic_year_start_day)


def program_for_team(session: Session, team_id: str) -> Program | None:
    """The workspace's program (the oldest, while there is one per workspace)."""
    query = select(Program).where(Program.team_id == team_id).order_by(Program.id).limit(1)
    return session.scalars(query).first()


def ensure_program(session: Session, *, team_id: str, settings: ProgramSettings, now: datetime) -> Program:
    """Create the workspace's program on first start; later starts apply the configured values."""
    program = program_for_team(session, team_id)
    if program is None:
        program = Program(
            team_id=team_id,
            name=settings.name,
            time_zone=settings.time_zone,
            coordinator_channel_id=settings.coordinator_channel_id,
            academic_year_start_month=7,
            academic_year_start_day=1,
            max_mentees_per_mentor=2,
            approaching_days=14,
            missed_every_days=7,
            missed_limit=3,
            escalation_days=14,
            summary_weekday=0,
            summary_hour=9,
            summary_minute=0,
            paused=False,
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
