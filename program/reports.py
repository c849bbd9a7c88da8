"""Coordinator reports: the weekly summary and quarter-end reports in the coordinators' channel,
the DMs when either cannot be posted, and the pairings export.

Each post has a dedupe key (storage/outbox_kinds.py), so it is queued once per week or quarter
whatever the number of processes or restarts; a process that was down catches up. Delivery is
the outbox job's work; a post it gives up on (archived channel, bot not a member) is found by
its state and answered with one DM per coordinator. The figures come from storage/reports.py,
their words and charts from views/reports.py and views/charts.py.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mentoring.cadence import AcademicQuarter
from program.messages import Message, queue_once
from storage import audit
from storage.change_requests import request_partners
from storage.coordinator_posts import NOTICE_WINDOW, undelivered_posts
from storage.models import OutboxMessage, Person, Program
from storage.outbox import decided_keys, exists
from storage.outbox_kinds import (
    OutboxKind,
    no_channel_notice_key,
    quarter_chart_key,
    quarter_report_key,
    summary_key,
    undelivered_notice_key,
)
from storage.program_figures import current_figures
from storage.programs import academic_calendar, program_today
from storage.reports import (
    ProgramSnapshot,
    QuarterReport,
    first_pairing_start,
    pairings_in_year,
    program_snapshot,
    quarter_report,
    summary_schedule,
)
from storage.roster import active_coordinators
from views import reports as words
from views.charts import quarter_chart_png
from views.common import join_names
from views.export_csv import ExportFile, export_file, figures_file

log = logging.getLogger(__name__)

POST_WHAT = {
    OutboxKind.REPORT_SUMMARY: "this week's mentorship summary",
    OutboxKind.REPORT_QUARTER: "the quarter-end mentorship report",
    OutboxKind.REPORT_QUARTER_CHART: "the quarter-end report's chart",
}


def current_summary(session: Session, *, program: Program, now: datetime, seen_by: Person) -> ProgramSnapshot:
    """The figures of this week's summary, as of now, as one coordinator may see them (`/mentor report`)."""
    return program_snapshot(session, program=program, now=now, seen_by=[seen_by.id])


def queue_weekly_summary(session: Session, *, program: Program, now: datetime) -> int:
    """Queue this week's summary once its slot has come; 1 when queued now."""
    if not program.coordinator_channel_id:
        return 0
    schedule = summary_schedule(program)
    if not schedule.summary_due(now, since=program.created_at):
        return 0
    key = summary_key(program.id, schedule.week_key(now))
    if exists(session, key):
        return 0
    message = words.summary_message(program_snapshot(session, program=program, now=now))
    queued = queue_once(
        session, program, OutboxKind.REPORT_SUMMARY, message, now=now, dedupe_key=key,
        channel_id=program.coordinator_channel_id,
        respect_working_hours=False,  # the coordinators chose the day and time
    )  # fmt: skip
    return int(queued is not None)


def notify_missing_channel(session: Session, *, program: Program, now: datetime) -> int:
    """No channel to post this week's summary to: each coordinator is told once this week."""
    if program.coordinator_channel_id:
        return 0
    week = summary_schedule(program).week_key(now)
    return _notify_coordinators(
        session,
        program,
        active_coordinators(session, program_id=program.id),
        words.no_channel_notice(),
        key_for=lambda coordinator: no_channel_notice_key(program.id, week, coordinator.slack_user_id),
        now=now,
    )


def quarter_reports_due(session: Session, *, program: Program, now: datetime) -> list[QuarterReport]:
    """Every quarter that is due and not yet reported (reports wait for a channel)."""
    if not program.coordinator_channel_id:
        return []  # queue_weekly_summary's notice tells the coordinators
    quarters = summary_schedule(program).quarters_to_report(academic_calendar(program), since=program.created_at, now=now)
    done = decided_keys(session, [quarter_report_key(program.id, quarter) for quarter in quarters])
    return [
        quarter_report(session, program=program, quarter=quarter, today=program_today(program, now))
        for quarter in quarters
        if quarter_report_key(program.id, quarter) not in done
    ]


def draw_chart(report: QuarterReport) -> bytes:
    """The report's chart as a PNG; slow-ish, so callers draw it outside any transaction."""
    return quarter_chart_png(report)


def queue_quarter_report(session: Session, *, program: Program, report: QuarterReport, chart: bytes, now: datetime) -> int:
    """The report message, then its chart as a file upload: two rows, decided together. 1 when queued now."""
    if not program.coordinator_channel_id:
        return 0
    channel = program.coordinator_channel_id
    queued = queue_once(
        session, program, OutboxKind.REPORT_QUARTER, words.quarter_report_message(report), now=now,
        dedupe_key=quarter_report_key(program.id, report.quarter), channel_id=channel, respect_working_hours=False,
    )  # fmt: skip
    if queued is None:
        return 0  # another process decided this quarter first, chart and all
    queue_once(
        session, program, OutboxKind.REPORT_QUARTER_CHART, {"text": words.chart_caption(report)}, now=now,
        dedupe_key=quarter_chart_key(program.id, report.quarter), channel_id=channel, respect_working_hours=False,
        attachment=chart, attachment_name=words.chart_file_name(report),
    )  # fmt: skip
    return 1


