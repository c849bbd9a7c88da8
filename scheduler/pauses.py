"""The pause sweep: on the day a pause ends, the pair is told its meetings are back on, once.

Runs with the reminder sweep's cadence. Each program is one transaction: pauses are closed and
their messages queued together (program/pauses.py), and rows another process holds are skipped.
"""

from __future__ import annotations

from program.pauses import announce_ended_pauses
from scheduler.context import JobContext
from storage.db import session_scope
from storage.models import Program
from storage.reminders import programs_to_sweep


def announce_pause_ends(ctx: JobContext) -> int:
    now = ctx.clock()
    with session_scope(ctx.session_factory) as session:
        program_ids = [p.id for p in programs_to_sweep(session)]
    announced = 0
    for program_id in program_ids:
        with session_scope(ctx.session_factory) as session:
            program = session.get(Program, program_id)
            if program is not None:
                announced += announce_ended_pauses(session, program=program, now=now)
    return announced
