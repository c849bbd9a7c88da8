"""The reminder sweep: every due pair of every running program, a batch per transaction, until
none is due (program/meetings.py decides and queues each batch).

Runs every few minutes (scheduler/jobs.py) and at start, so downtime means catch-up. Each batch
is one transaction: decisions, their outbox rows and the pairs' next look commit together or
not at all.
"""

from __future__ import annotations

from program.meetings import SweepReport, remind_due_pairs
from scheduler.context import JobContext
from storage.db import session_scope
from storage.models import Program
from storage.reminders import programs_to_sweep

BATCH = 500


def sweep_reminders(ctx: JobContext, *, batch: int = BATCH) -> SweepReport:
    report = SweepReport()
    now = ctx.clock()
    guides = ctx.meeting_guides.current()
    with session_scope(ctx.session_factory) as session:
        program_ids = [p.id for p in programs_to_sweep(session)]
    for program_id in program_ids:
        while True:
            with session_scope(ctx.session_factory) as session:
                program = session.get(Program, program_id)
                if program is None or program.paused:
                    break
                if remind_due_pairs(session, program, now=now, limit=batch, report=report, guides=guides) < batch:
                    break
    return report
