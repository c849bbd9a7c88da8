"""HTTP mode: Slack's requests at POST /slack/events and a health check, as one WSGI app."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage import migrate

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


@dataclass(frozen=True)
class Health:
    """What /healthz reports: the database answers, and its schema is the one this code expects."""

    database: str  # "ok" | "unreachable"
    schema: str  # "current" | "missing" | "not at the current migration" | "unknown"

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.schema == "current"

    def as_json(self) -> dict[str, str]:
        return {"status": "ok" if self.ok else "unavailable", "database": self.database, "schema": self.schema}


def database_health(engine: Engine) -> Health:
    """Every request needs the tables of the current migration: an empty database, or one a
    migration behind or ahead of this code, is as unusable as an unreachable one."""
    try:
        revision = migrate.current_revision(engine)
    except SQLAlchemyError as error:
        log.error("health check: database unreachable (%s)", error.__class__.__name__)
        return Health(database="unreachable", schema="unknown")
    if revision is None:
        return Health(database="ok", schema="missing")
    if revision != migrate.head_revision():
        return Health(database="ok", schema="not at the current migration")
    return Health(database="ok", schema="current")


def make_wsgi_app(app: App, health_check: Callable[[], Health]) -> Callable[..., Iterable[bytes]]:
    slack_handler = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            health = health_check()
            body = json.dumps(health.as_json()).encode()
            status = "200 OK" if health.ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack_handler(environ, start_response)

    return wsgi
