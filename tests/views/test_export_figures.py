"""The export's pause columns and figures file: pauses as dates only, check-ins only as allowed."""

from __future__ import annotations

import csv
import io
from datetime import date

from mentoring.cadence import AcademicCalendar, AcademicQuarter, PairingHistory, Pause
from mentoring.check_ins import CheckInFigures, ScoreSummary
from mentoring.program_figures import CurrentPauses, PauseFigures, Share
from storage.models import Role
from storage.program_figures import CurrentFigures, QuarterProgramFigures
from storage.reports import PairRef, PairYear
from storage.requests import PersonRef
from views.export_csv import figures_csv, pairings_csv


def test_pauses_are_dates_and_paused_days_in_the_year():
    mentor, resident = PersonRef(1, "Dr. A", "UA", Role.FACULTY), PersonRef(2, "B", "UB", Role.RESIDENT)
    history = PairingHistory(
        date(2026, 7, 1), None, (), (Pause(date(2026, 6, 20), date(2026, 7, 11)), Pause(date(2026, 8, 17), date(2026, 10, 17)))
    )
    text = pairings_csv(
        [PairYear(PairRef(9, mentor, resident, date(2026, 7, 1), None), history)], year=2026, academic_calendar=AcademicCalendar()
    )
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["pauses"] == "2026-06-20/2026-07-11; 2026-08-17/2026-10-17"
    assert row["days_paused"] == str(10 + 61)  # only the days within 2026–27


def _quarter(check_ins: CheckInFigures | None) -> QuarterProgramFigures:
    return QuarterProgramFigures(
        AcademicQuarter(2026, 1), "2026–27 Q1", Share(3, 4), Share(0, 4), 30.5, PauseFigures(1, 2), check_ins
    )


def test_figures_show_check_ins_only_when_allowed():
    current = CurrentFigures(
        CurrentPauses((date(2026, 12, 1),)),
        ((1, 2), (None, 1)),
        CheckInFigures(AcademicQuarter(2026, 1), None, None),
        "2026–27 Q1",
    )
    shown = CheckInFigures(AcademicQuarter(2026, 1), ScoreSummary(6, 4.5), None)
    rows = list(csv.DictReader(io.StringIO(figures_csv([_quarter(shown)], current, today=date(2026, 11, 25)))))
    values = {r["figure"]: r["value"] for r in rows}
    assert values["check_in_usefulness_mean"] == "4.50" and values["check_in_usefulness_answers"] == "6"
    assert values["check_in_relationship_mean"] == "too few answers to show" and "check_in_relationship_answers" not in values
    assert values["pairs_due_that_met_share"] == "0.750" and values["median_days_between_meetings"] == "30.5"
    assert values["residents_without_mentor_pgy1"] == "2" and values["residents_without_mentor_pgy_unknown"] == "1"
    open_quarter = {
        r["figure"]: r["value"]
        for r in csv.DictReader(io.StringIO(figures_csv([_quarter(None)], current, today=date(2026, 9, 1))))
    }
    assert open_quarter["check_ins"] == "shown once the quarter is over"
