"""The coordinators' posts as data: what is due for a program now, and which posts failed.

Each weekly summary and quarter report exists once, as an outbox row with a natural dedupe key
(storage/outbox_kinds.py), and so does each notice about one that could not go out. A sweep
checks for the key first (the cheap, usual path); program/reports.py decides and queues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from storage import outbox
from storage.models import OutboxMessage, OutboxState, Program
from storage.outbox_kinds import CHANNEL_POST_KINDS, OutboxKind, quarter_report_key, report_key_of_chart, summary_key
from storage.programs import academic_calendar
from storage.reports import summary_schedule

# A failed post older than this gets no notice any more (it would be stale news).
NOTICE_WINDOW = timedelta(days=14)


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
    summary = bool(channel) and summary_due and not outbox.exists(session, summary_key(program.id, schedule.week_key(now)))
    quarters = schedule.quarters_to_report(academic_calendar(program), since=program.created_at, now=now) if channel else []
    keys = [quarter_report_key(program.id, quarter) for quarter in quarters]
    failed = select(exists().where(*_failed_posts(program.id, since=now - notice_window)))
    return WorkDue(
        program_id=program.id,
        summary=summary,
        quarter_reports=len(outbox.decided_keys(session, keys)) < len(keys),
        notices=bool(session.scalar(failed)),
        missing_channel=summary_due and not channel,
    )


def _failed_posts(program_id: int, *, since: datetime) -> tuple[Any, ...]:
    return (
        OutboxMessage.program_id == program_id,
        OutboxMessage.kind.in_([kind.value for kind in CHANNEL_POST_KINDS]),
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
        if not (post.kind == OutboxKind.REPORT_QUARTER_CHART and report_key_of_chart(post.dedupe_key) in failed_keys)
    ]  # fmt: skip
