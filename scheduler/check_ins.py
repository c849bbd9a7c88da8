"""The quarterly relationship check: in the first weeks of each quarter, each person in a pair
that met during the quarter just ended is asked once (a unique key per person, pairing and
quarter makes it once, whatever the number of processes or runs)."""

from __future__ import annotations

from program.check_ins import ask_about_last_quarter
from scheduler.context import JobContext
from storage.db import session_scope
from storage.models import Program
from storage.reminders import programs_to_sweep


def ask_quarterly(ctx: JobContext) -> int:
    now = ctx.clock()
    with session_scope(ctx.session_factory) as session:
        program_ids = [p.id for p in programs_to_sweep(session)]
    asked = 0
    for program_id in program_ids:
        with session_scope(ctx.session_factory) as session:
            program = session.get(Program, program_id)
            if program is not None:
                asked += ask_about_last_quarter(session, program=program, now=now)
    return asked
