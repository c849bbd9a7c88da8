"""MENTORBOT_CLOCK_FILE: the bot's time read from a file, for rehearsals and tests."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mentorbot.clock_file import FileClock, run_when_moved
from mentorbot.config import ConfigError, load_settings

JULY_1 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def _write(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)


def test_the_clock_is_the_files_moment_and_follows_it(tmp_path):
    path = tmp_path / "clock"
    _write(path, "2026-07-01T05:00:00-04:00\n")
    clock = FileClock(path)
    assert clock() == JULY_1
    _write(path, "2026-10-02T15:00:00+00:00")
    assert clock() == datetime(2026, 10, 2, 15, 0, tzinfo=UTC)
    _write(path, "2026-10-0")  # caught half-written: the last moment stands
    assert clock() == datetime(2026, 10, 2, 15, 0, tzinfo=UTC)


def test_every_change_or_touch_runs_the_jobs_once(tmp_path):
    path = tmp_path / "clock"
    _write(path, JULY_1.isoformat())
    clock = FileClock(path)
    runs: list[datetime] = []
    ran = threading.Semaphore(0)
    stop = threading.Event()

    def run() -> None:
        runs.append(clock())
        ran.release()

    watcher = run_when_moved(clock, run, stop)
    try:
        time.sleep(0.2)
        assert runs == []  # nothing until the file changes
        _write(path, "2026-07-02T09:00:00+00:00")
        assert ran.acquire(timeout=5)
        _write(path, "2026-07-02T09:00:00+00:00")  # the same moment again: run again
        assert ran.acquire(timeout=5)
        time.sleep(0.2)
    finally:
        stop.set()
        watcher.join(timeout=5)
    assert runs == [datetime(2026, 7, 2, 9, 0, tzinfo=UTC)] * 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "cannot read"), ("soon", "not an ISO 8601 moment"), ("2026-07-01T09:00", "without its offset")],
)
def test_an_unusable_clock_file_is_named_at_start(tmp_path, content, problem):
    path = tmp_path / "clock"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as error:
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "MENTORBOT_CLOCK_FILE": str(path)})
    assert error.value.variable == "MENTORBOT_CLOCK_FILE"
    assert problem in str(error.value) and "leave it unset" in str(error.value)


def test_without_the_variable_there_is_no_clock_file():
    assert load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}).clock_file is None
