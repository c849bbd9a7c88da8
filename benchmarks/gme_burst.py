"""July 1 at a large GME office: 20 programs x (100 residents + 150 faculty) = 2,000 residents
and 3,000 faculty, invited at once, opening and submitting their forms, then introduced to their
mentors. Run against one HTTP replica and against three, on PostgreSQL, against the fake Slack.

Until Mentorbot has several programs per workspace, each program is its own workspace (team
T0001..T0020) in one database, served by the same processes: every request names its team, and
lookups are per program, so the database holds and searches what a 20-program office would.

Phases, on a clock file (MENTORBOT_CLOCK_FILE) set to the academic year's first day:
1. invitations: the schedulers open 20 rounds and deliver 5,000 DMs (passes run back to back);
2. the burst: every person clicks their invitation's button (views.open), residents search the
   faculty list (options), everyone submits (view_submission) and opens the App Home; people
   start at `--rate` per second (the ten minutes compressed), `--clients` at a time at most;
3. introductions: after the deadline the matcher runs, each program's coordinator approves,
   and the group DMs go out.

Prints, per configuration: ack latency p50/p99 per request kind, requests/s, PostgreSQL's busy
time (pg_stat_database.active_time) against the processes' CPU, outbox delivery rate (and what
Slack's published limits would allow), and peak RSS per process.

Usage: .venv/bin/python benchmarks/gme_burst.py [--postgres URL] [--programs 20] [--residents 100]
       [--faculty 150] [--rate 40] [--clients 48] [--replicas 1 3]
Bounded: every loop has a deadline; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from mentoring.preferences import FocusArea  # noqa: E402
from sandbox import slack_requests as slack  # noqa: E402
from sandbox.fake_slack import FakeSlack  # noqa: E402
from storage.db import make_engine, make_session_factory, session_scope  # noqa: E402
from storage.models import OutboxMessage, OutboxState, Role  # noqa: E402
from storage.programs import ProgramSettings, ensure_program  # noqa: E402
from storage.roster import RosterEntry, upsert_people  # noqa: E402
from tests.support.database import private_postgres_database  # noqa: E402
from tests.support.deployment import ClockFile, Deployment, Process  # noqa: E402
from tests.support.forms import offer_values, request_values  # noqa: E402
from views.ids import ACTION_OPEN_OFFER, ACTION_OPEN_REQUEST, ACTION_PICK_MENTOR, ACTION_REVIEW_PROPOSAL  # noqa: E402

SECRET = "bench-signing-secret"
OPENING = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)  # 10:00 in New York, a Wednesday
AFTER_DEADLINE = datetime(2026, 7, 16, 14, 0, tzinfo=UTC)
PHASE_DEADLINE = 1800.0  # seconds: no phase runs longer, whatever happens
# Slack's published limits (api.slack.com/apis/rate-limits and each method's page), per workspace.
TIER3_PER_MINUTE = 50  # conversations.open: "50+ per minute"
POST_PER_CHANNEL_PER_SECOND = 1  # chat.postMessage: about one per second per channel, short bursts allowed


@dataclass
class Office:
    programs: int
    residents: int
    faculty: int

    def team(self, program: int) -> str:
        return f"T{program + 1:04d}"

    def people(self) -> list[tuple[str, str, Role]]:
        """(team, user, role) for everyone invited; coordinators are `coordinators()`."""
        found = []
        for p in range(self.programs):
            found += [(self.team(p), f"UR{p:02d}{n:04d}", Role.RESIDENT) for n in range(self.residents)]
            found += [(self.team(p), f"UF{p:02d}{n:04d}", Role.FACULTY) for n in range(self.faculty)]
        return found

    def coordinators(self) -> list[tuple[str, str]]:
        return [(self.team(p), f"UC{p:02d}") for p in range(self.programs)]


def seed(database_url: str, office: Office, fake: FakeSlack) -> None:
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        for p in range(office.programs):
            program = ensure_program(
                session, team_id=office.team(p), settings=ProgramSettings(time_zone="America/New_York"), now=OPENING
            )
            entries = [RosterEntry(u, f"Person {u}", role, pgy=1 if role is Role.RESIDENT else None)
                       for team, u, role in office.people() if team == office.team(p)]  # fmt: skip
            entries.append(RosterEntry(office.coordinators()[p][1], f"Coordinator {p}", Role.COORDINATOR, True))
            upsert_people(session, program=program, entries=entries, now=OPENING, actor_label="benchmark")
    engine.dispose()
    for _, user_id, _ in office.people():
        fake.add_user(user_id, name=user_id.lower())
    for _, user_id in office.coordinators():
        fake.add_user(user_id, name=user_id.lower())


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Timings:
    acks: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.acks[kind].append(seconds)
            if not ok:
                self.failures.append(f"{kind}: {detail[:200]}")

    def count(self) -> int:
        return sum(len(v) for v in self.acks.values())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def database_busy_seconds(database_url: str) -> float:
    """PostgreSQL's time executing statements in this database, all backends together (PG 14+)."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        active = connection.execute(text("SELECT active_time FROM pg_stat_database WHERE datname = current_database()")).scalar()
    engine.dispose()
    return float(active or 0) / 1000


