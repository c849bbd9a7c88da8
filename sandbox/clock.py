"""The sandbox's manual program clock, and how far each of its buttons moves it. Pure but for the lock."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Every job's cadence is an hour or less in the real bot (the outbox, reminders, reports and the
# round sweep all run more often), so stepping hour by hour runs each of them at least as often
# as it would have run, and a DM held for working hours goes out in the hour they open.
STEP = timedelta(hours=1)
ACADEMIC_QUARTER_START_MONTHS = (1, 4, 7, 10)
# Where "next quarter" and "go to date" land, in program time: 13:00 in New York is within working
# hours from the west coast to the east coast, so DMs queued then go out at once for most people.
MIDDAY = time(13, 0)


class SandboxClock:
    """What the bot and its jobs read instead of the wall clock; moved only by the sandbox."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the sandbox clock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment


def steps(start: datetime, end: datetime, every: timedelta = STEP) -> list[datetime]:
    """The moments to stop at on the way from ``start`` to ``end``: every ``every``, then ``end``."""
    moments: list[datetime] = []
    moment = start + every
    while moment < end:
        moments.append(moment)
        moment += every
    if end > start:
        moments.append(end)
    return moments


def next_quarter_start(now: datetime, zone: ZoneInfo) -> datetime:
    """13:00 program time on the first day of the next calendar quarter (academic quarters share them)."""
    today = now.astimezone(zone).date()
    for year in (today.year, today.year + 1):
        for month in ACADEMIC_QUARTER_START_MONTHS:
            first = date(year, month, 1)
            if first > today:
                return datetime.combine(first, MIDDAY, zone)
    raise AssertionError("unreachable: a quarter starts within a year")


def midday_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, MIDDAY, zone)
