"""The `mentorbot` commands that need the database, Slack or the bot (see mentorbot/cli.py,
which imports this module only when one of them runs)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from mentorbot.cli import UsageProblem, read_text
from mentorbot.config import load_database_url, load_settings
from mentorbot.program_commands import program_named, workspace_of
from mentorbot.roster_csv import RosterExportRow, RosterFileError, RosterRow, parse_roster_csv, roster_csv
from mentorbot.serve import clock_for, prepare, run_scheduler_only, serve_http, serve_socket_mode
from mentorbot.slack_client import make_web_client
from mentorbot.workspaces import WorkspaceClients
from program.clock import system_clock
from program.reports import export_figures, export_pairings, export_year
from program.roster import UnknownProgramError, import_roster, make_coordinator
from storage import audit, migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import AuditEntry, Program
from storage.roster import RosterEntry, roster_of
from storage.workspaces import WorkspaceSummary, delete_workspace, keep_data, workspaces


def run(args: argparse.Namespace) -> None:
    if args.http:
        settings = load_settings(need_signing_secret=True)
        serve_http(
            settings,
            host=args.host,
            port=args.port,
            workers=args.workers,
            threads=args.threads,
            with_scheduler=not args.no_scheduler,
        )
    else:
        settings = load_settings(need_app_token=True)
        serve_socket_mode(settings, with_scheduler=not args.no_scheduler)


def scheduler(args: argparse.Namespace) -> None:
    run_scheduler_only(load_settings())


def db_upgrade(args: argparse.Namespace) -> None:
    engine = make_engine(load_database_url())
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    print(f"database schema: {before or 'empty'} -> {after}" if before != after else f"database schema already at {after}")


def _program_context(team: str | None) -> tuple[str, Engine, WebClient]:
    """A migrated database holding the workspace's program, and a Slack client with its token."""
    settings = load_settings()
    team_id = prepare(settings, clock=clock_for(settings))
    engine = make_engine(settings.database_url)
    if team_id is not None:
        if team and team != team_id:
            engine.dispose()
            raise UsageProblem(f"SLACK_BOT_TOKEN belongs to workspace {team_id}, not {team}")
        return team_id, engine, make_web_client(settings)
    # Several workspaces: the operator names one, and its own token is used.
    if not team:
        engine.dispose()
        raise UsageProblem("with several workspaces, name one with --team (mentorbot workspace list shows them)")
    client = WorkspaceClients(settings, make_session_factory(engine), retries=True)(team)
    if client is None:
        engine.dispose()
        raise UsageProblem(f"workspace {team} has not installed the app, or has uninstalled it (mentorbot workspace list)")
    return team, engine, client


def _resolve_user_ids(rows: Sequence[RosterRow], lookup_email: Callable[[str], str | None]) -> list[RosterEntry]:
    problems: list[str] = []
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for row in rows:
        user_id = row.slack_user_id
        if user_id is None and row.email is not None:
            user_id = lookup_email(row.email)
            if user_id is None:
                problems.append(f"line {row.line}: no Slack member has the e-mail {row.email}")
                continue
        assert user_id is not None
        if user_id in seen:
            problems.append(f"line {row.line}: {user_id} is the same person as on line {seen[user_id]}")
            continue
        seen[user_id] = row.line
        entries.append(RosterEntry(user_id, row.name, row.role, row.is_coordinator, row.email, row.pgy, row.subspecialty))
    if problems:
        raise RosterFileError(problems)
    return entries


def roster_import(args: argparse.Namespace) -> None:
    rows = parse_roster_csv(read_text(args.file))
    team_id, engine, client = _program_context(args.team)

    def lookup_email(email: str) -> str | None:
        try:
            return str(client.users_lookupByEmail(email=email)["user"]["id"])
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            raise

    entries = _resolve_user_ids(rows, lookup_email)
    try:
        with session_scope(make_session_factory(engine)) as session:
            summary = import_roster(
                session,
                team_id=team_id,
                entries=entries,
                now=system_clock(),
                actor_label="cli: roster import",
                program_handle=args.program,
            )
    except UnknownProgramError as error:
        raise UsageProblem(_unknown_program_text(error, team_id)) from None
    finally:
        engine.dispose()
    into = f" into {args.program}" if args.program else ""
    print(
        f"roster imported from {args.file}{into}: {summary.created} added, {summary.updated} updated, {summary.unchanged} unchanged"
    )


