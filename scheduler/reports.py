"""The coordinators' scheduled posts: the weekly summary, quarter-end reports, and a DM to the
coordinators when either could not be posted.

One sweep, run every minute by every process: the data decides. Each post has a dedupe key
(storage.coordinator_posts), so it is queued once per week or quarter whatever the number of
processes or restarts, and a process that was down catches up when it comes back. Delivery is
the outbox job's work; a post it gives up on (archived channel, bot not a member) is found here
by its state and answered with one DM per coordinator.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict

from sqlalchemy import select

from scheduler.context import JobContext
from storage.coordinator_posts import (
    KIND_QUARTER_CHART,
    KIND_QUARTER_REPORT,
    KIND_SUMMARY,
    NOTICE_WINDOW,
    active_coordinators,
    decided,
    decided_keys,
    enqueue_once,
    no_channel_notice_key,
    notify_coordinators,
    quarter_chart_key,
    quarter_report_key,
    summary_key,
    undelivered_notice_key,
    undelivered_posts,
    work_due,
)
from storage.db import session_scope
from storage.models import OutboxMessage, Program
from storage.programs import academic_calendar, program_today
from storage.reports import QuarterReport, program_snapshot, quarter_report, summary_schedule
from views.charts import quarter_chart_png
from views.common import join_names
from views.reports import (
    chart_caption,
    chart_file_name,
    no_channel_notice,
    quarter_report_message,
    summary_message,
    undelivered_notice,
)

log = logging.getLogger(__name__)

POST_WHAT = {
    KIND_SUMMARY: "this week's mentorship summary",
    KIND_QUARTER_REPORT: "the quarter-end mentorship report",
    KIND_QUARTER_CHART: "the quarter-end report's chart",
}


def coordinator_posts_job(ctx: JobContext) -> dict[str, int]:
    # One short read decides what is due: most minutes of the week, nothing is.
    with session_scope(ctx.session_factory) as session:
        due = [
            work_due(session, program=program, now=ctx.clock())
            for program in session.scalars(select(Program).order_by(Program.id))
        ]
    done: Counter[str] = Counter(summaries=0, quarter_reports=0, notices=0)
    for work in due:
        # Separate units of work: a failing chart never holds back the summary or the notices.
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


def post_weekly_summary(ctx: JobContext, program_id: int) -> int:
    """Queue this week's summary once its slot has come; 1 when queued now."""
    now = ctx.clock()
    with session_scope(ctx.session_factory) as session:
        program = session.get(Program, program_id)
        if program is None or not program.coordinator_channel_id:
            return 0
        schedule = summary_schedule(program)
        if not schedule.summary_due(now, since=program.created_at):
            return 0
        key = summary_key(program.id, schedule.week_key(now))
        if decided(session, key):
            return 0
        message = summary_message(program_snapshot(session, program=program, now=now))
        queued = enqueue_once(
            session,
            dedupe_key=key,
            program=program,
            kind=KIND_SUMMARY,
            channel_id=program.coordinator_channel_id,
            now=now,
            respect_working_hours=False,  # the coordinators chose the day and time
            **message,
        )
        return int(queued is not None)


def notify_missing_channel(ctx: JobContext, program_id: int) -> int:
    """No channel to post this week's summary to: each coordinator is told once this week."""
    now = ctx.clock()
    with session_scope(ctx.session_factory) as session:
        program = session.get(Program, program_id)
        if program is None or program.coordinator_channel_id:
            return 0
        week = summary_schedule(program).week_key(now)
        return notify_coordinators(
            session,
            program=program,
            coordinators=active_coordinators(session, program_id=program.id),
            key_for=lambda coordinator: no_channel_notice_key(program.id, week, coordinator),
            now=now,
            **no_channel_notice(),
        )


def post_quarter_reports(ctx: JobContext, program_id: int) -> int:
    """Queue the report of every quarter that is due and not yet reported, with its chart."""
    now = ctx.clock()
    with session_scope(ctx.session_factory) as session:
        program = session.get(Program, program_id)
        if program is None or not program.coordinator_channel_id:
            return 0  # reports wait for a channel; post_weekly_summary tells the coordinators
        quarters = summary_schedule(program).quarters_to_report(academic_calendar(program), since=program.created_at, now=now)
        done = decided_keys(session, [quarter_report_key(program.id, quarter) for quarter in quarters])
        reports = [
            quarter_report(session, program=program, quarter=quarter, today=program_today(program, now))
            for quarter in quarters
            if quarter_report_key(program.id, quarter) not in done
        ]
    queued = 0
    for report in reports:
        chart = quarter_chart_png(report)  # slow-ish: drawn outside any transaction
        queued += _enqueue_report(ctx, program_id, report, chart)
    return queued


def _enqueue_report(ctx: JobContext, program_id: int, report: QuarterReport, chart: bytes) -> int:
    """The report message, then its chart as a file upload: two rows, decided together."""
    with session_scope(ctx.session_factory) as session:
        program = session.get(Program, program_id)
        if program is None or not program.coordinator_channel_id:
            return 0
        common = {
            "program": program,
            "channel_id": program.coordinator_channel_id,
            "now": ctx.clock(),
            "respect_working_hours": False,
        }
        queued = enqueue_once(
            session,
            dedupe_key=quarter_report_key(program.id, report.quarter),
            kind=KIND_QUARTER_REPORT,
            **common,
            **quarter_report_message(report),
        )
        if queued is None:
            return 0  # another process decided this quarter first, chart and all
        enqueue_once(
            session,
            dedupe_key=quarter_chart_key(program.id, report.quarter),
            kind=KIND_QUARTER_CHART,
            text=chart_caption(report),
            attachment=chart,
            attachment_name=chart_file_name(report),
            **common,
        )
        return 1


def notify_undelivered_posts(ctx: JobContext, program_id: int) -> int:
    """One DM per coordinator for the posts of each run the delivery job gave up on (a summary
    and a report decided together share one notice: the fix is the same)."""
    now = ctx.clock()
    with session_scope(ctx.session_factory) as session:
        program = session.get(Program, program_id)
        if program is None:
            return 0
        failed = undelivered_posts(session, program_id=program.id, since=now - NOTICE_WINDOW)
        if not failed:
            return 0
        coordinators = active_coordinators(session, program_id=program.id)
        if not coordinators:
            log.warning("program %s: %d coordinator posts failed and there is no coordinator to tell", program.id, len(failed))
            return 0
        decided_together: dict[object, list[OutboxMessage]] = defaultdict(list)
        for post in failed:
            decided_together[post.created_at].append(post)
        queued = 0
        for posts in decided_together.values():
            first = posts[0]
            notice = undelivered_notice(
                what=join_names([POST_WHAT[post.kind] for post in posts], conjunction="and"),
                channel_id=first.channel_id or "",
                error=first.last_error,
            )
            queued += notify_coordinators(
                session,
                program=program,
                coordinators=coordinators,
                key_for=lambda coordinator, first=first: undelivered_notice_key(first, coordinator),
                now=now,
                **notice,
            )
        return queued
