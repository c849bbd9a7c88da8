"""Planning a meeting ("we'll meet on…"): the plan is stored and the pair's group DM gets a
Google Calendar link and an .ics file, with the next due date, in the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from storage.meeting_plans import Planned, plan_meeting
from storage.meetings import person_today
from storage.models import Person, Program
from storage.outbox import enqueue, person_zone
from views import meeting_plans as views

KIND_PLAN = "meeting.plan"


def plan(
    session: Session, *, person: Person, pairing_id: int, planned_on: date, at: time | None, now: datetime
) -> tuple[Planned, str]:
    """Store the plan and share it with the pair; returns it and how its day reads to the planner.
    Raises storage.meeting_plans.PlanError when the day or the pairing is refused."""
    program = session.get(Program, person.program_id)
    assert program is not None
    zone = person_zone(person, program)
    starts_at = datetime.combine(planned_on, at, zone) if at is not None else None
    planned = plan_meeting(
        session, person=person, pairing_id=pairing_id, planned_on=planned_on, starts_at=starts_at,
        today=person_today(person, program, now), now=now,
    )  # fmt: skip
    pairing = planned.pairing
    when = views.when_text(planned_on, starts_at, zone)
    entry = views.CalendarEntry(
        uid=f"mentorbot-{pairing.id}-{planned_on.isoformat()}@{program.team_id}",
        title=f"Mentoring: {pairing.mentor.name} and {pairing.resident.name}",
        details="Your mentoring meeting, planned in Mentorbot. Log it with We met once you've met.",
        planned_on=planned_on,
        starts_at=starts_at,
    )
    comment = views.plan_comment(
        mentor_user_id=pairing.mentor.slack_user_id, resident_user_id=pairing.resident.slack_user_id, when=when,
        link=views.google_calendar_link(entry), next_due_on=planned.next_due_on,
    )  # fmt: skip
    enqueue(
        session, program=program, kind=KIND_PLAN, text=comment["text"], now=now, recipients=[pairing.mentor, pairing.resident],
        pairing_id=pairing.id, attachment=views.ics_file(entry, stamped_at=now), attachment_name=views.ics_file_name(planned_on),
    )  # fmt: skip
    return planned, when
