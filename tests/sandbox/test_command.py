"""`mentorbot sandbox` as a person starts it, and the errors that point to it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from mentorbot.cli import main
from sandbox.app import Sandbox, SandboxError
from tests.mentorbot.test_http_server import _mentorbot_command

ADDRESS = re.compile(r"open (http://127\.0\.0\.1:\d+/) in your browser")


def test_the_command_starts_on_loopback_with_its_own_database_file_and_stops_on_sigterm(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "MENTORBOT_"))}
    env["DATABASE_URL"] = "sqlite:///" + str(tmp_path / "real-program.db")  # must be left alone
    log_path = tmp_path / "sandbox.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*_mentorbot_command(), "sandbox", "--port", "0"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 30
            while not (found := ADDRESS.search(log_path.read_text())):
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the sandbox printed no address:\n" + log_path.read_text()
                time.sleep(0.1)
            with urllib.request.urlopen(found.group(1) + "api/people", timeout=5) as response:
                people = json.loads(response.read())["people"]
            assert len(people) == 30
            assert {p["role"] for p in people} == {"coordinator", "faculty", "resident"}
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0, log_path.read_text()
    assert (tmp_path / "mentorbot-sandbox.db").exists()
    assert not (tmp_path / "real-program.db").exists()
    assert "Traceback" not in log_path.read_text()


def test_a_database_that_already_holds_a_program_is_refused(database_url: str):
    Sandbox(database_url).stop()  # seeds a program there
    with pytest.raises(SandboxError, match="needs an empty database"):
        Sandbox(database_url).stop()


def test_missing_slack_tokens_say_how_to_start_the_sandbox(monkeypatch, capsys):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "SLACK_BOT_TOKEN is not set" in err[0] and "scripts/sandbox" in err[0]

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "SLACK_APP_TOKEN is not set" in err[0] and "scripts/sandbox" in err[0]
