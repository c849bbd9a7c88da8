"""The coordinators' scheduled posts: the weekly summary, quarter-end reports, and a DM to the
coordinators when either could not be posted (program/reports.py decides each).

One sweep, run every minute by every process: the data decides. A cheap look first
(storage/coordinator_posts.work_due); then each step in its own unit of work, so a failing
chart never holds back the summary or the notices.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from program import reports
from scheduler.context import JobContext
from storage.coordinator_posts import work_due
from storage.db import session_scope
from storage.models import Program
from storage.reports import QuarterReport
from storage.workspaces import reachable

log = logging.getLogger(__name__)


def coordinator_posts_job(ctx: JobContext) -> dict[str, int]:
    # One short read decides what is due: most minutes of the week, nothing is.
    with session_scope(ctx.session_factory) as session:
        due = [
            work_due(session, program=program, now=ctx.clock())
            # None for a workspace the app was uninstalled from: nothing could reach it.
            for program in session.scalars(select(Program).where(reachable()).order_by(Program.id))
        ]
    done: Counter[str] = Counter(summaries=0, quarter_reports=0, notices=0)
    for work in due:
        for name, wanted, step in (
            ("summaries", work.summary, post_weekly_summary),
            ("quarter_reports", work.quarter_reports, post_quarter_reports),
            ("notices", work.notices, notify_undelivered_posts),
            ("notices", work.missing_channel, notify_missing_channel),
        ):
            if not wanted:
                continue
            try:
                done[name] += step(ctx, work.program_id)
            except Exception:
                log.exception("coordinator posts: %s failed for program %s", name, work.program_id)
                done["failed"] += 1
    return dict(done)


def _in_one_unit(ctx: JobContext, program_id: int, step: Callable[[Session, Program], int]) -> int:
    with session_scope(ctx.session_factory) as session:
        program = session.get(Program, program_id)
        return 0 if program is None else step(session, program)


def post_weekly_summary(ctx: JobContext, program_id: int) -> int:
    return _in_one_unit(ctx, program_id, lambda s, p: reports.queue_weekly_summary(s, program=p, now=ctx.clock()))


def notify_missing_channel(ctx: JobContext, program_id: int) -> int:
    return _in_one_unit(ctx, program_id, lambda s, p: reports.notify_missing_channel(s, program=p, now=ctx.clock()))


def notify_undelivered_posts(ctx: JobContext, program_id: int) -> int:
    return _in_one_unit(ctx, program_id, lambda s, p: reports.notify_undelivered_posts(s, program=p, now=ctx.clock()))


def post_quarter_reports(ctx: JobContext, program_id: int) -> int:
    """Every quarter due and not yet reported, each with its chart, drawn outside any transaction."""
    with session_scope(ctx.session_factory) as session:
        program = session.get(Program, program_id)
        due = [] if program is None else reports.quarter_reports_due(session, program=program, now=ctx.clock())
    queued = 0
    for report in due:
        chart = reports.draw_chart(report)

        def queue(session: Session, program: Program, report: QuarterReport = report, chart: bytes = chart) -> int:
            return reports.queue_quarter_report(session, program=program, report=report, chart=chart, now=ctx.clock())

        queued += _in_one_unit(ctx, program_id, queue)
    return queued
