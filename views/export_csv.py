"""The pairings export: one CSV row per pairing with its start, end and meetings per quarter.

For the GME office's spreadsheet. Deliberately nothing else: no notes, no reason a pairing
ended, nothing about who asked for a change or withdrew (an end date only). Pure function.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from mentoring.cadence import QUARTERS_PER_YEAR, AcademicCalendar, Pause, meetings_per_quarter
from mentoring.check_ins import ScoreSummary
from mentoring.program_figures import Share
from mentoring.reporting import year_label
from storage.program_figures import CurrentFigures, QuarterProgramFigures
from storage.reports import PairYear
from views.common import echo

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
    "pauses",  # each as start/end (ISO dates; the end is the day meetings were back on). Never who or why.
    "days_paused",  # paused days within the academic year
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
    first_day, end_exclusive = academic_calendar.year_bounds(year)
    for entry in pairings:
        pair, history = entry.pair, entry.history
        counts = meetings_per_quarter(history.meeting_dates, year, academic_calendar)
        year_pauses = [p for p in history.pauses if p.starts_on < end_exclusive and p.ends_on > first_day]
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
                "; ".join(f"{p.starts_on.isoformat()}/{p.ends_on.isoformat()}" for p in year_pauses),
                sum(_days_within(p, first_day, end_exclusive) for p in year_pauses),
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


def _days_within(pause: Pause, first_day: date, end_exclusive: date) -> int:
    return max(0, (min(pause.ends_on, end_exclusive) - max(pause.starts_on, first_day)).days)


# --- the program figures, for the GME office's evaluation ------------------------------------------

FIGURE_COLUMNS = ("period", "figure", "value")
TOO_FEW = "too few answers to show"


def _share_rows(period: str, name: str, share: Share) -> list[tuple[str, str, str]]:
    rate = "" if share.rate is None else f"{share.rate:.3f}"
    return [(period, f"{name}_share", rate), (period, f"{name}_count", str(share.count)), (period, f"{name}_of", str(share.of))]


def _score_rows(period: str, name: str, summary: ScoreSummary | None) -> list[tuple[str, str, str]]:
    if summary is None:
        return [(period, f"{name}_mean", TOO_FEW)]
    return [(period, f"{name}_mean", f"{summary.mean:.2f}"), (period, f"{name}_answers", str(summary.answers))]


def figures_csv(quarters: Sequence[QuarterProgramFigures], current: CurrentFigures, *, today: date) -> str:
    """Long format (period, figure, value): one row per figure, easy to pivot in a spreadsheet.
    Check-in scores only for finished quarters, under the small-group rule; counts only."""
    rows: list[tuple[str, str, str]] = []
    for quarter in quarters:
        period = quarter.label
        rows += _share_rows(period, "pairs_due_that_met", quarter.pairs_met)
        rows += _share_rows(period, "full_participation_year_so_far", quarter.full_participation)
        median = quarter.median_days_between_meetings
        rows.append((period, "median_days_between_meetings", "" if median is None else f"{median:g}"))
        rows += [(period, "pauses_begun", str(quarter.pauses.begun)), (period, "pairs_paused", str(quarter.pauses.pairs_paused))]
        if quarter.check_ins is None:
            rows.append((period, "check_ins", "shown once the quarter is over"))
        else:
            rows += _score_rows(period, "check_in_usefulness", quarter.check_ins.usefulness)
            rows += _score_rows(period, "check_in_relationship", quarter.check_ins.relationship)
    now = f"as of {today.isoformat()}"
    rows.append((now, "pairs_paused_now", str(current.paused.count)))
    for training_year, count in current.without_mentor:
        rows.append((now, f"residents_without_mentor_pgy{training_year or '_unknown'}", str(count)))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIGURE_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def figures_file(
    quarters: Sequence[QuarterProgramFigures], current: CurrentFigures, *, year_label: str, today: date
) -> ExportFile:
    text = figures_csv(quarters, current, today=today)
    return ExportFile(
        filename=f"mentorship-figures-{year_label.replace('–', '-')}.csv",
        content=text.encode("utf-8-sig"),
        rows=len(quarters),
        year_label=year_label,
    )


def figures_comment(export: ExportFile) -> str:
    return (
        f"And the program figures for {export.year_label}, quarter by quarter: pairs that met, full participation, "
        "days between meetings, pauses, and check-in scores of finished quarters (averages of enough answers only). "
        "Only you can see this message."
    )


def not_a_year_text(word: str) -> str:
    return f"`{echo(word)}` isn't a year. Try `/mentor admin export 2026` for the 2026–27 academic year."


def year_out_of_range_text(word: str, years: range, label: Callable[[int], str]) -> str:
    first, last = years[0], years[-1]
    span = f"the {label(first)} academic year" if first == last else f"academic years {label(first)} to {label(last)}"
    return (
        f"There's nothing to export for `{word}`: the program has {span}. "
        f"Try `/mentor admin export {last}`, or leave the year out for the current one."
    )


def export_usage_text() -> str:
    return "Usage: `/mentor admin export [YYYY]`: one academic year (e.g. `2026` for 2026–27), or none for the current one."


def export_sent_text(year_label: str) -> str:
    return (
        f"Sent: the {year_label} pairings and program figures are in your DM with me, as two CSV files. "
        "Only you can see this message."
    )


def export_failed_text(error: str | None) -> str:
    said = f" (Slack answered `{error}`)" if error else ""
    return (
        f"I couldn't send the export to your DM{said}, so no file was sent. Please try again in a few minutes; "
        "if it keeps failing, ask whoever runs Mentorbot to check that the app may upload files (`files:write`)."
    )


def export_title(export: ExportFile) -> str:
    return f"Mentorship pairings {export.year_label}"


def figures_title(export: ExportFile) -> str:
    return f"Mentorship figures {export.year_label}"
