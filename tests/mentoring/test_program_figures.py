"""Program figures: full participation, days between meetings, pauses, residents without a mentor."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.cadence import PairingHistory, Pause
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

YEAR = (date(2026, 7, 1), date(2027, 7, 1))
JULY_1_2026 = date(2026, 7, 1)
d = date


def history(started_on=JULY_1_2026, ended_on=None, meetings=(), pauses=()) -> PairingHistory:
    return PairingHistory(started_on, ended_on, tuple(meetings), tuple(pauses))


def test_full_participation_counts_pairs_paired_all_year_that_met_three_times() -> None:
    histories = [
        history(meetings=[d(2026, 8, 1), d(2026, 11, 1), d(2027, 2, 1)]),  # three: full
        history(meetings=[d(2026, 8, 1), d(2026, 11, 1)]),  # two
        history(meetings=[d(2026, 8, 1), d(2026, 8, 1), d(2026, 9, 1)]),  # one day logged twice counts once
        history(meetings=[d(2026, 6, 1), d(2026, 8, 1), d(2026, 9, 1)]),  # June is last year
        history(started_on=d(2026, 9, 1), meetings=[d(2026, 9, 2), d(2026, 10, 2), d(2026, 11, 2)]),  # not all year
        history(ended_on=d(2027, 1, 1), meetings=[d(2026, 8, 1), d(2026, 9, 1), d(2026, 10, 1)]),  # ended
    ]
    share = full_participation(histories, first_day=YEAR[0], end_exclusive=YEAR[1])
    assert share == Share(1, 4)
    assert share.rate == 0.25


def test_an_empty_share_has_no_rate() -> None:
    assert Share(0, 0).rate is None


@pytest.mark.parametrize(
    ("meetings", "expected"),
    [
        ([], None),
        ([[d(2026, 8, 1)]], None),  # one meeting: no gap
        ([[d(2026, 8, 1), d(2026, 9, 1)]], 31),
        ([[d(2026, 8, 1), d(2026, 9, 1), d(2026, 9, 11)], [d(2026, 7, 1), d(2026, 10, 1)]], 31),  # gaps 31, 10, 92
        ([[d(2026, 8, 1), d(2026, 9, 1)], [d(2026, 8, 1), d(2026, 8, 21)]], 25.5),  # gaps 31, 20
        ([[d(2026, 6, 1), d(2026, 8, 1)]], 61),  # a gap that ends in the period counts
        ([[d(2026, 5, 1), d(2026, 6, 1)]], None),  # one that ends before it does not
    ],
)
def test_median_days_between_meetings(meetings, expected) -> None:
    histories = [history(meetings=m) for m in meetings]
    assert median_days_between_meetings(histories, first_day=YEAR[0], end_exclusive=YEAR[1]) == expected


def test_pause_figures() -> None:
    q2 = (d(2026, 10, 1), d(2027, 1, 1))
    histories = [
        history(pauses=[Pause(d(2026, 9, 1), d(2026, 10, 15))]),  # paused into the quarter
        history(pauses=[Pause(d(2026, 11, 1), d(2026, 11, 15)), Pause(d(2026, 12, 1), d(2027, 2, 1))]),  # two begun
        history(pauses=[Pause(d(2026, 8, 1), d(2026, 10, 1))]),  # ended as the quarter began
        history(),
    ]
    assert pause_figures(histories, first_day=q2[0], end_exclusive=q2[1]) == PauseFigures(begun=2, pairs_paused=2)


def test_current_pauses_are_counts_and_end_dates() -> None:
    pauses = [Pause(d(2026, 11, 1), d(2027, 1, 5)), Pause(d(2026, 11, 20), d(2026, 12, 1)), Pause(d(2026, 9, 1), d(2026, 11, 1))]
    now = current_pauses(pauses, d(2026, 11, 25))
    assert now == CurrentPauses((d(2026, 12, 1), d(2027, 1, 5)))
    assert now.count == 2


def test_residents_without_mentor_by_training_year() -> None:
    assert residents_without_mentor([2, 1, None, 2, 3, 1, 2]) == [(1, 2), (2, 3), (3, 1), (None, 1)]
    assert residents_without_mentor([]) == []


@given(st.lists(st.lists(st.integers(0, 700), max_size=6), max_size=8))
def test_the_median_gap_lies_between_the_shortest_and_longest(offsets) -> None:
    histories = [history(meetings=[d(2026, 1, 1) + timedelta(days=n) for n in pair]) for pair in offsets]
    gaps = [(b - a).days for h in histories for a, b in pairwise(sorted(set(h.meeting_dates))) if YEAR[0] <= b < YEAR[1]]
    found = median_days_between_meetings(histories, first_day=YEAR[0], end_exclusive=YEAR[1])
    assert (found is None) == (not gaps)
    if gaps:
        assert min(gaps) <= found <= max(gaps)
