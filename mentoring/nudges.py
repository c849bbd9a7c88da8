"""Which meeting reminders a pair should have had by a given day.

Level-triggered: the scheduler's sweep asks "what should exist by today?" for each pair's
current due date and inserts the answers keyed by (pairing, kind, due_on, sequence); a
unique key makes each decision exactly once. Downtime therefore means catch-up, not loss,
and a sweep that runs twice decides nothing twice.

For one due date the pair's reminders form a ladder, each step superseding the one before:

    approaching   from due_on - approaching_days       (none when approaching_days == 0)
    due           from due_on
    missed k      from due_on + k * missed_every_days   (k = 1 .. missed_limit)

Only the latest step reached applies, so a sweep after downtime sends the pair one reminder
that is true today, never a burst of stale ones. The last step stays applicable (it has no
successor), so a pair that fell overdue while the bot was down still hears once; after the
last missed reminder the pair hears nothing more for this due date. Separately, coordinators
get one escalation from due_on + escalation_days onwards.

Logging a meeting moves the due date (see cadence.next_due), which starts a fresh ladder.

Pure: no clock reads; `today` is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from mentoring.cadence import MEETING_INTERVAL_MONTHS, shortest_interval_days


class NudgeKind(str, Enum):
    APPROACHING = "approaching"
    DUE = "due"
    MISSED = "missed"
    ESCALATION = "escalation"  # to the coordinators, not the pair


@dataclass(frozen=True)
class NudgePolicy:
    """Program settings for reminders, in days, and the program's cadence in months."""

    approaching_days: int = 14
    missed_every_days: int = 7
    missed_limit: int = 3
    escalation_days: int = 14
    cadence_months: int = MEETING_INTERVAL_MONTHS

    def __post_init__(self) -> None:
        for name in ("approaching_days", "missed_every_days", "missed_limit", "escalation_days", "cadence_months"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be an int, got {value!r}")
        if self.cadence_months < 1:
            raise ValueError(f"cadence_months must be at least 1, got {self.cadence_months}")
        # A longer heads-up would open the next window the day after a meeting is logged.
        shortest = shortest_interval_days(self.cadence_months)
        if not 0 <= self.approaching_days < shortest:
            raise ValueError(f"approaching_days must be 0 (no heads-up) up to {shortest - 1}, got {self.approaching_days}")
        if self.missed_every_days < 1:
            raise ValueError(f"missed_every_days must be at least 1, got {self.missed_every_days}")
        if self.missed_limit < 0:
            raise ValueError(f"missed_limit must be 0 or more, got {self.missed_limit}")
        if self.escalation_days < 1:
            raise ValueError(f"escalation_days must be at least 1, got {self.escalation_days}")


DEFAULT_POLICY = NudgePolicy()


@dataclass(frozen=True)
class Nudge:
    """One reminder decision; (pairing, kind, due_on, sequence) is its unique key in storage.

    `sequence` numbers the missed reminders 1..missed_limit and is 0 for every other kind,
    so the key never has a NULL in it.
    """

    kind: NudgeKind
    due_on: date
    sequence: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", NudgeKind(self.kind))
        if self.kind is NudgeKind.MISSED and self.sequence < 1:
            raise ValueError(f"a missed nudge is numbered from 1, got {self.sequence}")
        if self.kind is not NudgeKind.MISSED and self.sequence != 0:
            raise ValueError(f"only missed nudges are numbered, got {self.kind.value} #{self.sequence}")

    @property
    def for_coordinators(self) -> bool:
        return self.kind is NudgeKind.ESCALATION


def _pair_ladder(due_on: date, policy: NudgePolicy) -> list[tuple[date, Nudge]]:
    """(first applicable day, nudge) for each step of the pair's ladder, in order."""
    ladder: list[tuple[date, Nudge]] = []
    if policy.approaching_days > 0:
        ladder.append((due_on - timedelta(days=policy.approaching_days), Nudge(NudgeKind.APPROACHING, due_on)))
    ladder.append((due_on, Nudge(NudgeKind.DUE, due_on)))
    for sequence in range(1, policy.missed_limit + 1):
        starts_on = due_on + timedelta(days=sequence * policy.missed_every_days)
        ladder.append((starts_on, Nudge(NudgeKind.MISSED, due_on, sequence)))
    return ladder


def _escalation_date(due_on: date, policy: NudgePolicy) -> date:
    return due_on + timedelta(days=policy.escalation_days)


def _all_start_dates(due_on: date, policy: NudgePolicy) -> list[date]:
    starts = [starts_on for starts_on, _ in _pair_ladder(due_on, policy)]
    return sorted([*starts, _escalation_date(due_on, policy)])


def nudges_due(due_on: date, today: date, policy: NudgePolicy = DEFAULT_POLICY) -> list[Nudge]:
    """The decisions that should exist by `today` for this due date.

    At most one to the pair (the latest ladder step reached) followed by, once long
    overdue, the escalation to coordinators. Returning the same decision on later days is
    expected: storage's unique key turns repeats into no-ops.
    """
    decisions: list[Nudge] = []
    reached = [nudge for starts_on, nudge in _pair_ladder(due_on, policy) if starts_on <= today]
    if reached:
        decisions.append(reached[-1])
    if today >= _escalation_date(due_on, policy):
        decisions.append(Nudge(NudgeKind.ESCALATION, due_on))
    return decisions


def first_nudge_date(due_on: date, policy: NudgePolicy = DEFAULT_POLICY) -> date:
    """The first day the sweep needs to look at a pair with this due date.

    Lets storage keep an indexed "next look" column instead of scanning every pair daily.
    """
    return _all_start_dates(due_on, policy)[0]


def next_check_date(due_on: date, today: date, policy: NudgePolicy = DEFAULT_POLICY) -> date | None:
    """The next day after `today` on which nudges_due can return a decision it did not
    return today; None once nothing new will ever come for this due date.
    """
    later = [starts_on for starts_on in _all_start_dates(due_on, policy) if starts_on > today]
    return later[0] if later else None
