"""The figures mentoring programs are evaluated on, beyond "did each pair meet this quarter"
(that one is mentoring.reporting's compliance rate):

- full participation: the share of pairs that met three or more times in the year so far, among
  the pairs paired for all of it;
- the median number of days between a pair's consecutive meetings;
- pauses: how many began in a period and how many pairs were paused in it, and for the
  dashboard how many are paused now and until when (never why, never who asked);
- residents still without a mentor, counted by training year (no names).

Check-in scores are in mentoring.check_ins, with the rules that keep them anonymous.

Pure: standard library only, no clock reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from statistics import median

from mentoring.cadence import PairingHistory, Pause

FULL_PARTICIPATION_MEETINGS = 3


@dataclass(frozen=True)
class Share:
    """`count` of `of`; `rate` is None when there is nothing to share out."""

    count: int
    of: int

    @property
    def rate(self) -> float | None:
        return self.count / self.of if self.of else None


def full_participation(
    histories: Iterable[PairingHistory], *, first_day: date, end_exclusive: date, meetings: int = FULL_PARTICIPATION_MEETINGS
) -> Share:
    """Among the pairs active on every day of [first_day, end_exclusive), how many met at least
    `meetings` times in it. Pairs matched later, or ended sooner, had less time and are left out."""
    judged = [h for h in histories if h.active_throughout(first_day, end_exclusive)]
    met_enough = [h for h in judged if sum(first_day <= m < end_exclusive for m in set(h.meeting_dates)) >= meetings]
    return Share(len(met_enough), len(judged))


def median_days_between_meetings(histories: Iterable[PairingHistory], *, first_day: date, end_exclusive: date) -> float | None:
    """The median gap between a pair's consecutive meetings, over every gap that ends in
    [first_day, end_exclusive); None when no pair met twice."""
    gaps = [
        (later - earlier).days
        for history in histories
        for earlier, later in pairwise(sorted(set(history.meeting_dates)))
        if first_day <= later < end_exclusive
    ]
    return median(gaps) if gaps else None


@dataclass(frozen=True)
class PauseFigures:
    begun: int  # pauses that began in the period
    pairs_paused: int  # pairs paused on at least one day of it


def pause_figures(histories: Iterable[PairingHistory], *, first_day: date, end_exclusive: date) -> PauseFigures:
    begun = pairs = 0
    for history in histories:
        overlapping = [p for p in history.pauses if p.starts_on < end_exclusive and p.ends_on > first_day]
        begun += sum(first_day <= p.starts_on < end_exclusive for p in overlapping)
        pairs += bool(overlapping)
    return PauseFigures(begun=begun, pairs_paused=pairs)


@dataclass(frozen=True)
class CurrentPauses:
    """For the dashboard: pairs paused today, and the days their pauses end (soonest first)."""

    ends: tuple[date, ...]

    @property
    def count(self) -> int:
        return len(self.ends)


def current_pauses(pauses: Iterable[Pause], today: date) -> CurrentPauses:
    return CurrentPauses(tuple(sorted(p.ends_on for p in pauses if p.covers(today))))


def residents_without_mentor(training_years: Iterable[int | None]) -> list[tuple[int | None, int]]:
    """(training year, residents) for residents without a mentor, by year; unknown year last."""
    counts = Counter(training_years)
    return sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0))