def notify_undelivered_posts(session: Session, *, program: Program, now: datetime) -> int:
    """One DM per coordinator for the posts of each run the delivery job gave up on (a summary
    and a report decided together share one notice: the fix is the same)."""
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
        notice = words.undelivered_notice(
            what=join_names([POST_WHAT[OutboxKind(post.kind)] for post in posts], conjunction="and"),
            channel_id=first.channel_id or "",
            error=first.last_error,
        )
        post_key = first.dedupe_key or str(first.id)

        def key_for(coordinator: Person, post_key: str = post_key) -> str:
            return undelivered_notice_key(post_key, coordinator.slack_user_id)

        queued += _notify_coordinators(session, program, coordinators, notice, key_for=key_for, now=now)
    return queued


def _notify_coordinators(
    session: Session,
    program: Program,
    coordinators: Sequence[Person],
    message: Message,
    *,
    key_for: Callable[[Person], str],
    now: datetime,
) -> int:
    """One DM per coordinator, each at most once (key_for(coordinator) names it); in their
    working hours, like every DM. Returns how many were newly queued."""
    queued = 0
    for coordinator in coordinators:
        row = queue_once(
            session, program, OutboxKind.REPORT_NOTICE, message, now=now, to=[coordinator], dedupe_key=key_for(coordinator)
        )
        queued += row is not None
    return queued


# --- the pairings export ---------------------------------------------------------------------------


def export_year(program: Program, year: int | None, now: datetime) -> int:
    """The academic year asked for, or the current one."""
    return year if year is not None else academic_calendar(program).year_of(program_today(program, now))


def export_years(session: Session, *, program: Program, now: datetime) -> range:
    """The academic years an export can cover: from the first with a pairing (or the program's
    own first year) through the current one. Outside them there is nothing to export."""
    calendar = academic_calendar(program)
    current = calendar.year_of(program_today(program, now))
    started = [program_today(program, program.created_at)]
    first_pairing = first_pairing_start(session, program_id=program.id)
    if first_pairing is not None:
        started.append(first_pairing)
    return range(min(calendar.year_of(day) for day in started), current + 1)


def export_pairings(
    session: Session, *, program: Program, year: int | None, now: datetime, actor: Person | None = None, actor_label: str = "cli"
) -> ExportFile:
    """The CSV of academic year `year` (default: the current one); who exported it, and when,
    goes in the audit log."""
    year = export_year(program, year, now)
    export = export_file(
        pairings_in_year(session, program=program, year=year), year=year, academic_calendar=academic_calendar(program)
    )
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="export.pairings",
        actor=actor,
        actor_fallback=actor_label,
        details={"academic_year": year, "rows": export.rows},
    )
    return export


def export_for_coordinator(
    session: Session, *, program: Program, year: int, now: datetime, seen_by: Person
) -> tuple[ExportFile, ExportFile]:
    """The dashboard's Export button and `/mentor admin export`: the pairings and the program
    figures, as `seen_by` may see them (like their dashboard); `record_export` once they reached them."""
    export = export_file(
        pairings_in_year(session, program=program, year=year), year=year, academic_calendar=academic_calendar(program)
    )
    return export, export_figures(session, program=program, year=year, now=now, seen_by=[seen_by.id])


def record_export(session: Session, *, program: Program, year: int, rows: int, now: datetime, actor: Person) -> None:
    """Who exported which year, and when: written once the files were delivered."""
    audit.record(
        session, program_id=program.id, at=now, action="export.pairings", actor=actor,
        details={"academic_year": year, "rows": rows},
    )  # fmt: skip


def export_figures(session: Session, *, program: Program, year: int, now: datetime, seen_by: Collection[int] = ()) -> ExportFile:
    """The program figures of academic year `year`, quarter by quarter so far (check-ins only for
    finished quarters), and today's pauses and residents without a mentor (leaving out the people on
    the other side of requests `seen_by` were in, as their dashboard does)."""
    calendar = academic_calendar(program)
    today = program_today(program, now)
    last = (
        AcademicQuarter(year, 4)
        if calendar.year_bounds(year)[1] <= today
        else calendar.quarter_of(max(today, calendar.first_day(year)))
    )
    report = quarter_report(session, program=program, quarter=last, today=today)
    leaving_out = request_partners(session, program_id=program.id, person_ids=seen_by)
    return figures_file(
        report.program_figures,
        current_figures(session, program=program, today=today, leaving_out=leaving_out),
        year_label=report.year_label,
        today=today,
    )
