from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.cadence import (
    MEETING_INTERVAL_MONTHS,
    AcademicCalendar,
    AcademicQuarter,
    PairingHistory,
    QuarterStatus,
    add_months,
    meetings_per_quarter,
    next_due,
    quarter_compliance,
    quarter_status,
)

JULY_1 = AcademicCalendar()
SEPT_1 = AcademicCalendar(start_month=9, start_day=1)
AUG_31 = AcademicCalendar(start_month=8, start_day=31)
JAN_1 = AcademicCalendar(start_month=1, start_day=1)

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
# Any day that exists every year (no Feb 29).
calendars = st.dates(min_value=date(2001, 1, 1), max_value=date(2001, 12, 31)).map(
    lambda d: AcademicCalendar(start_month=d.month, start_day=d.day)
)


# --- add_months / next_due ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # month end, common year
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # month end, leap year
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 10, 31), 3, date(2027, 1, 31)),  # across the year end
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # leap day, one year on
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 5, 31), -3, date(2026, 2, 28)),  # backwards, clamped
        (date(2026, 3, 15), 0, date(2026, 3, 15)),
        (date(2026, 1, 31), -1, date(2025, 12, 31)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("started_on", "last_met_on", "expected"),
    [
        (date(2026, 7, 1), None, date(2026, 10, 1)),  # never met: from the start
        (date(2026, 7, 1), date(2026, 8, 20), date(2026, 11, 20)),  # from the last meeting
        (date(2026, 7, 1), date(2026, 6, 15), date(2026, 10, 1)),  # meeting before start ignored
        (date(2026, 7, 1), date(2026, 7, 1), date(2026, 10, 1)),  # met on the first day
        (date(2026, 8, 31), None, date(2026, 11, 30)),
        (date(2026, 7, 1), date(2027, 11, 30), date(2028, 2, 29)),  # leap year
        (date(2026, 7, 1), date(2026, 11, 30), date(2027, 2, 28)),
    ],
)
def test_next_due(started_on: date, last_met_on: date | None, expected: date) -> None:
    assert next_due(started_on, last_met_on) == expected


@given(started_on=dates, last_met_on=st.none() | dates)
def test_next_due_is_after_the_anchor_and_at_most_92_days_later(started_on: date, last_met_on: date | None) -> None:
    anchor = max(started_on, last_met_on) if last_met_on else started_on
    due = next_due(started_on, last_met_on)
    assert anchor < due <= anchor + timedelta(days=92)


@given(start=dates, months=st.integers(min_value=-120, max_value=120))
def test_add_months_lands_in_the_right_month_on_the_same_or_a_clamped_day(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    clamped_to_month_end = result.day < start.day and (result + timedelta(days=1)).day == 1
    assert result.day == start.day or clamped_to_month_end


def test_meeting_interval_is_three_months() -> None:
    assert MEETING_INTERVAL_MONTHS == 3


# --- AcademicCalendar -------------------------------------------------------------------


@pytest.mark.parametrize(("start_month", "start_day"), [(2, 29), (2, 30), (4, 31), (13, 1), (0, 1), (7, 0)])
def test_calendar_rejects_a_start_that_does_not_exist_every_year(start_month: int, start_day: int) -> None:
    with pytest.raises(ValueError):
        AcademicCalendar(start_month=start_month, start_day=start_day)


def test_calendar_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        AcademicCalendar(start_month="7")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("academic_calendar", "day", "expected_year"),
    [
        (JULY_1, date(2026, 8, 1), 2026),
        (JULY_1, date(2027, 6, 30), 2026),
        (JULY_1, date(2026, 7, 1), 2026),  # first day belongs to the new year
        (JULY_1, date(2026, 6, 30), 2025),  # last day belongs to the old one
        (JULY_1, date(2027, 1, 1), 2026),
        (SEPT_1, date(2026, 8, 31), 2025),
        (SEPT_1, date(2026, 9, 1), 2026),
        (SEPT_1, date(2026, 7, 1), 2025),  # a July-1 program would already be in 2026
        (JAN_1, date(2026, 1, 1), 2026),
        (JAN_1, date(2026, 12, 31), 2026),
    ],
)
def test_year_of(academic_calendar: AcademicCalendar, day: date, expected_year: int) -> None:
    assert academic_calendar.year_of(day) == expected_year


@pytest.mark.parametrize(
    ("academic_calendar", "year", "expected"),
    [
        (JULY_1, 2026, (date(2026, 7, 1), date(2027, 7, 1))),
        (SEPT_1, 2026, (date(2026, 9, 1), date(2027, 9, 1))),
        (JAN_1, 2028, (date(2028, 1, 1), date(2029, 1, 1))),
    ],
)
def test_year_bounds(academic_calendar: AcademicCalendar, year: int, expected: tuple[date, date]) -> None:
    assert academic_calendar.year_bounds(year) == expected


