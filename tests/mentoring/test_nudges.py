from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.nudges import (
    Nudge,
    NudgeKind,
    NudgePolicy,
    first_nudge_date,
    next_check_date,
    nudges_due,
)

DUE = date(2026, 10, 1)
DEFAULT = NudgePolicy()

APPROACHING = Nudge(NudgeKind.APPROACHING, DUE)
ON_DUE = Nudge(NudgeKind.DUE, DUE)
ESCALATION = Nudge(NudgeKind.ESCALATION, DUE)
FORTNIGHTLY = NudgePolicy(missed_every_days=14, missed_limit=2, escalation_days=60)


def missed(sequence: int, due_on: date = DUE) -> Nudge:
    return Nudge(NudgeKind.MISSED, due_on, sequence)


def day(offset: int) -> date:
    """A day relative to the due date."""
    return DUE + timedelta(days=offset)


# --- nudges_due, default policy (14 / 7 / 3 / 14) ----------------------------------------


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-200, []),
        (-15, []),  # before the approaching window
        (-14, [APPROACHING]),
        (-1, [APPROACHING]),
        (0, [ON_DUE]),
        (6, [ON_DUE]),
        (7, [missed(1)]),
        (13, [missed(1)]),
        (14, [missed(2), ESCALATION]),  # escalation applies from due + 14
        (20, [missed(2), ESCALATION]),
        (21, [missed(3), ESCALATION]),
        (28, [missed(3), ESCALATION]),  # no 4th missed: the limit is 3
        (400, [missed(3), ESCALATION]),  # level-triggered: still the same decisions
    ],
)
def test_nudges_due_default_policy(offset: int, expected: list[Nudge]) -> None:
    assert nudges_due(DUE, day(offset), DEFAULT) == expected


@pytest.mark.parametrize(
    ("policy", "offset", "expected"),
    [
        # No heads-up at all.
        (NudgePolicy(approaching_days=0), -1, []),
        (NudgePolicy(approaching_days=0), 0, [ON_DUE]),
        # No missed reminders: the "due" reminder is the pair's last.
        (NudgePolicy(missed_limit=0), 7, [ON_DUE]),
        (NudgePolicy(missed_limit=0, escalation_days=30), 30, [ON_DUE, ESCALATION]),
        # Fortnightly missed reminders, limit 2.
        (NudgePolicy(missed_every_days=14, missed_limit=2), 13, [ON_DUE]),
        (FORTNIGHTLY, 28, [missed(2)]),
        (FORTNIGHTLY, 60, [missed(2), ESCALATION]),
        # Escalation before the first missed reminder.
        (NudgePolicy(escalation_days=3), 3, [ON_DUE, ESCALATION]),
        (NudgePolicy(approaching_days=30), -30, [APPROACHING]),
    ],
)
def test_nudges_due_custom_policy(policy: NudgePolicy, offset: int, expected: list[Nudge]) -> None:
    assert nudges_due(DUE, day(offset), policy) == expected


@pytest.mark.parametrize(
    ("down_from", "back_on", "expected_on_return"),
    [
        # Down through the whole approaching window: only "due" on return, no stale heads-up.
        (-20, 2, [ON_DUE]),
        # Down from before the heads-up until missed #2: one reminder, the current one.
        (-20, 16, [missed(2), ESCALATION]),
        # Down for months: the pair gets the last reminder once, coordinators are told.
        (-20, 150, [missed(3), ESCALATION]),
    ],
)
def test_catch_up_after_downtime_sends_only_the_latest_reminder(
    down_from: int, back_on: int, expected_on_return: list[Nudge]
) -> None:
    decided = sweep(DUE, [day(offset) for offset in range(-60, down_from)], DEFAULT)
    returned = nudges_due(DUE, day(back_on), DEFAULT)
    assert returned == expected_on_return
    assert [nudge for nudge in returned if nudge not in decided] == expected_on_return


