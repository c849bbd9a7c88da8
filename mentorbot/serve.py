"""Running the bot: Socket Mode, HTTP under gunicorn, or the scheduler alone.

Each mode brings the schema up to date and makes sure the workspace's program exists before it
serves anything, and shuts down cleanly on Ctrl-C or SIGTERM: the scheduler is stopped after its
running job finishes, and every unit of work commits or rolls back as a whole.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.app import build_app
from bot.runtime import Services, after_ack_pool
from mentorbot.clock_file import FileClock, run_when_moved
from mentorbot.config import FROM_APP, Settings
from mentorbot.http_server import database_health, make_wsgi_app
from mentorbot.slack_client import make_web_client
from mentorbot.workspaces import WorkspaceClients, oauth_settings
from program.clock import Clock, system_clock
from program.meeting_guides import GuideBook
from scheduler.jobs import JobContext, all_jobs, deliver_outbox_job, run_job
from scheduler.runner import build_scheduler
from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.programs import ProgramSettings, ensure_program
from views.private_metadata import metadata_key

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Something the operator must fix before the bot can start; the message says what."""

    def __init__(self, message: str, exit_status: int = 2) -> None:
        super().__init__(message)
        self.exit_status = exit_status


def workspace_team_id(client: WebClient, settings: Settings) -> str:
    """Ask Slack who we are; a bad token or an unreachable Slack is the operator's to fix."""
    try:
        return str(client.auth_test()["team_id"])
    except SlackApiError as error:
        reason = error.response.get("error", "unknown error")
        raise StartupError(
            f"SLACK_BOT_TOKEN was refused by Slack ({reason}): copy the Bot User OAuth Token {FROM_APP}, OAuth & Permissions."
        ) from None
    except (SlackClientError, OSError) as error:
        raise StartupError(
            f"Could not reach Slack at {settings.slack_api_url} ({error}); check the network or SLACK_API_URL.", exit_status=1
        ) from None


def prepare(settings: Settings, *, clock: Clock = system_clock) -> str | None:
    """Migrate, then create or update the workspace's program. Returns the team ID.

    With several workspaces, only migrates (and returns None): each workspace's program is
    created when it installs the app (mentorbot/workspaces.py)."""
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        if settings.several_workspaces:
            return None
        team_id = workspace_team_id(make_web_client(settings, retries=False), settings)
        with session_scope(make_session_factory(engine)) as session:
            ensure_program(
                session,
                team_id=team_id,
                settings=ProgramSettings(
                    time_zone=settings.time_zone,
                    coordinator_channel_id=settings.coordinator_channel_id,
                    summary_at=settings.summary_at,
                    check_in_minimum_answers=settings.check_in_minimum,
                ),
                now=clock(),
            )
        return team_id
    except SQLAlchemyError as error:
        raise StartupError(
            f"Could not open the database named by DATABASE_URL ({error.__class__.__name__}: {error.orig if hasattr(error, 'orig') else error}).",
            exit_status=1,
        ) from None
    finally:
        engine.dispose()


def clock_for(settings: Settings) -> Clock:
    """The system clock, or the clock file's moment when MENTORBOT_CLOCK_FILE is set (rehearsals, tests)."""
    return FileClock(settings.clock_file) if settings.clock_file is not None else system_clock


def run_every_job(ctx: JobContext) -> None:
    """Every job once, now: decisions first, deliveries last, so what a sweep queued goes out in the same pass."""
    for spec in sorted(all_jobs(), key=lambda spec: spec.run is deliver_outbox_job):
        run_job(spec, ctx)


@dataclass
class Runtime:
    """What one serving process holds, so it can be stopped in order."""

    settings: Settings
    engine: Engine
    services: Services
    scheduler: BackgroundScheduler | None = None
    clock_watch: tuple[threading.Event, threading.Thread] | None = None  # following the clock file

    def build_app(self, *, socket_mode: bool = False, process_before_response: bool = False) -> App:
        oauth = None
        if self.settings.several_workspaces:
            oauth = oauth_settings(
                self.settings, engine=self.engine, session_factory=self.services.session_factory, clock=self.services.clock
            )
        app, _ = build_app(
            self.services,
            client=make_web_client(self.settings),
            signing_secret=self.settings.signing_secret,
            socket_mode=socket_mode,
            process_before_response=process_before_response,
            oauth=oauth,
        )
        return app

    def job_context(self) -> JobContext:
        """What the scheduler hands each job: with several workspaces, each program's workspace's token."""
        return JobContext(
            session_factory=self.services.session_factory,
            clock=self.services.clock,
            slack=make_web_client(self.settings, retries=False),
            meeting_guides=GuideBook(self.settings.meeting_guides),
            workspace_clients=(
                WorkspaceClients(self.settings, self.services.session_factory) if self.settings.several_workspaces else None
            ),
        )

    def start_scheduler(self) -> None:
        ctx = self.job_context()
        self.scheduler = build_scheduler(ctx)
        self.scheduler.start()
        log.info("scheduler started with %d jobs", len(self.scheduler.get_jobs()))
        if isinstance(ctx.clock, FileClock):
            stop = threading.Event()
            self.clock_watch = stop, run_when_moved(ctx.clock, lambda: run_every_job(ctx), stop)
            log.info(
                "clock file %s: the bot's time is %s; every job runs whenever it changes", ctx.clock.path, ctx.clock().isoformat()
            )

    def stop(self) -> None:
        if self.clock_watch is not None:
            stop, watcher = self.clock_watch
            stop.set()
            watcher.join()  # lets a pass of the jobs finish its unit of work
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # lets the running job finish its unit of work
            log.info("scheduler stopped")
        self.services.work.shutdown(wait=True)  # finish answers already acknowledged
        self.engine.dispose()


