"""The matching round's clock: open at the academic year's start, remind before the deadline,
run the matcher at the deadline (program/matching/rounds.py decides each). One sweep over
database state; safe to run in several processes (rounds are unique per program and year, and
each step locks the rows it changes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from program.matching.rounds import make_proposal, open_at_year_start, remind
from storage.db import session_scope
from storage.models import Program
from storage.rounds import RoundError, rounds_past_deadline, rounds_to_remind

if TYPE_CHECKING:
    from scheduler.context import JobContext


@dataclass(frozen=True)
class SweepResult:
    opened: int = 0
    reminded: int = 0
    proposed: int = 0


def open_rounds_at_year_start(ctx: JobContext) -> int:
    opened = 0
    with session_scope(ctx.session_factory) as session:
        program_ids = list(session.scalars(select(Program.id).order_by(Program.id)))
    for program_id in program_ids:
        now = ctx.clock()
        try:
            with session_scope(ctx.session_factory) as session:
                program = session.get(Program, program_id)
                if program is not None and open_at_year_start(session, program=program, now=now):
                    opened += 1
        except RoundError:
            continue  # another process opened it first
    return opened


def remind_before_deadline(ctx: JobContext) -> int:
    now = ctx.clock()
    reminded = 0
    with session_scope(ctx.session_factory) as session:
        for round_ in rounds_to_remind(session, now=now):
            program = session.get(Program, round_.program_id)
            if program is None or program.paused:
                continue
            reminded += remind(session, program=program, round_=round_, now=now)
    return reminded


def propose_at_deadline(ctx: JobContext) -> int:
    now = ctx.clock()
    proposed = 0
    with session_scope(ctx.session_factory) as session:
        for round_ in rounds_past_deadline(session, now=now):
            program = session.get(Program, round_.program_id)
            if program is None:
                continue
            make_proposal(session, program=program, now=now, round_=round_)
            proposed += 1
    return proposed


def round_sweep(ctx: JobContext) -> SweepResult:
    return SweepResult(
        opened=open_rounds_at_year_start(ctx),
        reminded=remind_before_deadline(ctx),
        proposed=propose_at_deadline(ctx),
    )