def test_a_full_daily_sweep_decides_each_reminder_once_in_ladder_order() -> None:
    days = [day(offset) for offset in range(-100, 200)]
    assert sweep(DUE, days, DEFAULT) == [
        APPROACHING,
        ON_DUE,
        missed(1),
        missed(2),
        ESCALATION,
        missed(3),
    ]


def test_a_logged_meeting_starts_a_fresh_ladder_for_the_new_due_date() -> None:
    new_due = day(40)
    assert nudges_due(new_due, day(30), DEFAULT) == [Nudge(NudgeKind.APPROACHING, new_due)]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (DEFAULT, day(-14)),
        (NudgePolicy(approaching_days=0), DUE),
        (NudgePolicy(approaching_days=45), day(-45)),
    ],
)
def test_first_nudge_date(policy: NudgePolicy, expected: date) -> None:
    assert first_nudge_date(DUE, policy) == expected


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-100, day(-14)),
        (-15, day(-14)),
        (-14, DUE),
        (-1, DUE),
        (0, day(7)),
        (7, day(14)),
        (14, day(21)),  # missed #2 and escalation share day 14
        (20, day(21)),
        (21, None),  # nothing new ever again for this due date
        (365, None),
    ],
)
def test_next_check_date(offset: int, expected: date | None) -> None:
    assert next_check_date(DUE, day(offset), DEFAULT) == expected