@pytest.mark.parametrize(
    ("academic_calendar", "year", "quarter", "expected"),
    [
        (JULY_1, 2026, 1, (date(2026, 7, 1), date(2026, 10, 1))),
        (JULY_1, 2026, 2, (date(2026, 10, 1), date(2027, 1, 1))),
        (JULY_1, 2026, 3, (date(2027, 1, 1), date(2027, 4, 1))),
        (JULY_1, 2026, 4, (date(2027, 4, 1), date(2027, 7, 1))),
        (SEPT_1, 2026, 1, (date(2026, 9, 1), date(2026, 12, 1))),
        (SEPT_1, 2026, 2, (date(2026, 12, 1), date(2027, 3, 1))),
        (SEPT_1, 2026, 4, (date(2027, 6, 1), date(2027, 9, 1))),
        # Month-end start: a boundary on a missing day (Nov 31, Feb 31) moves to the 1st.
        (AUG_31, 2026, 1, (date(2026, 8, 31), date(2026, 12, 1))),
        (AUG_31, 2026, 2, (date(2026, 12, 1), date(2027, 3, 1))),
        (AUG_31, 2027, 2, (date(2027, 12, 1), date(2028, 3, 1))),  # holds Feb 29
        (AUG_31, 2026, 3, (date(2027, 3, 1), date(2027, 5, 31))),
        (AUG_31, 2026, 4, (date(2027, 5, 31), date(2027, 8, 31))),
        # Found by the property below: a May 29 start, Feb 29 missing in a common year.
        (AcademicCalendar(5, 29), 2000, 3, (date(2000, 11, 29), date(2001, 3, 1))),
    ],
)
def test_quarter_bounds(academic_calendar: AcademicCalendar, year: int, quarter: int, expected: tuple[date, date]) -> None:
    assert academic_calendar.quarter_bounds(year, quarter) == expected


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_quarter_numbers_are_1_to_4(quarter: int) -> None:
    with pytest.raises(ValueError):
        JULY_1.quarter_bounds(2026, quarter)
    with pytest.raises(ValueError):
        JULY_1.label(2026, quarter)


@pytest.mark.parametrize(
    ("academic_calendar", "day", "expected"),
    [
        (JULY_1, date(2026, 7, 1), (2026, 1)),
        (JULY_1, date(2026, 9, 30), (2026, 1)),
        (JULY_1, date(2026, 10, 1), (2026, 2)),
        (JULY_1, date(2026, 12, 31), (2026, 2)),
        (JULY_1, date(2027, 1, 1), (2026, 3)),
        (JULY_1, date(2027, 6, 30), (2026, 4)),
        (SEPT_1, date(2026, 8, 31), (2025, 4)),
        (SEPT_1, date(2026, 11, 30), (2026, 1)),
        (SEPT_1, date(2026, 12, 1), (2026, 2)),
        (AUG_31, date(2026, 11, 30), (2026, 1)),
        (AUG_31, date(2027, 2, 28), (2026, 2)),
        (AUG_31, date(2027, 3, 1), (2026, 3)),
        (JAN_1, date(2028, 2, 29), (2028, 1)),
    ],
)
def test_quarter_of(academic_calendar: AcademicCalendar, day: date, expected: tuple[int, int]) -> None:
    assert academic_calendar.quarter_of(day) == expected


@pytest.mark.parametrize(
    ("academic_calendar", "after", "upto", "expected"),
    [
        # A daily run on the first day of a quarter reports the one just ended.
        (JULY_1, date(2026, 9, 30), date(2026, 10, 1), [(2026, 1)]),
        # The quarter's last day is not its end: meetings can still be logged then.
        (JULY_1, date(2026, 9, 29), date(2026, 9, 30), []),
        # Already reported yesterday: nothing twice.
        (JULY_1, date(2026, 10, 1), date(2026, 10, 2), []),
        # Catch-up after downtime across two quarter ends and a year end.
        (JULY_1, date(2026, 9, 15), date(2027, 1, 20), [(2026, 1), (2026, 2)]),
        (JULY_1, date(2027, 6, 1), date(2027, 7, 1), [(2026, 4)]),
        (JULY_1, date(2026, 7, 1), date(2027, 7, 1), [(2026, 1), (2026, 2), (2026, 3), (2026, 4)]),
        (SEPT_1, date(2026, 11, 15), date(2026, 12, 1), [(2026, 1)]),
        (SEPT_1, date(2026, 9, 30), date(2026, 10, 1), []),  # a July-1 boundary, not ours
        (JULY_1, date(2026, 10, 5), date(2026, 10, 5), []),
        (JULY_1, date(2026, 10, 5), date(2026, 8, 1), []),  # backwards: nothing
    ],
)
def test_quarters_ended_between(
    academic_calendar: AcademicCalendar,
    after: date,
    upto: date,
    expected: list[tuple[int, int]],
) -> None:
    assert academic_calendar.quarters_ended_between(after, upto) == expected


