"""What coordinators are told: when the weekly summary and quarter reports are due, and the
figures in them.

The weekly summary goes out once per ISO week at the program's chosen weekday and time (its
own time zone). A quarter's report goes out with the first weekly summary after the quarter
ended, which leaves a few days for meetings logged late.

Pure: standard library only, no clock reads. Every instant and date comes in as a parameter.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Generic, TypeVar

from mentoring.cadence import (
    QUARTERS_PER_YEAR,
    AcademicCalendar,
    AcademicQuarter,
    PairingHistory,
    QuarterCompliance,
    meetings_per_quarter,
    next_due,
    quarter_compliance,
)

DAYS_PER_WEEK = 7
# A report that could not go out for longer than this is history, not news: it is skipped.
REPORT_CATCH_UP = timedelta(days=366)

Key = TypeVar("Key", bound=Hashable)


# --- When ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummarySchedule:
    """The program's weekly summary slot: weekday (Monday = 0), local time, time zone."""

    weekday: int
    hour: int
    minute: int
    zone: tzinfo

    def __post_init__(self) -> None:
        if self.weekday not in range(DAYS_PER_WEEK):
            raise ValueError(f"weekday must be 0..6 (Monday = 0), got {self.weekday!r}")
        time(self.hour, self.minute)  # raises for an hour or minute out of range

    def local_date(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def slot_in_week_of(self, day: date) -> datetime:
        """The summary's moment (aware, UTC) in the ISO week that contains `day`."""
        monday = day - timedelta(days=day.weekday())
        wall = datetime.combine(monday + timedelta(days=self.weekday), time(self.hour, self.minute))
        return wall.replace(tzinfo=self.zone).astimezone(UTC)

    def first_slot_at_or_after(self, moment: datetime) -> datetime:
        slot = self.slot_in_week_of(self.local_date(moment))
        if slot < moment:
            slot = self.slot_in_week_of(self.local_date(moment) + timedelta(days=DAYS_PER_WEEK))
        return slot

    def week_key(self, now: datetime) -> str:
        """The ISO week of `now` in the program's zone, e.g. "2026-W48": one summary each."""
        year, week, _ = self.local_date(now).isocalendar()
        return f"{year}-W{week:02d}"

    def summary_due(self, now: datetime, *, since: datetime | None = None) -> bool:
        """Whether this week's summary should have gone out by `now`. A week whose slot came
        before `since` (when the program began) has no summary: the first comes a week later."""
        slot = self.slot_in_week_of(self.local_date(now))
        return now >= slot and (since is None or slot >= since)

    def quarter_report_at(self, academic_calendar: AcademicCalendar, quarter: AcademicQuarter) -> datetime:
        """The first summary slot once the quarter has ended (its next quarter's first day)."""
        end_exclusive = academic_calendar.quarter_bounds(*quarter)[1]
        quarter_over = datetime.combine(end_exclusive, time()).replace(tzinfo=self.zone)
        return self.first_slot_at_or_after(quarter_over.astimezone(UTC))

    def quarters_to_report(self, academic_calendar: AcademicCalendar, *, since: datetime, now: datetime) -> list[AcademicQuarter]:
        """Quarters whose report is due by `now`, oldest first, among those that ended after
        `since` (when the program began) and within the last year (older ones are skipped).
        """
        earliest = max(since, now - REPORT_CATCH_UP)
        ended = academic_calendar.quarters_ended_between(self.local_date(earliest), self.local_date(now))
        return [q for q in ended if self.quarter_report_at(academic_calendar, q) <= now]


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class WeeklySlot:
    """A weekday (Monday = 0) and a local time: when the weekly summary goes out."""

    weekday: int
    hour: int
    minute: int


def parse_weekly_slot(text: str) -> WeeklySlot:
    """ "Monday 09:00", "fri 16:30" -> WeeklySlot; ValueError saying what is wrong otherwise."""
    words = text.strip().lower().split()
    if len(words) != 2:
        raise ValueError("expected a weekday and a time, e.g. 'Monday 09:00'")
    day, clock = words
    matches = [index for index, name in enumerate(WEEKDAYS) if len(day) >= 3 and name.startswith(day)]
    if len(matches) != 1:
        raise ValueError(f"{day!r} is not a weekday")
    hour, _, minute = clock.partition(":")
    if not (hour.isdigit() and minute.isdigit() and len(minute) == 2):
        raise ValueError(f"{clock!r} is not a time like 09:00")
    slot = WeeklySlot(matches[0], int(hour), int(minute))
    if slot.hour > 23 or slot.minute > 59:
        raise ValueError(f"{clock!r} is not a time like 09:00")
    return slot


def year_label(academic_calendar: AcademicCalendar, year: int) -> str:
    """ "2026–27" (or "2026" for a calendar-year program): the year part of a quarter's label."""
    return academic_calendar.label(year, 1).rsplit(" ", 1)[0]


def quarter_key(quarter: AcademicQuarter) -> str:
    """A stable name for a quarter in dedupe keys: "2026-Q1"."""
    return f"{quarter.year}-Q{quarter.quarter}"


# --- The weekly figures --------------------------------------------------------------------


@dataclass(frozen=True)
class ActivePair(Generic[Key]):
    """What the summary needs about one active pairing."""

    key: Key
    started_on: date
    last_met_on: date | None
    next_due_on: date | None  # as stored; None means "compute it from the rule"
    meetings_this_quarter: int

    @property
    def due_on(self) -> date:
        return self.next_due_on or next_due(self.started_on, self.last_met_on)

    def days_overdue(self, today: date) -> int:
        """Whole days past the due date; 0 when not overdue (the due day itself is on time)."""
        return max(0, (today - self.due_on).days)


@dataclass(frozen=True)
class MeetingFigures(Generic[Key]):
    active_pairs: int
    meetings_this_quarter: int
    pairs_met_this_quarter: int
    pairs_due_this_quarter: int  # met already, or due before the quarter ends
    overdue: tuple[tuple[Key, int], ...]  # (pair, days overdue), most overdue first


def meeting_figures(pairs: Sequence[ActivePair[Key]], *, today: date, quarter_end: date) -> MeetingFigures[Key]:
    """The summary's meeting figures for the current quarter, which ends before `quarter_end`."""
    met = [p for p in pairs if p.meetings_this_quarter > 0]
    due = [p for p in pairs if p.meetings_this_quarter > 0 or p.due_on < quarter_end]
    overdue = sorted(
        ((p.key, p.days_overdue(today)) for p in pairs if p.days_overdue(today) > 0),
        key=lambda item: -item[1],
    )
    return MeetingFigures(
        active_pairs=len(pairs),
        meetings_this_quarter=sum(p.meetings_this_quarter for p in pairs),
        pairs_met_this_quarter=len(met),
        pairs_due_this_quarter=len(due),
        overdue=tuple(overdue),
    )


@dataclass(frozen=True)
class MentorLoad:
    """One faculty member: what they offered this year (0 if unavailable) and how many mentees
    they have now."""

    offered: int
    mentees: int


@dataclass(frozen=True)
class CapacityFigures:
    places: int
    used: int
    mentors_with_room: int

    @property
    def free(self) -> int:
        return self.places - self.used


def capacity_figures(loads: Iterable[MentorLoad], *, max_mentees: int) -> CapacityFigures:
    """Places offered (never above the program maximum) against places taken. A mentor who has
    more mentees than they now offer counts as full, not as negative room."""
    places = used = with_room = 0
    for load in loads:
        own_places = max(min(load.offered, max_mentees), load.mentees)
        places += own_places
        used += load.mentees
        with_room += own_places > load.mentees
    return CapacityFigures(places=places, used=used, mentors_with_room=with_room)


# --- The quarter report --------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterFigures(Generic[Key]):
    """One quarter of the year: its compliance, and how many meetings each pair had."""

    compliance: QuarterCompliance[Key]
    meetings: Mapping[Key, int]  # pairs active on at least one day of the quarter

    @property
    def quarter(self) -> AcademicQuarter:
        return self.compliance.quarter

    @property
    def rate(self) -> float | None:
        """Share of judged pairs that met; None when no pair was due (nothing to judge)."""
        judged = self.compliance.judged_count
        return self.compliance.met_count / judged if judged else None

    @property
    def active_pairs(self) -> int:
        return len(self.meetings)

    @property
    def meeting_count(self) -> int:
        return sum(self.meetings.values())

    def pairs_with_meetings(self, buckets: int) -> list[int]:
        """How many active pairs had 0, 1, ... meetings; the last bucket is "that many or more"."""
        counts = [0] * buckets
        for meetings in self.meetings.values():
            counts[min(meetings, buckets - 1)] += 1
        return counts


def year_figures(
    pairings: Mapping[Key, PairingHistory],
    year: int,
    academic_calendar: AcademicCalendar,
    *,
    through_quarter: int = QUARTERS_PER_YEAR,
) -> list[QuarterFigures[Key]]:
    """Quarters 1..through_quarter of academic year `year`: the year's trend up to a report."""
    figures = []
    for quarter in range(1, through_quarter + 1):
        first_day, end_exclusive = academic_calendar.quarter_bounds(year, quarter)
        compliance = quarter_compliance(pairings, year, quarter, academic_calendar)
        meetings = {
            key: meetings_per_quarter(history.meeting_dates, year, academic_calendar)[quarter]
            for key, history in pairings.items()
            if history.active_during_any_of(first_day, end_exclusive)
        }
        figures.append(QuarterFigures(compliance=compliance, meetings=meetings))
    return figures


def pairing_active_in_year(history: PairingHistory, year: int, academic_calendar: AcademicCalendar) -> bool:
    return history.active_during_any_of(*academic_calendar.year_bounds(year))
