"""`GET /healthz` tells the truth: 200 only when the database answers AND its schema is at the
current migration; every other state a process can find its database in is a 503.

The states walked here are the whole class: current, empty (nothing migrated), behind (an older
revision), ahead (a revision this code does not know, e.g. after a rollback of the code), and
unreachable. A load balancer routes by this answer, so a 200 while every request fails is a lie.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from slack_bolt import App
from sqlalchemy import Engine, text

from mentorbot.http_server import HEALTH_PATH, database_health, make_wsgi_app
from storage import migrate
from storage.db import make_engine
from tests.support.database import TEST_DATABASE_URL, private_postgres_database


def _get_health(engine: Engine) -> tuple[int, dict]:
    # The health check needs no Slack: an app that never calls auth.test is enough.
    app = App(token="xoxb-unused", signing_secret="unused", token_verification_enabled=False)
    wsgi = make_wsgi_app(app, health_check=lambda: database_health(engine), signing_secret="unused")
    answer: dict = {}

    def start_response(status: str, headers: list) -> None:
        answer["status"] = int(status.split()[0])

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": HEALTH_PATH, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.input": io.BytesIO()}
    body = b"".join(wsgi(environ, start_response))
    return answer["status"], json.loads(body)


def _set_revision(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


@contextmanager
def _database(backend: str, tmp_path: Path, *, migrated: bool) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'health.db'}")
        if migrated:
            migrate.upgrade(engine)
        yield engine
        engine.dispose()
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    with private_postgres_database(TEST_DATABASE_URL, migrated=migrated) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _older(engine: Engine) -> None:
    _set_revision(engine, "0000_older")


def _newer(engine: Engine) -> None:
    _set_revision(engine, "9999_from_newer_code")


def _no_revision_row(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))


STATES: dict[str, tuple[bool, Callable[[Engine], None] | None, int, str]] = {
    # name: (migrated first, then this change, expected status, expected "schema")
    "current": (True, None, 200, "current"),
    "empty": (False, None, 503, "missing"),
    "behind": (True, _older, 503, "not at the current migration"),
    "ahead": (True, _newer, 503, "not at the current migration"),
    "stamp lost": (True, _no_revision_row, 503, "missing"),
}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("state", list(STATES))
def test_healthz_is_200_only_at_the_current_migration(backend, state, tmp_path):
    migrated, change, expected_status, expected_schema = STATES[state]
    with _database(backend, tmp_path, migrated=migrated) as engine:
        if change is not None:
            change(engine)
        status, body = _get_health(engine)
    assert status == expected_status, body
    assert body["database"] == "ok"
    assert body["schema"] == expected_schema
    assert body["status"] == ("ok" if expected_status == 200 else "unavailable")


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}")
    status, body = _get_health(engine)
    engine.dispose()
    assert (status, body["database"], body["status"]) == (503, "unreachable", "unavailable")
