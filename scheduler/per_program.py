"""Running one unit of work per running program: the shape of the sweeps that act program by program."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.context import JobContext
from storage.db import session_scope
from storage.models import Program
from storage.reminders import programs_to_sweep


def for_each_running_program(ctx: JobContext, work: Callable[[Session, Program, datetime], int]) -> int:
    """`work(session, program, now)` for every program that is not paused, one transaction each
    (a failure in one program rolls back only its own work); returns the sum of what they return."""
    now = ctx.clock()
    with session_scope(ctx.session_factory) as session:
        program_ids = [p.id for p in programs_to_sweep(session)]
    done = 0
    for program_id in program_ids:
        with session_scope(ctx.session_factory) as session:
            program = session.get(Program, program_id)
            if program is not None:
                done += work(session, program, now)
    return done
