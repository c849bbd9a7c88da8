"""The reminder sweep: decide meeting nudges from database state and queue them, atomically.

Runs every few minutes (scheduler/jobs.py) and at start, so downtime means catch-up. Each batch
is one transaction: decisions, their outbox rows and the pairs' next look commit together or
not at all. "Today" is the program's calendar day; each DM then waits for its recipient's own
working hours (storage/outbox.py).

Escalations (a pair long overdue) go to the coordinator channel when the program has one, as
one post all coordinators see; otherwise to each coordinator as a DM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mentoring.meeting_guides import MeetingGuides
from mentoring.nudges import Nudge, NudgeKind
from mentoring.working_hours import local_date
from program.meeting_guides import shipped_guides
from scheduler.context import JobContext
from storage.db import session_scope
from storage.meetings import NUDGE_KIND_PREFIX, policy_of
from storage.models import Pairing, Program
from storage.outbox import enqueue
from storage.programs import academic_calendar
from storage.reminders import active_coordinators, decide, due_pairings, programs_to_sweep
from views.meetings import escalation_message, nudge_message

BATCH = 500


@dataclass
class SweepReport:
    pairs_checked: int = 0
    nudges: int = 0
    escalations: int = 0
    messages: int = 0

    def __str__(self) -> str:
        return f"{self.pairs_checked} pairs checked, {self.nudges} nudges, {self.escalations} escalations, {self.messages} messages queued"


def _queue_pair_nudge(
    session: Session, program: Program, pairing: Pairing, nudge: Nudge, today: date, now: datetime, guides: MeetingGuides
) -> int:
    key = f"{pairing.id}:{nudge.kind.value}:{nudge.due_on.isoformat()}:{nudge.sequence}"
    # The heads-up carries a short agenda for the resident's training year and this quarter.
    guide = (
        guides.for_resident(pairing.resident.pgy, academic_calendar(program).quarter_of(today).quarter)
        if nudge.kind is NudgeKind.APPROACHING
        else None
    )
    for person, other in ((pairing.mentor, pairing.resident), (pairing.resident, pairing.mentor)):
        message = nudge_message(
            nudge.kind, other_user_id=other.slack_user_id, due_on=nudge.due_on, pairing_id=pairing.id,
            sequence=nudge.sequence, missed_limit=program.missed_limit, guide=guide,
        )  # fmt: skip
        enqueue(
            session, program=program, kind=NUDGE_KIND_PREFIX + nudge.kind.value, text=message["text"],
            blocks=message["blocks"], now=now, recipients=[person], pairing_id=pairing.id,
            dedupe_key=f"nudge:{key}:{person.id}", flush=False,
        )  # fmt: skip
    return 2


def _queue_escalation(session: Session, program: Program, pairing: Pairing, nudge: Nudge, today: date, now: datetime) -> int:
    message = escalation_message(
        mentor_user_id=pairing.mentor.slack_user_id, resident_user_id=pairing.resident.slack_user_id,
        due_on=nudge.due_on, last_met_on=pairing.last_met_on, started_on=pairing.started_on,
        overdue_days=(today - nudge.due_on).days,
    )  # fmt: skip
    key = f"escalation:{pairing.id}:{nudge.due_on.isoformat()}"
    common = {"program": program, "kind": NUDGE_KIND_PREFIX + NudgeKind.ESCALATION.value, "text": message["text"],
              "blocks": message["blocks"], "now": now, "pairing_id": pairing.id, "flush": False}  # fmt: skip
    if program.coordinator_channel_id:
        enqueue(session, channel_id=program.coordinator_channel_id, dedupe_key=key, **common)
        return 1
    coordinators = active_coordinators(session, program_id=program.id)
    for coordinator in coordinators:
        enqueue(session, recipients=[coordinator], dedupe_key=f"{key}:{coordinator.id}", **common)
    return len(coordinators)


def sweep_program(
    session: Session, program: Program, *, now: datetime, limit: int, report: SweepReport, guides: MeetingGuides | None = None
) -> int:
    """One batch of one program's due pairs; returns how many pairs it looked at."""
    today = local_date(now, ZoneInfo(program.time_zone))
    policy = policy_of(program)
    pairings = due_pairings(session, program_id=program.id, today=today, limit=limit)
    for pairing, nudge in decide(session, pairings=pairings, policy=policy, today=today, now=now):
        if nudge.for_coordinators:
            report.escalations += 1
            report.messages += _queue_escalation(session, program, pairing, nudge, today, now)
        else:
            report.nudges += 1
            report.messages += _queue_pair_nudge(session, program, pairing, nudge, today, now, guides or shipped_guides())
    report.pairs_checked += len(pairings)
    return len(pairings)


def sweep_reminders(ctx: JobContext, *, batch: int = BATCH) -> SweepReport:
    """Every due pair of every running program, a batch per transaction, until none is due."""
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
                if sweep_program(session, program, now=now, limit=batch, report=report, guides=guides) < batch:
                    break
    return report
