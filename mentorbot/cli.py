"""The `mentorbot` command line.

Problems an operator can fix (configuration, a bad file, a refused token) print one clear line
and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from mentorbot.config import ConfigError, load_database_url, load_log_level, load_settings
from mentorbot.roster_csv import RosterFileError, RosterRow, parse_roster_csv
from mentorbot.serve import StartupError, clock_for, prepare, run_scheduler_only, serve_http, serve_socket_mode
from mentorbot.slack_client import make_web_client
from program.clock import system_clock
from storage import audit, migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import AuditEntry, Program
from storage.programs import program_for_team
from storage.roster import RosterEntry, RosterError, add_coordinator, upsert_people

log = logging.getLogger("mentorbot")


class UsageProblem(Exception):
    """A problem with what the operator asked for; printed as one line, exit status 2."""


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageProblem(f"{path}: not UTF-8 text (save the file as UTF-8 CSV)") from None
    except OSError as error:
        raise UsageProblem(f"{path}: {error.strerror}") from None


# --- commands -------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> None:
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


def cmd_sandbox(args: argparse.Namespace) -> None:
    from sandbox.app import SandboxError
    from sandbox.main import run_sandbox

    try:
        run_sandbox(port=args.port, database_url=args.database)
    except SandboxError as problem:
        raise UsageProblem(str(problem)) from None


def cmd_scheduler(args: argparse.Namespace) -> None:
    run_scheduler_only(load_settings())


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    engine = make_engine(load_database_url())
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    print(f"database schema: {before or 'empty'} -> {after}" if before != after else f"database schema already at {after}")


def _program_context() -> tuple[str, Engine, WebClient]:
    """A migrated database holding the workspace's program, and a Slack client."""
    settings = load_settings()
    team_id = prepare(settings, clock=clock_for(settings))
    return team_id, make_engine(settings.database_url), make_web_client(settings)


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


def cmd_roster_import(args: argparse.Namespace) -> None:
    rows = parse_roster_csv(_read_text(args.file))
    team_id, engine, client = _program_context()

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
            program = program_for_team(session, team_id)
            assert program is not None
            summary = upsert_people(
                session, program=program, entries=entries, now=system_clock(), actor_label="cli: roster import"
            )
    finally:
        engine.dispose()
    print(f"roster imported from {args.file}: {summary.created} added, {summary.updated} updated, {summary.unchanged} unchanged")


def cmd_add_coordinator(args: argparse.Namespace) -> None:
    team_id, engine, client = _program_context()
    try:
        user = client.users_info(user=args.user_id)["user"]
    except SlackApiError as error:
        raise UsageProblem(
            f"Slack does not know {args.user_id} ({error.response.get('error')}); copy the member ID from their Slack profile"
        ) from None
    name = user.get("real_name") or user.get("profile", {}).get("real_name") or user.get("name") or args.user_id
    try:
        with session_scope(make_session_factory(engine)) as session:
            program = program_for_team(session, team_id)
            assert program is not None
            person = add_coordinator(
                session,
                program=program,
                slack_user_id=args.user_id,
                name=name,
                now=system_clock(),
                actor_label="cli: admin add-coordinator",
            )
            print(f"{person.name} ({person.slack_user_id}) is a coordinator of {program.name}")
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


def cmd_audit(args: argparse.Namespace) -> None:
    """Reads the database directly: whoever can run this holds its credentials (see bot/access.py)."""
    engine = make_engine(load_database_url())
    try:
        if not migrate.is_up_to_date(engine):
            raise UsageProblem("the database schema is not up to date; run `mentorbot db upgrade` first")
        with session_scope(make_session_factory(engine)) as session:
            found = audit.entries(session, limit=args.limit)
            subjects = audit.subject_labels(session, found)
            lines = [format_audit_entry(entry, subjects) for entry in found]
    finally:
        engine.dispose()
    print("\n".join(lines) if lines else "the audit log is empty")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def cmd_guides_check(args: argparse.Namespace) -> None:
    from mentoring.meeting_guides import GuideFileError
    from program.meeting_guides import read_guides

    try:
        guides = read_guides(Path(args.file))
    except OSError as error:
        raise UsageProblem(f"{args.file}: {error.strerror}") from None
    except (GuideFileError, UnicodeDecodeError) as error:
        raise UsageProblem(f"{args.file}: {error}") from None
    print(f"{args.file}: {len(guides.guides)} guides, all readable: " + ", ".join(f"[{a.label()}]" for a in guides.guides))


def cmd_match(args: argparse.Namespace) -> None:
    from mentoring.matching_io import MatchInputError, solve_json

    text = _read_text(args.file)
    try:
        result = solve_json(text)
    except MatchInputError as error:
        raise UsageProblem(f"{args.file}: {error}") from None
    print(json.dumps(result, indent=2))


def _export_program(session: Session, team_id: str | None) -> Program:
    """The program to export: the workspace's, or the only one there is."""
    if team_id:
        program = program_for_team(session, team_id)
        if program is None:
            raise UsageProblem(f"no program for workspace {team_id}")
        return program
    programs = list(session.scalars(select(Program).order_by(Program.id)))
    if not programs:
        raise UsageProblem("there is no program in this database yet: start the bot once (mentorbot run)")
    if len({p.team_id for p in programs}) > 1:
        teams = ", ".join(sorted({p.team_id for p in programs}))
        raise UsageProblem(f"this database holds several workspaces ({teams}); pick one with --team")
    return programs[0]


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


