"""End to end: `mentorbot run` (Socket Mode, the default) as a real process, spoken to over a
real WebSocket the way Slack does: apps.connections.open, handshake, hello, envelopes, acks.

Run on SQLite, the default deployment, with the scheduler on, as an operator would start it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mentorbot.cli import main
from sandbox.fake_slack import FakeSlack
from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Role
from tests.mentorbot.test_http_server import _mentorbot_command
from tests.support import factories
from tests.support.fake_socket_mode import FakeSocketMode

APP_TOKEN = "xapp-1-A0001-test-token"
READY_LINE = "connected to Slack in Socket Mode"
ACK_SECONDS = 3.0  # Slack's limit for acknowledging a slash command


@pytest.fixture
def socket_mode(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode(app_id=fake_slack.app_id) as server:
        fake_slack.socket_mode_url = server.url
        yield server
        assert server.violations == []


def _wait_until(ready, process: subprocess.Popen, log_path: Path, what: str, timeout: float = 30.0) -> None:
    """Poll ``ready()`` while the process lives; bounded, and says why when it gives up."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, f"mentorbot exited ({process.returncode}) before {what}:\n{log_path.read_text()}"
        assert time.monotonic() < deadline, f"no {what} within {timeout}s:\n{log_path.read_text()}"
        time.sleep(0.05)


@contextmanager
def running_bot(fake_slack: FakeSlack, socket_mode: FakeSocketMode, directory: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A real `mentorbot run` on a fresh SQLite file, connected and ready before it is yielded."""
    database_url = f"sqlite:///{directory / 'mentorbot.db'}"
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.RESIDENT, slack_user_id="URES1", name="Riley Resident")
    engine.dispose()
    env = {
        **os.environ,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": database_url,
    }
    env.pop("SLACK_SIGNING_SECRET", None)  # Socket Mode needs none
    log_path = directory / "bot.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([*_mentorbot_command(), "run"], env=env, cwd=directory, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until(lambda: socket_mode.open_connections > 0, process, log_path, "WebSocket connection")
            # Logged once SIGTERM is handled and the scheduler runs: the bot is fully started.
            _wait_until(lambda: READY_LINE in log_path.read_text(), process, log_path, repr(READY_LINE))
            yield process, log_path
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _slash_command(fake_slack: FakeSlack, text: str, *, user_id: str, response_name: str) -> dict[str, str]:
    """A slash command's envelope payload: the fields Slack would POST as a form in HTTP mode."""
    return {
        "token": "legacy-verification-token", "team_id": fake_slack.team_id, "team_domain": "fake-workspace",
        "channel_id": "D123", "channel_name": "directmessage", "user_id": user_id, "user_name": user_id.lower(),
        "command": "/mentor", "text": text, "api_app_id": fake_slack.app_id, "is_enterprise_install": "false",
        "response_url": fake_slack.response_url(response_name), "trigger_id": f"trig-{response_name}",
    }  # fmt: skip


def test_socket_mode_acks_answers_and_stops_cleanly_on_sigterm(fake_slack, socket_mode, tmp_path):
    with running_bot(fake_slack, socket_mode, tmp_path) as (process, log_path):
        [opened] = fake_slack.calls_to("apps.connections.open")
        assert opened.ok and opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"

        help_id = socket_mode.send_envelope(
            "slash_commands", _slash_command(fake_slack, "help", user_id="URES1", response_name="sm")
        )
        assert socket_mode.wait_for_ack(help_id, timeout=ACK_SECONDS) == {"envelope_id": help_id}
        fake_slack.wait_for("response_url", timeout=10)
        [answer] = fake_slack.responses("sm")
        assert answer["response_type"] == "ephemeral" and "/mentor help" in answer["text"]

        stranger_id = socket_mode.send_envelope(
            "slash_commands", _slash_command(fake_slack, "help", user_id="USTRANGER", response_name="stranger")
        )
        assert socket_mode.wait_for_ack(stranger_id, timeout=ACK_SECONDS) == {"envelope_id": stranger_id}
        fake_slack.wait_for("response_url", count=2, timeout=10)
        [refusal] = fake_slack.responses("stranger")
        assert refusal["response_type"] == "ephemeral" and "not on the mentorship program's roster" in refusal["text"]

        # The app sent nothing but one ack per envelope (the hello needs no answer).
        assert socket_mode.received == [{"envelope_id": help_id}, {"envelope_id": stranger_id}]

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log_path.read_text()
        output = log_path.read_text()
        assert "received SIGTERM, shutting down" in output and "Traceback" not in output, output
    assert fake_slack.violations == []


def test_an_unreachable_websocket_is_one_line_and_exit_1(fake_slack, database_url, monkeypatch, tmp_path, capsys, caplog):
    """apps.connections.open works but the WebSocket is refused (a firewall): slack_sdk only logs
    that, so without a check the bot would claim to be connected and retry forever."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once closed
    fake_slack.socket_mode_url = f"ws://127.0.0.1:{port}/link/?ticket=fake-ticket"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    for name, value in (("SLACK_APP_TOKEN", APP_TOKEN), ("SLACK_BOT_TOKEN", "xoxb-test-token"),
                        ("SLACK_API_URL", fake_slack.url), ("DATABASE_URL", database_url)):  # fmt: skip
        monkeypatch.setenv(name, value)
    assert main(["run", "--no-scheduler"]) == 1
    err = capsys.readouterr().err
    assert "Could not open a Socket Mode connection to Slack: the WebSocket at 127.0.0.1" in err and "Traceback" not in err
    assert READY_LINE not in caplog.messages
