"""Pauses: the clock stops and resumes with the time that was left; reminders move with it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.cadence import AcademicCalendar, PairingHistory, Pause, QuarterStatus, merge_pauses, next_due, quarter_status
from mentoring.nudges import NudgeKind, NudgePolicy, nudges_due
from mentoring.pauses import (
    PauseLength,
    PauseLengthError,
    PauseProblem,
    end_early,
    in_effect,
    latest_end,
    on_hold,
    pause_end,
    reminders_today,
)

JULY_1 = AcademicCalendar()
POLICY = NudgePolicy()
d = date


# --- the due date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_on", "last_met_on", "pauses", "expected"),
    [
        # No pause: three calendar months.
        (d(2026, 7, 1), None, [], d(2026, 10, 1)),
        # Paused Sep 15 with 16 days left; back on Nov 15, so due 16 days later.
        (d(2026, 7, 1), None, [Pause(d(2026, 9, 15), d(2026, 11, 15))], d(2026, 12, 1)),
        # A two-month pause mid-quarter after a meeting.
        (d(2026, 7, 1), d(2026, 8, 10), [Pause(d(2026, 9, 1), d(2026, 11, 1))], d(2027, 1, 10)),
        # A pause ended before the last meeting does not count.
        (d(2026, 7, 1), d(2026, 10, 5), [Pause(d(2026, 8, 1), d(2026, 9, 1))], d(2027, 1, 5)),
        # A pause that ends the very day of the meeting does not count either.
        (d(2026, 7, 1), d(2026, 9, 1), [Pause(d(2026, 8, 1), d(2026, 9, 1))], d(2026, 12, 1)),
        # A meeting logged during a pause: the full interval runs from the pause's end.
        (d(2026, 7, 1), d(2026, 8, 15), [Pause(d(2026, 8, 1), d(2026, 9, 1))], d(2026, 9, 1) + timedelta(days=92)),
        # Overdue when paused: no time left, so due on the day the pause ends.
        (d(2026, 7, 1), None, [Pause(d(2026, 10, 20), d(2026, 12, 1))], d(2026, 12, 1)),
        # Paused on the due date itself: no time left either.
        (d(2026, 7, 1), None, [Pause(d(2026, 10, 1), d(2026, 10, 15))], d(2026, 10, 15)),
        # Two pauses: each stops the clock in turn.
        (
            d(2026, 7, 1),
            None,
            [Pause(d(2026, 7, 11), d(2026, 7, 21)), Pause(d(2026, 8, 1), d(2026, 8, 15))],
            d(2026, 10, 1) + timedelta(days=10 + 14),
        ),
        # Overlapping pauses count each paused day once.
        (
            d(2026, 7, 1),
            None,
            [Pause(d(2026, 8, 1), d(2026, 8, 20)), Pause(d(2026, 8, 10), d(2026, 8, 31))],
            d(2026, 10, 31),
        ),
        # A pause that starts after a due date that is still ahead would not move it...
        # (it cannot start later than the due date without the pair being overdue by then):
        (d(2026, 7, 1), None, [Pause(d(2026, 12, 1), d(2026, 12, 15))], d(2026, 12, 15)),
    ],
)
def test_next_due_with_pauses(started_on, last_met_on, pauses, expected) -> None:
    assert next_due(started_on, last_met_on, pauses) == expected


def test_a_pause_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        Pause(d(2026, 9, 1), d(2026, 9, 1))


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def paused_pairings(draw: st.DrawFn) -> tuple[date, date | None, list[Pause]]:
    started_on = draw(dates)
    last_met_on = draw(st.none() | st.integers(0, 400).map(lambda n: started_on + timedelta(days=n)))
    pauses = []
    for _ in range(draw(st.integers(0, 4))):
        starts = started_on + timedelta(days=draw(st.integers(-100, 500)))
        pauses.append(Pause(starts, starts + timedelta(days=draw(st.integers(1, 183)))))
    return started_on, last_met_on, pauses


def _unpaused_days(first: date, end: date, pauses: list[Pause]) -> int:
    return sum(1 for n in range((end - first).days) if not any(p.covers(first + timedelta(days=n)) for p in pauses))


@given(paused_pairings())
def test_the_clock_counts_exactly_the_interval_in_unpaused_days(pairing) -> None:
    """The stopped clock: between the anchor and the due date lie as many un-paused days as the
    three-month interval has, unless the pair was already due when a pause began (then it is
    due on that pause's last day + 1)."""
    started_on, last_met_on, pauses = pairing
    anchor = max(started_on, last_met_on) if last_met_on else started_on
    plain_due = next_due(started_on, last_met_on)
    due = next_due(started_on, last_met_on, pauses)
    assert due >= plain_due
    assert not any(p.covers(due) for p in pauses), "never due on a paused day"
    merged = merge_pauses(pauses)
    clock_ran_out = any(
        p.ends_on > anchor and p.starts_on >= next_due(started_on, last_met_on, merged[:index]) for index, p in enumerate(merged)
    )
    if not clock_ran_out:
        assert _unpaused_days(anchor, due, merged) == (plain_due - anchor).days


@given(paused_pairings())
def test_pauses_that_ended_by_the_anchor_change_nothing(pairing) -> None:
    started_on, last_met_on, pauses = pairing
    anchor = max(started_on, last_met_on) if last_met_on else started_on
    later = [p for p in pauses if p.ends_on > anchor]
    assert next_due(started_on, last_met_on, pauses) == next_due(started_on, last_met_on, later)


# --- how long a pause may be --------------------------------------------------------------------

TODAY = d(2026, 11, 25)


@pytest.mark.parametrize(
    ("length", "picked", "expected"),
    [
        (PauseLength.TWO_WEEKS, None, d(2026, 12, 9)),
        (PauseLength.ONE_MONTH, None, d(2026, 12, 25)),
        (PauseLength.THREE_MONTHS, None, d(2027, 2, 25)),
        (PauseLength.UNTIL_DATE, d(2026, 11, 26), d(2026, 11, 26)),  # one day
        (PauseLength.UNTIL_DATE, d(2027, 5, 25), d(2027, 5, 25)),  # six months exactly
        (PauseLength.TWO_WEEKS, d(2027, 1, 1), d(2026, 12, 9)),  # a stray date is ignored
    ],
)
def test_pause_end(length, picked, expected) -> None:
    assert pause_end(length, today=TODAY, picked=picked) == expected


@pytest.mark.parametrize(
    ("picked", "problem"),
    [
        (None, PauseProblem.NO_DATE),
        (TODAY, PauseProblem.NOT_AFTER_TODAY),
        (d(2026, 11, 1), PauseProblem.NOT_AFTER_TODAY),
        (d(2027, 5, 26), PauseProblem.TOO_LONG),
    ],
)
def test_pause_end_refuses(picked, problem) -> None:
    with pytest.raises(PauseLengthError) as raised:
        pause_end(PauseLength.UNTIL_DATE, today=TODAY, picked=picked)
    assert raised.value.problem is problem
    assert raised.value.latest == d(2027, 5, 25)


def test_six_months_from_the_end_of_august_is_the_end_of_february() -> None:
    assert latest_end(d(2026, 8, 31)) == d(2027, 2, 28)


# --- reminders while paused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paused_until", "today", "held"),
    [(None, TODAY, False), (d(2026, 12, 1), TODAY, True), (d(2026, 12, 1), d(2026, 12, 1), False), (TODAY, TODAY, False)],
)
def test_on_hold(paused_until, today, held) -> None:
    assert on_hold(paused_until, today) is held


