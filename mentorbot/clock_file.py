"""A clock set by writing a file (MENTORBOT_CLOCK_FILE): for rehearsals and tests, never production.

The file holds one ISO 8601 moment with its offset, e.g. `2026-07-01T09:00:00-04:00`. The bot's
time is that moment and stands still until the file changes. Only the composition root (the code
that starts the app and the scheduler) knows of it: everything else is handed a clock as usual.

Scheduled jobs follow the bot's time, not the wall clock: each time the file changes (or is merely
touched), every job runs once at once, decisions before deliveries, as a process starting at that
moment would, and "clock file: every job ran at <moment>" is logged. So an operator rehearsing
July 1 on a copy of the database, or a test driving several processes through a quarter, moves
time by rewriting the file (write a new file and rename it over the old one, so nobody reads half
a line) and sees exactly what the bot would do then.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05

_Stamp = tuple[int, int, int]  # inode, size, modification time: any rewrite or touch changes it


class ClockFileError(ValueError):
    """The file is missing or does not hold one moment with its offset."""


def read_moment(path: Path) -> datetime:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ClockFileError(f"cannot read {path} ({error.strerror})") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ClockFileError(f"{path} holds {text[:40]!r}, not an ISO 8601 moment") from None
    if moment.tzinfo is None:
        raise ClockFileError(f"{path} holds {text!r}, a moment without its offset")
    return moment


def _stamp(path: Path) -> _Stamp | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


class FileClock:
    """Callable like any clock. A file caught half-written keeps the last moment read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp = _stamp(path)
        self._moment = read_moment(path)

    def __call__(self) -> datetime:
        stamp = _stamp(self.path)
        with self._lock:
            if stamp is not None and stamp != self._stamp:
                try:
                    self._moment = read_moment(self.path)
                    self._stamp = stamp
                except ClockFileError:
                    pass  # mid-write: the next read will see the whole moment
            return self._moment


def run_when_moved(clock: FileClock, run: Callable[[], None], stop: threading.Event) -> threading.Thread:
    """Calls `run` after every change of the clock file, until `stop` is set; one call at a time,
    so a change made while `run` works is seen once it has finished."""

    def watch() -> None:
        seen = _stamp(clock.path)
        while not stop.wait(POLL_SECONDS):
            stamp = _stamp(clock.path)
            if stamp is None or stamp == seen:
                continue
            seen = stamp
            moment = clock()
            try:
                run()
            except Exception:
                log.exception("clock file: running the jobs at %s failed", moment.isoformat())
                continue
            log.info("clock file: every job ran at %s", moment.isoformat())

    thread = threading.Thread(target=watch, name="clock-file", daemon=True)
    thread.start()
    return thread
