"""Private check-ins, and the rules that keep their answers from being tied to anyone.

Three kinds of check-in:
- after each logged meeting, each of the two is asked how useful it was (1-5);
- once a quarter, each person in a pair that met during the quarter just ended is asked how
  the mentoring relationship is going (1-5);
- when a pairing ends, each is offered an optional "anything to tell us?" (free text only).
Each may carry free text addressed to the coordinators; that text is the one thing tied to its
writer, and it follows the note rules (coordinators only, deleted once read).

Scores are published only as aggregates, and only when both rules below hold:
1. Closed periods only. Answers count in the academic quarter in which they were given, and a
   quarter's figures are shown once it is over, never while answers can still arrive. So two
   reports can never differ by one answer: comparing them isolates nobody.
2. Small groups are not shown: fewer answers than the program's minimum (5 by default, never
   below 3) give "too few answers to show", not a smaller number. Only the whole program's
   figure is published, never a breakdown (by role, training year...), since one group's figure
   minus another's could reveal a group too small to show.

Pure: standard library only, no clock reads.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from statistics import fmean

from mentoring.cadence import AcademicCalendar, AcademicQuarter, PairingHistory

SCORES = range(1, 6)
DEFAULT_MINIMUM_ANSWERS = 5
# Below three, an answerer who knows their own score and one other's could work out the rest.
MINIMUM_ANSWERS_FLOOR = 3
FREE_TEXT_MAX_CHARS = 2000


class CheckInKind(str, enum.Enum):
    MEETING = "meeting"  # after a meeting: how useful was it?
    QUARTERLY = "quarterly"  # each quarter: how is the relationship going?
    ENDING = "ending"  # when a pairing ends: anything to tell us? (free text only)

    @property
    def has_score(self) -> bool:
        return self is not CheckInKind.ENDING


@dataclass(frozen=True)
class SmallGroupRule:
    """The least number of answers a published figure may rest on."""

    minimum_answers: int = DEFAULT_MINIMUM_ANSWERS

    def __post_init__(self) -> None:
        if not isinstance(self.minimum_answers, int) or isinstance(self.minimum_answers, bool):
            raise TypeError(f"minimum_answers must be an int, got {self.minimum_answers!r}")
        if self.minimum_answers < MINIMUM_ANSWERS_FLOOR:
            raise ValueError(f"minimum_answers must be at least {MINIMUM_ANSWERS_FLOOR}, got {self.minimum_answers}")


DEFAULT_RULE = SmallGroupRule()


def check_score(score: int) -> int:
    if not isinstance(score, int) or isinstance(score, bool) or score not in SCORES:
        raise ValueError(f"a score is 1 to 5, got {score!r}")
    return score


@dataclass(frozen=True)
class ScoreSummary:
    """A published figure: how many answered and their mean score."""

    answers: int
    mean: float


def score_summary(scores: Iterable[int], rule: SmallGroupRule = DEFAULT_RULE) -> ScoreSummary | None:
    """The aggregate of a group's scores, or None when the group is too small to show."""
    checked = [check_score(score) for score in scores]
    if len(checked) < rule.minimum_answers:
        return None
    return ScoreSummary(answers=len(checked), mean=fmean(checked))


class OpenPeriodError(ValueError):
    """Check-in figures were asked for a quarter that is not over yet."""


def is_closed(calendar: AcademicCalendar, quarter: AcademicQuarter, today: date) -> bool:
    """A quarter is closed from the first day of the next one: no answer can join it any more."""
    return calendar.quarter_bounds(*quarter)[1] <= today


def last_closed_quarter(calendar: AcademicCalendar, today: date) -> AcademicQuarter:
    """The most recent quarter that is over on `today`."""
    current = calendar.quarter_of(today)
    if current.quarter > 1:
        return AcademicQuarter(current.year, current.quarter - 1)
    return AcademicQuarter(current.year - 1, 4)


@dataclass(frozen=True)
class CheckInFigures:
    """What a report shows of one closed quarter's check-ins; None means too few answers."""

    quarter: AcademicQuarter
    usefulness: ScoreSummary | None
    relationship: ScoreSummary | None


def check_in_figures(
    scores: Mapping[CheckInKind, Iterable[int]],
    *,
    quarter: AcademicQuarter,
    calendar: AcademicCalendar,
    today: date,
    rule: SmallGroupRule = DEFAULT_RULE,
) -> CheckInFigures:
    """The published figures of a quarter's answers (those given in it); OpenPeriodError if the
    quarter is not over on `today`."""
    if not is_closed(calendar, quarter, today):
        raise OpenPeriodError(f"{calendar.label(*quarter)} is not over on {today}: its check-ins cannot be shown yet")
    return CheckInFigures(
        quarter=quarter,
        usefulness=score_summary(scores.get(CheckInKind.MEETING, ()), rule),
        relationship=score_summary(scores.get(CheckInKind.QUARTERLY, ()), rule),
    )


def asked_about_quarter(history: PairingHistory, quarter: AcademicQuarter, calendar: AcademicCalendar) -> bool:
    """Whether a pair gets the relationship check for a quarter that just ended: it met during
    the quarter and is still paired on the first day after it."""
    first_day, end_exclusive = calendar.quarter_bounds(*quarter)
    still_paired = history.ended_on is None or history.ended_on > end_exclusive
    return still_paired and history.met_between(first_day, end_exclusive)


def clean_free_text(text: str | None) -> str | None:
    """Free text as stored: trimmed, bounded, and nothing at all when blank."""
    cleaned = (text or "").strip()
    return cleaned[:FREE_TEXT_MAX_CHARS] or None
