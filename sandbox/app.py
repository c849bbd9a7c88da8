"""The sandbox put together: the stand-in for Slack, the real bot pointed at it, the seeded
program, the manual clock and the Slack-like workspace the page shows."""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import program as seed
from sandbox.autofill import AutofillResult, fill_in_answers
from sandbox.bot_wiring import RosterPerson, RunningBot
from sandbox.clock import SandboxClock, midday_of, next_quarter_start, steps
from sandbox.fake_slack import FakeSlack
from sandbox.workspace import Workspace

log = logging.getLogger(__name__)

BOT_TOKEN = "xoxb-sandbox-token"  # only ever shown to the stand-in
DEFAULT_DATABASE_FILE = "mentorbot-sandbox.db"
DELIVERY_EVERY_SECONDS = 0.5
TRANSCRIPT_KEEP = 2000
LONGEST_JUMP = timedelta(days=800)


def default_database_url(directory: Path | None = None) -> str:
    """A file of its own, beside the real program's default (never DATABASE_URL)."""
    return f"sqlite:///{(directory or Path.cwd()) / DEFAULT_DATABASE_FILE}"


class SandboxError(Exception):
    """The sandbox cannot start; the message says what to do."""


class ClockError(ValueError):
    """A clock move the sandbox refuses (backwards, or absurdly far); the message says why."""


@dataclass(frozen=True)
class ClockMove:
    steps: int
    now: datetime


class Sandbox:
    def __init__(self, database_url: str) -> None:
        # Each clock move runs every job hundreds of times: their routine "done" lines would bury the log.
        for noisy in ("scheduler.jobs", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        self.zone = ZoneInfo(seed.PROGRAM_TIME_ZONE)
        self.clock = SandboxClock(seed.START)
        self.fake = FakeSlack(team_id=seed.TEAM_ID, clock=self.clock).start()
        for person in seed.PEOPLE:
            self.fake.add_user(person.user_id, name=person.name, tz=person.tz)
        self.fake.add_channel(seed.COORDINATOR_CHANNEL_ID, name=seed.COORDINATOR_CHANNEL_NAME)
        signing_secret = secrets.token_hex(16)
        try:
            self.bot = RunningBot(
                database_url=database_url,
                slack_api_url=self.fake.url,
                bot_token=BOT_TOKEN,
                signing_secret=signing_secret,
                time_zone=seed.PROGRAM_TIME_ZONE,
                coordinator_channel_id=seed.COORDINATOR_CHANNEL_ID,
                clock=self.clock,
            )
        except Exception:
            self.fake.stop()
            raise
        if self.bot.has_roster():
            self.bot.stop()
            self.fake.stop()
            raise SandboxError(
                "that database already holds a program; the sandbox seeds its own and needs an empty database "
                "(leave out --database to use a fresh file of its own)"
            )
        self.bot.seed([RosterPerson(p.user_id, p.name, p.role, p.pgy, p.subspecialty) for p in seed.PEOPLE], seed.START)
        self.workspace = Workspace(
            self.fake,
            events_url=self.bot.events_url,
            signing_secret=signing_secret,
            team_id=seed.TEAM_ID,
            channel_id=seed.COORDINATOR_CHANNEL_ID,
            channel_name=seed.COORDINATOR_CHANNEL_NAME,
            coordinators=frozenset(p.user_id for p in seed.PEOPLE if p.role == "coordinator"),
            clock=self.clock,
            zones={p.user_id: ZoneInfo(p.tz) for p in seed.PEOPLE},
        )
        self.names = {p.user_id: p.name for p in seed.PEOPLE}
        self._time_lock = threading.Lock()  # one clock move (or delivery run) at a time
        self._stopping = threading.Event()
        self._delivery = threading.Thread(target=self._deliver_continuously, daemon=True, name="sandbox-delivery")
        self._delivery.start()

    # ----------------------------------------------------------------- time

    def _deliver_continuously(self) -> None:
        """Between clock moves, the outbox is delivered as the real scheduler would (every few seconds)."""
        while not self._stopping.wait(DELIVERY_EVERY_SECONDS):
            with self._time_lock:
                self.bot.deliver_outbox()
                self.fake.forget_calls_beyond(TRANSCRIPT_KEEP)

    def advance_to(self, target: datetime) -> ClockMove:
        with self._time_lock:
            now = self.clock()
            if target <= now:
                raise ClockError("The sandbox clock only moves forward.")
            if target - now > LONGEST_JUMP:
                raise ClockError("That is more than two years ahead; move in smaller jumps.")
            moments = steps(now, target)
            previous = now
            for moment in moments:
                self.clock.set(moment)
                self.bot.run_jobs(since=previous)
                previous = moment
            self.fake.forget_calls_beyond(TRANSCRIPT_KEEP)
            return ClockMove(len(moments), self.clock())

    def advance(self, how: str, day: date | None = None) -> ClockMove:
        now = self.clock()
        if how == "day":
            return self.advance_to(now + timedelta(days=1))
        if how == "week":
            return self.advance_to(now + timedelta(weeks=1))
        if how == "quarter":
            return self.advance_to(next_quarter_start(now, self.zone))
        if how == "date" and day is not None:
            return self.advance_to(midday_of(day, self.zone))
        raise ClockError("Choose +1 day, +1 week, next quarter, or a date.")

    def fill_in_answers(self) -> AutofillResult:
        return fill_in_answers(self.workspace, seed.PEOPLE)

    # ----------------------------------------------------------------- what the page shows

    def people(self) -> list[dict[str, Any]]:
        return [
            {"id": p.user_id, "name": p.name, "role": p.role, "pgy": p.pgy, "subspecialty": p.subspecialty, "tz": p.tz}
            for p in seed.PEOPLE
        ]

    def snapshot(self, user_id: str) -> dict[str, Any]:
        if user_id not in self.names:
            raise LookupError(f"nobody in the sandbox is {user_id}")
        now = self.clock().astimezone(self.zone)
        return {
            "now": now.isoformat(),
            "now_label": f"{now:%A, %B} {now.day}, {now.year}, {now:%H:%M} ({now.tzname()})",
            "names": self.names,
            **self.workspace.snapshot(user_id, self.names),
        }

    def stop(self) -> None:
        self._stopping.set()
        self._delivery.join(timeout=5)
        self.bot.stop()
        self.fake.stop()
