"""The pairings export: one CSV row per pairing with its start, end and meetings per quarter.

For the GME office's spreadsheet. Deliberately nothing else: no notes, no reason a pairing
ended, nothing about who asked for a change or withdrew (an end date only). Pure function.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from mentoring.cadence import QUARTERS_PER_YEAR, AcademicCalendar, meetings_per_quarter
from mentoring.reporting import year_label
from storage.reports import PairYear

QUARTER_COLUMNS = tuple(f"q{q}_meetings" for q in range(1, QUARTERS_PER_YEAR + 1))
COLUMNS = (
    "pairing_id",
    "mentor",
    "mentor_slack_id",
    "resident",
    "resident_slack_id",
    "started_on",
    "ended_on",
    *QUARTER_COLUMNS,
    "total_meetings",
)
# A cell starting with one of these is a formula to Excel: a name must never run as one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int
    year_label: str


def safe_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def pairings_csv(pairings: Sequence[PairYear], *, year: int, academic_calendar: AcademicCalendar) -> str:
    """Rows in the order given; meetings are counted per quarter of academic year `year`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for entry in pairings:
        pair, history = entry.pair, entry.history
        counts = meetings_per_quarter(history.meeting_dates, year, academic_calendar)
        writer.writerow(
            [
                pair.pairing_id,
                safe_cell(pair.mentor.name),
                pair.mentor.slack_user_id,
                safe_cell(pair.resident.name),
                pair.resident.slack_user_id,
                pair.started_on.isoformat(),
                pair.ended_on.isoformat() if pair.ended_on else "",
                *(counts[q] for q in range(1, QUARTERS_PER_YEAR + 1)),
                sum(counts.values()),
            ]
        )
    return buffer.getvalue()


def export_file(pairings: Sequence[PairYear], *, year: int, academic_calendar: AcademicCalendar) -> ExportFile:
    """UTF-8 with a byte-order mark, so Excel shows accented names correctly."""
    label = year_label(academic_calendar, year)
    text = pairings_csv(pairings, year=year, academic_calendar=academic_calendar)
    return ExportFile(
        filename=f"mentorship-pairings-{label.replace('–', '-')}.csv",
        content=text.encode("utf-8-sig"),
        rows=len(pairings),
        year_label=label,
    )


def export_comment(export: ExportFile) -> str:
    """The DM that carries the file to the coordinator who asked for it."""
    return (
        f"Here's the mentorship export for {export.year_label}: {export.rows} pairing(s), one row each with "
        "start and end dates and meetings per quarter. Only you can see this message."
    )
