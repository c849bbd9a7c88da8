"""End to end: `mentorbot run --http` as a real process, spoken to over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from storage.models import Role
from tests.conftest import SIGNING_SECRET
from tests.support import factories
from tests.support import slack_requests as slack


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mentorbot_command() -> list[str]:
    script = Path(sys.executable).with_name("mentorbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def server(fake_slack, database_url, arrange, tmp_path):
    with arrange() as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.RESIDENT, slack_user_id="URES1", name="Riley Resident")
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": database_url,
    }
    env.pop("SLACK_APP_TOKEN", None)
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [*_mentorbot_command(), "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _get(base + "/healthz")[0] == 200:
                break
        except OSError:
            pass
        assert process.poll() is None, (tmp_path / "server.log").read_text()
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("server did not become healthy:\n" + (tmp_path / "server.log").read_text())
    yield base, process
    if process.poll() is None:
        process.kill()
        process.wait()
    log.close()


def test_signed_help_is_acked_then_answered_privately(server, fake_slack):
    base, _ = server
    request = slack.signed(SIGNING_SECRET, slack.slash_command("help", user_id="URES1", response_url=fake_slack.response_url("e2e")))
    status, body, _ = request.post(base + "/slack/events")
    assert (status, body) == (200, "")
    fake_slack.wait_for("response_url")
    [answer] = fake_slack.responses("e2e")
    assert answer["response_type"] == "ephemeral" and "/mentor help" in answer["text"]


@pytest.mark.parametrize("secret, age", [("wrong-secret", 0), (SIGNING_SECRET, 600)])
def test_bad_or_stale_signature_gets_401(server, fake_slack, secret, age):
    base, _ = server
    built = slack.slash_command("help", user_id="URES1", response_url=fake_slack.response_url("bad"))
    request = slack.signed(secret, built, timestamp=int(time.time()) - age)
    status, _, _ = request.post(base + "/slack/events")
    assert status == 401
    assert fake_slack.responses("bad") == []


def test_healthz_and_unknown_paths(server):
    base, _ = server
    assert _get(base + "/healthz") == (200, {"status": "ok", "database": "ok"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(base + "/nope", timeout=2)
    assert error.value.code == 404


def test_sigterm_shuts_down_cleanly(server):
    _, process = server
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
