"""The `mentorbot` command line.

Problems an operator can fix (configuration, a bad file, a refused token) print one clear line
and exit with status 2; no traceback.

Only what a command needs is imported: `--help` and `match` start in a few tens of milliseconds,
the commands that need the database, Slack or the bot load them from mentorbot/commands.py when
they run (benchmarks/cli_start.py measures it).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mentorbot.config import ConfigError, load_log_level

log = logging.getLogger("mentorbot")


class UsageProblem(Exception):
    """A problem with what the operator asked for; printed as one line, exit status 2."""


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageProblem(f"{path}: not UTF-8 text (save the file as UTF-8 CSV)") from None
    except OSError as error:
        raise UsageProblem(f"{path}: {error.strerror}") from None


def cmd_match(args: argparse.Namespace) -> None:
    from mentoring.matching_io import MatchInputError, solve_json

    text = read_text(args.file)
    try:
        result = solve_json(text)
    except MatchInputError as error:
        raise UsageProblem(f"{args.file}: {error}") from None
    print(json.dumps(result, indent=2))


def cmd_sandbox(args: argparse.Namespace) -> None:
    from sandbox.app import SandboxError
    from sandbox.main import run_sandbox

    try:
        run_sandbox(port=args.port, database_url=args.database)
    except SandboxError as problem:
        raise UsageProblem(str(problem)) from None


def needs_the_bot(name: str) -> Callable[[argparse.Namespace], None]:
    """A command of mentorbot/commands.py, imported when it runs (SQLAlchemy, Slack and Bolt take
    most of a second to load)."""

    def command(args: argparse.Namespace) -> None:
        from mentorbot import commands

        withhold_bodies_from_the_log()
        getattr(commands, name)(args)

    return command


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def needs_the_database(name: str) -> Callable[[argparse.Namespace], None]:
    """A command of mentorbot/program_commands.py, imported when it runs."""

    def command(args: argparse.Namespace) -> None:
        from mentorbot import program_commands

        getattr(program_commands, name)(args)

    return command


def _bounded(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < low or (high is not None and int(text) > high):
            raise argparse.ArgumentTypeError(f"{text!r}: a whole number from {low}" + (f" to {high}" if high else " up"))
        return int(text)

    return parse


def _time_zone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a known time zone; use an IANA name such as America/Chicago") from None
    return text


def _channel(text: str) -> str:
    import re

    if not re.fullmatch(r"[CG][A-Z0-9]{6,}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a channel ID (C…): channel details, bottom of the About tab")
    return text


def _year_start(text: str) -> tuple[int, int]:
    from mentoring.cadence import AcademicCalendar

    month, _, day = text.partition("-")
    try:
        calendar = AcademicCalendar(int(month), int(day))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give the month and day the year starts, e.g. 07-01 (not 02-29)") from None
    return calendar.start_month, calendar.start_day


def _weekly_slot(text: str) -> Any:
    from mentoring.reporting import parse_weekly_slot

    try:
        return parse_weekly_slot(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def _handle(text: str) -> str:
    """A new program's handle: its shape, and not a word /mentor already uses."""
    from mentoring.programs import HandleProblem, handle_problem

    handle = text.strip().lower()
    problem = handle_problem(handle)
    if problem is HandleProblem.SHAPE:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a handle is 2-30 lowercase letters, digits or hyphens, starting with a letter (e.g. surgery, im-peer)"
        )
    if problem is HandleProblem.COMMAND_WORD:
        raise argparse.ArgumentTypeError(f"{text!r} is a word /mentor already uses; pick another handle")
    return handle


