"""Pausing a pairing for leave, nights or a rotation: how long, and what happens meanwhile.

Either person may pause their pairing until a date, with no reason. While a pairing is paused:
- nobody in it is reminded (the sweep does not look at it until the pause ends);
- its three-month clock is stopped (cadence.next_due counts only un-paused days), so every
  reminder of the ladder (approaching, due, missed, escalation) moves by the paused days;
- the person who paused is not proposed to anyone new, in a round or from the waiting list.
On the day the pause ends the pair gets one message, in both people's working hours.

A pause starts on the day it is asked for and lasts at least one day and at most six months.

Pure: standard library only, no clock reads.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, timedelta

from mentoring.cadence import Pause, add_months
from mentoring.nudges import Nudge, NudgePolicy, next_check_date, nudges_due

MAX_PAUSE_MONTHS = 6


class PauseLength(str, enum.Enum):
    """The common choices in the pause form; UNTIL_DATE takes the date picked."""

    TWO_WEEKS = "two_weeks"
    ONE_MONTH = "one_month"
    THREE_MONTHS = "three_months"
    UNTIL_DATE = "until_date"


class PauseProblem(str, enum.Enum):
    NO_DATE = "no_date"  # "until a date" without a date
    NOT_AFTER_TODAY = "not_after_today"
    TOO_LONG = "too_long"


class PauseLengthError(ValueError):
    def __init__(self, problem: PauseProblem, latest: date) -> None:
        super().__init__(problem.value)
        self.problem, self.latest = problem, latest


def latest_end(today: date) -> date:
    """The last day a pause that starts today may run until."""
    return add_months(today, MAX_PAUSE_MONTHS)


def pause_end(length: PauseLength, *, today: date, picked: date | None = None) -> date:
    """The day meetings are back on, for a pause asked for `today`; PauseLengthError if the
    choice does not give a day after today and within six months."""
    if length is PauseLength.TWO_WEEKS:
        ends_on: date | None = today + timedelta(days=14)
    elif length is PauseLength.ONE_MONTH:
        ends_on = add_months(today, 1)
    elif length is PauseLength.THREE_MONTHS:
        ends_on = add_months(today, 3)
    else:
        ends_on = picked
    if ends_on is None:
        raise PauseLengthError(PauseProblem.NO_DATE, latest_end(today))
    return check_pause_end(ends_on, today=today)


def check_pause_end(ends_on: date, *, today: date) -> date:
    """`ends_on` if a pause asked for `today` may run until then; PauseLengthError otherwise."""
    if ends_on <= today:
        raise PauseLengthError(PauseProblem.NOT_AFTER_TODAY, latest_end(today))
    if ends_on > latest_end(today):
        raise PauseLengthError(PauseProblem.TOO_LONG, latest_end(today))
    return ends_on


def on_hold(paused_until: date | None, today: date) -> bool:
    """Whether a pairing paused until `paused_until` gets no reminders today."""
    return paused_until is not None and today < paused_until


def reminders_today(
    due_on: date, today: date, policy: NudgePolicy, *, paused_until: date | None
) -> tuple[list[Nudge], date | None]:
    """The reminder decisions for today and the next day worth a look, for a pair whose
    (pause-adjusted) due date is `due_on`: nothing while it is paused, and a look on the day
    the pause ends; otherwise the ladder of mentoring.nudges."""
    if on_hold(paused_until, today):
        return [], paused_until
    return nudges_due(due_on, today, policy), next_check_date(due_on, today, policy)


def in_effect(pauses: Iterable[Pause], today: date) -> Pause | None:
    """The pause covering today, if any."""
    return next((pause for pause in pauses if pause.covers(today)), None)


def end_early(pause: Pause, today: date) -> Pause | None:
    """The pause once ended today, before its date. A pause ended on its first day paused no
    day at all, so nothing is left of it (None)."""
    if not pause.covers(today):
        raise ValueError(f"the pause {pause} is not in effect on {today}")
    if today == pause.starts_on:
        return None
    return Pause(pause.starts_on, today)
