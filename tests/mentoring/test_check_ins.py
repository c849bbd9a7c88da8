"""Check-ins: figures only for closed quarters and groups of at least the minimum."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.cadence import AcademicCalendar, AcademicQuarter, PairingHistory
from mentoring.check_ins import (
    CheckInKind,
    OpenPeriodError,
    ScoreSummary,
    SmallGroupRule,
    asked_about_quarter,
    check_in_figures,
    clean_free_text,
    is_closed,
    last_closed_quarter,
    score_summary,
)

JULY_1 = AcademicCalendar()
Q1 = AcademicQuarter(2026, 1)


@pytest.mark.parametrize(
    ("scores", "minimum", "expected"),
    [
        ([5, 4, 4, 3], 5, None),  # four answers: nothing shown
        ([5, 4, 4, 3, 2], 5, ScoreSummary(5, 3.6)),  # five: the aggregate
        ([1, 2, 3], 3, ScoreSummary(3, 2.0)),  # the lowest minimum a program may set
        ([1, 2], 3, None),
        ([], 5, None),
    ],
)
def test_score_summary(scores, minimum, expected) -> None:
    assert score_summary(scores, SmallGroupRule(minimum)) == expected


@pytest.mark.parametrize("minimum", [2, 1, 0, -5])
def test_the_minimum_is_never_below_three(minimum) -> None:
    with pytest.raises(ValueError):
        SmallGroupRule(minimum)


@pytest.mark.parametrize("minimum", [5.0, True, "5"])
def test_the_minimum_is_a_whole_number(minimum) -> None:
    with pytest.raises(TypeError):
        SmallGroupRule(minimum)


@pytest.mark.parametrize("score", [0, 6, -1, 2.5, True])
def test_scores_are_one_to_five(score) -> None:
    with pytest.raises(ValueError):
        score_summary([score, 3, 3, 3, 3])


@given(st.lists(st.integers(1, 5), max_size=30), st.integers(3, 10))
def test_a_published_figure_always_rests_on_enough_answers(scores, minimum) -> None:
    summary = score_summary(scores, SmallGroupRule(minimum))
    if len(scores) < minimum:
        assert summary is None
    else:
        assert summary is not None and summary.answers == len(scores) >= minimum
        assert 1 <= summary.mean <= 5


@pytest.mark.parametrize(
    ("today", "closed_q1", "last_closed"),
    [
        (date(2026, 9, 30), False, AcademicQuarter(2025, 4)),
        (date(2026, 10, 1), True, AcademicQuarter(2026, 1)),
        (date(2027, 1, 1), True, AcademicQuarter(2026, 2)),
        (date(2027, 7, 1), True, AcademicQuarter(2026, 4)),
    ],
)
def test_closed_quarters(today, closed_q1, last_closed) -> None:
    assert is_closed(JULY_1, Q1, today) is closed_q1
    assert last_closed_quarter(JULY_1, today) == last_closed
    assert is_closed(JULY_1, last_closed_quarter(JULY_1, today), today)


def test_figures_of_a_closed_quarter() -> None:
    scores = {CheckInKind.MEETING: [5, 5, 4, 4, 2], CheckInKind.QUARTERLY: [4, 4, 4, 4]}
    figures = check_in_figures(scores, quarter=Q1, calendar=JULY_1, today=date(2026, 10, 1))
    assert figures.usefulness == ScoreSummary(5, 4.0)
    assert figures.relationship is None  # four answers


def test_no_figures_for_a_quarter_still_open() -> None:
    with pytest.raises(OpenPeriodError):
        check_in_figures({}, quarter=Q1, calendar=JULY_1, today=date(2026, 9, 30))


@pytest.mark.parametrize(
    ("meetings", "ended_on", "asked"),
    [
        ((date(2026, 8, 1),), None, True),
        ((date(2026, 6, 1),), None, False),  # met, but not in the quarter
        ((), None, False),
        ((date(2026, 8, 1),), date(2026, 9, 15), False),  # ended during the quarter
        ((date(2026, 8, 1),), date(2026, 10, 1), False),  # ended on the day the check goes out
        ((date(2026, 8, 1),), date(2026, 10, 2), True),
    ],
)
def test_who_gets_the_relationship_check(meetings, ended_on, asked) -> None:
    history = PairingHistory(date(2026, 5, 1), ended_on, meetings)
    assert asked_about_quarter(history, Q1, JULY_1) is asked


@pytest.mark.parametrize(
    ("text", "expected"), [(None, None), ("", None), ("   \n ", None), ("  thanks  ", "thanks"), ("x" * 2500, "x" * 2000)]
)
def test_clean_free_text(text, expected) -> None:
    assert clean_free_text(text) == expected


def test_only_the_ending_check_in_has_no_score() -> None:
    assert [k for k in CheckInKind if not k.has_score] == [CheckInKind.ENDING]
