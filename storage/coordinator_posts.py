"""Deciding the coordinators' posts: each weekly summary and quarter report exists once, as an
outbox row with a natural dedupe key, and so does each notice about one that could not go out.

The unique dedupe key is what makes "once" hold across restarts and several processes: a sweep
checks for the key first (the cheap, usual path) and inserts inside a savepoint, so a process
that loses a race gets the unique violation, rolls back only its savepoint and moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentoring.cadence import AcademicQuarter
from mentoring.reporting import quarter_key
from storage import outbox
from storage.models import OutboxMessage, OutboxState, Person, PersonStatus, Program
from storage.programs import academic_calendar
from storage.reports import summary_schedule
from storage.roster import coordinators

KIND_SUMMARY = "summary"
KIND_QUARTER_REPORT = "quarter_report"
KIND_QUARTER_CHART = "quarter_chart"  # its own row: the delivery job uploads a file without blocks
KIND_COORDINATOR_NOTICE = "coordinator_notice"
CHANNEL_POST_KINDS = (KIND_SUMMARY, KIND_QUARTER_REPORT, KIND_QUARTER_CHART)
# A failed post older than this gets no notice any more (it would be stale news).
NOTICE_WINDOW = timedelta(days=14)


def summary_key(program_id: int, week: str) -> str:
    return f"summary:{program_id}:{week}"


def quarter_report_key(program_id: int, quarter: AcademicQuarter) -> str:
    return f"quarter-report:{program_id}:{quarter_key(quarter)}"


def quarter_chart_key(program_id: int, quarter: AcademicQuarter) -> str:
    return f"quarter-chart:{program_id}:{quarter_key(quarter)}"


def undelivered_notice_key(post: OutboxMessage, coordinator: Person) -> str:
    return f"undelivered:{post.dedupe_key or post.id}:{coordinator.slack_user_id}"


def no_channel_notice_key(program_id: int, week: str, coordinator: Person) -> str:
    return f"no-channel:{program_id}:{week}:{coordinator.slack_user_id}"


def decided(session: Session, dedupe_key: str) -> bool:
    return bool(session.scalar(select(exists().where(OutboxMessage.dedupe_key == dedupe_key))))


def decided_keys(session: Session, dedupe_keys: Sequence[str]) -> set[str]:
    """Which of these keys already name a message: one query for a sweep's whole list."""
    if not dedupe_keys:
        return set()
    query = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(list(dedupe_keys)))
    return {key for key in session.scalars(query) if key is not None}


def enqueue_once(session: Session, *, dedupe_key: str, **message: Any) -> OutboxMessage | None:
    """outbox.enqueue, unless a message with this key exists already (then None)."""
    if decided(session, dedupe_key):
        return None
    try:
        with session.begin_nested():
            return outbox.enqueue(session, dedupe_key=dedupe_key, **message)
    except IntegrityError:
        return None  # another process decided it first


@dataclass(frozen=True)
class WorkDue:
    """What the coordinator-posts sweep has to do for one program right now."""

    program_id: int
    summary: bool
    quarter_reports: bool
    notices: bool
    missing_channel: bool  # this week's summary is due and there is nowhere to post it


def work_due(session: Session, *, program: Program, now: datetime, notice_window: timedelta = NOTICE_WINDOW) -> WorkDue:
    """A cheap look (three indexed reads at most); the steps check again in their own transactions."""
    schedule = summary_schedule(program)
    summary_due = schedule.summary_due(now, since=program.created_at)
    channel = program.coordinator_channel_id
    summary = bool(channel) and summary_due and not decided(session, summary_key(program.id, schedule.week_key(now)))
    quarters = schedule.quarters_to_report(academic_calendar(program), since=program.created_at, now=now) if channel else []
    keys = [quarter_report_key(program.id, quarter) for quarter in quarters]
    failed = select(exists().where(*_failed_posts(program.id, since=now - notice_window)))
    return WorkDue(
        program_id=program.id,
        summary=summary,
        quarter_reports=len(decided_keys(session, keys)) < len(keys),
        notices=bool(session.scalar(failed)),
        missing_channel=summary_due and not channel,
    )


def active_coordinators(session: Session, *, program_id: int) -> list[Person]:
    return [c for c in coordinators(session, program_id=program_id) if c.status is PersonStatus.ACTIVE]


def _failed_posts(program_id: int, *, since: datetime) -> tuple[Any, ...]:
    return (
        OutboxMessage.program_id == program_id,
        OutboxMessage.kind.in_(CHANNEL_POST_KINDS),
        OutboxMessage.state == OutboxState.FAILED,
        OutboxMessage.created_at >= since,
    )


def undelivered_posts(session: Session, *, program_id: int, since: datetime) -> list[OutboxMessage]:
    """Summaries, reports and charts the delivery job gave up on, created since `since`. A chart
    whose report failed too is left out: one notice about the channel is enough."""
    failed = list(
        session.scalars(select(OutboxMessage).where(*_failed_posts(program_id, since=since)).order_by(OutboxMessage.id))
    )
    failed_keys = {post.dedupe_key for post in failed}
    return [
        post for post in failed
        if not (post.kind == KIND_QUARTER_CHART and _report_key_of_chart(post.dedupe_key) in failed_keys)
    ]  # fmt: skip


def _report_key_of_chart(chart_key: str | None) -> str | None:
    prefix = "quarter-chart:"
    return "quarter-report:" + chart_key[len(prefix) :] if chart_key and chart_key.startswith(prefix) else None


def notify_coordinators(
    session: Session,
    *,
    program: Program,
    coordinators: Sequence[Person],
    key_for: Any,
    text: str,
    blocks: list[dict[str, Any]],
    now: datetime,
) -> int:
    """One DM per coordinator, each at most once (key_for(coordinator) names it); in their
    working hours, like every DM. Returns how many were newly queued."""
    queued = 0
    for coordinator in coordinators:
        message = enqueue_once(
            session,
            dedupe_key=key_for(coordinator),
            program=program,
            kind=KIND_COORDINATOR_NOTICE,
            recipients=[coordinator],
            text=text,
            blocks=blocks,
            now=now,
        )
        queued += message is not None
    return queued
