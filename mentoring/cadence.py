"""Meeting cadence: when a pair's next meeting is due, and the academic year's quarters.

Program rule 4: a mentor meets each mentee at least once every three months. A meeting is
due 3 calendar months after the later of the pairing's start and its last logged meeting,
with the clock stopped while the pair is paused (see `Pause`). Reports count meetings per
quarter of the academic year, which starts on a program-set day (July 1 by default).

Pure: standard library only, no clock reads. Every date comes in as a parameter.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from itertools import pairwise
from types import MappingProxyType
from typing import Generic, NamedTuple, TypeVar

MEETING_INTERVAL_MONTHS = 3
QUARTERS_PER_YEAR = 4
MONTHS_PER_QUARTER = 3

# Any non-leap year: a start day must exist every year, so Feb 29 is refused.
_NON_LEAP_YEAR = 2001


def shortest_interval_days(months: int) -> int:
    """The fewest days `months` calendar months can span (Feb 1 -> May 1 is 89 days for 3)."""
    return _shortest_interval_days(months)


@functools.cache
def _shortest_interval_days(months: int) -> int:
    first = date(_NON_LEAP_YEAR, 1, 1)
    return min((add_months(day, months) - day).days for day in (first + timedelta(days=n) for n in range(365)))


def add_months(d: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clamped to the month's end.

    Nov 30 + 3 months is Feb 28 (Feb 29 in a leap year); Aug 31 + 3 months is Nov 30.
    """
    month_index = d.year * 12 + (d.month - 1) + months
    year, zero_based_month = divmod(month_index, 12)
    month = zero_based_month + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


@dataclass(frozen=True, order=True)
class Pause:
    """A pair's meetings on hold for the days [starts_on, ends_on).

    `ends_on` is the day meetings are back on: the "until" date people pick, and the day the
    pair is told the pause is over. It is the date as it stands now (a pause ended early has
    the day it was ended).
    """

    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        if self.ends_on <= self.starts_on:
            raise ValueError(f"a pause ends ({self.ends_on}) after it starts ({self.starts_on})")

    def covers(self, day: date) -> bool:
        return self.starts_on <= day < self.ends_on

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days


def merge_pauses(pauses: Iterable[Pause]) -> list[Pause]:
    """Overlapping or touching pauses as one: a day is paused or it is not."""
    merged: list[Pause] = []
    for pause in sorted(pauses):
        if merged and pause.starts_on <= merged[-1].ends_on:
            last = merged[-1]
            merged[-1] = Pause(last.starts_on, max(last.ends_on, pause.ends_on))
        else:
            merged.append(pause)
    return merged


def next_due(
    started_on: date, last_met_on: date | None, pauses: Iterable[Pause] = (), *, every_months: int = MEETING_INTERVAL_MONTHS
) -> date:
    """When the pair's next meeting is due: `every_months` calendar months (the program's
    cadence, 3 by rule 4) after the later of the pairing's start and its last logged meeting,
    not counting paused days.

    A meeting logged before the start (a data-entry slip) never pulls the due date earlier
    than the start allows.

    A pause stops the clock and it resumes with the time that was left: paused with 16 days to
    go, the pair is due 16 days after the pause ends. A pair already due or overdue when it
    paused had no time left, so it is due on the day the pause ends: after a leave, a fresh
    start rather than a pile of stale reminders. Pauses that ended by the anchor do not count.
    """
    anchor = started_on if last_met_on is None else max(started_on, last_met_on)
    due = add_months(anchor, every_months)
    for pause in merge_pauses(pauses):
        if pause.ends_on <= anchor:
            continue
        time_left = max((due - max(pause.starts_on, anchor)).days, 0)
        due = pause.ends_on + timedelta(days=time_left)
    return due


class AcademicQuarter(NamedTuple):
    """A quarter of an academic year; `year` is the calendar year the academic year starts in."""

    year: int
    quarter: int


