"""Every scheduled job, declared in one place with a stable ID.

Jobs are sweeps over database state (level-triggered): a missed run is caught up by the next
one, and several processes may run the same job because the data, not the timer, decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.check_ins import ask_quarterly
from scheduler.context import JobContext
from scheduler.delivery import deliver_pending
from scheduler.pauses import announce_pause_ends
from scheduler.reminders import sweep_reminders
from scheduler.reports import coordinator_posts_job
from scheduler.rounds import round_sweep
from scheduler.time_zones import refresh_time_zones
from storage.db import empty_write_ahead_log, session_scope
from storage.maintenance import prune_idempotency_keys, prune_oauth_states, prune_slack_deliveries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    id: str
    description: str
    trigger: BaseTrigger
    run: Callable[[JobContext], object]
    run_at_start: bool = True  # catch up after downtime instead of waiting a whole interval


def prune_idempotency_keys_job(ctx: JobContext) -> int:
    with session_scope(ctx.session_factory) as session:
        pruned = prune_idempotency_keys(session, older_than=ctx.clock() - timedelta(days=2))
        pruned += prune_slack_deliveries(session, older_than=ctx.clock() - timedelta(days=2))
    # A note deleted while a reader held SQLite's write-ahead log may still be in it: empty it now.
    empty_write_ahead_log(ctx.session_factory.kw["bind"])
    return pruned


def prune_oauth_states_job(ctx: JobContext) -> int:
    with session_scope(ctx.session_factory) as session:
        return prune_oauth_states(session, now=ctx.clock())


def deliver_outbox_job(ctx: JobContext) -> object:
    return deliver_pending(ctx)


def sweep_reminders_job(ctx: JobContext) -> object:
    return sweep_reminders(ctx)


def refresh_time_zones_job(ctx: JobContext) -> object:
    return refresh_time_zones(ctx)


# Every 15 s: a reminder decided now reaches Slack within seconds of its working-hours window
# opening, while an idle run costs two indexed queries.
OUTBOX_INTERVAL_SECONDS = 15


def all_jobs() -> list[JobSpec]:
    return [
        JobSpec(
            id="outbox.deliver",
            description="send due outbox messages to Slack (retries, rate limits, exactly once)",
            trigger=IntervalTrigger(seconds=OUTBOX_INTERVAL_SECONDS),
            run=deliver_outbox_job,
        ),
        JobSpec(
            id="meetings.sweep_reminders",
            description="decide meeting reminders and escalations that are due, and queue them",
            # Decisions are per day; a 10-minute cadence catches a new day (or a restart) soon.
            trigger=IntervalTrigger(minutes=10),
            run=sweep_reminders_job,
        ),
        JobSpec(
            id="pauses.announce_ends",
            description="tell each pair whose pause ends today that its meetings are back on",
            trigger=IntervalTrigger(minutes=10),
            run=announce_pause_ends,
        ),
        JobSpec(
            id="check_ins.quarterly",
            description="ask pairs that met last quarter how the mentoring is going (once each, early in the quarter)",
            trigger=IntervalTrigger(hours=1),
            run=ask_quarterly,
        ),
        JobSpec(
            id="people.refresh_time_zones",
            description="refresh Slack time zones older than a week (users.info)",
            trigger=IntervalTrigger(hours=1),
            run=refresh_time_zones_job,
        ),
        JobSpec(
            id="reports.coordinator_posts",
            description="weekly summary, quarter-end reports, and notices when they cannot be posted",
            trigger=IntervalTrigger(minutes=1),
            run=coordinator_posts_job,
        ),
        JobSpec(
            id="maintenance.prune_idempotency_keys",
            description="forget double-submission and replay guards older than two days; empty SQLite's write-ahead log",
            trigger=IntervalTrigger(hours=6),
            run=prune_idempotency_keys_job,
        ),
        JobSpec(
            id="maintenance.prune_oauth_states",
            description="forget the states of OAuth installs begun and never finished (several workspaces)",
            trigger=IntervalTrigger(hours=6),
            run=prune_oauth_states_job,
        ),
        JobSpec(
            id="matching.round_sweep",
            description="open the matching round at the academic year's start, remind before its deadline, match at the deadline",
            trigger=IntervalTrigger(minutes=15),
            run=round_sweep,
        ),
    ]


def job_by_id(job_id: str) -> JobSpec | None:
    return next((spec for spec in all_jobs() if spec.id == job_id), None)


def run_job(spec: JobSpec, ctx: JobContext) -> None:
    """The wrapper every scheduled run goes through: it owns logging and errors."""
    started = ctx.clock()
    try:
        result = spec.run(ctx)
    except Exception:
        # A failed run leaves the database as it was (its unit of work rolled back); the next
        # run sweeps again, so nothing is lost by logging and carrying on.
        log.exception("job %s failed", spec.id)
        return
    log.info("job %s done in %.2fs: %s", spec.id, (ctx.clock() - started).total_seconds(), result)
