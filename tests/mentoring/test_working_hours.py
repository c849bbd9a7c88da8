from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.working_hours import (
    WorkingHours,
    is_working_time,
    local_date,
    next_delivery_time,
    resolve_zone,
)

UTC = UTC
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
KOLKATA = ZoneInfo("Asia/Kolkata")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")

EVERY_DAY = frozenset(range(7))


def local(tz: ZoneInfo, *fields: int, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=tz, fold=fold)  # type: ignore[misc]


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)  # type: ignore[misc]


# --- next_delivery_time -------------------------------------------------------------------


def ny(*fields: int, fold: int = 0) -> datetime:
    return local(NEW_YORK, *fields, fold=fold)


def london(*fields: int) -> datetime:
    return local(LONDON, *fields)


LAST_MICROSECOND = ny(2026, 1, 14, 16, 59, 59, 999999)

# (name, at, recipient's zone, expected delivery in UTC); default hours 09:00-17:00 Mon-Fri.
DELIVERY_CASES = [
    # Plain weeks (New York on EST, UTC-5).
    ("inside", ny(2026, 1, 14, 10), NEW_YORK, utc(2026, 1, 14, 15)),
    ("exactly-09:00", ny(2026, 1, 14, 9), NEW_YORK, utc(2026, 1, 14, 14)),
    ("16:59:59.999999", LAST_MICROSECOND, NEW_YORK, LAST_MICROSECOND),
    ("exactly-17:00", ny(2026, 1, 14, 17), NEW_YORK, utc(2026, 1, 15, 14)),
    ("early-morning", ny(2026, 1, 14, 8, 59), NEW_YORK, utc(2026, 1, 14, 14)),
    ("late-night", ny(2026, 1, 14, 23, 30), NEW_YORK, utc(2026, 1, 15, 14)),
    ("friday-17:30", ny(2026, 1, 16, 17, 30), NEW_YORK, utc(2026, 1, 19, 14)),
    ("saturday", ny(2026, 1, 17, 12), NEW_YORK, utc(2026, 1, 19, 14)),
    ("sunday-night", ny(2026, 1, 18, 23, 59), NEW_YORK, utc(2026, 1, 19, 14)),
    # Spring forward (Sun 2026-03-08): Friday EST evening -> Monday 09:00 EDT (UTC-4).
    ("ny-spring-forward", ny(2026, 3, 6, 17, 30), NEW_YORK, utc(2026, 3, 9, 13)),
    ("ny-skipped-wall-time", ny(2026, 3, 8, 2, 30), NEW_YORK, utc(2026, 3, 9, 13)),
    # Fall back (Sun 2026-11-01): Friday EDT evening -> Monday 09:00 EST (UTC-5).
    ("ny-fall-back", ny(2026, 10, 30, 18), NEW_YORK, utc(2026, 11, 2, 14)),
    ("ny-repeated-hour", ny(2026, 11, 1, 1, 30, fold=1), NEW_YORK, utc(2026, 11, 2, 14)),
    # London springs forward on Sun 2026-03-29 and falls back on Sun 2026-10-25.
    ("london-spring-forward", london(2026, 3, 27, 17, 30), LONDON, utc(2026, 3, 30, 8)),
    ("london-fall-back", london(2026, 10, 23, 17, 30), LONDON, utc(2026, 10, 26, 9)),
    ("london-monday-bst", london(2026, 3, 30, 8, 59), LONDON, utc(2026, 3, 30, 8)),
    # Tokyo (UTC+9): a UTC Sunday evening is already Monday morning there.
    ("tokyo-friday-17:30", utc(2026, 1, 16, 8, 30), TOKYO, utc(2026, 1, 19, 0)),
    ("tokyo-monday-08:30", utc(2026, 1, 18, 23, 30), TOKYO, utc(2026, 1, 19, 0)),
    ("tokyo-monday-10:00", utc(2026, 1, 19, 1), TOKYO, utc(2026, 1, 19, 1)),
    # Kolkata (UTC+5:30): a half-hour offset.
    ("kolkata-08:30", utc(2026, 1, 14, 3), KOLKATA, utc(2026, 1, 14, 3, 30)),
    ("kolkata-exactly-17:00", utc(2026, 1, 14, 11, 30), KOLKATA, utc(2026, 1, 15, 3, 30)),
    ("kolkata-16:59", utc(2026, 1, 14, 11, 29), KOLKATA, utc(2026, 1, 14, 11, 29)),
    # The instant may come in any zone; only the recipient's zone matters.
    ("la-23:00-is-london-07:00", local(LOS_ANGELES, 2026, 1, 14, 23), LONDON, utc(2026, 1, 15, 9)),
]


