"""Quiet hours: reminders arrive on a working day, in working hours, in the recipient's zone.

"Working time" is defined by the recipient's wall clock: the local weekday is a working day
and start <= local time < end. Everything else follows from that definition, including the
odd days: on a fall-back day the repeated hour is judged by what the clock shows, and on a
spring-forward day a skipped wall time simply never happens.

Pure: no clock reads; the instant comes in as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})
_DAYS_PER_WEEK = 7
# Each search step either returns or moves past one UTC-offset change; real zones change
# offset at most a few times a year, so this bound is never reached in practice.
_MAX_SEARCH_STEPS = 64


@dataclass(frozen=True)
class WorkingHours:
    """A daily window [start, end) on the given weekdays (Monday = 0 ... Sunday = 6)."""

    start: time = time(9)
    end: time = time(17)
    weekdays: frozenset[int] = field(default=_MONDAY_TO_FRIDAY)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local wall times: pass naive times")
        if not self.start < self.end:
            raise ValueError(f"start ({self.start}) must be before end ({self.end})")
        if not self.weekdays or not self.weekdays <= set(range(_DAYS_PER_WEEK)):
            raise ValueError(f"weekdays must be a non-empty subset of 0..6, got {set(self.weekdays)}")

    def contains_wall_time(self, wall: datetime) -> bool:
        return wall.weekday() in self.weekdays and self.start <= wall.time() < self.end

    def next_start_after(self, wall: datetime) -> datetime:
        """The first naive wall time >= `wall` at which a working window opens."""
        for days_ahead in range(_DAYS_PER_WEEK + 1):
            day = wall.date() + timedelta(days=days_ahead)
            candidate = datetime.combine(day, self.start)
            if day.weekday() in self.weekdays and candidate >= wall:
                return candidate
        raise AssertionError("a non-empty weekday set opens a window within 8 days")


DEFAULT_WORKING_HOURS = WorkingHours()


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {at!r}")


def _wall_clock(at: datetime, tz: tzinfo) -> datetime:
    """What a clock in `tz` shows at instant `at`, as a naive datetime."""
    return at.astimezone(tz).replace(tzinfo=None)


def _utc_offset(at: datetime, tz: tzinfo) -> timedelta:
    offset = at.astimezone(tz).utcoffset()
    assert offset is not None  # a zone always has an offset for an aware instant
    return offset


def is_working_time(at: datetime, tz: tzinfo, hours: WorkingHours = DEFAULT_WORKING_HOURS) -> bool:
    """Whether instant `at` falls in working hours on the wall clock of `tz`."""
    _require_aware(at)
    return hours.contains_wall_time(_wall_clock(at, tz))


def next_delivery_time(at: datetime, tz: tzinfo, hours: WorkingHours = DEFAULT_WORKING_HOURS) -> datetime:
    """The earliest instant >= `at` that is working time in `tz`, as an aware UTC datetime.

    `at` itself when it is already working time; otherwise the opening of the next working
    window. Works in instants, not wall times, so DST cannot make the answer earlier than
    `at` or skip a window: between two UTC-offset changes the wall clock runs evenly, so the
    next window opens at (wall start - offset); when an offset change comes first, the
    search restarts from the instant of the change (which is itself the answer when the
    clock jumps into working hours, e.g. over a skipped start time).
    """
    _require_aware(at)
    instant = at.astimezone(UTC)
    for _ in range(_MAX_SEARCH_STEPS):
        if is_working_time(instant, tz, hours):
            return instant
        offset = _utc_offset(instant, tz)
        opening_wall = hours.next_start_after(_wall_clock(instant, tz))
        opening = (opening_wall - offset).replace(tzinfo=UTC)
        if _utc_offset(opening, tz) == offset:
            # No offset change on the way (see _first_offset_change for the assumption).
            return opening
        instant = _first_offset_change(instant, opening, tz)
    raise RuntimeError(f"no working time found after {at!r} in {tz}")  # pragma: no cover


def _first_offset_change(before: datetime, after: datetime, tz: tzinfo) -> datetime:
    """The first instant in (before, after] whose UTC offset differs from `before`'s.

    Bisection to the microsecond (about 40 steps for a week). Assumes a single change in
    the interval, which holds for real zones over the at most ~8 days searched here.
    """
    old_offset = _utc_offset(before, tz)
    low, high = before, after
    resolution = timedelta(microseconds=1)
    while high - low > resolution:
        middle = low + (high - low) / 2
        if _utc_offset(middle, tz) == old_offset:
            low = middle
        else:
            high = middle
    return high


def resolve_zone(name: str | None, fallback: str) -> ZoneInfo:
    """The zone named by a person's Slack profile, or the program's fallback zone when the
    name is missing, unknown or malformed (Slack can omit it, e.g. for some guest accounts).

    The fallback itself must be valid: a bad program setting should fail loudly.
    """
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            # Unknown keys, paths ("../x", "/etc/..."), directories ("America").
            pass
    return ZoneInfo(fallback)


def local_date(at: datetime, tz: tzinfo) -> date:
    """The recipient's calendar date at instant `at` (for "today" in their zone)."""
    _require_aware(at)
    return at.astimezone(tz).date()
