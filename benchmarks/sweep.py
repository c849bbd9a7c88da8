"""Benchmark the reminder sweep and outbox delivery.

Usage: python benchmarks/sweep.py [--postgres URL] [--sizes 10000,100000,1000000] [--runs 3] [--no-sqlite]

Sweep: for each size, seeds that many active pairs (bulk INSERT ... SELECT, not timed) of which
a fixed 100 are due a reminder today, then times one sweep run (median of --runs; each run
decides 100 nudges and queues 200 DMs, and is reset before the next). Then 1M pairs with 1% due.
The sweep walks the indexed next_check_on column, so with 100 due its time should barely grow
with the table: the script checks 1M costs at most 3x 10k.

Delivery: queues DMs to 100 people and times deliver_pending against the fake Slack on loopback
(sandbox/fake_slack.py), in messages per second.

PostgreSQL runs when --postgres or TEST_DATABASE_URL names a server; a private database is
created and dropped. Seeding 1M pairs takes a minute or two per backend.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import Date, Engine, bindparam, text

from sandbox.fake_slack import FakeSlack
from scheduler.context import JobContext
from scheduler.delivery import deliver_pending
from scheduler.reminders import sweep_reminders
from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Person, Program, UTCDateTime
from storage.outbox import enqueue
from storage.programs import ProgramSettings, ensure_program
from tests.support.database import private_postgres_database

NOW = datetime(2027, 1, 15, 15, 0, tzinfo=UTC)  # a Friday, 10:00 in New York
TODAY = date(2027, 1, 15)
FIXED_DUE = 100
DELIVERY_MESSAGES = 1000

_SEQUENCE = {
    "postgresql": "SELECT g FROM generate_series(1, :n) AS g",
    "sqlite": "WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < :n) SELECT g FROM seq",
}
_PLUS_DAYS = {"postgresql": "CAST(:today AS date) + ({days})", "sqlite": "date(:today, '+' || ({days}) || ' days')"}


def _log(message: str) -> None:
    print(message, flush=True)


def _program(engine: Engine) -> int:
    with session_scope(make_session_factory(engine)) as session:
        return ensure_program(
            session, team_id="T0001", settings=ProgramSettings(time_zone="America/New_York", coordinator_channel_id=None), now=NOW
        ).id


def _seed(engine: Engine, program_id: int, pairs: int, due: int) -> None:
    """`pairs` active pairs (two per mentor); every (pairs // due)-th one has a reminder due today."""
    dialect = engine.dialect.name
    sequence = _SEQUENCE[dialect]
    every = max(1, pairs // due)
    mentors = (pairs + 1) // 2
    typed = [bindparam("now", type_=UTCDateTime()), bindparam("today", type_=Date())]
    with engine.begin() as connection:
        params = {"pid": program_id, "now": NOW, "today": TODAY}
        people = (
            "INSERT INTO people (program_id, team_id, slack_user_id, name, role, is_coordinator, status, created_at, updated_at) "
            "SELECT :pid, 'T0001', :prefix || g, :label || g, :role, false, 'active', :now, :now FROM ({seq}) AS s"
        )
        first_mentor = connection.execute(text("SELECT coalesce(max(id), 0) + 1 FROM people")).scalar_one()
        connection.execute(
            text(people.format(seq=sequence)).bindparams(*typed[:1]),
            {**params, "n": mentors, "prefix": "UM", "label": "Mentor ", "role": "faculty"},
        )
        first_resident = first_mentor + mentors
        connection.execute(
            text(people.format(seq=sequence)).bindparams(*typed[:1]),
            {**params, "n": pairs, "prefix": "UR", "label": "Resident ", "role": "resident"},
        )
        check = f"CASE WHEN g % {every} = 0 THEN :today ELSE {_PLUS_DAYS[dialect].format(days='1 + g % 60')} END"
        due_on = f"CASE WHEN g % {every} = 0 THEN :today ELSE {_PLUS_DAYS[dialect].format(days='15 + g % 60')} END"
        connection.execute(
            text(
                "INSERT INTO pairings (program_id, mentor_id, resident_id, mentor_slot, started_on, next_due_on, next_check_on, created_at) "
                f"SELECT :pid, :m0 + (g - 1) / 2, :r0 + g - 1, 1 + (g - 1) % 2, :started, {due_on}, {check}, :now FROM ({sequence}) AS s"
            ).bindparams(*typed, bindparam("started", type_=Date())),
            {**params, "n": pairs, "m0": first_mentor, "r0": first_resident, "started": TODAY - timedelta(days=60)},
        )
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def _reset(engine: Engine) -> None:
    """Undo a sweep run: forget its decisions and messages, make the same pairs due again."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM nudge_decisions"))
        connection.execute(text("DELETE FROM outbox"))
        connection.execute(
            text("UPDATE pairings SET next_check_on = :today WHERE next_due_on = :today").bindparams(
                bindparam("today", type_=Date())
            ),
            {"today": TODAY},
        )


def _time_sweep(engine: Engine, runs: int) -> tuple[float, int]:
    ctx = JobContext(make_session_factory(engine), lambda: NOW, WebClient(token="xoxb-unused"))
    times, checked = [], 0
    for _ in range(runs):
        _reset(engine)
        started = time.perf_counter()
        report = sweep_reminders(ctx)
        times.append(time.perf_counter() - started)
        checked = report.pairs_checked
    return statistics.median(times), checked


def _fresh(make_url: Callable[[], str]) -> Engine:
    engine = make_engine(make_url())
    migrate.upgrade(engine)
    return engine


def bench_sweep(name: str, make_url: Callable[[], str], sizes: list[int], runs: int) -> None:
    results: dict[int, float] = {}
    cases = [(size, FIXED_DUE) for size in sizes] + ([(sizes[-1], sizes[-1] // 100)] if sizes else [])
    for pairs, due in cases:
        engine = _fresh(make_url)
        program_id = _program(engine)
        started = time.perf_counter()
        _log(f"{name}: seeding {pairs:,} pairs ({due:,} due)...")
        _seed(engine, program_id, pairs, due)
        _log(f"{name}: seeded in {time.perf_counter() - started:.1f}s")
        median, checked = _time_sweep(engine, runs if due == FIXED_DUE else 1)
        assert checked == due, f"expected {due} due pairs, the sweep checked {checked}"
        _log(
            f"{name}: sweep of {pairs:>9,} pairs, {due:>6,} due: {median * 1000:8.1f} ms  ({median / due * 1000:.2f} ms per due pair)"
        )
        if due == FIXED_DUE:
            results[pairs] = median
        engine.dispose()
    if len(results) >= 2:
        smallest, largest = min(results), max(results)
        ratio = results[largest] / results[smallest]
        verdict = "OK" if ratio <= 3 else "TOO SLOW"
        _log(f"{name}: {largest:,} vs {smallest:,} pairs with {FIXED_DUE} due: {ratio:.2f}x (limit 3x) {verdict}")


def bench_delivery(name: str, make_url: Callable[[], str]) -> None:
    engine = _fresh(make_url)
    factory = make_session_factory(engine)
    with FakeSlack() as fake, session_scope(factory) as session:
        program = session.get(Program, _program(engine))
        assert program is not None
        people = []
        for number in range(100):
            person = Person(program_id=program.id, team_id="T0001", slack_user_id=f"UD{number:04d}", name=f"P{number}",
                            role="resident", is_coordinator=False, status="active", created_at=NOW, updated_at=NOW)  # fmt: skip
            session.add(person)
            people.append(person)
            fake.add_user(person.slack_user_id, name=person.name)
        session.flush()
        for number in range(DELIVERY_MESSAGES):
            enqueue(session, program=program, kind="bench", text=f"message {number}", now=NOW, recipients=[people[number % 100]])
        session.commit()
        ctx = JobContext(factory, lambda: NOW, WebClient(token="xoxb-bench", base_url=fake.url, retry_handlers=[]))
        started = time.perf_counter()
        report = deliver_pending(ctx, limit=DELIVERY_MESSAGES)
        elapsed = time.perf_counter() - started
        assert report.sent == DELIVERY_MESSAGES, report
        _log(
            f"{name}: outbox delivery to the fake Slack: {DELIVERY_MESSAGES} DMs in {elapsed:.2f}s = {DELIVERY_MESSAGES / elapsed:,.0f} messages/s (one worker)"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", ""), help="PostgreSQL server URL")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated pair counts")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as directory:
            counter = iter(range(1_000_000))
            sqlite_url = lambda: f"sqlite:///{directory}/sweep{next(counter)}.db"  # noqa: E731
            bench_delivery("sqlite", sqlite_url)
            bench_sweep("sqlite", sqlite_url, sizes, args.runs)
    if args.postgres:
        with private_postgres_database(args.postgres, migrated=False) as url:

            def fresh_pg() -> str:
                engine = make_engine(url)
                with engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
                engine.dispose()
                return url

            bench_delivery("postgresql", fresh_pg)
            bench_sweep("postgresql", fresh_pg, sizes, args.runs)
    else:
        _log("postgresql: skipped (pass --postgres URL or set TEST_DATABASE_URL)")


if __name__ == "__main__":
    main()