def roster_export(args: argparse.Namespace) -> None:
    """A program's roster as CSV, in the import's columns (needs only DATABASE_URL)."""
    engine = make_engine(load_database_url())
    try:
        if not migrate.is_up_to_date(engine):
            raise UsageProblem("the database schema is not up to date; run `mentorbot db upgrade` first")
        with session_scope(make_session_factory(engine)) as session:
            program = program_named(session, team_id=workspace_of(session, args.team), handle=args.program)
            rows = [
                RosterExportRow(p.slack_user_id, p.email, p.name, p.role, p.is_coordinator, p.pgy, p.subspecialty)
                for p in roster_of(session, program_id=program.id)
            ]
            label = f"{program.handle} ({program.name})"
    finally:
        engine.dispose()
    content = roster_csv(rows)
    if args.out == "-":
        sys.stdout.write(content)
        return
    _write_atomically(args.out, content.encode("utf-8"))
    print(f"{len(rows)} people on the roster of {label} exported to {args.out}")


def _unknown_program_text(error: UnknownProgramError, team_id: str) -> str:
    known = ", ".join(error.known) or "none yet"
    return f"no program {error.handle!r} in workspace {team_id} (its programs: {known}); see mentorbot program list"


def add_coordinator(args: argparse.Namespace) -> None:
    team_id, engine, client = _program_context(args.team)
    try:
        user = client.users_info(user=args.user_id)["user"]
    except SlackApiError as error:
        raise UsageProblem(
            f"Slack does not know {args.user_id} ({error.response.get('error')}); copy the member ID from their Slack profile"
        ) from None
    name = user.get("real_name") or user.get("profile", {}).get("real_name") or user.get("name") or args.user_id
    try:
        with session_scope(make_session_factory(engine)) as session:
            person, program = make_coordinator(
                session,
                team_id=team_id,
                slack_user_id=args.user_id,
                name=name,
                now=system_clock(),
                actor_label="cli: admin add-coordinator",
                program_handle=args.program,
            )
            print(f"{person.name} ({person.slack_user_id}) is a coordinator of {program.name}")
    except UnknownProgramError as error:
        raise UsageProblem(_unknown_program_text(error, team_id)) from None
    finally:
        engine.dispose()


def format_audit_entry(entry: AuditEntry, subjects: dict[int, str]) -> str:
    """One line: when, who, what, to whom, and the ids involved (never a note: none is stored)."""
    line = f"{entry.at:%Y-%m-%d %H:%M} UTC  {entry.actor_label}  {entry.action}"
    if entry.subject_id is not None:
        line += f"  -> {subjects.get(entry.subject_id, f'person {entry.subject_id}')}"
    if entry.details:
        line += "  " + " ".join(f"{key}={json.dumps(value)}" for key, value in sorted(entry.details.items()))
    return line


def audit_log(args: argparse.Namespace) -> None:
    """Reads the database directly: whoever can run this holds its credentials (see bot/access.py)."""
    engine = make_engine(load_database_url())
    try:
        if not migrate.is_up_to_date(engine):
            raise UsageProblem("the database schema is not up to date; run `mentorbot db upgrade` first")
        with session_scope(make_session_factory(engine)) as session:
            program_id = None
            if args.program is not None:
                program_id = program_named(session, team_id=workspace_of(session, args.team), handle=args.program).id
            found = audit.entries(session, program_id=program_id, limit=args.limit)
            subjects = audit.subject_labels(session, found)
            lines = [format_audit_entry(entry, subjects) for entry in found]
    finally:
        engine.dispose()
    print("\n".join(lines) if lines else "the audit log is empty")


def _export_program(session: Session, team_id: str | None, handle: str | None) -> Program:
    """The program to export: `--program` of the workspace (`--team`, or the only one there is),
    else the workspace's first."""
    return program_named(session, team_id=workspace_of(session, team_id), handle=handle)


