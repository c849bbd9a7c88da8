"""Workspaces served through Slack's OAuth install flow, and their bot tokens.

A workspace's key is what its programs carry as `team_id`: the workspace's team ID, or, for an
org-wide install on Enterprise Grid, the organization's enterprise ID (one program space for
the whole organization, whose member IDs are the same in every workspace of it).

The tokens live in slack-sdk's tables (storage/models.py `slack_bots`, `slack_installations`),
which Bolt's installation store writes at install time and reads for each request; the scheduler
finds a workspace's token here, by key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, OutboxState, Person, Program, Workspace, slack_bots, slack_installations

UNINSTALLED_ERROR = "app uninstalled from the workspace"


def workspace_key(*, team_id: str | None, enterprise_id: str | None, is_enterprise_install: bool | None) -> str | None:
    """The key a request, an event or an installation belongs to."""
    return enterprise_id if is_enterprise_install else team_id


def _bots_of(key: str) -> ColumnElement[bool]:
    b = slack_bots.c
    return or_(
        and_(b.is_enterprise_install.is_(True), b.enterprise_id == key),
        and_(b.is_enterprise_install.is_(False), b.team_id == key),
    )


def _installations_of(key: str) -> ColumnElement[bool]:
    i = slack_installations.c
    return or_(
        and_(i.is_enterprise_install.is_(True), i.enterprise_id == key),
        and_(i.is_enterprise_install.is_(False), i.team_id == key),
    )


def reachable(program: type[Program] = Program) -> ColumnElement[bool]:
    """For queries over programs: the app is still installed in the program's workspace (or the
    workspace never went through OAuth: one workspace, served with SLACK_BOT_TOKEN)."""
    return ~exists().where(Workspace.team_id == program.team_id, Workspace.uninstalled_at.is_not(None))


def bot_token(session: Session, *, key: str, client_id: str) -> str | None:
    """The workspace's latest bot token for this app; None once it was uninstalled or revoked."""
    b = slack_bots.c
    query = (
        select(b.bot_token)
        .where(b.client_id == client_id, b.bot_token.is_not(None), _bots_of(key))
        .order_by(b.installed_at.desc(), b.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def delete_tokens(session: Session, *, key: str) -> int:
    """Forget every token Slack issued for this workspace; returns how many rows held one."""
    bots = session.execute(delete(slack_bots).where(_bots_of(key)))
    installations = session.execute(delete(slack_installations).where(_installations_of(key)))
    return int(getattr(bots, "rowcount", 0) or 0) + int(getattr(installations, "rowcount", 0) or 0)


def record_installed(
    session: Session, *, key: str, enterprise_id: str | None, name: str, is_enterprise_install: bool, now: datetime
) -> tuple[Workspace, list[int]]:
    """Installed, or installed again: returns the row and the programs an uninstall had paused
    (the caller resumes them)."""
    workspace = session.get(Workspace, key, with_for_update=True)
    if workspace is None:
        workspace = Workspace(
            team_id=key,
            enterprise_id=enterprise_id,
            name=name,
            is_enterprise_install=is_enterprise_install,
            installed_at=now,
            paused_program_ids=[],
        )
        session.add(workspace)
        session.flush()
        return workspace, []
    paused = [int(program_id) for program_id in workspace.paused_program_ids or []]
    workspace.enterprise_id, workspace.name, workspace.is_enterprise_install = enterprise_id, name, is_enterprise_install
    workspace.installed_at = now
    workspace.uninstalled_at = workspace.uninstall_reason = workspace.data_kept_at = None
    workspace.paused_program_ids = []
    return workspace, paused


def record_uninstalled(session: Session, *, key: str, reason: str, now: datetime) -> tuple[Workspace | None, bool]:
    """The app was uninstalled (or its bot token revoked): tokens gone, the workspace's programs
    paused, its undelivered messages failed. The data stays until the operator decides. Idempotent
    (Slack may send the event again): returns the row (None for a workspace we never recorded an
    install of) and whether this call was the one that recorded the uninstall."""
    delete_tokens(session, key=key)
    workspace = session.get(Workspace, key, with_for_update=True)
    if workspace is None:
        return None, False
    first = workspace.uninstalled_at is None
    if first:
        workspace.uninstalled_at = now
        workspace.uninstall_reason = reason
        running = list(session.scalars(select(Program).where(Program.team_id == key, Program.paused.is_(False))))
        for program in running:
            program.paused = True
        workspace.paused_program_ids = [program.id for program in running]
    fail_undelivered(session, key=key)
    return workspace, first


def fail_undelivered(session: Session, *, key: str) -> int:
    """Messages still waiting for this workspace will never go: failed now, not retried for hours.
    Rows a worker holds right now are left to it (it finds no token and fails them itself)."""
    programs = select(Program.id).where(Program.team_id == key).scalar_subquery()
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.program_id.in_(programs), OutboxMessage.state == OutboxState.PENDING)
        .values(state=OutboxState.FAILED, last_error=UNINSTALLED_ERROR)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def keep_data(session: Session, *, key: str, now: datetime) -> Workspace | None:
    workspace = session.get(Workspace, key)
    if workspace is not None and workspace.data_kept_at is None:
        workspace.data_kept_at = now
    return workspace


@dataclass(frozen=True)
class WorkspaceSummary:
    key: str
    name: str | None  # None: served with SLACK_BOT_TOKEN, never installed through OAuth
    enterprise_id: str | None
    is_enterprise_install: bool
    installed_at: datetime | None
    uninstalled_at: datetime | None
    uninstall_reason: str | None
    data_kept_at: datetime | None
    programs: int
    people: int  # Slack members on any of its rosters, each once
    has_token: bool

    @property
    def installed(self) -> bool:
        return self.uninstalled_at is None


def workspaces(session: Session) -> Sequence[WorkspaceSummary]:
    """Every workspace that installed the app or has programs here, by key."""
    rows = {w.team_id: w for w in session.scalars(select(Workspace))}
    program_query = select(Program.team_id, func.count(Program.id)).group_by(Program.team_id)
    program_counts: dict[str, int] = dict(session.execute(program_query).all())
    people_query = (
        select(Program.team_id, func.count(Person.slack_user_id.distinct()))
        .join(Person, Person.program_id == Program.id)
        .group_by(Program.team_id)
    )
    people_counts: dict[str, int] = dict(session.execute(people_query).all())
    found = []
    for key in sorted(set(rows) | set(program_counts)):
        workspace = rows.get(key)
        has_token = session.scalars(select(slack_bots.c.id).where(_bots_of(key)).limit(1)).first() is not None
        found.append(
            WorkspaceSummary(
                key=key,
                name=workspace.name if workspace else None,
                enterprise_id=workspace.enterprise_id if workspace else None,
                is_enterprise_install=workspace.is_enterprise_install if workspace else False,
                installed_at=workspace.installed_at if workspace else None,
                uninstalled_at=workspace.uninstalled_at if workspace else None,
                uninstall_reason=workspace.uninstall_reason if workspace else None,
                data_kept_at=workspace.data_kept_at if workspace else None,
                programs=int(program_counts.get(key, 0)),
                people=int(people_counts.get(key, 0)),
                has_token=has_token,
            )
        )
    return found


def delete_workspace(session: Session, *, key: str) -> int:
    """Everything this workspace left here: its programs (and, by the database's cascades, every
    row they own), its tokens and its record. Returns how many programs went."""
    programs = session.execute(delete(Program).where(Program.team_id == key).execution_options(synchronize_session=False))
    delete_tokens(session, key=key)
    session.execute(delete(Workspace).where(Workspace.team_id == key))
    return int(getattr(programs, "rowcount", 0) or 0)