@dataclass(frozen=True)
class AcademicCalendar:
    """The program's academic year: it starts every year on (start_month, start_day).

    Quarters are consecutive 3-month blocks from the start day, each boundary counted from
    the year's first day. A boundary that falls on a day the month lacks moves forward to
    the 1st of the next month: an Aug 31 start gives quarters starting Aug 31, Dec 1, Mar 1
    and May 31. Why forward and not back to the month's end (as add_months does): a
    quarter is then never shorter than a meeting interval, so a pair that keeps its due
    dates meets in every quarter it spans. Clamping back would make Nov 30 - Feb 27 a
    quarter that a pair meeting on Nov 29 and again when due (Feb 28) steps right over.
    """

    start_month: int = 7
    start_day: int = 1

    def __post_init__(self) -> None:
        for name in ("start_month", "start_day"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be an int, got {value!r}")
        try:
            date(_NON_LEAP_YEAR, self.start_month, self.start_day)
        except ValueError as error:
            raise ValueError(
                f"academic year start {self.start_month}/{self.start_day} must be a day that "
                "exists every year (Feb 29 is not allowed)"
            ) from error

    def first_day(self, year: int) -> date:
        """The first day of the academic year that starts in calendar year `year`."""
        return date(year, self.start_month, self.start_day)

    def year_of(self, d: date) -> int:
        """The calendar year in which d's academic year starts (July start: 2027-06-30 -> 2026)."""
        return d.year if d >= self.first_day(d.year) else d.year - 1

    def year_bounds(self, year: int) -> tuple[date, date]:
        """(first day, first day of the next academic year): a half-open range."""
        return self.first_day(year), self.first_day(year + 1)

    def quarter_bounds(self, year: int, quarter: int) -> tuple[date, date]:
        """(first day, first day of the next quarter) of quarter 1..4 of academic year `year`."""
        _check_quarter(quarter)
        first = self.first_day(year)
        return (
            _months_later_rolling_forward(first, MONTHS_PER_QUARTER * (quarter - 1)),
            _months_later_rolling_forward(first, MONTHS_PER_QUARTER * quarter),
        )

    def quarter_of(self, d: date) -> AcademicQuarter:
        """The academic quarter containing d."""
        year = self.year_of(d)
        for quarter in range(1, QUARTERS_PER_YEAR + 1):
            if d < self.quarter_bounds(year, quarter)[1]:
                return AcademicQuarter(year, quarter)
        raise AssertionError(f"{d} is past the end of academic year {year}")  # unreachable

    def next_quarter(self, current: AcademicQuarter) -> AcademicQuarter:
        if current.quarter == QUARTERS_PER_YEAR:
            return AcademicQuarter(current.year + 1, 1)
        return AcademicQuarter(current.year, current.quarter + 1)

    def quarters_ended_between(self, after: date, upto: date) -> list[AcademicQuarter]:
        """Quarters that ended in (after, upto], oldest first: what a quarter-end report run
        on `upto`, whose previous run was on `after`, has to cover.

        A quarter counts as ended on the first day of the next quarter, not on its own last
        day, when meetings can still be logged. A report job that was down for a while
        therefore catches up on every quarter it missed, and never reports one twice.
        """
        ended: list[AcademicQuarter] = []
        current = self.quarter_of(after)
        while True:
            end_exclusive = self.quarter_bounds(*current)[1]
            if end_exclusive > upto:
                return ended
            ended.append(current)
            current = self.next_quarter(current)

    def label(self, year: int, quarter: int) -> str:
        """Human label, e.g. "2026–27 Q1"; a calendar-year program (Jan 1 start) gets "2026 Q1"."""
        _check_quarter(quarter)
        if (self.start_month, self.start_day) == (1, 1):
            return f"{year} Q{quarter}"
        return f"{year}–{(year + 1) % 100:02d} Q{quarter}"


def _months_later_rolling_forward(d: date, months: int) -> date:
    """Like add_months, but a day the target month lacks becomes the next month's 1st."""
    clamped = add_months(d, months)
    if clamped.day == d.day:
        return clamped
    return clamped + timedelta(days=1)


def _check_quarter(quarter: int) -> None:
    if quarter not in range(1, QUARTERS_PER_YEAR + 1):
        raise ValueError(f"quarter must be 1..{QUARTERS_PER_YEAR}, got {quarter!r}")


def meetings_per_quarter(meeting_dates: Iterable[date], year: int, academic_calendar: AcademicCalendar) -> dict[int, int]:
    """How many meetings fell in each quarter 1..4 of academic year `year` (all keys present).

    One date per meeting: the caller passes each logged meeting once.
    """
    counts = dict.fromkeys(range(1, QUARTERS_PER_YEAR + 1), 0)
    for meeting_date in meeting_dates:
        meeting_year, quarter = academic_calendar.quarter_of(meeting_date)
        if meeting_year == year:
            counts[quarter] += 1
    return counts


# --- Quarter compliance ----------------------------------------------------------------


@dataclass(frozen=True)
class PairingHistory:
    """What the quarter report needs about one pairing.

    Active from `started_on` (inclusive) until `ended_on` (exclusive: the day the pairing
    ended, e.g. by a change request, is not an active day); `ended_on=None` while it lasts.
    """

    started_on: date
    ended_on: date | None
    meeting_dates: tuple[date, ...] = ()
    pauses: tuple[Pause, ...] = ()
    every_months: int = MEETING_INTERVAL_MONTHS  # the program's cadence

    def __post_init__(self) -> None:
        object.__setattr__(self, "meeting_dates", tuple(self.meeting_dates))
        object.__setattr__(self, "pauses", tuple(sorted(self.pauses)))
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError(f"pairing ends ({self.ended_on}) before it starts ({self.started_on})")

    def active_throughout(self, first_day: date, end_exclusive: date) -> bool:
        return self.started_on <= first_day and (self.ended_on is None or self.ended_on >= end_exclusive)

    def active_during_any_of(self, first_day: date, end_exclusive: date) -> bool:
        active_until = date.max if self.ended_on is None else self.ended_on
        return max(self.started_on, first_day) < min(active_until, end_exclusive)

    def met_between(self, first_day: date, end_exclusive: date) -> bool:
        return any(first_day <= met_on < end_exclusive for met_on in self.meeting_dates)

    def due_as_of(self, day: date) -> date:
        """The due date as the pair saw it on `day`: from the meetings before that day and the
        pauses begun by then."""
        earlier = [met_on for met_on in self.meeting_dates if met_on < day]
        begun = [pause for pause in self.pauses if pause.starts_on <= day]
        return next_due(self.started_on, max(earlier, default=None), begun, every_months=self.every_months)

    def fell_due_between(self, first_day: date, end_exclusive: date) -> bool:
        """Whether, with no meeting in [first_day, end_exclusive), the pair was due or overdue
        on some day of it.

        The due date only changes at a meeting or when a pause begins, so it is enough to look
        at the first day and at each pause start: the pair is due in a stretch between two of
        them when the due date seen at its start comes before its end. (A pause in effect
        pushes that due date past its own end, so paused days are never counted as due.)
        """
        starts = [pause.starts_on for pause in self.pauses if first_day < pause.starts_on < end_exclusive]
        boundaries = [first_day, *starts, end_exclusive]
        return any(self.due_as_of(start) < end for start, end in pairwise(boundaries))


class QuarterStatus(str, Enum):
    MET = "met"  # active the whole quarter and met at least once in it
    MISSED = "missed"  # active the whole quarter, a meeting fell due in it, and none happened
    NOT_DUE = "not_due"  # active the whole quarter, but its meeting falls due only after it
    PARTIAL = "partial"  # active for only part of the quarter: not judged
    INACTIVE = "inactive"  # not active on any day of the quarter


def quarter_status(pairing: PairingHistory, year: int, quarter: int, academic_calendar: AcademicCalendar) -> QuarterStatus:
    """Whether a pairing kept the once-a-quarter rule in one quarter.

    Rule: a pair is judged (MET or MISSED) for a quarter only if it was active on every day
    of it. A pair that started mid-quarter may not even be due yet, and one that ended
    mid-quarter was cut short, often at someone's confidential request; judging either
    would report noise or hint at why a pairing ended. They are PARTIAL, so the report can
    still show them without a verdict.

    One exception keeps the report consistent with the due dates the pair sees: a pair that
    started on the quarter's first day (the usual case: matched for July 1) has its first
    meeting due on the next quarter's first day, so not meeting inside this quarter is on
    time. It is NOT_DUE rather than MISSED. Hence a pair that always meets by its due date is
    never MISSED. The reminder sweep, not this report, chases a pair that is overdue now.

    Pauses move due dates as they do for the pair (see next_due): a pair paused for the whole
    quarter, or whose clock stopped before its meeting fell due, is NOT_DUE; one that was
    already overdue when it paused is MISSED.
    """
    first_day, end_exclusive = academic_calendar.quarter_bounds(year, quarter)
    if not pairing.active_during_any_of(first_day, end_exclusive):
        return QuarterStatus.INACTIVE
    if not pairing.active_throughout(first_day, end_exclusive):
        return QuarterStatus.PARTIAL
    if pairing.met_between(first_day, end_exclusive):
        return QuarterStatus.MET
    if not pairing.fell_due_between(first_day, end_exclusive):
        return QuarterStatus.NOT_DUE
    return QuarterStatus.MISSED


PairingKey = TypeVar("PairingKey")


@dataclass(frozen=True)
class QuarterCompliance(Generic[PairingKey]):
    """Per-pairing QuarterStatus for one quarter, keyed the way the caller keyed its input."""

    quarter: AcademicQuarter
    statuses: Mapping[PairingKey, QuarterStatus]

    def __post_init__(self) -> None:
        # A read-only copy, so a "frozen" result cannot change under the report.
        object.__setattr__(self, "statuses", MappingProxyType(dict(self.statuses)))

    def with_status(self, status: QuarterStatus) -> frozenset[PairingKey]:
        return frozenset(key for key, value in self.statuses.items() if value is status)

    @property
    def judged_count(self) -> int:
        """Pairs given a verdict (MET or MISSED): the denominator of the compliance rate."""
        return self.met_count + len(self.missed)

    @property
    def met_count(self) -> int:
        return len(self.with_status(QuarterStatus.MET))

    @property
    def missed(self) -> frozenset[PairingKey]:
        """The pairs a coordinator may want to follow up with."""
        return self.with_status(QuarterStatus.MISSED)


def quarter_compliance(
    pairings: Mapping[PairingKey, PairingHistory],
    year: int,
    quarter: int,
    academic_calendar: AcademicCalendar,
) -> QuarterCompliance[PairingKey]:
    """quarter_status for every pairing; see quarter_status for who is judged and why."""
    return QuarterCompliance(
        quarter=AcademicQuarter(year, quarter),
        statuses={key: quarter_status(pairing, year, quarter, academic_calendar) for key, pairing in pairings.items()},
    )
