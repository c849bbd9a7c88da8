"""The running scheduler across a daylight-saving change, on the wall clock (frozen by freezegun).

Everywhere else time is an injected clock; here the code under test is the part that reads the
wall clock: APScheduler's own loop and triggers (scheduler/runner.py) and the one system clock
(program/clock.py). The clock is frozen and moved in ten-minute steps; after each step the real
scheduler wakes, finds what is due by its triggers and runs it. Only the executor is swapped for
APScheduler's DebugExecutor, which runs each job on the scheduler's thread, so a test can tell
when a step's work is done.

Across the change: the interval jobs keep their rhythm in real time (the repeated or skipped
local hour neither doubles nor drops a sweep), and what is local stays local: the Monday summary
goes out at 09:00 in the program's zone and the reminders at 09:00 in the recipients' zone, under
the new offset.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from freezegun import freeze_time
from slack_sdk import WebClient
from sqlalchemy import select

from program.clock import system_clock
from scheduler.jobs import JobContext, all_jobs
from scheduler.runner import build_scheduler
from storage.models import OutboxMessage, OutboxState, Program, Role
from storage.outbox_kinds import NUDGE_PREFIX, OutboxKind
from tests.support import factories

STEP = timedelta(minutes=10)
JOBS = ("outbox.deliver", "meetings.sweep_reminders", "reports.coordinator_posts")
SWEEP = "meetings.sweep_reminders"


@dataclass(frozen=True)
class Change:
    name: str
    sunday: datetime  # the change happens early this Sunday (UTC)
    instant: datetime  # the moment the offset changes (UTC)
    monday_9am: datetime  # 09:00 in New York the next day, under the new offset (UTC)
    started_on: date  # a pairing whose meeting falls due that Monday
    created: datetime  # the program's start: after the last quarter's end, so no report is due


CHANGES = [
    Change(
        "fall back",
        sunday=datetime(2026, 11, 1, 5, 0, tzinfo=UTC),  # 01:00 EDT
        instant=datetime(2026, 11, 1, 6, 0, tzinfo=UTC),  # 02:00 EDT becomes 01:00 EST
        monday_9am=datetime(2026, 11, 2, 14, 0, tzinfo=UTC),  # 09:00 EST
        started_on=date(2026, 8, 2),
        created=datetime(2026, 10, 20, tzinfo=UTC),
    ),
    Change(
        "spring forward",
        sunday=datetime(2027, 3, 14, 6, 0, tzinfo=UTC),  # 01:00 EST
        instant=datetime(2027, 3, 14, 7, 0, tzinfo=UTC),  # 02:00 EST becomes 03:00 EDT
        monday_9am=datetime(2027, 3, 15, 13, 0, tzinfo=UTC),  # 09:00 EDT
        started_on=date(2026, 12, 15),
        created=datetime(2027, 1, 5, tzinfo=UTC),
    ),
]


class Scheduler:
    """The real scheduler, moved through frozen time a step at a time."""

    def __init__(self, scheduler: BackgroundScheduler, frozen: object) -> None:
        self.scheduler, self.frozen = scheduler, frozen
        self.runs: list[tuple[str, datetime]] = []  # (job id, the run time its trigger gave it)
        self.errors: list[str] = []

        def record(event: JobExecutionEvent) -> None:
            self.runs.append((event.job_id, event.scheduled_run_time))
            if event.exception is not None:
                self.errors.append(f"{event.job_id}: {event.exception!r}")

        scheduler.add_listener(record, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def settle(self) -> None:
        """Wake the scheduler and wait until it has run everything due now. get_jobs() waits for a
        pass of the scheduler's loop to finish; a due job's next run moves past now once it ran."""
        self.scheduler.wakeup()
        now = datetime.now(UTC)
        for _ in range(4000):
            if all(job.next_run_time > now for job in self.scheduler.get_jobs()):
                return
            time.sleep(0.005)  # real time: freezegun leaves sleep alone
        raise AssertionError(f"the scheduler did not run what was due at {now}")

    def to(self, moment: datetime) -> None:
        """Jump straight to `moment` (as after downtime), then let the scheduler catch up."""
        self.frozen.move_to(moment)  # type: ignore[attr-defined]
        self.settle()

    def through(self, end: datetime) -> None:
        """Step by STEP until `end`, the scheduler running what is due at each step."""
        while datetime.now(UTC) < end:
            self.frozen.tick(STEP)  # type: ignore[attr-defined]
            self.settle()

    def run_times(self, job_id: str, start: datetime, end: datetime) -> list[datetime]:
        return [at for job, at in self.runs if job == job_id and start <= at <= end]


@contextmanager
def running(ctx: JobContext, start: datetime) -> Iterator[Scheduler]:
    with freeze_time(start) as frozen:
        scheduler = build_scheduler(ctx, [spec for spec in all_jobs() if spec.id in JOBS])
        scheduler.add_executor(DebugExecutor(), "inline")
        for job in scheduler.get_jobs():
            scheduler.modify_job(job.id, executor="inline")
        driver = Scheduler(scheduler, frozen)
        scheduler.start()
        try:
            driver.settle()
            yield driver
        finally:
            scheduler.shutdown(wait=True)
    assert driver.errors == []


def _outbox(session_factory) -> list[OutboxMessage]:
    with session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the clock, not the engine, is under test
@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.name)
def test_the_running_scheduler_across_a_daylight_saving_change(change, arrange, session_factory, fake_slack):
    with arrange() as session:
        program = factories.program(session)
        program.created_at = change.created
        mentor = factories.person(session, program, role=Role.FACULTY, slack_user_id="UMENTOR")
        resident = factories.person(session, program, role=Role.RESIDENT, slack_user_id="URESIDENT")
        factories.person(session, program, role=Role.COORDINATOR, slack_user_id="UCOORD")
        pairing = factories.pairing(session, program, mentor=mentor, resident=resident, started_on=change.started_on)
        assert pairing.next_due_on == change.monday_9am.date()
        program_id = program.id
    for user_id in ("UMENTOR", "URESIDENT", "UCOORD"):
        fake_slack.add_user(user_id, name=user_id.lower())
    fake_slack.add_channel("C0COORD1", name="mentorship-coordinators")
    ctx = JobContext(
        session_factory=session_factory, clock=system_clock, slack=WebClient(token="xoxb-t", base_url=fake_slack.url)
    )

    with running(ctx, change.sunday) as scheduler:
        # Through the change itself, the sweep keeps its ten-minute rhythm in real time.
        scheduler.through(change.sunday + timedelta(hours=2))
        sweeps = scheduler.run_times(SWEEP, change.sunday, change.sunday + timedelta(hours=2))
        assert sweeps == [change.sunday + n * STEP for n in range(13)]
        assert change.sunday < change.instant < sweeps[-1]

        # Monday: the reminders are decided after midnight, and wait for 09:00 local (new offset).
        scheduler.to(change.monday_9am - timedelta(hours=9))
        scheduler.through(change.monday_9am - STEP)
        nudges = [m for m in _outbox(session_factory) if m.kind.startswith(NUDGE_PREFIX)]
        assert nudges and all(m.state is OutboxState.PENDING and m.not_before == change.monday_9am for m in nudges)
        summaries = [m for m in _outbox(session_factory) if m.kind == OutboxKind.REPORT_SUMMARY]
        assert all(m.created_at < change.sunday + timedelta(hours=2) for m in summaries)  # last week's, caught up

        scheduler.through(change.monday_9am + STEP)

    nudges = [m for m in _outbox(session_factory) if m.kind.startswith(NUDGE_PREFIX)]
    assert {(m.state, m.sent_at) for m in nudges} == {(OutboxState.SENT, change.monday_9am)}
    assert sorted(m.recipient_user_ids[0] for m in nudges if m.kind == OutboxKind.NUDGE_DUE) == ["UMENTOR", "URESIDENT"]
    this_week = [m for m in _outbox(session_factory) if m.kind == OutboxKind.REPORT_SUMMARY and m.created_at >= change.monday_9am]
    assert [(m.created_at, m.state) for m in this_week] == [(change.monday_9am, OutboxState.SENT)]
    with session_factory() as session:
        assert session.get(Program, program_id).time_zone == "America/New_York"