def _write_atomically(path: str, content: bytes) -> None:
    """All or nothing: a half-written CSV never replaces a good one."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.partial")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise UsageProblem(f"{path}: {error.strerror}") from None


def export(args: argparse.Namespace) -> None:
    engine = make_engine(load_database_url())
    try:
        if migrate.current_revision(engine) is None:
            raise UsageProblem("the database is empty: start the bot once (mentorbot run) or run mentorbot db upgrade")
        with session_scope(make_session_factory(engine)) as session:
            program = _export_program(session, args.team, args.program)
            now = system_clock()
            if args.figures:
                export = export_figures(session, program=program, year=export_year(program, args.year, now), now=now)
            else:
                export = export_pairings(session, program=program, year=args.year, now=now, actor_label="cli: export")
    finally:
        engine.dispose()
    if args.out == "-":
        sys.stdout.write(export.content.decode("utf-8-sig"))
        return
    _write_atomically(args.out, export.content)
    what = f"the figures of {export.rows} quarter(s)" if args.figures else f"{export.rows} pairing(s)"
    print(f"{what} of {export.year_label} exported to {args.out}")


# --- workspaces (several-workspaces mode) ---------------------------------------------------


def _workspace_database() -> Engine:
    engine = make_engine(load_database_url())
    if not migrate.is_up_to_date(engine):
        engine.dispose()
        raise UsageProblem("the database schema is not up to date; run `mentorbot db upgrade` first")
    return engine


def format_workspace(found: WorkspaceSummary) -> str:
    """One line: the key, the name, whether the app is installed there, and what data it holds."""
    kind = " (organization)" if found.is_enterprise_install else ""
    name = f"{found.name}{kind}" if found.name else "(served with SLACK_BOT_TOKEN)"
    held = f"{found.programs} program{'s' if found.programs != 1 else ''}, {found.people} {'person' if found.people == 1 else 'people'}"
    if found.installed_at is None:
        state = ""
    elif found.installed:
        state = f"  installed {found.installed_at:%Y-%m-%d}" + ("" if found.has_token else ", no token")
    else:
        assert found.uninstalled_at is not None
        why = "token revoked" if found.uninstall_reason == "tokens_revoked" else "uninstalled"
        state = f"  {why} {found.uninstalled_at:%Y-%m-%d}; " + (
            f"data kept since {found.data_kept_at:%Y-%m-%d}"
            if found.data_kept_at
            else f"data waiting for your decision: mentorbot workspace keep|delete {found.key}"
        )
    return f"{found.key}  {name}{state}  [{held}]"


def _the_workspace(session: Session, key: str) -> WorkspaceSummary:
    found = next((w for w in workspaces(session) if w.key == key), None)
    if found is None:
        raise UsageProblem(f"no workspace {key} in this database (mentorbot workspace list shows them)")
    return found


def workspace_list(args: argparse.Namespace) -> None:
    engine = _workspace_database()
    try:
        with session_scope(make_session_factory(engine)) as session:
            lines = [format_workspace(found) for found in workspaces(session)]
    finally:
        engine.dispose()
    print("\n".join(lines) if lines else "no workspace yet: install the app at /slack/install, or start the bot once")


def workspace_keep(args: argparse.Namespace) -> None:
    engine = _workspace_database()
    try:
        with session_scope(make_session_factory(engine)) as session:
            found = _the_workspace(session, args.team)
            if found.installed_at is None or found.installed:
                raise UsageProblem(f"{args.team} still has the app installed: its data is in use, there is nothing to decide")
            keep_data(session, key=args.team, now=system_clock())
    finally:
        engine.dispose()
    print(
        f"{args.team}: its data is kept ({found.programs} program(s), {found.people} people); "
        f"reinstalling the app resumes it, `mentorbot workspace delete {args.team} --yes` removes it"
    )


def workspace_delete(args: argparse.Namespace) -> None:
    engine = _workspace_database()
    try:
        with session_scope(make_session_factory(engine)) as session:
            found = _the_workspace(session, args.team)
            if found.installed_at is not None and found.installed:
                raise UsageProblem(
                    f"{args.team} still has the app installed; remove the app from that workspace first "
                    "(Slack then tells Mentorbot, which stops serving it), then delete its data"
                )
            what = f"{found.programs} program(s) and {found.people} people, with everything they hold"
            if not args.yes:
                raise UsageProblem(
                    f"this deletes all of {args.team}'s data for good ({what}: pairings, meetings, notes, "
                    f"messages, the audit log) and its tokens; run `mentorbot workspace delete {args.team} --yes` to do it"
                )
            delete_workspace(session, key=args.team)
    finally:
        engine.dispose()
    print(f"{args.team}: deleted {what} (pairings, meetings, notes, messages, the audit log) and its tokens")
