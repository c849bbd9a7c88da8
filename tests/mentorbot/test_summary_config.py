"""MENTORBOT_SUMMARY_AT: when the weekly summary goes out, applied to the program at every start."""

from __future__ import annotations

import pytest

from mentorbot.config import ConfigError, load_settings
from mentoring.reporting import WeeklySlot
from storage.programs import ProgramSettings, ensure_program
from tests.support.factories import EPOCH

BASE = {"SLACK_BOT_TOKEN": "xoxb-1"}


def test_summary_time_is_optional():
    assert load_settings(BASE).summary_at is None


def test_summary_time_is_read():
    assert load_settings(BASE | {"MENTORBOT_SUMMARY_AT": "Friday 16:30"}).summary_at == WeeklySlot(4, 16, 30)


def test_a_bad_summary_time_names_the_variable():
    with pytest.raises(ConfigError) as raised:
        load_settings(BASE | {"MENTORBOT_SUMMARY_AT": "someday"})
    assert str(raised.value).startswith("MENTORBOT_SUMMARY_AT is not a weekday and time (expected a weekday and a time")
    assert "'Monday 09:00'" in str(raised.value)


def test_the_program_takes_the_configured_time_and_keeps_it_when_unset(arrange):
    with arrange() as session:
        program = ensure_program(session, team_id="T1", settings=ProgramSettings(time_zone="UTC"), now=EPOCH)
        assert (program.summary_weekday, program.summary_hour, program.summary_minute) == (0, 9, 0)
        slot = WeeklySlot(2, 7, 45)
        ensure_program(session, team_id="T1", settings=ProgramSettings(time_zone="UTC", summary_at=slot), now=EPOCH)
        assert (program.summary_weekday, program.summary_hour, program.summary_minute) == (2, 7, 45)
        ensure_program(session, team_id="T1", settings=ProgramSettings(time_zone="UTC"), now=EPOCH)
        assert (program.summary_weekday, program.summary_hour) == (2, 7)
        other = ensure_program(session, team_id="T2", settings=ProgramSettings(time_zone="UTC", summary_at=slot), now=EPOCH)
        assert other.summary_minute == 45
