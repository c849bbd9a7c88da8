"""Reads for the program figures (mentoring/program_figures.py, mentoring/check_ins.py): what
the weekly summary and dashboard show now, and what a quarter report and the export show for
each quarter of a year.

Check-in scores come only from closed quarters and pass the small-group rule here, so no
caller can publish one that breaks it. Pauses are counts and dates, never who paused or why.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentoring.cadence import AcademicQuarter, PairingHistory, Pause
from mentoring.check_ins import CheckInFigures, SmallGroupRule, check_in_figures, is_closed, last_closed_quarter
from mentoring.program_figures import (
    CurrentPauses,
    PauseFigures,
    Share,
    current_pauses,
    full_participation,
    median_days_between_meetings,
    pause_figures,
    residents_without_mentor,
)
from mentoring.reporting import QuarterFigures
from storage.check_ins import scores_given_in
from storage.models import Pairing, PairingPause, Person, PersonStatus, Program, Role
from storage.pause_records import as_pause
from storage.programs import academic_calendar


def small_group_rule(program: Program) -> SmallGroupRule:
    return SmallGroupRule(program.check_in_minimum_answers)


def closed_quarter_check_ins(session: Session, *, program: Program, quarter: AcademicQuarter, today: date) -> CheckInFigures:
    """The published check-in figures of a quarter that is over (OpenPeriodError otherwise)."""
    return check_in_figures(
        scores_given_in(session, program_id=program.id, quarter=quarter),
        quarter=quarter,
        calendar=academic_calendar(program),
        today=today,
        rule=small_group_rule(program),
    )


# --- now: the weekly summary and the dashboard --------------------------------------------------


@dataclass(frozen=True)
class CurrentFigures:
    paused: CurrentPauses  # active pairs paused today, and when each pause ends
    without_mentor: tuple[tuple[int | None, int], ...]  # (training year, residents)
    check_ins: CheckInFigures  # the last closed quarter's
    check_ins_label: str  # "2026–27 Q1"


def current_figures(session: Session, *, program: Program, today: date, leaving_out: Collection[int] = ()) -> CurrentFigures:
    calendar = academic_calendar(program)
    quarter = last_closed_quarter(calendar, today)
    return CurrentFigures(
        paused=current_pauses(_running_pauses(session, program_id=program.id), today),
        without_mentor=tuple(
            residents_without_mentor(_unpaired_training_years(session, program_id=program.id, leaving_out=leaving_out))
        ),
        check_ins=closed_quarter_check_ins(session, program=program, quarter=quarter, today=today),
        check_ins_label=calendar.label(*quarter),
    )


def _running_pauses(session: Session, *, program_id: int) -> list[Pause]:
    query = (
        select(PairingPause)
        .join(Pairing, Pairing.id == PairingPause.pairing_id)
        .where(PairingPause.program_id == program_id, PairingPause.closed_at.is_(None), Pairing.ended_on.is_(None))
    )
    return [as_pause(row) for row in session.scalars(query)]


def _unpaired_training_years(session: Session, *, program_id: int, leaving_out: Collection[int] = ()) -> list[int | None]:
    paired = select(Pairing.resident_id).where(Pairing.program_id == program_id, Pairing.ended_on.is_(None))
    query = select(Person.pgy).where(
        Person.program_id == program_id,
        Person.role == Role.RESIDENT,
        Person.status == PersonStatus.ACTIVE,
        Person.id.not_in(paired),
    )
    if leaving_out:
        query = query.where(Person.id.not_in(set(leaving_out)))
    return list(session.scalars(query))


# --- a quarter, for reports and the export -----------------------------------------------------


@dataclass(frozen=True)
class QuarterProgramFigures:
    quarter: AcademicQuarter
    label: str
    pairs_met: Share  # pairs due in the quarter that met (the compliance rate)
    full_participation: Share  # pairs paired all year so far with 3+ meetings by the quarter's end
    median_days_between_meetings: float | None  # gaps that ended in the quarter
    pauses: PauseFigures
    check_ins: CheckInFigures | None  # None while the quarter is open


def quarter_program_figures(
    session: Session,
    *,
    program: Program,
    histories: Sequence[PairingHistory],
    figures: Sequence[QuarterFigures[int]],
    today: date,
) -> list[QuarterProgramFigures]:
    """Each quarter of `figures` (the year's compliance, quarter by quarter), with the rest of
    the program figures for it."""
    calendar = academic_calendar(program)
    found = []
    for quarter_figures in figures:
        quarter = quarter_figures.quarter
        year_start = calendar.first_day(quarter.year)
        first_day, end_exclusive = calendar.quarter_bounds(*quarter)
        compliance = quarter_figures.compliance
        found.append(
            QuarterProgramFigures(
                quarter=quarter,
                label=calendar.label(*quarter),
                pairs_met=Share(compliance.met_count, compliance.judged_count),
                full_participation=full_participation(histories, first_day=year_start, end_exclusive=end_exclusive),
                median_days_between_meetings=median_days_between_meetings(
                    histories, first_day=first_day, end_exclusive=end_exclusive
                ),
                pauses=pause_figures(histories, first_day=first_day, end_exclusive=end_exclusive),
                check_ins=closed_quarter_check_ins(session, program=program, quarter=quarter, today=today)
                if is_closed(calendar, quarter, today)
                else None,
            )
        )
    return found