def _metadata_secret(settings: Settings) -> str:
    """What seals modals' private_metadata: the signing secret (HTTP), else a secret the process has."""
    for secret in (settings.signing_secret, settings.bot_token, settings.oauth.client_secret if settings.oauth else None):
        if secret:
            return secret
    raise AssertionError("load_settings requires a bot token or the OAuth client's secret")


def open_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    clock = clock or clock_for(settings)
    engine = make_engine(settings.database_url)
    services = Services(
        session_factory=make_session_factory(engine),
        metadata_key=metadata_key(_metadata_secret(settings)),
        clock=clock,
        work=after_ack_pool(),
    )
    return Runtime(settings=settings, engine=engine, services=services)


def _stop_on_signals() -> threading.Event:
    """From this call on, SIGINT or SIGTERM sets the returned event instead of killing the process.
    Call it before starting the scheduler, so a signal that arrives while it starts (its jobs run
    at once) still shuts down cleanly; "connected" is logged after it, so it means ready."""
    stop = threading.Event()

    def _handle(signum: int, _frame: Any) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, _handle)
    signal.signal(signal.SIGTERM, _handle)
    return stop


def serve_socket_mode(settings: Settings, *, with_scheduler: bool) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    prepare(settings, clock=clock_for(settings))
    runtime = open_runtime(settings)
    app = runtime.build_app(socket_mode=True)
    handler = SocketModeHandler(app, settings.app_token)
    try:
        handler.connect()
    except SlackApiError as error:
        runtime.stop()
        reason = error.response.get("error", "unknown error")
        raise StartupError(
            f"SLACK_APP_TOKEN was refused by Slack ({reason}): create an App-Level Token with the "
            f"connections:write scope {FROM_APP}, Basic Information, and check that Socket Mode is on."
        ) from None
    except (SlackClientError, OSError) as error:
        runtime.stop()
        raise StartupError(
            f"Could not open a Socket Mode connection to Slack ({error}); check the network.", exit_status=1
        ) from None
    if not handler.client.is_connected():  # slack_sdk logs a refused WebSocket instead of raising
        host = urlsplit(handler.client.wss_uri or "").hostname
        handler.close()
        runtime.stop()
        raise StartupError(
            f"Could not open a Socket Mode connection to Slack: the WebSocket at {host} could not be reached or "
            "refused the handshake; check that the network allows outgoing wss:// connections.",
            exit_status=1,
        )
    stop = _stop_on_signals()
    if with_scheduler:
        runtime.start_scheduler()
    log.info("connected to Slack in Socket Mode")
    try:
        stop.wait()
    finally:
        handler.close()
        runtime.stop()


def run_scheduler_only(settings: Settings) -> None:
    prepare(settings, clock=clock_for(settings))
    runtime = open_runtime(settings)
    stop = _stop_on_signals()
    runtime.start_scheduler()
    try:
        stop.wait()
    finally:
        runtime.stop()


def serve_http(settings: Settings, *, host: str, port: int, workers: int, threads: int, with_scheduler: bool) -> None:
    """Serve under gunicorn (gthread workers). Each worker builds its own app, engine and,
    unless disabled, scheduler after the fork: connections and threads never cross a fork."""
    from gunicorn.app.base import BaseApplication

    prepare(settings, clock=clock_for(settings))
    runtimes: list[Runtime] = []

    def load_wsgi() -> Callable[..., Iterable[bytes]]:
        runtime = open_runtime(settings)
        runtimes.append(runtime)
        app = runtime.build_app()
        if with_scheduler:
            runtime.start_scheduler()
        return make_wsgi_app(app, lambda: database_health(runtime.engine), signing_secret=settings.signing_secret or "")

    def worker_exit(_server: Any, _worker: Any) -> None:
        for runtime in runtimes:
            runtime.stop()

    class MentorbotServer(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 30,
                "graceful_timeout": 20,
                "keepalive": 5,
                "worker_exit": worker_exit,
                "proc_name": "mentorbot",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Callable[..., Iterable[bytes]]:
            return load_wsgi()

    MentorbotServer().run()