def family(pid: int) -> list[int]:
    """A process and its children (gunicorn's workers)."""
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            for child in children:
                pids += family(int(child))
    except OSError:
        pass
    return pids


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def process_cpu(processes: list[Process]) -> dict[str, float]:
    return {p.name: sum(cpu_seconds(pid) for pid in family(p.popen.pid)) for p in processes}


def outbox_left(database_url: str, kind: str) -> int:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        query = select(func.count()).where(
            OutboxMessage.kind == kind, OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING])
        )
        left = int(session.scalar(query) or 0)
    engine.dispose()
    return left


def outbox_count(database_url: str, kind: str) -> int:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        total = int(session.scalar(select(func.count()).where(OutboxMessage.kind == kind)) or 0)
    engine.dispose()
    return total


def drain(
    deployment: Deployment, clock: ClockFile, database_url: str, kind: str, moment: datetime | None = None
) -> tuple[int, float]:
    """From a pass at `moment` (or now), back-to-back scheduler passes until no `kind` message is
    left to send: (sent, seconds)."""
    started = time.monotonic()
    deployment.run_every_job(clock, moment)
    while outbox_left(database_url, kind):
        deployment.run_every_job(clock)
        assert time.monotonic() - started < PHASE_DEADLINE, f"{kind}: still sending after {PHASE_DEADLINE}s"
    return outbox_count(database_url, kind), time.monotonic() - started


# --- the people --------------------------------------------------------------------------------


class Crowd:
    def __init__(self, deployment: Deployment, fake: FakeSlack, timings: Timings) -> None:
        self.deployment, self.fake, self.timings = deployment, fake, timings
        self._triggers = itertools.count(1)

    def send(self, kind: str, built: slack.Built) -> str:
        request = slack.signed(SECRET, built)
        started = time.perf_counter()
        try:
            status, body = self.deployment.post(request)
        except OSError as error:
            self.timings.record(kind, time.perf_counter() - started, False, repr(error))
            return ""
        self.timings.record(kind, time.perf_counter() - started, status == 200, f"{status} {body}")
        return body

    def open_form(self, team: str, user_id: str, action_id: str) -> dict | None:
        trigger = f"trig-{next(self._triggers)}"
        self.send("click", slack.block_actions(action_id, user_id=user_id, team_id=team, trigger_id=trigger))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            view = self.fake.opened_view(trigger)
            if view is not None:
                return view
            time.sleep(0.01)
        self.timings.failures.append(f"no modal opened for {user_id}")
        return None

    def answer(self, team: str, user_id: str, role: Role) -> None:
        is_resident = role is Role.RESIDENT
        view = self.open_form(team, user_id, ACTION_OPEN_REQUEST if is_resident else ACTION_OPEN_OFFER)
        if view is None:
            return
        if is_resident:
            suggestion = slack.block_suggestion(ACTION_PICK_MENTOR, user_id=user_id, team_id=team, view={"id": view["id"]})
            body = self.send("options", suggestion)
            offered = [o["value"] for o in json.loads(body or "{}").get("options", [])]
            values = request_values(offered[:3], focus_areas=[FocusArea.WELLBEING.value])
        else:
            values = offer_values(available=True, capacity=2, focus_areas=[FocusArea.ACADEMIC.value])
        submission = slack.view_submission(
            view["callback_id"], user_id=user_id, team_id=team, values=values, view_id=view["id"], hash=view["hash"]
        )
        self.send("submit", submission)
        self.send("app_home", slack.app_home_opened(user_id, team_id=team))