def test_no_reminder_while_paused_and_a_look_on_the_day_it_ends() -> None:
    due = d(2026, 12, 1)
    assert reminders_today(due, d(2026, 11, 20), POLICY, paused_until=d(2026, 11, 25)) == ([], d(2026, 11, 25))
    # Back on Nov 25, six days before the due date: the heads-up that is true that day.
    nudges, next_look = reminders_today(due, d(2026, 11, 25), POLICY, paused_until=d(2026, 11, 25))
    assert [n.kind for n in nudges] == [NudgeKind.APPROACHING]
    assert next_look == due


@given(paused_pairings(), st.integers(0, 400))
def test_reminders_follow_the_pause_adjusted_ladder(pairing, offset) -> None:
    started_on, last_met_on, pauses = pairing
    today = started_on + timedelta(days=offset)
    pause = in_effect(pauses, today)
    due = next_due(started_on, last_met_on, [p for p in pauses if p.starts_on <= today])
    nudges, next_look = reminders_today(due, today, POLICY, paused_until=pause.ends_on if pause else None)
    if pause is not None:
        assert nudges == [] and next_look == pause.ends_on
    else:
        assert nudges == nudges_due(due, today, POLICY)
        assert next_look is None or next_look > today


# --- ending a pause early ------------------------------------------------------------------------


