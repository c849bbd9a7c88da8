"""Ack latency of `/mentor help` over real HTTP: Mentorbot against a bare Bolt app that only acks.

Both run under gunicorn with the same worker settings, against the same fake Slack, in the same
run; signed requests come from 1, 10 and 50 concurrent clients. Prints p50/p99 for each and
their ratio (Mentorbot / bare). Usage: .venv/bin/python benchmarks/ack_latency.py [--requests N]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from sandbox import slack_requests as slack  # noqa: E402
from sandbox.fake_slack import FakeSlack  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, make_session_factory, session_scope  # noqa: E402
from storage.models import Role  # noqa: E402
from storage.programs import ProgramSettings, ensure_program  # noqa: E402
from storage.roster import RosterEntry, upsert_people  # noqa: E402

SECRET = "bench-secret"
THREADS = "16"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early ({process.returncode})")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # answering at all is enough for the bare app
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} never answered")


def seed(database_url: str, team_id: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    from datetime import datetime

    with session_scope(make_session_factory(engine)) as session:
        program = ensure_program(
            session, team_id=team_id, settings=ProgramSettings(time_zone="America/New_York"), now=datetime.now(UTC)
        )
        upsert_people(
            session,
            program=program,
            entries=[RosterEntry("U0BENCH1", "Bench Resident", Role.RESIDENT)],
            now=datetime.now(UTC),
        )
    engine.dispose()


def measure(url: str, response_url: str, clients: int, requests_per_client: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        mine = []
        for _ in range(requests_per_client):
            request = slack.signed(SECRET, slack.slash_command("help", user_id="U0BENCH1", response_url=response_url))
            started = time.perf_counter()
            status, _, _ = request.post(url, timeout=30)
            mine.append(time.perf_counter() - started)
            if status != 200:
                raise SystemExit(f"unexpected status {status}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300, help="requests per concurrency level and server")
    args = parser.parse_args()

    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed(database_url, fake.team_id)
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.url,
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
        }
        env.pop("SLACK_APP_TOKEN", None)
        bot_port, bare_port = free_port(), free_port()
        mentorbot = [str(Path(sys.executable).with_name("mentorbot"))]
        if not Path(mentorbot[0]).exists():
            mentorbot = [sys.executable, "-m", "mentorbot.cli"]
        bot = subprocess.Popen(
            [*mentorbot, "run", "--http", "--host", "127.0.0.1", "--port", str(bot_port), "--threads", THREADS],
            env=env,
            cwd=tmp,
            stderr=subprocess.DEVNULL,
        )
        bare = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "benchmarks.bare_bolt_app:wsgi", "-k", "gthread", "--threads", THREADS, "-w", "1", "-b", f"127.0.0.1:{bare_port}"],
            env=env, cwd=ROOT, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_healthy(f"http://127.0.0.1:{bot_port}/healthz", bot)
            wait_healthy(f"http://127.0.0.1:{bare_port}/", bare)
            targets = {
                "mentorbot": f"http://127.0.0.1:{bot_port}/slack/events",
                "bare bolt": f"http://127.0.0.1:{bare_port}/slack/events",
            }
            for url in targets.values():  # warm up both
                measure(url, fake.response_url("warm"), 2, 10)
            print(f"ack latency of signed /mentor help over HTTP, {args.requests} requests per cell (ms)")
            print(f"{'clients':>7} | {'mentorbot p50':>13} {'p99':>7} | {'bare p50':>8} {'p99':>7} | {'ratio p50':>9} {'p99':>6}")
            for clients in (1, 10, 50):
                per_client = max(1, args.requests // clients)
                results = {}
                for name, url in targets.items():
                    results[name] = measure(url, fake.response_url(f"{name}-{clients}"), clients, per_client)
                m, b = results["mentorbot"], results["bare bolt"]
                mp50, mp99, bp50, bp99 = (
                    percentile(m, 50) * 1000,
                    percentile(m, 99) * 1000,
                    percentile(b, 50) * 1000,
                    percentile(b, 99) * 1000,
                )
                print(
                    f"{clients:>7} | {mp50:>13.1f} {mp99:>7.1f} | {bp50:>8.1f} {bp99:>7.1f} | {mp50 / bp50:>9.2f} {mp99 / bp99:>6.2f}"
                )
            sent = sum(max(1, args.requests // clients) * clients for clients in (1, 10, 50))
            deadline = time.monotonic() + 30
            while (
                time.monotonic() < deadline and len([c for c in fake.calls_to("response_url") if "/mentorbot-" in c.path]) < sent
            ):
                time.sleep(0.1)
            answered = len([c for c in fake.calls_to("response_url") if "/mentorbot-" in c.path])
            print(f"mentorbot answered {answered} of its {sent} measured requests privately through response_url, after each ack")
        finally:
            for process in (bot, bare):
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