@pytest.mark.parametrize(
    ("at", "tz", "expected"),
    [pytest.param(at, tz, expected, id=name) for name, at, tz, expected in DELIVERY_CASES],
)
def test_next_delivery_time(at: datetime, tz: ZoneInfo, expected: datetime) -> None:
    result = next_delivery_time(at, tz)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("at", "hours", "expected"),
    [
        # A window opening inside the skipped hour opens when the clock jumps: 03:00 EDT.
        pytest.param(
            local(NEW_YORK, 2026, 3, 8, 1),
            WorkingHours(start=time(2, 30), end=time(4), weekdays=EVERY_DAY),
            utc(2026, 3, 8, 7),
            id="start-in-gap",
        ),
        # After the clock falls back, 01:30 comes round again and opens a second window.
        pytest.param(
            local(NEW_YORK, 2026, 11, 1, 1, 50),
            WorkingHours(start=time(1, 30), end=time(1, 45), weekdays=EVERY_DAY),
            utc(2026, 11, 1, 6, 30),
            id="start-repeated-by-fold",
        ),
        # Falling back from 02:00 EDT to 01:00 EST lands straight inside a 01:00-01:45 window.
        pytest.param(
            local(NEW_YORK, 2026, 11, 1, 1, 50),
            WorkingHours(start=time(1), end=time(1, 45), weekdays=EVERY_DAY),
            utc(2026, 11, 1, 6),
            id="fall-back-into-window",
        ),
        pytest.param(
            local(LONDON, 2026, 1, 17, 10),
            WorkingHours(weekdays=frozenset({6})),
            utc(2026, 1, 18, 9),
            id="sunday-only",
        ),
    ],
)
def test_next_delivery_time_custom_hours(at: datetime, hours: WorkingHours, expected: datetime) -> None:
    assert next_delivery_time(at, at.tzinfo, hours) == expected  # type: ignore[arg-type]


def test_next_delivery_time_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError):
        next_delivery_time(datetime(2026, 1, 14, 10), LONDON)
    with pytest.raises(ValueError):
        is_working_time(datetime(2026, 1, 14, 10), LONDON)


@pytest.mark.parametrize(
    ("at", "tz", "expected"),
    [
        (local(LONDON, 2026, 1, 14, 9), LONDON, True),
        (local(LONDON, 2026, 1, 14, 17), LONDON, False),
        (local(LONDON, 2026, 1, 17, 12), LONDON, False),  # Saturday
        (utc(2026, 1, 18, 23, 30), TOKYO, False),  # Monday 08:30 in Tokyo
        (utc(2026, 1, 19, 0), TOKYO, True),  # Monday 09:00 in Tokyo, Sunday in UTC
        (utc(2026, 3, 9, 13), NEW_YORK, True),  # Monday 09:00 EDT
        (utc(2026, 3, 9, 13) - timedelta(microseconds=1), NEW_YORK, False),
    ],
)
def test_is_working_time(at: datetime, tz: ZoneInfo, expected: bool) -> None:
    assert is_working_time(at, tz) is expected


@pytest.mark.parametrize(
    "settings_",
    [
        {"start": time(17), "end": time(9)},
        {"start": time(9), "end": time(9)},
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"start": time(9, tzinfo=UTC)},
    ],
)
def test_working_hours_reject_nonsense(settings_: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WorkingHours(**settings_)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("at", "tz", "expected"),
    [
        (utc(2026, 1, 18, 23, 30), TOKYO, date(2026, 1, 19)),  # already Monday in Tokyo
        (utc(2026, 1, 19, 3), NEW_YORK, date(2026, 1, 18)),  # still Sunday in New York
    ],
)
def test_local_date(at: datetime, tz: ZoneInfo, expected: date) -> None:
    assert local_date(at, tz) == expected


