"""End to end: `mentorbot run --http` as a real process, spoken to over real HTTP.

Run on SQLite, the default deployment; the PostgreSQL paths are covered in-process elsewhere.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack
from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Role
from tests.conftest import SIGNING_SECRET
from tests.support import factories


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mentorbot_command() -> list[str]:
    script = Path(sys.executable).with_name("mentorbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mentorbot.cli"]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@contextmanager
def running_server(fake_slack: FakeSlack, directory: Path, *, verbose: bool = False) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real `mentorbot run --http` process on a fresh SQLite file, healthy before it is yielded;
    its standard output and error go to `server.log` in `directory`."""
    database_url = f"sqlite:///{directory / 'mentorbot.db'}"
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.RESIDENT, slack_user_id="URES1", name="Riley Resident")
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": database_url,
    }
    env.pop("SLACK_APP_TOKEN", None)
    log_path = directory / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*_mentorbot_command(), *(["-v"] if verbose else []), "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=directory, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "server did not become healthy:\n" + log_path.read_text()
                try:
                    if _get(base + "/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            yield base, process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def module_fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
        assert fake.violations == []


@pytest.fixture(scope="module")
def server(module_fake_slack, tmp_path_factory):
    """One server for the tests that leave it running (starting one takes seconds)."""
    with running_server(module_fake_slack, tmp_path_factory.mktemp("server")) as running:
        yield running


def test_signed_help_is_acked_then_answered_privately(server, module_fake_slack):
    fake_slack = module_fake_slack
    base, _ = server
    request = slack.signed(
        SIGNING_SECRET, slack.slash_command("help", user_id="URES1", response_url=fake_slack.response_url("e2e"))
    )
    status, body, _ = request.post(base + "/slack/events")
    assert (status, body) == (200, "")
    fake_slack.wait_for("response_url")
    [answer] = fake_slack.responses("e2e")
    assert answer["response_type"] == "ephemeral" and "/mentor help" in answer["text"]


@pytest.mark.parametrize(("secret", "age"), [("wrong-secret", 0), (SIGNING_SECRET, 600)])
def test_bad_or_stale_signature_gets_401(server, module_fake_slack, secret, age):
    fake_slack = module_fake_slack
    base, _ = server
    built = slack.slash_command("help", user_id="URES1", response_url=fake_slack.response_url("bad"))
    request = slack.signed(secret, built, timestamp=int(time.time()) - age)
    status, _, _ = request.post(base + "/slack/events")
    assert status == 401
    assert fake_slack.responses("bad") == []


def test_healthz_and_unknown_paths(server):
    base, _ = server
    assert _get(base + "/healthz") == (200, {"status": "ok", "database": "ok", "schema": "current"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(base + "/nope", timeout=2)
    assert error.value.code == 404


def test_sigterm_shuts_down_cleanly(fake_slack, tmp_path):
    with running_server(fake_slack, tmp_path) as (_, process):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