def test_next_check_date_when_escalation_comes_last() -> None:
    policy = NudgePolicy(missed_limit=1, escalation_days=30)
    assert next_check_date(DUE, day(7), policy) == day(30)
    assert next_check_date(DUE, day(30), policy) is None


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"approaching_days": -1},
        {"approaching_days": 89},  # would reopen right after a meeting
        {"missed_every_days": 0},
        {"missed_limit": -1},
        {"escalation_days": 0},
    ],
)
def test_policy_rejects_nonsense(settings: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        NudgePolicy(**settings)


@pytest.mark.parametrize("settings", [{"missed_limit": 2.5}, {"approaching_days": True}])
def test_policy_rejects_non_integers(settings: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        NudgePolicy(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "sequence"),
    [(NudgeKind.MISSED, 0), (NudgeKind.DUE, 1), (NudgeKind.ESCALATION, 2)],
)
def test_nudge_sequence_is_only_for_missed(kind: NudgeKind, sequence: int) -> None:
    with pytest.raises(ValueError):
        Nudge(kind, DUE, sequence)


def test_nudge_kind_is_stored_by_value() -> None:
    nudge = Nudge("missed", DUE, 2)  # type: ignore[arg-type]
    assert nudge.kind is NudgeKind.MISSED
    assert NudgeKind.ESCALATION.value == "escalation"
    assert nudge.for_coordinators is False
    assert ESCALATION.for_coordinators is True


# --- properties -----------------------------------------------------------------------------


def sweep(due_on: date, sweep_days: list[date], policy: NudgePolicy) -> list[Nudge]:
    """What storage would insert: each new decision once (the unique key), in order."""
    decided: list[Nudge] = []
    for today in sweep_days:
        for nudge in nudges_due(due_on, today, policy):
            if nudge not in decided:
                decided.append(nudge)
    return decided


policies = st.builds(
    NudgePolicy,
    approaching_days=st.integers(min_value=0, max_value=60),
    missed_every_days=st.integers(min_value=1, max_value=30),
    missed_limit=st.integers(min_value=0, max_value=6),
    escalation_days=st.integers(min_value=1, max_value=120),
)
due_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
# Sweep days relative to the due date, with arbitrary downtime between them.
sweep_offsets = st.lists(st.integers(min_value=-120, max_value=400), unique=True).map(sorted)

LADDER_ORDER = {NudgeKind.APPROACHING: 0, NudgeKind.DUE: 1, NudgeKind.MISSED: 2}


def assert_well_formed(decided: list[Nudge], due_on: date, policy: NudgePolicy) -> None:
    keys = [(nudge.kind, nudge.sequence) for nudge in decided]
    assert len(keys) == len(set(keys)), "a decision was made twice"
    assert all(nudge.due_on == due_on for nudge in decided)
    pair = [nudge for nudge in decided if not nudge.for_coordinators]
    assert [(LADDER_ORDER[n.kind], n.sequence) for n in pair] == sorted((LADDER_ORDER[n.kind], n.sequence) for n in pair), (
        "reminders out of ladder order"
    )
    assert sum(n.kind is NudgeKind.MISSED for n in pair) <= policy.missed_limit
    assert all(1 <= n.sequence <= policy.missed_limit for n in pair if n.kind is NudgeKind.MISSED)
    assert sum(n.kind is NudgeKind.ESCALATION for n in decided) <= 1


@settings(deadline=None)  # sweeps over hundreds of days
@given(due_on=due_dates, policy=policies)
def test_daily_sweep_decides_the_whole_ladder_once_and_in_order(due_on: date, policy: NudgePolicy) -> None:
    days = [due_on + timedelta(days=offset) for offset in range(-120, 400)]
    decided = sweep(due_on, days, policy)
    assert_well_formed(decided, due_on, policy)
    pair = [nudge for nudge in decided if not nudge.for_coordinators]
    expected_pair = [Nudge(NudgeKind.APPROACHING, due_on)] if policy.approaching_days else []
    expected_pair += [Nudge(NudgeKind.DUE, due_on)]
    expected_pair += [Nudge(NudgeKind.MISSED, due_on, k) for k in range(1, policy.missed_limit + 1)]
    assert pair == expected_pair
    assert Nudge(NudgeKind.ESCALATION, due_on) in decided


@given(due_on=due_dates, policy=policies, offsets=sweep_offsets)
def test_sweep_with_downtime_is_well_formed_and_never_bursts(due_on: date, policy: NudgePolicy, offsets: list[int]) -> None:
    decided: list[Nudge] = []
    for offset in offsets:
        today = due_on + timedelta(days=offset)
        returned = nudges_due(due_on, today, policy)
        assert sum(not nudge.for_coordinators for nudge in returned) <= 1
        assert sum(nudge.for_coordinators for nudge in returned) <= 1
        new = [nudge for nudge in returned if nudge not in decided]
        assert sum(not nudge.for_coordinators for nudge in new) <= 1, "a burst of reminders"
        decided.extend(new)
    assert_well_formed(decided, due_on, policy)
    if offsets and offsets[-1] >= policy.escalation_days:
        assert Nudge(NudgeKind.ESCALATION, due_on) in decided


@settings(deadline=None)  # sweeps over hundreds of days
@given(due_on=due_dates, policy=policies, offset=st.integers(min_value=-150, max_value=400))
def test_nothing_new_before_the_next_check_date(due_on: date, policy: NudgePolicy, offset: int) -> None:
    today = due_on + timedelta(days=offset)
    now_due = set(nudges_due(due_on, today, policy))
    next_check = next_check_date(due_on, today, policy)
    horizon = next_check if next_check is not None else today + timedelta(days=500)
    later = today + timedelta(days=1)
    while later < horizon:
        assert set(nudges_due(due_on, later, policy)) <= now_due
        later += timedelta(days=1)
    if next_check is not None:
        assert next_check > today
        assert not set(nudges_due(due_on, next_check, policy)) <= now_due


@settings(deadline=None)  # sweeps over hundreds of days
@given(due_on=due_dates, policy=policies)
def test_sweeping_only_on_check_dates_decides_what_a_daily_sweep_does(due_on: date, policy: NudgePolicy) -> None:
    """Storage can keep a "next look" column and skip every other day."""
    daily = sweep(due_on, [due_on + timedelta(days=o) for o in range(-120, 400)], policy)
    look_days: list[date] = []
    look: date | None = first_nudge_date(due_on, policy)
    assert nudges_due(due_on, look - timedelta(days=1), policy) == []
    while look is not None:
        look_days.append(look)
        look = next_check_date(due_on, look, policy)
    assert sweep(due_on, look_days, policy) == daily
