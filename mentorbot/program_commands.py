"""`mentorbot program add|list|set`, and picking the program another command works on.

These need only DATABASE_URL: the workspace is `--team`, or the only one the database holds.
Imported only when such a command runs (see mentorbot/cli.py).
"""

from __future__ import annotations

import argparse

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.cli import UsageProblem
from mentorbot.config import load_database_url
from program.clock import system_clock
from program.programs import ReminderSettingsError, change_program, policy_after
from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Program
from storage.programs import (
    ProgramConflict,
    ProgramConflictError,
    ProgramOptions,
    add_program,
    program_by_handle,
    program_for_team,
    programs_of_team,
    teams_with_programs,
)

NO_PROGRAM_YET = "there is no program in this database yet: start the bot once (mentorbot run)"


def workspace_of(session: Session, team_id: str | None) -> str:
    """The workspace asked for, or the only one the database holds."""
    teams = teams_with_programs(session)
    if team_id:
        if team_id not in teams:
            raise UsageProblem(f"no program for workspace {team_id}")
        return team_id
    if not teams:
        raise UsageProblem(NO_PROGRAM_YET)
    if len(teams) > 1:
        raise UsageProblem(f"this database holds several workspaces ({', '.join(teams)}); pick one with --team")
    return teams[0]


def program_named(session: Session, *, team_id: str, handle: str | None) -> Program:
    """The program `--program HANDLE` names, or the workspace's first when none is given."""
    if handle is None:
        program = program_for_team(session, team_id)
        if program is None:
            raise UsageProblem(NO_PROGRAM_YET)
        return program
    program = program_by_handle(session, team_id=team_id, handle=handle)
    if program is None:
        known = ", ".join(p.handle for p in programs_of_team(session, team_id)) or "none yet"
        raise UsageProblem(f"no program {handle!r} in workspace {team_id} (its programs: {known}); see mentorbot program list")
    return program


def options_from(args: argparse.Namespace) -> ProgramOptions:
    """What the command line sets; argparse has already checked each value's shape."""
    return ProgramOptions(
        name=getattr(args, "name", None),
        time_zone=args.time_zone,
        coordinator_channel_id=args.channel,
        academic_year_start=args.year_start,
        cadence_months=args.cadence,
        max_mentees_per_mentor=args.max_mentees,
        approaching_days=args.approaching_days,
        missed_every_days=args.missed_every_days,
        missed_limit=args.missed_limit,
        escalation_days=args.escalation_days,
        summary_at=args.summary_at,
        peer_mentoring=args.peer,
        check_in_minimum_answers=args.check_in_minimum,
        paused=getattr(args, "paused", None),
    )


def _conflict_text(error: ProgramConflictError, team_id: str) -> str:
    if error.conflict is ProgramConflict.HANDLE_TAKEN:
        return f"workspace {team_id} already has a program {error.value!r}; pick another handle"
    return f"workspace {team_id} already has a program named {error.value!r}; pick another name"


def _open_database() -> tuple[Engine, sessionmaker[Session]]:
    engine = make_engine(load_database_url())
    migrate.upgrade(engine)  # a program added before the first start still needs today's schema
    return engine, make_session_factory(engine)


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def describe(program: Program, *, first: bool) -> list[str]:
    """The program as `program list` prints it: one line of what, then its settings."""
    summary = f"{WEEKDAY_NAMES[program.summary_weekday]} {program.summary_hour:02d}:{program.summary_minute:02d}"
    kind = "peer mentoring (mentors are residents)" if program.peer_mentoring else "faculty mentoring"
    lines = [
        f"{program.handle}: {program.name} (workspace {program.team_id}{'; the first, set by the environment' if first else ''})",
        f"  {kind}; year starts {program.academic_year_start_month:02d}-{program.academic_year_start_day:02d};"
        f" a meeting every {program.cadence_months} month(s); at most {program.max_mentees_per_mentor} mentee(s) per mentor",
        f"  time zone {program.time_zone}; coordinators' channel {program.coordinator_channel_id or 'none'};"
        f" weekly summary {summary}",
        f"  reminders: {program.approaching_days} days before due, then every {program.missed_every_days} days"
        f" up to {program.missed_limit} times; coordinators told {program.escalation_days} days after due"
        + ("; PAUSED" if program.paused else ""),
    ]
    return lines


def program_add(args: argparse.Namespace) -> None:
    engine, factory = _open_database()
    try:
        with session_scope(factory) as session:
            # A new workspace's first program may be added before the bot ever started there.
            team_id = args.team or workspace_of(session, None)
            try:
                policy_after(None, options_from(args))
                program = add_program(
                    session,
                    team_id=team_id,
                    handle=args.handle,
                    name=args.name,
                    options=options_from(args),
                    now=system_clock(),
                    actor_label="cli: program add",
                )
            except ProgramConflictError as error:
                raise UsageProblem(_conflict_text(error, team_id)) from None
            except ReminderSettingsError as error:
                raise UsageProblem(f"{args.handle}: these settings do not fit together ({error}); nothing was added") from None
            lines = describe(program, first=False)
    finally:
        engine.dispose()
    print("program added:\n" + "\n".join(lines))
    print(f"next: mentorbot roster import FILE.csv --program {args.handle}")


def program_list(args: argparse.Namespace) -> None:
    engine, factory = _open_database()
    try:
        with session_scope(factory) as session:
            team_id = workspace_of(session, args.team)
            programs = programs_of_team(session, team_id)
            lines = [line for index, p in enumerate(programs) for line in describe(p, first=index == 0)]
    finally:
        engine.dispose()
    print("\n".join(lines))


def program_set(args: argparse.Namespace) -> None:
    engine, factory = _open_database()
    try:
        with session_scope(factory) as session:
            team_id = workspace_of(session, args.team)
            program = program_named(session, team_id=team_id, handle=args.handle)
            try:
                changed = change_program(
                    session, program=program, options=options_from(args), now=system_clock(), actor_label="cli: program set"
                )
            except ProgramConflictError as error:
                raise UsageProblem(_conflict_text(error, team_id)) from None
            except ReminderSettingsError as error:
                raise UsageProblem(f"{args.handle}: these settings do not fit together ({error}); nothing was changed") from None
            first = program_for_team(session, team_id)
            lines = describe(program, first=first is not None and first.id == program.id)
    finally:
        engine.dispose()
    print(
        (f"{args.handle}: changed {', '.join(changed)}" if changed else f"{args.handle}: nothing to change")
        + "\n"
        + "\n".join(lines)
    )
