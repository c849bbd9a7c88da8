"""The roster: adding or updating people from a file, and making someone a coordinator.

The operators' command line (mentorbot/cli.py) reads the file and asks Slack who is who; these
write the result in one transaction: the whole import, or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import Person, Program
from storage.programs import program_by_handle, program_for_team, programs_of_team
from storage.roster import ImportSummary, RosterEntry, add_coordinator, upsert_people


class UnknownProgramError(LookupError):
    """No program of that handle in the workspace; `known` lists the handles there are."""

    def __init__(self, handle: str, known: list[str]) -> None:
        super().__init__(handle)
        self.handle, self.known = handle, known


def _program(session: Session, team_id: str, handle: str | None) -> Program:
    """The program a handle names in the workspace, or the workspace's first without one."""
    if handle is None:
        program = program_for_team(session, team_id)
        assert program is not None, "the program is created at start-up (mentorbot/serve.py prepare)"
        return program
    named = program_by_handle(session, team_id=team_id, handle=handle)
    if named is None:
        raise UnknownProgramError(handle, [p.handle for p in programs_of_team(session, team_id)])
    return named


def import_roster(
    session: Session,
    *,
    team_id: str,
    entries: Sequence[RosterEntry],
    now: datetime,
    actor_label: str,
    program_handle: str | None = None,
) -> ImportSummary:
    """Add or update every entry in one program (a membership each); running it twice changes
    nothing the second time. RosterError (nothing written) when an entry breaks a rule."""
    program = _program(session, team_id, program_handle)
    return upsert_people(session, program=program, entries=entries, now=now, actor_label=actor_label)


def make_coordinator(
    session: Session,
    *,
    team_id: str,
    slack_user_id: str,
    name: str,
    now: datetime,
    actor_label: str,
    program_handle: str | None = None,
) -> tuple[Person, Program]:
    """Make a Slack member a coordinator of one program, adding them to its roster if needed."""
    program = _program(session, team_id, program_handle)
    person = add_coordinator(session, program=program, slack_user_id=slack_user_id, name=name, now=now, actor_label=actor_label)
    return person, program