def burst(crowd: Crowd, office: Office, rate: float, clients: int) -> float:
    """Start people at `rate` per second, at most `clients` at a time; the seconds it took."""
    people = sorted(office.people(), key=lambda p: (p[1][3:], p[1]))  # programs interleaved, like a real morning
    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        futures = []
        for n, (team, user_id, role) in enumerate(people):
            due = started + n / rate
            time.sleep(max(0.0, due - time.monotonic()))
            futures.append(pool.submit(crowd.answer, team, user_id, role))
            assert time.monotonic() - started < PHASE_DEADLINE
        for future in futures:
            future.result(timeout=PHASE_DEADLINE)
    return time.monotonic() - started


def approve_all(crowd: Crowd, office: Office) -> None:
    for team, coordinator in office.coordinators():
        message = crowd.fake.messages(coordinator)[-1]
        button = next(
            e for b in message.get("blocks", []) for e in b.get("elements", []) if e.get("action_id") == ACTION_REVIEW_PROPOSAL
        )
        trigger = f"trig-review-{team}"
        crowd.send(
            "review",
            slack.block_actions(
                ACTION_REVIEW_PROPOSAL, user_id=coordinator, team_id=team, value=button["value"], trigger_id=trigger
            ),
        )
        deadline = time.monotonic() + 60
        while (view := crowd.fake.opened_view(trigger)) is None:
            assert time.monotonic() < deadline, f"no review opened for {team}"
            time.sleep(0.02)
        crowd.send(
            "approve",
            slack.view_submission(
                view["callback_id"], user_id=coordinator, team_id=team, values={},
                private_metadata=view["private_metadata"], view_id=view["id"], hash=view["hash"],
            ),
        )  # fmt: skip
        while "Approved." not in json.dumps(crowd.fake.view(view["id"])):  # approval happens after the ack
            assert time.monotonic() < deadline, f"{team}: not approved: {crowd.fake.view(view['id'])}"
            time.sleep(0.05)


# --- one configuration ---------------------------------------------------------------------------


def run(base_url: str, office: Office, replicas: int, schedulers: int, rate: float, clients: int) -> dict:
    results: dict = {"replicas": replicas, "schedulers": schedulers}
    with ExitStack() as stack:
        database_url = stack.enter_context(private_postgres_database(base_url))
        fake = stack.enter_context(FakeSlack(team_id="T0001"))
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        seed(database_url, office, fake)
        clock = ClockFile(directory / "clock", OPENING - timedelta(days=1))
        env = {
            **os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url,
            "DATABASE_URL": database_url, "MENTORBOT_CLOCK_FILE": str(clock.path), "MENTORBOT_LOG_LEVEL": "INFO",
        }  # fmt: skip
        env.pop("SLACK_APP_TOKEN", None)
        deployment = stack.enter_context(Deployment(directory, env, replicas=replicas, schedulers=schedulers, threads=16))

        # 1. Invitations.
        results["invitations"] = drain(deployment, clock, database_url, "round.invitation", OPENING)

        # 2. The burst.
        timings = Timings()
        crowd = Crowd(deployment, fake, timings)
        cpu_before, db_before = process_cpu(deployment.processes), database_busy_seconds(database_url)
        started = time.monotonic()
        seconds = burst(crowd, office, rate, clients)
        # Each submission's modal says "Saving…" in the ack, then shows the outcome (views.update).
        while len(fake.calls_to("views.update")) < len(office.people()) and time.monotonic() - started < PHASE_DEADLINE:
            time.sleep(0.2)
        saved_after = time.monotonic() - started
        cpu_after, db_after = process_cpu(deployment.processes), database_busy_seconds(database_url)
        results["burst"] = {
            "seconds": seconds, "saved_after": saved_after, "requests": timings.count(), "acks": dict(timings.acks),
            "failures": timings.failures, "db_busy": db_after - db_before,
            "cpu": {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after},
            "updates": len(fake.calls_to("views.update")),
        }  # fmt: skip

        # 3. Introductions.
        deployment.run_every_job(clock, AFTER_DEADLINE)
        approve_all(crowd, office)
        results["introductions"] = drain(deployment, clock, database_url, "pairing.introduction")
        results["rss"] = {
            f"{p.name}{'' if pid == p.popen.pid else ' worker'}": peak_rss_mb(pid)
            for p in deployment.processes
            for pid in family(p.popen.pid)
        }
        results["violations"] = list(fake.violations)
        results["errors"] = [p.name for p in deployment.processes if " ERROR " in p.log() or "Traceback" in p.log()]
        deployment.stop()
    return results


