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

        getattr(commands, name)(args)

    return command


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


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
    roster_import.set_defaults(func=needs_the_bot("roster_import"))

    admin = commands.add_parser("admin", help="administration")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    add_coord = admin_commands.add_parser("add-coordinator", help="make a Slack member a coordinator")
    add_coord.add_argument("user_id", metavar="USER_ID", help="Slack member ID (U…)")
    add_coord.set_defaults(func=needs_the_bot("add_coordinator"))

    audit_log = commands.add_parser("audit", help="print the audit log, newest first: who did what to whom, and when")
    audit_log.add_argument("--limit", type=_positive, default=50, metavar="N", help="how many entries (default 50)")
    audit_log.set_defaults(func=needs_the_bot("audit_log"))

    export = commands.add_parser(
        "export", help="write one CSV row per pairing of an academic year (start, end, meetings per quarter)"
    )
    export.add_argument(
        "--year", type=int, metavar="YYYY", help="the academic year that starts in YYYY (default: the current one)"
    )
    export.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV ('-' for standard output)")
    export.add_argument("--team", metavar="T…", help="the workspace, when the database holds several")
    export.add_argument("--figures", action="store_true", help="the program figures, quarter by quarter, instead of the pairings")
    export.set_defaults(func=needs_the_bot("export"))

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


def _loaded(module: str, name: str) -> Any:
    """A class from a module, if a command has loaded it (an exception of that class can only have
    been raised then): the problems below are recognised without importing anything more."""
    found = sys.modules.get(module)
    return getattr(found, name, None) if found is not None else None


def _is(error: BaseException, module: str, name: str) -> bool:
    kind = _loaded(module, name)
    return kind is not None and isinstance(error, kind)


MAX_PROBLEM_LINES = 20
MAX_LINE_CHARS = 300


def _one_line(text: str) -> str:
    """What a problem says, as one line a person reads; a file's content is never echoed at length."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def report(error: Exception) -> int | None:
    """Say a problem the operator can act on in one line and return the exit status; None for a bug."""
    if isinstance(error, (ConfigError, UsageProblem)):
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