def cmd_export(args: argparse.Namespace) -> None:
    from bot.exports import export_figures, export_pairings
    from storage.programs import academic_calendar, program_today

    engine = make_engine(load_database_url())
    try:
        if migrate.current_revision(engine) is None:
            raise UsageProblem("the database is empty: start the bot once (mentorbot run) or run mentorbot db upgrade")
        with session_scope(make_session_factory(engine)) as session:
            program = _export_program(session, args.team)
            now = system_clock()
            year = args.year if args.year is not None else academic_calendar(program).year_of(program_today(program, now))
            if args.figures:
                export = export_figures(session, program=program, year=year, now=now)
            else:
                export = export_pairings(session, program=program, year=year, now=now, actor_label="cli: export")
    finally:
        engine.dispose()
    if args.out == "-":
        sys.stdout.write(export.content.decode("utf-8-sig"))
        return
    _write_atomically(args.out, export.content)
    what = f"the figures of {export.rows} quarter(s)" if args.figures else f"{export.rows} pairing(s)"
    print(f"{what} of {export.year_label} exported to {args.out}")


# --- parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorbot", description="Mentorbot: a Slack bot for a residency mentorship program.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (Socket Mode; --http to serve HTTP)")
    run.add_argument("--http", action="store_true", help="serve Slack's requests at POST /slack/events instead of Socket Mode")
    run.add_argument("--host", default="0.0.0.0", help="address to listen on with --http (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=3000, help="port to listen on with --http (default 3000)")
    run.add_argument("--workers", type=int, default=1, help="HTTP worker processes (default 1)")
    run.add_argument("--threads", type=int, default=16, help="threads per HTTP worker (default 16)")
    run.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs in this process")
    run.set_defaults(func=cmd_run)

    sandbox = commands.add_parser(
        "sandbox", help="try Mentorbot without Slack: the real bot, a seeded program and a manual clock, in your browser"
    )
    sandbox.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 for the page (default 8000)")
    sandbox.add_argument(
        "--database", metavar="URL", help="database URL for the sandbox (default: a fresh mentorbot-sandbox.db file here)"
    )
    sandbox.set_defaults(func=cmd_sandbox)

    sched = commands.add_parser("scheduler", help="run only the scheduled jobs (reminders, deliveries, summaries)")
    sched.set_defaults(func=cmd_scheduler)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations up to the latest").set_defaults(func=cmd_db_upgrade)

    roster = commands.add_parser("roster", help="the program's roster")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    roster_import = roster_commands.add_parser("import", help="add or update people from a CSV file")
    roster_import.add_argument("file", metavar="FILE.csv")
    roster_import.set_defaults(func=cmd_roster_import)

    admin = commands.add_parser("admin", help="administration")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    add_coord = admin_commands.add_parser("add-coordinator", help="make a Slack member a coordinator")
    add_coord.add_argument("user_id", metavar="USER_ID", help="Slack member ID (U…)")
    add_coord.set_defaults(func=cmd_add_coordinator)

    audit_log = commands.add_parser("audit", help="print the audit log, newest first: who did what to whom, and when")
    audit_log.add_argument("--limit", type=_positive, default=50, metavar="N", help="how many entries (default 50)")
    audit_log.set_defaults(func=cmd_audit)

    export = commands.add_parser(
        "export", help="write one CSV row per pairing of an academic year (start, end, meetings per quarter)"
    )
    export.add_argument(
        "--year", type=int, metavar="YYYY", help="the academic year that starts in YYYY (default: the current one)"
    )
    export.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV ('-' for standard output)")
    export.add_argument("--team", metavar="T…", help="the workspace, when the database holds several")
    export.add_argument("--figures", action="store_true", help="the program figures, quarter by quarter, instead of the pairings")
    export.set_defaults(func=cmd_export)

    guides = commands.add_parser("guides", help="the meeting guides in the 'meeting coming up' reminder")
    guides_commands = guides.add_subparsers(dest="guides_command", required=True)
    guides_check = guides_commands.add_parser("check", help="check a meeting guides file, naming any line that is wrong")
    guides_check.add_argument("file", metavar="FILE")
    guides_check.set_defaults(func=cmd_guides_check)

    match = commands.add_parser("match", help="dry-run the matcher on a JSON file and print the result")
    match.add_argument("file", metavar="FILE.json")
    match.set_defaults(func=cmd_match)
    return parser


# Slack's libraries log whole request and response bodies at DEBUG, and those carry what people
# wrote for the coordinators (notes, check-in text): they stay at INFO even with --verbose.
PAYLOAD_LOGGERS = ("slack_sdk", "slack_bolt")


def configure_logging(level: int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        level = logging.DEBUG if args.verbose else load_log_level()
    except ConfigError as problem:
        print(f"mentorbot: {problem}", file=sys.stderr)
        return 2
    configure_logging(level)
    try:
        args.func(args)
    except (ConfigError, UsageProblem, RosterError) as problem:
        print(f"mentorbot: {problem}", file=sys.stderr)
        return 2
    except RosterFileError as problem:
        print("mentorbot: nothing was imported; fix these lines and run the import again:", file=sys.stderr)
        for line in problem.problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    except StartupError as problem:
        print(f"mentorbot: {problem}", file=sys.stderr)
        return problem.exit_status
    except SlackApiError as error:
        reason = error.response.get("error", "unknown error")
        hint = " (reinstall the app from manifest.yml to grant it)" if reason == "missing_scope" else ""
        print(f"mentorbot: Slack refused a request: {reason}{hint}; nothing was changed.", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        log.debug("database error", exc_info=True)
        print(
            f"mentorbot: database error ({error.__class__.__name__}); check DATABASE_URL and that the database is running. Nothing was changed.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
