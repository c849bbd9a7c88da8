"""Meetings and reminders: logging a meeting, and deciding the reminders that are due.

Logging moves the pair's due date and tells the pair in their group DM. The reminder sweep
(scheduler/reminders.py runs it, a batch per transaction) decides, for the pairs whose next look
has come, which reminder is true today and queues it: to each person in the pair, in their own
working hours, or (long overdue) to the coordinators. "Today" is the program's calendar day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mentoring.meeting_guides import MeetingGuides
from mentoring.nudges import Nudge, NudgeKind
from mentoring.working_hours import local_date
from program.check_ins import ask_after_meeting
from program.meeting_guides import shipped_guides
from program.messages import queue
from storage import meetings
from storage.meetings import MeetingLogged
from storage.models import Pairing, Program
from storage.my_pairings import both_sides
from storage.outbox_kinds import OutboxKind, escalation_key, meeting_logged_key, nudge_key
from storage.programs import academic_calendar, load_program, policy_of
from storage.reminders import decide, due_pairings
from storage.roster import Actor, active_coordinators, person_of
from views import meetings as words


def check_meeting(session: Session, *, actor: Actor, pairing_id: int, met_on: date, now: datetime) -> None:
    """Read-only: MeetingError if log_meeting would refuse (a form's quick check before its ack)."""
    meetings.check_meeting(session, pairing_id=pairing_id, logged_by=person_of(session, actor), met_on=met_on, now=now)


def log_meeting(session: Session, *, actor: Actor, pairing_id: int, met_on: date, now: datetime) -> MeetingLogged:
    """Record that the actor's pair met on `met_on` (the same day twice changes nothing), tell the
    pair in their group DM and ask each of them the check-in questions. MeetingError when the
    rules refuse."""
    logged = meetings.log_meeting(session, pairing_id=pairing_id, logged_by=person_of(session, actor), met_on=met_on, now=now)
    if logged.new:
        program = load_program(session, logged.pairing.program_id)
        notice = words.meeting_logged_notice(
            logger_user_id=logged.logged_by.slack_user_id,
            other_user_id=logged.other.slack_user_id,
            met_on=met_on,
            next_due_on=logged.next_due_on,
        )
        queue(
            session,
            program,
            OutboxKind.MEETING_LOGGED,
            notice,
            now=now,
            to=[logged.pairing.mentor, logged.pairing.resident],
            pairing_id=pairing_id,
            dedupe_key=meeting_logged_key(pairing_id, met_on),
        )
        ask_after_meeting(session, program=program, pairing=logged.pairing, met_on=met_on, now=now)
    return logged


# --- the reminder sweep ----------------------------------------------------------------------


@dataclass
class SweepReport:
    pairs_checked: int = 0
    nudges: int = 0
    escalations: int = 0
    messages: int = 0

    def __str__(self) -> str:
        return f"{self.pairs_checked} pairs checked, {self.nudges} nudges, {self.escalations} escalations, {self.messages} messages queued"


def remind_due_pairs(
    session: Session, program: Program, *, now: datetime, limit: int, report: SweepReport, guides: MeetingGuides | None = None
) -> int:
    """One batch of one program's due pairs: decide their reminders once and queue them, with the
    pairs' next look, in this transaction. Returns how many pairs it looked at. `guides`: the
    meeting guides in force (the shipped ones by default)."""
    today = local_date(now, ZoneInfo(program.time_zone))
    pairings = due_pairings(session, program_id=program.id, today=today, limit=limit)
    for pairing, nudge in decide(session, pairings=pairings, policy=policy_of(program), today=today, now=now):
        if nudge.for_coordinators:
            report.escalations += 1
            report.messages += _queue_escalation(session, program, pairing, nudge, today, now)
        else:
            report.nudges += 1
            report.messages += _queue_pair_nudge(session, program, pairing, nudge, today, now, guides or shipped_guides())
    report.pairs_checked += len(pairings)
    return len(pairings)


def _queue_pair_nudge(
    session: Session, program: Program, pairing: Pairing, nudge: Nudge, today: date, now: datetime, guides: MeetingGuides
) -> int:
    """Each person gets their own DM, naming the other; the heads-up carries a short agenda for the
    resident's training year and this quarter."""
    guide = (
        guides.for_resident(pairing.resident.pgy, academic_calendar(program).quarter_of(today).quarter)
        if nudge.kind is NudgeKind.APPROACHING
        else None
    )
    sides = both_sides(pairing)
    for side, person in zip(sides, (pairing.mentor, pairing.resident), strict=True):
        message = words.nudge_message(
            nudge.kind, pairing=side, due_on=nudge.due_on, sequence=nudge.sequence, missed_limit=program.missed_limit, guide=guide
        )
        queue(
            session, program, OutboxKind.nudge(nudge.kind), message, now=now, to=[person], pairing_id=pairing.id,
            dedupe_key=nudge_key(pairing.id, nudge.kind, nudge.due_on, nudge.sequence, person.id), flush=False,
        )  # fmt: skip
    return len(sides)


def _queue_escalation(session: Session, program: Program, pairing: Pairing, nudge: Nudge, today: date, now: datetime) -> int:
    """One post in the coordinator channel when there is one, else a DM to each coordinator."""
    mentors_side, _ = both_sides(pairing)
    message = words.escalation_message(mentors_side, due_on=nudge.due_on, overdue_days=(today - nudge.due_on).days)
    kind = OutboxKind.nudge(nudge.kind)
    if program.coordinator_channel_id:
        queue(
            session, program, kind, message, now=now, channel_id=program.coordinator_channel_id, pairing_id=pairing.id,
            dedupe_key=escalation_key(pairing.id, nudge.due_on), flush=False,
        )  # fmt: skip
        return 1
    coordinators = active_coordinators(session, program_id=program.id)
    for coordinator in coordinators:
        queue(
            session, program, kind, message, now=now, to=[coordinator], pairing_id=pairing.id,
            dedupe_key=escalation_key(pairing.id, nudge.due_on, coordinator.id), flush=False,
        )  # fmt: skip
    return len(coordinators)
