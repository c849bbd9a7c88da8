"""HTTP mode: Slack's requests at POST /slack/events and a health check, as one WSGI app."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import parse_body
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.payloads import malformed
from bot.signatures import signature_problem, wall_clock
from storage import migrate

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's requests are a few kilobytes; the largest, a modal's submission, stays well under 100 KB.
MAX_BODY_BYTES = 1024 * 1024


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


@dataclass(frozen=True)
class Refusal:
    status: str
    error: str


TOO_LARGE = Refusal("413 Content Too Large", "request body too large")
UNAUTHORIZED = Refusal("401 Unauthorized", "invalid request")
MALFORMED = Refusal("400 Bad Request", "malformed request")


def read_slack_request(environ: dict[str, Any], *, signing_secret: str, now: float) -> bytes | Refusal:
    """The body of a request Slack signed, in a shape Bolt can parse; or why it is refused.

    In this order, so that nothing unauthenticated is ever parsed and nothing large is read: a
    body above MAX_BODY_BYTES is refused without reading it (413); then the signature (401); then
    the body must be the form or JSON object its content type says (400). Nothing of the body is
    logged."""
    stream = environ.get("wsgi.input") or BytesIO()
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared:
        if not declared.isascii() or not declared.isdigit():
            return MALFORMED
        if int(declared) > MAX_BODY_BYTES:
            return TOO_LARGE
        body = stream.read(int(declared))
    else:  # no length given (a chunked request): read no more than the limit allows
        body = stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return TOO_LARGE
    problem = signature_problem(
        signing_secret,
        body=body,
        timestamp=environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
        signature=environ.get("HTTP_X_SLACK_SIGNATURE"),
        now=now,
    )
    if problem is not None:
        log.info("refused a request of %d bytes with %s", len(body), problem)
        return UNAUTHORIZED
    content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    try:
        parsed = parse_body(body.decode("utf-8"), content_type or None)  # exactly as Bolt will parse it
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep, a 5,000-digit number
        parsed = None
    problem = malformed(parsed)  # Slack's shape (bot/payloads.py): Bolt reads it before any middleware
    if problem is not None:
        log.info("refused a signed request of %d bytes: %s", len(body), problem[:200])
        return MALFORMED
    return body


def _refuse(refusal: Refusal, start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = json.dumps({"error": refusal.error}).encode()
    start_response(refusal.status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def make_wsgi_app(
    app: App, health_check: Callable[[], Health], *, signing_secret: str, now: Callable[[], float] = wall_clock
) -> Callable[..., Iterable[bytes]]:
    slack_handler = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            health = health_check()
            body = json.dumps(health.as_json()).encode()
            status = "200 OK" if health.ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            checked = read_slack_request(environ, signing_secret=signing_secret, now=now())
            if isinstance(checked, Refusal):
                return _refuse(checked, start_response)
            environ = {**environ, "wsgi.input": BytesIO(checked), "CONTENT_LENGTH": str(len(checked))}
        return slack_handler(environ, start_response)

    return wsgi