def test_end_early() -> None:
    pause = Pause(d(2026, 11, 1), d(2027, 1, 1))
    assert end_early(pause, d(2026, 11, 20)) == Pause(d(2026, 11, 1), d(2026, 11, 20))
    assert end_early(pause, d(2026, 11, 1)) is None  # ended the day it began: nothing was paused
    with pytest.raises(ValueError):
        end_early(pause, d(2027, 1, 1))


# --- quarter reports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_met_on", "pauses", "expected"),
    [
        # Due Oct 1 in Q2 (Oct-Dec) without a pause: missed.
        (None, [], QuarterStatus.MISSED),
        # Paused from Sep 15 to Nov 15 (16 days left): due Dec 1, still in Q2: missed.
        (None, [Pause(d(2026, 9, 15), d(2026, 11, 15))], QuarterStatus.MISSED),
        # Paused from Sep 1 to Dec 1 (30 days left): due Dec 31, still in Q2: missed.
        (None, [Pause(d(2026, 9, 1), d(2026, 12, 1))], QuarterStatus.MISSED),
        # Paused from Sep 1 to Dec 15 (30 days left): due Jan 14, after Q2: not due.
        (None, [Pause(d(2026, 9, 1), d(2026, 12, 15))], QuarterStatus.NOT_DUE),
        # Paused the whole quarter: not due.
        (d(2026, 8, 1), [Pause(d(2026, 9, 20), d(2027, 1, 5))], QuarterStatus.NOT_DUE),
        # Overdue since Oct 1, then paused Oct 20 to Mar 1: it was due in the quarter, so missed.
        (None, [Pause(d(2026, 10, 20), d(2027, 3, 1))], QuarterStatus.MISSED),
        # Paused on Oct 1, the due day itself: never due on an un-paused day of the quarter.
        (None, [Pause(d(2026, 10, 1), d(2027, 1, 10))], QuarterStatus.NOT_DUE),
    ],
)
def test_quarter_status_with_pauses(last_met_on, pauses, expected) -> None:
    history = PairingHistory(d(2026, 7, 1), None, (last_met_on,) if last_met_on else (), tuple(pauses))
    assert quarter_status(history, 2026, 2, JULY_1) is expected


@given(paused_pairings(), st.integers(2000, 2100), st.integers(1, 4))
def test_a_pair_never_due_on_an_unpaused_day_of_the_quarter_is_never_missed(pairing, year, quarter) -> None:
    """The report agrees, day by day, with the due dates the pair was shown."""
    started_on, last_met_on, pauses = pairing
    history = PairingHistory(started_on, None, (last_met_on,) if last_met_on else (), tuple(pauses))
    first_day, end_exclusive = JULY_1.quarter_bounds(year, quarter)
    status = quarter_status(history, year, quarter, JULY_1)
    if status not in (QuarterStatus.MISSED, QuarterStatus.NOT_DUE):
        return
    days = [first_day + timedelta(days=n) for n in range((end_exclusive - first_day).days)]
    due_on_some_day = any(not any(p.covers(day) for p in pauses) and history.due_as_of(day) <= day for day in days)
    assert (status is QuarterStatus.MISSED) == due_on_some_day
