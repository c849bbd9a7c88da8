"""The quarterly relationship check: in the first weeks of each quarter, each person in a pair
that met during the quarter just ended is asked once (a unique key per person, pairing and
quarter makes it once, whatever the number of processes or runs)."""

from __future__ import annotations

from program.check_ins import ask_about_last_quarter
from scheduler.context import JobContext
from scheduler.per_program import for_each_running_program


def ask_quarterly(ctx: JobContext) -> int:
    return for_each_running_program(ctx, lambda session, program, now: ask_about_last_quarter(session, program=program, now=now))