def _program_settings(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    """The options `program add` and `program set` share; unset leaves a value as it is."""
    from mentoring.check_ins import MINIMUM_ANSWERS_FLOOR
    from mentoring.programs import CADENCE_MONTHS_RANGE, MAX_MENTEES_CEILING

    parser.add_argument("--team", metavar="T…", help="the workspace, when the database holds several")
    if adding:
        parser.add_argument("--name", required=True, help="the program's name as people know it, e.g. 'General Surgery'")
    else:
        parser.add_argument("--name", help="a new name for the program")
    parser.add_argument("--time-zone", type=_time_zone, metavar="ZONE", help="IANA time zone (default: the first program's)")
    parser.add_argument("--channel", type=_channel, metavar="C…", help="the coordinators' private channel for summaries")
    parser.add_argument(
        "--year-start", type=_year_start, metavar="MM-DD", help="the day the academic year starts (default 07-01)"
    )
    high = CADENCE_MONTHS_RANGE.stop - 1
    parser.add_argument(
        "--cadence", type=_bounded(1, high), metavar="MONTHS", help=f"months between meetings, 1-{high} (default 3)"
    )
    parser.add_argument(
        "--max-mentees",
        type=_bounded(1, MAX_MENTEES_CEILING),
        metavar="N",
        help=f"most mentees per mentor, 1-{MAX_MENTEES_CEILING} (default 2)",
    )
    parser.add_argument(
        "--approaching-days", type=_bounded(1, 60), metavar="DAYS", help="first reminder this many days before due (default 14)"
    )
    parser.add_argument(
        "--missed-every-days", type=_bounded(1, 60), metavar="DAYS", help="after the due day, remind every DAYS (default 7)"
    )
    parser.add_argument(
        "--missed-limit", type=_bounded(0, 10), metavar="N", help="at most N reminders after the due day (default 3)"
    )
    parser.add_argument(
        "--escalation-days", type=_bounded(1, 120), metavar="DAYS", help="tell the coordinators DAYS after due (default 14)"
    )
    parser.add_argument(
        "--summary-at", type=_weekly_slot, metavar="'DAY HH:MM'", help="weekly summary, e.g. 'Monday 09:00' (the default)"
    )
    parser.add_argument(
        "--peer", action=argparse.BooleanOptionalAction, default=None, help="a peer-mentoring track: mentors are senior residents"
    )
    parser.add_argument(
        "--check-in-minimum",
        type=_bounded(MINIMUM_ANSWERS_FLOOR),
        metavar="N",
        help="fewest answers a check-in figure rests on (default 5)",
    )


def cmd_guides_check(args: argparse.Namespace) -> None:
    from mentoring.meeting_guides import GuideFileError, parse_guides

    try:
        guides = parse_guides(read_text(args.file))
    except GuideFileError as error:
        raise UsageProblem(f"{args.file}: {error}") from None
    print(f"{args.file}: {len(guides.guides)} guides, all readable: " + ", ".join(f"[{a.label()}]" for a in guides.guides))


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
    run.set_defaults(func=needs_the_bot("run"))

    sandbox = commands.add_parser(
        "sandbox", help="try Mentorbot without Slack: the real bot, a seeded program and a manual clock, in your browser"
    )
    sandbox.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 for the page (default 8000)")
    sandbox.add_argument(
        "--database", metavar="URL", help="database URL for the sandbox (default: a fresh mentorbot-sandbox.db file here)"
    )
    sandbox.set_defaults(func=cmd_sandbox)

    sched = commands.add_parser("scheduler", help="run only the scheduled jobs (reminders, deliveries, summaries)")
    sched.set_defaults(func=needs_the_bot("scheduler"))

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations up to the latest").set_defaults(func=needs_the_bot("db_upgrade"))

    roster = commands.add_parser("roster", help="the program's roster")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    roster_import = roster_commands.add_parser("import", help="add or update people from a CSV file")
    roster_import.add_argument("file", metavar="FILE.csv")
    roster_import.add_argument("--program", metavar="HANDLE", help="the program (default: the workspace's first)")
    roster_import.add_argument("--team", metavar="T…", help="the workspace, when the app serves several")
    roster_import.set_defaults(func=needs_the_bot("roster_import"))
    roster_export = roster_commands.add_parser("export", help="write a program's roster as CSV (the import's columns)")
    roster_export.add_argument("--out", required=True, metavar="FILE.csv", help="where to write it ('-' for standard output)")
    roster_export.add_argument("--program", metavar="HANDLE", help="the program (default: the workspace's first)")
    roster_export.add_argument("--team", metavar="T…", help="the workspace, when the database holds several")
    roster_export.set_defaults(func=needs_the_bot("roster_export"))

    admin = commands.add_parser("admin", help="administration")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    add_coord = admin_commands.add_parser("add-coordinator", help="make a Slack member a coordinator")
    add_coord.add_argument("user_id", metavar="USER_ID", help="Slack member ID (U…)")
    add_coord.add_argument("--program", metavar="HANDLE", help="the program (default: the workspace's first)")
    add_coord.add_argument("--team", metavar="T…", help="the workspace, when the app serves several")
    add_coord.set_defaults(func=needs_the_bot("add_coordinator"))

    audit_log = commands.add_parser("audit", help="print the audit log, newest first: who did what to whom, and when")
    audit_log.add_argument("--limit", type=_positive, default=50, metavar="N", help="how many entries (default 50)")
    audit_log.add_argument("--program", metavar="HANDLE", help="only this program's entries (default: every program's)")
    audit_log.add_argument("--team", metavar="T…", help="the workspace of --program, when the database holds several")
    audit_log.set_defaults(func=needs_the_bot("audit_log"))

    export = commands.add_parser(
        "export", help="write one CSV row per pairing of an academic year (start, end, meetings per quarter)"
    )
    export.add_argument(
        "--year", type=int, metavar="YYYY", help="the academic year that starts in YYYY (default: the current one)"
    )
    export.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV ('-' for standard output)")
    export.add_argument("--team", metavar="T…", help="the workspace, when the database holds several")
    export.add_argument("--program", metavar="HANDLE", help="the program (default: the workspace's first)")
    export.add_argument("--figures", action="store_true", help="the program figures, quarter by quarter, instead of the pairings")
    export.set_defaults(func=needs_the_bot("export"))

    programs = commands.add_parser("program", help="the workspace's programs (internal medicine, surgery, a peer track...)")
    program_commands = programs.add_subparsers(dest="program_command", required=True, metavar="ACTION")
    program_add = program_commands.add_parser("add", help="add a program to the workspace")
    program_add.add_argument("handle", type=_handle, metavar="HANDLE", help="its short name, typed after commands: e.g. surgery")
    _program_settings(program_add, adding=True)
    program_add.set_defaults(func=needs_the_database("program_add"))
    program_list = program_commands.add_parser("list", help="the workspace's programs and their settings")
    program_list.add_argument("--team", metavar="T…", help="the workspace, when the database holds several")
    program_list.set_defaults(func=needs_the_database("program_list"))
    program_set = program_commands.add_parser("set", help="change a program's settings")
    program_set.add_argument("handle", metavar="HANDLE", help="the program (see mentorbot program list)")
    _program_settings(program_set, adding=False)
    program_set.add_argument(
        "--paused", action=argparse.BooleanOptionalAction, default=None, help="stop (or restart) the program's scheduled jobs"
    )
    program_set.set_defaults(func=needs_the_database("program_set"))

    workspace = commands.add_parser("workspace", help="the Slack workspaces the app serves (several-workspaces mode)")
    workspace_commands = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    workspace_commands.add_parser("list", help="every workspace: installed or not, and the data it holds").set_defaults(
        func=needs_the_bot("workspace_list")
    )
    workspace_keep = workspace_commands.add_parser("keep", help="keep an uninstalled workspace's data (the decision is recorded)")
    workspace_keep.add_argument("team", metavar="TEAM", help="the workspace's team ID (T…), or an organization's (E…)")
    workspace_keep.set_defaults(func=needs_the_bot("workspace_keep"))
    workspace_delete = workspace_commands.add_parser(
        "delete", help="delete an uninstalled workspace's data entirely: its programs, people, pairings, messages and tokens"
    )
    workspace_delete.add_argument("team", metavar="TEAM", help="the workspace's team ID (T…), or an organization's (E…)")
    workspace_delete.add_argument("--yes", action="store_true", help="confirm: nothing is deleted without it")
    workspace_delete.set_defaults(func=needs_the_bot("workspace_delete"))

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
# wrote for the coordinators (notes, check-in text): they stay at INFO even with --verbose, and
# what they would log of a body is withheld at every level (bot/log_privacy.py).
PAYLOAD_LOGGERS = ("slack_sdk", "slack_bolt")


def configure_logging(level: int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))


