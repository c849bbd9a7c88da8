"""Several real `mentorbot` processes on one database, the way a deployment runs them: HTTP
replicas behind a round-robin load balancer, and standalone schedulers, all on one clock file
(MENTORBOT_CLOCK_FILE, see bot/clock_file.py) that the test moves.

Only the command line, HTTP, the clock file and the processes' logs (at INFO: the schedulers'
"every job ran at" lines) are used: nothing here imports the bot.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sandbox.slack_requests import SignedRequest

START_TIMEOUT = 60.0
JOBS_TIMEOUT = 60.0
EVERY_JOB_RAN = "clock file: every job ran at "


def mentorbot_command() -> list[str]:
    script = Path(sys.executable).with_name("mentorbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mentorbot.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_command(args: Sequence[str], env: Mapping[str, str], cwd: Path) -> str:
    """One `mentorbot` command to completion; its output, or an assertion naming what went wrong."""
    done = subprocess.run([*mentorbot_command(), *args], env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"mentorbot {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


class ClockFile:
    """The deployment's time. Each write replaces the file whole (a reader never sees half a line)."""

    def __init__(self, path: Path, moment: datetime) -> None:
        self.path = path
        self.moment = moment
        self._write()

    def _write(self) -> None:
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(self.moment.isoformat() + "\n", encoding="utf-8")
        os.replace(partial, self.path)  # a new file each time: the schedulers see a change even for the same moment

    def set(self, moment: datetime) -> None:
        self.moment = moment
        self._write()

    def touch(self) -> None:
        """Same moment, but every scheduler runs every job once more."""
        self._write()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def passes_at(self, moment: datetime) -> int:
        """How many times this scheduler has run every job at `moment`."""
        return self.log().count(EVERY_JOB_RAN + moment.isoformat())


@dataclass
class Deployment:
    """`replicas` x `mentorbot run --http --no-scheduler` and `schedulers` x `mentorbot scheduler`."""

    directory: Path
    env: dict[str, str]
    replicas: int = 3
    schedulers: int = 2
    threads: int = 8  # per replica's gunicorn worker
    settled: Callable[[], bool] = lambda: True
    http: list[tuple[str, Process]] = field(default_factory=list)  # (base URL, process)
    jobs: list[Process] = field(default_factory=list)
    _next: itertools.cycle[int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _spawn(self, name: str, args: list[str]) -> Process:
        log_path = self.directory / f"{name}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                [*mentorbot_command(), *args], env=self.env, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT
            )
        return Process(name, popen, log_path)

    def __enter__(self) -> Deployment:
        try:
            for number in range(1, self.replicas + 1):
                port = free_port()
                args = [
                    "run",
                    "--http",
                    "--no-scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--threads",
                    str(self.threads),
                ]
                self.http.append((f"http://127.0.0.1:{port}", self._spawn(f"replica{number}", args)))
            self.jobs = [self._spawn(f"scheduler{n}", ["scheduler"]) for n in range(1, self.schedulers + 1)]
            self._wait_until_ready()
        except BaseException:
            self.kill()
            raise
        self._next = itertools.cycle(range(len(self.http)))
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()

    @property
    def processes(self) -> list[Process]:
        return [process for _, process in self.http] + self.jobs

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        waiting = {process.name for process in self.processes}
        while waiting:
            for base, process in self.http:
                if process.name in waiting and self._healthy(base):
                    waiting.discard(process.name)
            for process in self.jobs:
                if process.name in waiting and "every job runs whenever it changes" in process.log():
                    waiting.discard(process.name)
            for process in self.processes:
                assert process.popen.poll() is None, f"{process.name} exited:\n{process.log()}"
            assert time.monotonic() < deadline, f"not ready in {START_TIMEOUT}s: {sorted(waiting)}"
            time.sleep(0.1)

    @staticmethod
    def _healthy(base: str) -> bool:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                return response.status == 200 and json.loads(response.read())["status"] == "ok"
        except (OSError, ValueError):
            return False

    def post(self, request: SignedRequest, *, replica: int | None = None) -> tuple[int, str]:
        """What a load balancer does: the next replica in turn (or the one named) gets the request."""
        if replica is None:
            assert self._next is not None
            with self._lock:
                replica = next(self._next)
        base, _ = self.http[replica % len(self.http)]
        status, body, _ = request.post(base + "/slack/events", timeout=10)
        return status, body

    def run_every_job(self, clock: ClockFile, moment: datetime | None = None) -> None:
        """Move the clock (or touch it) and wait until every scheduler has run every job at that moment,
        and `settled()` holds (e.g. no message is still on its way to Slack from an interval run)."""
        target = moment or clock.moment
        before = [process.passes_at(target) for process in self.jobs]
        if moment is None:
            clock.touch()
        else:
            clock.set(moment)
        deadline = time.monotonic() + JOBS_TIMEOUT
        while any(process.passes_at(target) <= seen for process, seen in zip(self.jobs, before, strict=True)):
            for process in self.jobs:
                assert process.popen.poll() is None, f"{process.name} exited:\n{process.log()}"
            assert time.monotonic() < deadline, f"the schedulers did not run every job at {target} in {JOBS_TIMEOUT}s"
            time.sleep(0.05)
        while not self.settled():
            assert time.monotonic() < deadline, f"not settled {JOBS_TIMEOUT}s after the jobs ran at {target}"
            time.sleep(0.05)

    def stop(self) -> dict[str, int]:
        """SIGTERM to every process; their exit statuses."""
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        statuses = {}
        for process in self.processes:
            try:
                statuses[process.name] = process.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                statuses[process.name] = process.popen.wait()
        return statuses

    def kill(self) -> None:
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.kill()
                process.popen.wait()