@pytest.mark.parametrize(
    ("academic_calendar", "year", "quarter", "expected"),
    [
        (JULY_1, 2026, 1, "2026–27 Q1"),
        (JULY_1, 2099, 4, "2099–00 Q4"),
        (SEPT_1, 2030, 2, "2030–31 Q2"),
        (JAN_1, 2026, 3, "2026 Q3"),  # a calendar-year program has no "2026–27"
    ],
)
def test_label(academic_calendar: AcademicCalendar, year: int, quarter: int, expected: str) -> None:
    assert academic_calendar.label(year, quarter) == expected


@given(academic_calendar=calendars, year=st.integers(min_value=1901, max_value=2199))
def test_quarters_tile_the_academic_year(academic_calendar: AcademicCalendar, year: int) -> None:
    first_day, next_first_day = academic_calendar.year_bounds(year)
    bounds = [academic_calendar.quarter_bounds(year, quarter) for quarter in (1, 2, 3, 4)]
    assert bounds[0][0] == first_day
    assert bounds[-1][1] == next_first_day
    for (_, end), (next_start, _) in itertools.pairwise(bounds):
        assert end == next_start
    assert all(start < end for start, end in bounds)


@given(academic_calendar=calendars, day=dates)
def test_quarter_of_agrees_with_quarter_bounds(academic_calendar: AcademicCalendar, day: date) -> None:
    year, quarter = academic_calendar.quarter_of(day)
    start, end = academic_calendar.quarter_bounds(year, quarter)
    assert start <= day < end
    assert academic_calendar.year_of(day) == year


@given(
    academic_calendar=calendars,
    after=dates,
    gap=st.integers(min_value=0, max_value=800),
    split=st.integers(min_value=0, max_value=800),
)
def test_quarters_ended_between_splits_cleanly(academic_calendar: AcademicCalendar, after: date, gap: int, split: int) -> None:
    """Running the report job twice covers exactly what one run over the span would."""
    upto = after + timedelta(days=gap)
    middle = after + timedelta(days=min(split, gap))
    whole = academic_calendar.quarters_ended_between(after, upto)
    assert whole == (
        academic_calendar.quarters_ended_between(after, middle) + academic_calendar.quarters_ended_between(middle, upto)
    )
    for quarter in whole:
        assert after < academic_calendar.quarter_bounds(*quarter)[1] <= upto


# --- meetings per quarter and compliance ------------------------------------------------


@pytest.mark.parametrize(
    ("academic_calendar", "meetings", "year", "expected"),
    [
        (JULY_1, [], 2026, {1: 0, 2: 0, 3: 0, 4: 0}),
        (
            JULY_1,
            [date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 1), date(2027, 6, 30)],
            2026,
            {1: 2, 2: 1, 3: 0, 4: 1},
        ),
        # Meetings outside the academic year are not counted.
        (JULY_1, [date(2026, 6, 30), date(2027, 7, 1)], 2026, {1: 0, 2: 0, 3: 0, 4: 0}),
        # The same dates in a September-start program land in other quarters and years.
        (
            SEPT_1,
            [date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 1), date(2027, 6, 30)],
            2026,
            {1: 2, 2: 0, 3: 0, 4: 1},
        ),
    ],
)
def test_meetings_per_quarter(
    academic_calendar: AcademicCalendar, meetings: list[date], year: int, expected: dict[int, int]
) -> None:
    assert meetings_per_quarter(meetings, year, academic_calendar) == expected


@given(
    academic_calendar=calendars,
    meetings=st.lists(dates, max_size=30),
    year=st.integers(min_value=1900, max_value=2200),
)
def test_meetings_per_quarter_counts_every_meeting_of_the_year(
    academic_calendar: AcademicCalendar, meetings: list[date], year: int
) -> None:
    counts = meetings_per_quarter(meetings, year, academic_calendar)
    assert sorted(counts) == [1, 2, 3, 4]
    assert sum(counts.values()) == sum(academic_calendar.year_of(d) == year for d in meetings)


