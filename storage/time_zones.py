"""Each person's Slack time zone, cached on their row so reminders can respect working hours.

Refreshed by a scheduler job (scheduler/time_zones.py) once the cache is a week old: people
rarely move, and a stale zone only shifts a reminder by the difference, never into the night
of the zone on record. Until the first look, the program's zone stands in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import Person, PersonStatus, Program
from storage.workspaces import reachable

TIME_ZONE_TTL = timedelta(days=7)


def people_needing_time_zone(session: Session, *, now: datetime, limit: int) -> list[tuple[int, str, str]]:
    """(person id, Slack user id, workspace) of active people never looked up or looked up a week ago."""
    query = (
        select(Person.id, Person.slack_user_id, Program.team_id)
        .join(Program, Program.id == Person.program_id)
        .where(reachable())  # nobody to ask in a workspace the app was uninstalled from
        .where(
            Person.status == PersonStatus.ACTIVE,
            or_(Person.slack_time_zone_checked_at.is_(None), Person.slack_time_zone_checked_at < now - TIME_ZONE_TTL),
        )
        .order_by(Person.slack_time_zone_checked_at.is_not(None), Person.slack_time_zone_checked_at, Person.id)
        .limit(limit)
    )
    return [(row.id, row.slack_user_id, row.team_id) for row in session.execute(query)]


def record_time_zone(session: Session, *, person_id: int, time_zone: str | None, now: datetime) -> None:
    """Store what Slack said; None (no zone, or an unknown user) keeps the program's fallback."""
    person = session.get(Person, person_id)
    if person is None:
        return
    person.slack_time_zone = time_zone
    person.slack_time_zone_checked_at = now
