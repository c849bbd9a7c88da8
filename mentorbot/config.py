"""Configuration from the environment, checked once at start with messages an operator can act on."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorbot.clock_file import ClockFileError, read_moment
from mentoring.check_ins import DEFAULT_MINIMUM_ANSWERS, MINIMUM_ANSWERS_FLOOR
from mentoring.meeting_guides import GuideFileError
from mentoring.reporting import WeeklySlot, parse_weekly_slot

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///mentorbot.db"
DEFAULT_TIME_ZONE = "America/New_York"

FROM_APP = "from your Slack app (created from manifest.yml) at https://api.slack.com/apps"
TRY_SANDBOX = "or, to try Mentorbot without Slack, run scripts/sandbox (mentorbot sandbox)"


class ConfigError(Exception):
    """One problem with one variable, phrased for the person installing the bot."""

    def __init__(self, variable: str, problem: str, where: str) -> None:
        super().__init__(f"{variable} {problem}: {where}.")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str | None
    app_token: str | None
    slack_api_url: str
    database_url: str
    time_zone: str
    coordinator_channel_id: str | None
    summary_at: WeeklySlot | None = None  # None leaves the program's setting (Monday 09:00 at first)
    clock_file: Path | None = None  # rehearsals and tests only: the bot's time is read from it (mentorbot/clock_file.py)
    meeting_guides: Path | None = None  # the coordinators' meeting guides; None: the shipped ones
    check_in_minimum: int | None = None  # the small-group rule's minimum; None leaves the program's (5 at first)


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    need_signing_secret: bool = False,
    need_app_token: bool = False,
) -> Settings:
    """Read and check every variable; raise ConfigError naming the first bad one."""
    env = os.environ if env is None else env

    bot_token = _get(env, "SLACK_BOT_TOKEN")
    if bot_token is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN",
            "is not set",
            f"copy the Bot User OAuth Token (xoxb-…) {FROM_APP}, OAuth & Permissions; {TRY_SANDBOX}",
        )
    if not bot_token.startswith("xoxb-"):
        raise ConfigError(
            "SLACK_BOT_TOKEN", "must start with xoxb-", f"use the Bot User OAuth Token {FROM_APP}, OAuth & Permissions"
        )

    signing_secret = _get(env, "SLACK_SIGNING_SECRET")
    if need_signing_secret and signing_secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET", "is not set (HTTP mode needs it)", f"copy the Signing Secret {FROM_APP}, Basic Information"
        )

    app_token = _get(env, "SLACK_APP_TOKEN")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN",
            "must start with xapp-",
            f"create an App-Level Token with connections:write {FROM_APP}, Basic Information",
        )
    if need_app_token and app_token is None:
        raise ConfigError(
            "SLACK_APP_TOKEN",
            "is not set (Socket Mode needs it; or run with --http)",
            f"create an App-Level Token with the connections:write scope {FROM_APP}, Basic Information; {TRY_SANDBOX}",
        )

    slack_api_url = _get(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not re.match(r"^https?://[^/]+", slack_api_url):
        raise ConfigError("SLACK_API_URL", "is not an http(s) URL", f"leave it unset to use {DEFAULT_SLACK_API_URL}")
    if not slack_api_url.endswith("/"):
        slack_api_url += "/"

    database_url = load_database_url(env)

    time_zone = _get(env, "MENTORBOT_TIME_ZONE") or DEFAULT_TIME_ZONE
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "MENTORBOT_TIME_ZONE", f"is not a known time zone ({time_zone!r})", "use an IANA name such as America/Chicago"
        ) from None

    channel = _get(env, "MENTORBOT_COORDINATOR_CHANNEL")
    if channel is not None and not re.fullmatch(r"[CG][A-Z0-9]{6,}", channel):
        raise ConfigError(
            "MENTORBOT_COORDINATOR_CHANNEL",
            f"is not a channel ID ({channel!r})",
            "open the private channel in Slack, View channel details, and copy the ID at the bottom (C…)",
        )

    summary_at = None
    summary_text = _get(env, "MENTORBOT_SUMMARY_AT")
    if summary_text is not None:
        try:
            summary_at = parse_weekly_slot(summary_text)
        except ValueError as error:
            raise ConfigError(
                "MENTORBOT_SUMMARY_AT",
                f"is not a weekday and time ({error})",
                "use e.g. 'Monday 09:00', in the program's time zone",
            ) from None

    clock_file = _clock_file(env)
    meeting_guides = _meeting_guides(env)

    check_in_minimum = None
    minimum_text = _get(env, "MENTORBOT_CHECK_IN_MINIMUM")
    if minimum_text is not None:
        if not (minimum_text.isascii() and minimum_text.isdigit()) or int(minimum_text) < MINIMUM_ANSWERS_FLOOR:
            raise ConfigError(
                "MENTORBOT_CHECK_IN_MINIMUM",
                f"is not a whole number of at least {MINIMUM_ANSWERS_FLOOR} ({minimum_text!r})",
                f"leave it unset for {DEFAULT_MINIMUM_ANSWERS}: check-in figures need at least that many answers",
            )
        check_in_minimum = int(minimum_text)

    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        slack_api_url=slack_api_url,
        database_url=database_url,
        time_zone=time_zone,
        coordinator_channel_id=channel,
        summary_at=summary_at,
        clock_file=clock_file,
        meeting_guides=meeting_guides,
        check_in_minimum=check_in_minimum,
    )


def _meeting_guides(env: Mapping[str, str]) -> Path | None:
    name = _get(env, "MENTORBOT_MEETING_GUIDES")
    if name is None:
        return None
    from program.meeting_guides import read_guides  # only when set: the command line stays light

    path = Path(name)
    try:
        read_guides(path)
    except OSError as error:
        raise ConfigError(
            "MENTORBOT_MEETING_GUIDES", f"cannot be read ({error.strerror}: {name})", "point it at a text file"
        ) from None
    except (GuideFileError, UnicodeDecodeError) as error:
        raise ConfigError(
            "MENTORBOT_MEETING_GUIDES", f"has a problem at {error}", "fix the file (`mentorbot guides check FILE` checks it)"
        ) from None
    return path


def _clock_file(env: Mapping[str, str]) -> Path | None:
    name = _get(env, "MENTORBOT_CLOCK_FILE")
    if name is None:
        return None
    path = Path(name)
    try:
        read_moment(path)
    except ClockFileError as error:
        raise ConfigError(
            "MENTORBOT_CLOCK_FILE",
            f"is not usable ({error})",
            "write one moment with its offset, e.g. 2026-07-01T09:00:00-04:00, or leave it unset (production uses the system clock)",
        ) from None
    return path


def load_database_url(env: Mapping[str, str] | None = None) -> str:
    """For commands that only touch the database (db upgrade, match, audit, export)."""
    env = os.environ if env is None else env
    database_url = _get(env, "DATABASE_URL") or DEFAULT_DATABASE_URL
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        raise ConfigError(
            "DATABASE_URL",
            "is not a SQLite or PostgreSQL URL",
            "use e.g. sqlite:///mentorbot.db or postgresql://user:password@host/dbname",
        )
    return database_url


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def load_log_level(env: Mapping[str, str] | None = None) -> int:
    """MENTORBOT_LOG_LEVEL: INFO by default; `mentorbot -v` means DEBUG whatever it says."""
    env = os.environ if env is None else env
    name = (_get(env, "MENTORBOT_LOG_LEVEL") or "INFO").upper()
    if name not in LOG_LEVELS:
        raise ConfigError("MENTORBOT_LOG_LEVEL", f"is not a log level ({name!r})", f"use one of {', '.join(LOG_LEVELS)}")
    return int(getattr(logging, name))
