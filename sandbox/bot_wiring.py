"""The sandbox's one window onto the bot's internals: build the real app, seed, and run the jobs.

Everything else in sandbox/ talks to the bot the way Slack does (signed HTTP requests in, Web API
calls out), so when the bot's packages move, this module is the one to follow them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy import func, select

from mentorbot.config import Settings
from mentorbot.http_server import EVENTS_PATH, database_health, make_wsgi_app
from mentorbot.serve import open_runtime, prepare
from mentorbot.slack_client import make_web_client
from program.clock import Clock
from scheduler.context import JobContext
from scheduler.jobs import JobSpec, all_jobs, run_job
from storage.db import session_scope
from storage.models import Person, Role
from storage.programs import program_for_team
from storage.roster import RosterEntry, upsert_people

log = logging.getLogger(__name__)

DELIVERY_JOB_ID = "outbox.deliver"


@dataclass(frozen=True)
class RosterPerson:
    user_id: str
    name: str
    role: str  # coordinator, faculty or resident
    pgy: int | None = None
    subspecialty: str | None = None


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class RunningBot:
    """The real Bolt app served over HTTP on loopback, with its storage and its jobs."""

    def __init__(
        self,
        *,
        database_url: str,
        slack_api_url: str,
        bot_token: str,
        signing_secret: str,
        time_zone: str,
        coordinator_channel_id: str,
        clock: Clock,
    ) -> None:
        settings = Settings(
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=None,
            slack_api_url=slack_api_url,
            database_url=database_url,
            time_zone=time_zone,
            coordinator_channel_id=coordinator_channel_id,
        )
        team_id = prepare(settings, clock=clock)  # migrate, create the program, auth.test
        assert team_id is not None, "the sandbox serves one workspace, with a bot token"
        self.team_id: str = team_id
        self._runtime = open_runtime(settings, clock=clock)  # what `mentorbot run` opens
        self.services = self._runtime.services
        wsgi = make_wsgi_app(
            self._runtime.build_app(), lambda: database_health(self._runtime.engine), signing_secret=signing_secret
        )
        self._server = make_server("127.0.0.1", 0, wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="sandbox-bot")
        self._thread.start()
        self.jobs = JobContext(
            session_factory=self.services.session_factory, clock=clock, slack=make_web_client(settings, retries=False)
        )

    @property
    def events_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{EVENTS_PATH}"

    def has_roster(self) -> bool:
        with session_scope(self.services.session_factory) as session:
            program = program_for_team(session, self.team_id)
            if program is None:
                return False
            return bool(session.scalar(select(func.count()).select_from(Person).where(Person.program_id == program.id)))

    def seed(self, people: Iterable[RosterPerson], now: datetime) -> None:
        entries = [
            RosterEntry(p.user_id, p.name, Role(p.role), p.role == "coordinator", None, p.pgy, p.subspecialty) for p in people
        ]
        with session_scope(self.services.session_factory) as session:
            program = program_for_team(session, self.team_id)
            assert program is not None, "prepare() creates the program"
            upsert_people(session, program=program, entries=entries, now=now, actor_label="sandbox: seed")

    def scheduled_jobs(self) -> Sequence[JobSpec]:
        return all_jobs()

    def run_jobs(self, only: str | None = None, *, since: datetime | None = None) -> None:
        """Each job once, as the scheduler would run it, at the clock's present time. With
        ``since`` (the previous step), a job whose interval is longer than the step runs only
        when one of its intervals ended in between, as it would have on its own timer."""
        now = self.jobs.clock()
        for spec in self.scheduled_jobs():
            if only is not None and spec.id != only:
                continue
            interval = getattr(spec.trigger, "interval", None)
            if since is not None and isinstance(interval, timedelta) and interval > now - since:
                periods = interval.total_seconds()
                if int(now.timestamp() // periods) == int(since.timestamp() // periods):
                    continue
            run_job(spec, self.jobs)

    def deliver_outbox(self) -> None:
        self.run_jobs(only=DELIVERY_JOB_ID)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._runtime.stop()
