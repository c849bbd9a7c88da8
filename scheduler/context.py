"""What every scheduled job is handed (its own module so job modules and jobs.py can both import it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from program.meeting_guides import GuideBook
from scheduler.rate_limits import RateLimitGate


@dataclass(frozen=True)
class JobContext:
    session_factory: sessionmaker[Session]
    clock: Callable[[], datetime]
    slack: WebClient  # built without retry handlers: each job applies its own policy
    # Per process: a 429 from Slack holds off that method for every job run in this process.
    rate_limits: RateLimitGate = field(default_factory=RateLimitGate)
    # The agendas in "meeting coming up" reminders (MENTORBOT_MEETING_GUIDES, else the shipped ones).
    meeting_guides: GuideBook = field(default_factory=lambda: GuideBook(None))
    # Several workspaces: each workspace's client (its own token), None once the app is
    # uninstalled there. Unset with one workspace: `slack` serves every program.
    workspace_clients: Callable[[str], WebClient | None] | None = None

    def slack_for(self, team_id: str) -> WebClient | None:
        """The client for a program's workspace (`Program.team_id`); None if it has no token."""
        return self.slack if self.workspace_clients is None else self.workspace_clients(team_id)