# Quarter 2026 Q2 of a July-1 program: 2026-10-01 .. 2026-12-31.
@pytest.mark.parametrize(
    ("pairing", "expected"),
    [
        (PairingHistory(date(2026, 7, 1), None, (date(2026, 11, 5),)), QuarterStatus.MET),
        (PairingHistory(date(2026, 7, 1), None, (date(2026, 9, 30),)), QuarterStatus.MISSED),
        (PairingHistory(date(2026, 7, 1), None, ()), QuarterStatus.MISSED),
        (PairingHistory(date(2026, 9, 30), None, ()), QuarterStatus.MISSED),  # due Dec 30
        # Started on the quarter's first day: first meeting due Jan 1, after the quarter.
        (PairingHistory(date(2026, 10, 1), None, ()), QuarterStatus.NOT_DUE),
        (PairingHistory(date(2026, 10, 1), None, (date(2026, 11, 2),)), QuarterStatus.MET),
        # Ending on the next quarter's first day still covers the whole quarter.
        (PairingHistory(date(2026, 7, 1), date(2027, 1, 1), ()), QuarterStatus.MISSED),
        # Started mid-quarter: first meeting not even due yet, so not judged.
        (PairingHistory(date(2026, 11, 15), None, ()), QuarterStatus.PARTIAL),
        (PairingHistory(date(2026, 10, 2), None, (date(2026, 10, 20),)), QuarterStatus.PARTIAL),
        # Ended mid-quarter (perhaps a confidential change): not judged either.
        (PairingHistory(date(2026, 7, 1), date(2026, 12, 31), ()), QuarterStatus.PARTIAL),
        (PairingHistory(date(2026, 7, 1), date(2026, 10, 1), ()), QuarterStatus.INACTIVE),
        (PairingHistory(date(2027, 1, 1), None, ()), QuarterStatus.INACTIVE),
        (PairingHistory(date(2026, 11, 1), date(2026, 11, 1), ()), QuarterStatus.INACTIVE),
    ],
)
def test_quarter_status(pairing: PairingHistory, expected: QuarterStatus) -> None:
    assert quarter_status(pairing, 2026, 2, JULY_1) == expected


def test_pairing_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        PairingHistory(date(2026, 7, 1), date(2026, 6, 30))


def test_quarter_compliance_counts_only_pairs_active_all_quarter() -> None:
    pairings = {
        "met": PairingHistory(date(2026, 7, 1), None, (date(2026, 8, 1),)),
        "missed": PairingHistory(date(2026, 6, 1), None, [date(2026, 10, 1)]),
        "first-meeting-due-oct-1": PairingHistory(date(2026, 7, 1), None, [date(2026, 10, 1)]),
        "new": PairingHistory(date(2026, 8, 15), None, ()),
        "ended": PairingHistory(date(2026, 7, 1), date(2026, 8, 1), ()),
        "gone": PairingHistory(date(2025, 7, 1), date(2026, 5, 1), ()),
    }
    report = quarter_compliance(pairings, 2026, 1, JULY_1)
    assert report.quarter == AcademicQuarter(2026, 1)
    assert report.judged_count == 2
    assert report.met_count == 1
    assert report.missed == {"missed"}
    assert report.with_status(QuarterStatus.PARTIAL) == {"new", "ended"}
    assert report.with_status(QuarterStatus.INACTIVE) == {"gone"}
    assert report.with_status(QuarterStatus.NOT_DUE) == {"first-meeting-due-oct-1"}
    with pytest.raises(TypeError):
        report.statuses["gone"] = QuarterStatus.MET  # type: ignore[index]


@given(
    started_on=dates,
    days_early=st.lists(st.integers(min_value=0, max_value=80), min_size=8, max_size=8),
    academic_calendar=calendars,
)
def test_a_pair_that_always_meets_by_its_due_date_never_misses_a_quarter(
    started_on: date, days_early: list[int], academic_calendar: AcademicCalendar
) -> None:
    """The two rules agree: keeping the 3-month cadence satisfies every judged quarter.

    Found by hypothesis: a May 29 academic start (quarter boundary at a missing Feb 29) and
    a pair matched on the quarter's first day (first meeting due on the next quarter's)."""
    meetings: list[date] = []
    last_met_on: date | None = None
    for early in days_early:
        due = next_due(started_on, last_met_on)
        earliest_possible = last_met_on or started_on
        last_met_on = max(due - timedelta(days=early), earliest_possible)
        meetings.append(last_met_on)
    pairing = PairingHistory(started_on, None, tuple(meetings))
    current = academic_calendar.quarter_of(started_on)
    while academic_calendar.quarter_bounds(*current)[1] <= meetings[-1]:
        status = quarter_status(pairing, *current, academic_calendar)
        assert status is not QuarterStatus.MISSED
        current = academic_calendar.next_quarter(current)
