"""The pause sweep: on the day a pause ends, the pair is told its meetings are back on, once.

Runs with the reminder sweep's cadence. Each program is one transaction: pauses are closed and
their messages queued together (program/pauses.py), and rows another process holds are skipped.
"""

from __future__ import annotations

from program.pauses import announce_ended_pauses
from scheduler.context import JobContext
from scheduler.per_program import for_each_running_program


def announce_pause_ends(ctx: JobContext) -> int:
    return for_each_running_program(ctx, lambda session, program, now: announce_ended_pauses(session, program=program, now=now))
