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
SEVERAL_WORKSPACES = "or, to serve several workspaces, set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead and run with --http"

# The bot scopes an install through /slack/install asks for: manifest.yml's (a test keeps the two
# in step). SLACK_SCOPES, Bolt's usual variable, overrides them.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "users:read",
    "users:read.email",
    "files:write",
    "im:history",
    "mpim:history",
    "groups:history",
)


class ConfigError(Exception):
    """One problem with one variable, phrased for the person installing the bot."""

    def __init__(self, variable: str, problem: str, where: str) -> None:
        super().__init__(f"{variable} {problem}: {where}.")
        self.variable = variable


@dataclass(frozen=True)
class OAuthApp:
    """Several workspaces: each installs the app at /slack/install and gets its own token."""

    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = BOT_SCOPES
    redirect_uri: str | None = None  # SLACK_REDIRECT_URI; Slack uses the app's only redirect URL when unset


@dataclass(frozen=True)
class Settings:
    bot_token: str | None  # one workspace; None when `oauth` says how to find each workspace's token
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
    oauth: OAuthApp | None = None  # set: several workspaces, each with its token from the OAuth install

    @property
    def several_workspaces(self) -> bool:
        return self.oauth is not None


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
    oauth = _oauth_app(env)
    if oauth is not None and bot_token is not None:
        raise ConfigError(
            "SLACK_BOT_TOKEN",
            "is set as well as SLACK_CLIENT_ID and SLACK_CLIENT_SECRET",
            "unset SLACK_BOT_TOKEN to serve several workspaces (each installs the app at /slack/install), "
            "or unset the client ID and secret to serve one workspace with that token",
        )
    if oauth is None and bot_token is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN",
            "is not set",
            f"copy the Bot User OAuth Token (xoxb-…) {FROM_APP}, OAuth & Permissions; {SEVERAL_WORKSPACES}; {TRY_SANDBOX}",
        )
    if bot_token is not None and not bot_token.startswith("xoxb-"):
        raise ConfigError(
            "SLACK_BOT_TOKEN", "must start with xoxb-", f"use the Bot User OAuth Token {FROM_APP}, OAuth & Permissions"
        )
    if oauth is not None and need_app_token:
        raise ConfigError(
            "SLACK_CLIENT_ID",
            "is set, and Socket Mode serves only one workspace",
            "run with --http to serve several (installs at /slack/install), or set SLACK_BOT_TOKEN and SLACK_APP_TOKEN for one",
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
        oauth=oauth,
    )


def _oauth_app(env: Mapping[str, str]) -> OAuthApp | None:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET together, or neither."""
    client_id, client_secret = _get(env, "SLACK_CLIENT_ID"), _get(env, "SLACK_CLIENT_SECRET")
    if client_id is None and client_secret is None:
        return None
    if client_id is None or client_secret is None:
        missing = "SLACK_CLIENT_ID" if client_id is None else "SLACK_CLIENT_SECRET"
        other = "SLACK_CLIENT_SECRET" if client_id is None else "SLACK_CLIENT_ID"
        raise ConfigError(
            missing,
            f"is not set, and {other} is",
            f"copy both from your Slack app's Basic Information, App Credentials (or unset {other})",
        )
    if not re.fullmatch(r"[0-9]+\.[0-9]+", client_id):
        raise ConfigError(
            "SLACK_CLIENT_ID",
            f"is not a client ID ({client_id!r})",
            "copy the Client ID (digits.digits) from Basic Information, App Credentials",
        )
    scopes: tuple[str, ...] = BOT_SCOPES
    scopes_text = _get(env, "SLACK_SCOPES")
    if scopes_text is not None:
        scopes = tuple(scope.strip() for scope in scopes_text.split(",") if scope.strip())
        missing_scopes = sorted(set(BOT_SCOPES) - set(scopes))
        if missing_scopes:
            raise ConfigError(
                "SLACK_SCOPES",
                f"leaves out scopes the bot needs ({', '.join(missing_scopes)})",
                "leave it unset to ask for manifest.yml's scopes",
            )
    redirect_uri = _get(env, "SLACK_REDIRECT_URI")
    if redirect_uri is not None and not re.match(r"^https?://[^/]+/", redirect_uri):
        raise ConfigError(
            "SLACK_REDIRECT_URI", "is not an http(s) URL", "give https://YOUR-HOST/slack/oauth_redirect, or leave it unset"
        )
    return OAuthApp(client_id=client_id, client_secret=client_secret, scopes=scopes, redirect_uri=redirect_uri)


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