def withhold_bodies_from_the_log() -> None:
    """The log handler withholds bodies too, whichever logger a line comes from (loaded with the
    bot: `--help` and `match` stay light)."""
    from bot.log_privacy import FILTER

    for handler in logging.getLogger().handlers:
        if FILTER not in handler.filters:
            handler.addFilter(FILTER)


def _loaded(module: str, name: str) -> Any:
    """A class from a module, if a command has loaded it (an exception of that class can only have
    been raised then): the problems below are recognised without importing anything more."""
    found = sys.modules.get(module)
    return getattr(found, name, None) if found is not None else None


def _is(error: BaseException, module: str, name: str) -> bool:
    kind = _loaded(module, name)
    return kind is not None and isinstance(error, kind)


MAX_PROBLEM_LINES = 20
MAX_LINE_CHARS = 400


def _one_line(text: str) -> str:
    """What a problem says, as one line a person reads; a file's content is never echoed at length."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def report(error: Exception) -> int | None:
    """Say a problem the operator can act on in one line and return the exit status; None for a bug."""
    if isinstance(error, ConfigError):
        print(f"mentorbot: {error}", file=sys.stderr)
        return 2
    if isinstance(error, UsageProblem):  # may quote a file the operator handed us
        print(_one_line(f"mentorbot: {error}"), file=sys.stderr)
        return 2
    if _is(error, "storage.roster", "RosterError"):
        print(f"mentorbot: {roster_problem_text(error)}", file=sys.stderr)
        return 2
    if _is(error, "mentorbot.roster_csv", "RosterFileError"):
        problems: list[str] = error.problems  # type: ignore[attr-defined]
        if len(problems) == 1:
            print(_one_line(f"mentorbot: nothing was imported: {problems[0]}; fix it and run the import again"), file=sys.stderr)
            return 2
        print("mentorbot: nothing was imported; fix these lines and run the import again:", file=sys.stderr)
        for line in problems[:MAX_PROBLEM_LINES]:
            print(_one_line(f"  {line}"), file=sys.stderr)
        if len(problems) > MAX_PROBLEM_LINES:
            print(f"  … and {len(problems) - MAX_PROBLEM_LINES} more", file=sys.stderr)
        return 2
    if _is(error, "mentorbot.serve", "StartupError"):
        print(f"mentorbot: {error}", file=sys.stderr)
        return int(error.exit_status)  # type: ignore[attr-defined]
    if _is(error, "slack_sdk.errors", "SlackApiError"):
        reason = error.response.get("error", "unknown error")  # type: ignore[attr-defined]
        hint = " (reinstall the app from manifest.yml to grant it)" if reason == "missing_scope" else ""
        print(f"mentorbot: Slack refused a request: {reason}{hint}; nothing was changed.", file=sys.stderr)
        return 1
    if _is(error, "sqlalchemy.exc", "SQLAlchemyError"):
        log.debug("database error", exc_info=True)
        print(
            f"mentorbot: database error ({error.__class__.__name__}); check DATABASE_URL and that the database is running. Nothing was changed.",
            file=sys.stderr,
        )
        return 1
    return None


def roster_problem_text(error: Any) -> str:
    """A roster rule the import or `admin add-coordinator` broke (storage.roster.RosterError)."""
    if error.on_roster:
        return f"{error.who} is on the roster as a resident; a resident cannot be a coordinator."
    return f"{error.who}: a resident cannot also be a coordinator"


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
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        status = report(error)
        if status is None:
            raise
        return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
