"""The roster: adding or updating people from a file, and making someone a coordinator.

The operators' command line (mentorbot/cli.py) reads the file and asks Slack who is who; these
write the result in one transaction: the whole import, or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import Person, Program
from storage.programs import program_for_team
from storage.roster import ImportSummary, RosterEntry, add_coordinator, upsert_people


def _program(session: Session, team_id: str) -> Program:
    program = program_for_team(session, team_id)
    assert program is not None, "the program is created at start-up (mentorbot/serve.py prepare)"
    return program


def import_roster(
    session: Session, *, team_id: str, entries: Sequence[RosterEntry], now: datetime, actor_label: str
) -> ImportSummary:
    """Add or update every entry; running it twice changes nothing the second time. RosterError
    (nothing written) when an entry breaks a rule."""
    return upsert_people(session, program=_program(session, team_id), entries=entries, now=now, actor_label=actor_label)


def make_coordinator(
    session: Session, *, team_id: str, slack_user_id: str, name: str, now: datetime, actor_label: str
) -> tuple[Person, Program]:
    """Make a Slack member a coordinator, adding them to the roster if needed (the first one)."""
    program = _program(session, team_id)
    person = add_coordinator(session, program=program, slack_user_id=slack_user_id, name=name, now=now, actor_label=actor_label)
    return person, program
