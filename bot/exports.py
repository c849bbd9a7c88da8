"""The pairings export, for the `mentorbot export` command and the dashboard's Export button."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mentoring.cadence import AcademicQuarter
from storage import audit
from storage.models import Person, Program
from storage.program_figures import current_figures
from storage.programs import academic_calendar, program_today
from storage.reports import pairings_in_year, quarter_report
from views.export_csv import ExportFile, export_file, figures_file


def export_pairings(
    session: Session, *, program: Program, year: int, now: datetime, actor: Person | None = None, actor_label: str = "cli"
) -> ExportFile:
    """The CSV of academic year `year`; who exported it, and when, goes in the audit log."""
    export = export_file(
        pairings_in_year(session, program=program, year=year), year=year, academic_calendar=academic_calendar(program)
    )
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="export.pairings",
        actor=actor,
        actor_fallback=actor_label,
        details={"academic_year": year, "rows": export.rows},
    )
    return export


def export_figures(session: Session, *, program: Program, year: int, now: datetime) -> ExportFile:
    """The program figures of academic year `year`, quarter by quarter so far (check-ins only for
    finished quarters), and today's pauses and residents without a mentor."""
    calendar = academic_calendar(program)
    today = program_today(program, now)
    last = (
        AcademicQuarter(year, 4)
        if calendar.year_bounds(year)[1] <= today
        else calendar.quarter_of(max(today, calendar.first_day(year)))
    )
    report = quarter_report(session, program=program, quarter=last, today=today)
    return figures_file(
        report.program_figures, current_figures(session, program=program, today=today), year_label=report.year_label, today=today
    )