# --- resolve_zone -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("America/New_York", "America/New_York"),
        (None, "Europe/London"),
        ("", "Europe/London"),
        ("Mars/Olympus_Mons", "Europe/London"),  # unknown
        ("america/new_york", "Europe/London"),  # keys are case-sensitive
        ("America", "Europe/London"),  # a directory, not a zone
        ("../../etc/passwd", "Europe/London"),  # not a key at all
        ("/etc/localtime", "Europe/London"),
    ],
)
def test_resolve_zone(name: str | None, expected: str) -> None:
    assert resolve_zone(name, fallback="Europe/London").key == expected


def test_resolve_zone_fails_loudly_on_a_bad_program_fallback() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        resolve_zone(None, fallback="Nowhere/Special")


# --- properties -----------------------------------------------------------------------------

NAMED_ZONES = [
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",  # UTC-3:30 with DST
    "America/Santiago",  # DST changes at midnight
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",  # UTC+5:45
    "Australia/Lord_Howe",  # a half-hour DST shift
    "Pacific/Chatham",
    "Pacific/Apia",  # skipped 2011-12-30 entirely
    "Pacific/Kiritimati",  # UTC+14
]

instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC))
named_zones = st.sampled_from(NAMED_ZONES).map(ZoneInfo)


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    start_minute = draw(st.integers(min_value=0, max_value=23 * 60 - 1))
    length = draw(st.integers(min_value=60, max_value=24 * 60 - 1 - start_minute))
    end_minute = start_minute + length
    weekdays = draw(st.frozensets(st.integers(min_value=0, max_value=6), min_size=1))
    return WorkingHours(
        start=time(start_minute // 60, start_minute % 60),
        end=time(end_minute // 60, end_minute % 60),
        weekdays=weekdays,
    )


STEP = timedelta(minutes=10)


def assert_earliest_working_instant(at: datetime, tz: ZoneInfo, hours: WorkingHours) -> None:
    result = next_delivery_time(at, tz, hours)
    assert result.tzinfo is UTC
    assert result >= at
    assert is_working_time(result, tz, hours)
    if result > at:
        assert not is_working_time(result - timedelta(microseconds=1), tz, hours)
    probe = at
    while probe < result:
        assert not is_working_time(probe, tz, hours), f"{probe} is working time, before {result}"
        probe += STEP


# No deadline: stepping through up to a week of instants is slow on a loaded CI machine.
@settings(deadline=None)
@given(at=instants, tz=named_zones)
def test_next_delivery_time_is_the_earliest_working_instant(at: datetime, tz: ZoneInfo) -> None:
    assert_earliest_working_instant(at, tz, WorkingHours())


@settings(max_examples=300, deadline=None)
@given(at=instants, tz=named_zones, hours=working_hours())
def test_next_delivery_time_is_the_earliest_for_any_hours(at: datetime, tz: ZoneInfo, hours: WorkingHours) -> None:
    assert_earliest_working_instant(at, tz, hours)


@settings(deadline=None)
@given(at=instants, tz=st.timezones(), hours=working_hours())
def test_next_delivery_time_in_every_zone(at: datetime, tz: ZoneInfo, hours: WorkingHours) -> None:
    assert_earliest_working_instant(at, tz, hours)


@settings(deadline=None)
@given(
    at=st.datetimes(min_value=datetime(2011, 12, 25), max_value=datetime(2012, 1, 5), timezones=st.just(UTC)),
    hours=working_hours(),
)
def test_next_delivery_time_when_a_whole_day_is_skipped(at: datetime, hours: WorkingHours) -> None:
    """Samoa skipped Friday 2011-12-30: its windows must be neither invented nor lost."""
    assert_earliest_working_instant(at, ZoneInfo("Pacific/Apia"), hours)
