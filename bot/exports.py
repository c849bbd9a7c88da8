"""The pairings export, for the `mentorbot export` command and the dashboard's Export button."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage import audit
from storage.models import Person, Program
from storage.programs import academic_calendar
from storage.reports import pairings_in_year
from views.export_csv import ExportFile, export_file


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