def report(office: Office, results: dict, rate: float) -> None:
    people = len(office.people())
    print(f"\n=== {results['replicas']} replica(s), {results['schedulers']} scheduler(s) ===")
    for phase in ("invitations", "introductions"):
        sent, seconds = results[phase]
        per_workspace = sent / office.programs
        slack_minutes = per_workspace / TIER3_PER_MINUTE
        print(
            f"{phase}: {sent} DMs in {seconds:.1f}s = {sent / seconds:.1f}/s ({sent / seconds * 60:.0f}/min) through the outbox; "
            f"Slack's Tier 3 conversations.open ({TIER3_PER_MINUTE}+/min per workspace) would need ~{slack_minutes:.0f} min "
            f"for {per_workspace:.0f} per workspace, ~{sent / TIER3_PER_MINUTE:.0f} min if all were in one workspace"
        )
    burst_ = results["burst"]
    print(
        f"burst: {people} people started at {rate:.0f}/s; {burst_['requests']} requests in {burst_['seconds']:.1f}s = "
        f"{burst_['requests'] / burst_['seconds']:.1f} req/s; every modal updated after {burst_['saved_after']:.1f}s; "
        f"{len(burst_['failures'])} failed"
    )
    for kind, values in sorted(burst_["acks"].items()):
        print(
            f"  ack {kind:9s} n={len(values):5d}  p50 {percentile(values, 0.5) * 1000:6.1f} ms  p99 {percentile(values, 0.99) * 1000:6.1f} ms  max {max(values) * 1000:6.0f} ms"
        )
    cpu = burst_["cpu"]
    app_cpu = sum(cpu.values())
    print(
        f"  PostgreSQL busy {burst_['db_busy']:.1f}s vs Mentorbot processes' CPU {app_cpu:.1f}s "
        f"(database share {burst_['db_busy'] / (burst_['db_busy'] + app_cpu):.0%} of server-side time); "
        f"{burst_['db_busy'] / burst_['requests'] * 1000:.1f} ms of database time per request"
    )
    print("  CPU by process: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in sorted(cpu.items())))
    print("peak RSS: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in results["rss"].items()))
    if burst_["failures"] or results["violations"] or results["errors"]:
        print(
            f"PROBLEMS: failures {burst_['failures'][:5]}, violations {results['violations'][:5]}, errors in {results['errors']}"
        )
    print(f"  median ack overall {statistics.median(v for vs in burst_['acks'].values() for v in vs) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--residents", type=int, default=100, help="per program")
    parser.add_argument("--faculty", type=int, default=150, help="per program")
    parser.add_argument("--rate", type=float, default=40.0, help="people starting per second (5,000 in 10 min is 8.3/s)")
    parser.add_argument("--clients", type=int, default=48, help="people in flight at once, at most")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()
    office = Office(args.programs, args.residents, args.faculty)
    people = len(office.people())
    print(
        f"{args.programs} programs, {people} people ({args.programs * args.residents} residents, "
        f"{args.programs * args.faculty} faculty); ten minutes would be {people / 600:.1f} people/s, "
        f"run at {args.rate:.0f}/s ({args.rate / (people / 600):.1f}x compressed); machine: {os.cpu_count()} cores"
    )
    for replicas in args.replicas:
        schedulers = 1 if replicas == 1 else 2
        report(office, run(args.postgres, office, replicas, schedulers, args.rate, args.clients), args.rate)


if __name__ == "__main__":
    main()
