"""Changing a program's settings: what the operators' `mentorbot program set` does.

A new cadence or reminder timing takes effect at once for every active pair of the program:
each due date is worked out again (from its start, last meeting and pauses) and reminders
queued for a due date that moved are cancelled, as when a meeting is logged.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentoring.nudges import NudgePolicy
from storage.meetings import cancel_pending_nudges, reschedule
from storage.models import Pairing, Program
from storage.pause_records import pauses_of
from storage.programs import ProgramOptions, policy_of, update_program

RESCHEDULING_SETTINGS = frozenset({"cadence_months", "approaching_days", "missed_every_days", "missed_limit", "escalation_days"})


class ReminderSettingsError(ValueError):
    """The cadence and reminder timing do not fit together (e.g. a heads-up longer than the
    shortest interval between meetings); nothing was written."""


def policy_after(program: Program | None, options: ProgramOptions) -> NudgePolicy:
    """The reminder policy the program (None: a new one, with the default policy) would have
    with `options` applied; ReminderSettingsError when it cannot be."""
    current = policy_of(program) if program is not None else NudgePolicy()
    changes = {
        name: getattr(options, name)
        for name in ("approaching_days", "missed_every_days", "missed_limit", "escalation_days", "cadence_months")
        if getattr(options, name) is not None
    }
    try:
        return replace(current, **changes)
    except ValueError as error:
        raise ReminderSettingsError(str(error)) from None


def change_program(session: Session, *, program: Program, options: ProgramOptions, now: datetime, actor_label: str) -> list[str]:
    """Apply the settings; returns what changed. Active pairs get their due dates again when the
    cadence or reminder timing changed."""
    policy_after(program, options)
    changed = update_program(session, program=program, options=options, now=now, actor_label=actor_label)
    if RESCHEDULING_SETTINGS & set(changed):
        policy = policy_of(program)
        active = select(Pairing).where(Pairing.program_id == program.id, Pairing.ended_on.is_(None)).with_for_update()
        for pairing in session.scalars(active):
            old_due = pairing.next_due_on
            reschedule(pairing, policy, pauses_of(session, pairing.id))
            if pairing.next_due_on != old_due:
                cancel_pending_nudges(session, pairing_id=pairing.id, reason="the program's meeting cadence changed")
    return changed
