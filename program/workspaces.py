"""A workspace installing, reinstalling or uninstalling the app (several-workspaces mode).

Installing creates the workspace's program the way a first start does for a single workspace,
and reinstalling resumes what the uninstall paused. Uninstalling keeps the data: its tokens are
forgotten, its programs paused, its undelivered messages failed (storage/workspaces.py), and the
operator decides later whether to keep or delete the rest (`mentorbot workspace keep|delete`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage import audit
from storage.models import Program
from storage.programs import ProgramSettings, ensure_program, program_for_team, programs_of_team
from storage.workspaces import record_installed, record_uninstalled


def workspace_installed(
    session: Session,
    *,
    key: str,
    enterprise_id: str | None,
    name: str,
    is_enterprise_install: bool,
    settings: ProgramSettings,
    now: datetime,
) -> Program:
    """Record the install and make sure the workspace has its program; returns that program."""
    _, paused = record_installed(
        session, key=key, enterprise_id=enterprise_id, name=name, is_enterprise_install=is_enterprise_install, now=now
    )
    existing = program_for_team(session, key)
    # A reinstall leaves the program's settings as they are; only a new workspace gets the defaults.
    program = existing or ensure_program(session, team_id=key, settings=settings, now=now)
    for program_id in paused:
        paused_program = session.get(Program, program_id)
        if paused_program is not None:
            paused_program.paused = False
    for each in programs_of_team(session, key):
        audit.record(session, program_id=each.id, at=now, action="workspace.installed", actor_fallback="slack")
    return program


def workspace_uninstalled(session: Session, *, key: str, reason: str, now: datetime) -> bool:
    """Slack told us the app is gone from the workspace (or its token revoked). True if we knew it."""
    workspace, first = record_uninstalled(session, key=key, reason=reason, now=now)
    if workspace is None:
        return False
    program = program_for_team(session, key)
    if program is not None and first:
        audit.record(
            session,
            program_id=program.id,
            at=now,
            action="workspace.uninstalled",
            actor_fallback="slack",
            details={"reason": reason},
        )
    return True
