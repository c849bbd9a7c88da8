"""Coordinators' matching commands: `/mentor admin round open [YYYY-MM-DD]`, `round close`,
`match`, `pair @mentor @resident` and `unpair @resident`.

The `/mentor` router has already checked that the caller is a coordinator. Each command is one
unit of work: a rule it would break comes back as a private message and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from bot.access import Audience
from bot.commands import CommandRequest, parse_user_reference
from bot.listeners.context import ListenerContext
from bot.listeners.interactions import rows
from bot.matching import ProposalMade, make_proposal, pair_and_introduce, start_round, unpair_and_notify
from storage.capacity import PairingRuleError
from storage.models import Person, Program, RoundState
from storage.proposals import pending_proposal
from storage.roster import find_person
from storage.rounds import (
    DEFAULT_ANSWER_DAYS,
    RoundError,
    current_round,
    deadline_at_end_of,
    default_deadline,
    last_answer_day,
    year_label,
)
from views import rounds as replies
from views.common import Message, long_date, mention, private_message

ROUND_USAGE = "round open [YYYY-MM-DD] | round close"


class CommandProblem(Exception):
    """Something to tell the coordinator instead of doing the command; nothing was written."""


def parse_deadline(args: tuple[str, ...]) -> date | None:
    """The optional last day for answers; CommandProblem if it is not a date."""
    if not args:
        return None
    try:
        return date.fromisoformat(args[0])
    except ValueError:
        raise CommandProblem(
            f"I couldn't read `{args[0]}` as a date. Please give the last day for answers as YYYY-MM-DD, "
            "e.g. `/mentor admin round open 2026-07-15`, or leave it out for two weeks from today."
        ) from None


def parse_people(args: tuple[str, ...], count: int, usage: str) -> list[str]:
    user_ids = [parse_user_reference(word) for word in args]
    if len(args) != count or any(u is None for u in user_ids):
        raise CommandProblem(f"Usage: `/mentor admin {usage}`. Mention people with @ so Slack fills in who they are.")
    return [u for u in user_ids if u is not None]


def proposal_reply(made: ProposalMade) -> Message:
    review = made.review
    return replies.proposal_made_reply(
        proposal_id=review.proposal_id,
        matched=len(review.pairs),
        unmatched=len(review.unmatched),
        first_choice=review.first_choice,
        source=made.source,
    )


def register(ctx: ListenerContext) -> None:
    services = ctx.services

    def run(request: CommandRequest, work: Callable[[Session, Program, Person], Message]) -> bool:
        """Do one command in one unit of work and answer privately; False if nothing was done."""
        try:
            with services.unit_of_work() as session:
                coordinator, program = rows(session, request.actor)
                reply = work(session, program, coordinator)
        except (CommandProblem, RoundError, PairingRuleError) as problem:
            request.respond(**private_message(str(problem)))
            return False
        request.respond(**reply)
        return True

    def person_by_user_id(session: Session, program: Program, user_id: str) -> Person:
        person = find_person(session, program_id=program.id, team_id=program.team_id, slack_user_id=user_id)
        if person is None:
            raise CommandProblem(f"{mention(user_id)} is not on the program's roster.")
        return person

    # --- rounds ---------------------------------------------------------------------------------

    def round_command(request: CommandRequest) -> None:
        action = request.args[0].lower() if request.args else ""
        if action == "open":
            run(request, lambda s, p, c: open_round_now(s, p, c, request.args[1:]))
        elif action == "close":
            run(request, close_round_now)
        else:
            request.respond(**private_message(f"Usage: `/mentor admin {ROUND_USAGE}`"))

    def open_round_now(session: Session, program: Program, coordinator: Person, args: tuple[str, ...]) -> Message:
        now = services.clock()
        last_day = parse_deadline(args)
        deadline_at = deadline_at_end_of(program, last_day) if last_day else default_deadline(program, now)
        round_, invited = start_round(session, program=program, deadline_at=deadline_at, now=now, actor=coordinator)
        return replies.round_opened_reply(
            year_label=year_label(program, round_.academic_year),
            last_day=last_answer_day(program, deadline_at),
            invited=invited,
        )

    def close_round_now(session: Session, program: Program, coordinator: Person) -> Message:
        now = services.clock()
        round_ = current_round(session, program=program, now=now)
        if round_ is None:
            raise CommandProblem(
                "There's no matching round this academic year. Open one with `/mentor admin round open [YYYY-MM-DD]`."
            )
        if round_.state is RoundState.CLOSED:
            raise CommandProblem(
                "This year's round is already closed. Anyone still waiting can be matched with `/mentor admin match`."
            )
        if round_.state is RoundState.PROPOSED:
            pending = pending_proposal(session, program_id=program.id)
            if pending is not None:
                raise CommandProblem(
                    "Answers are already closed and the proposal is waiting for review: `/mentor admin match` makes a fresh one."
                )
        return proposal_reply(make_proposal(session, program=program, now=now, actor=coordinator, round_=round_))

    ctx.admin.add(
        "round",
        usage=ROUND_USAGE,
        summary=f"open this year's matching round (answers through the given day; default {DEFAULT_ANSWER_DAYS} days), or close it to answers now and run the matcher",
        audience=Audience.COORDINATORS,
        handler=round_command,
    )

    def match_command(request: CommandRequest) -> None:
        run(request, lambda s, p, c: proposal_reply(make_proposal(s, program=p, now=services.clock(), actor=c)))

    ctx.admin.add(
        "match",
        summary="run the matcher now (this year's round until it is approved, else the waiting list) and review its proposal",
        audience=Audience.COORDINATORS,
        handler=match_command,
    )

    # --- manual pairs ------------------------------------------------------------------------------

    def pair_command(request: CommandRequest) -> None:
        def work(session: Session, program: Program, coordinator: Person) -> Message:
            mentor_id, resident_id = parse_people(request.args, 2, "pair @mentor @resident")
            mentor = person_by_user_id(session, program, mentor_id)
            resident = person_by_user_id(session, program, resident_id)
            new = pair_and_introduce(
                session,
                program=program,
                mentor=mentor,
                resident=resident,
                coordinator=coordinator,
                now=services.clock(),
            )
            assert new.pairing.next_due_on is not None
            text = (
                f"Done: {mention(mentor_id)} now mentors {mention(resident_id)}. I'll introduce them in a group DM "
                f"in their working hours; their first meeting is due by {long_date(new.pairing.next_due_on)}."
            )
            return private_message(text)

        if run(request, work):
            refresh(request, request.args)

    def unpair_command(request: CommandRequest) -> None:
        def work(session: Session, program: Program, coordinator: Person) -> Message:
            (resident_id,) = parse_people(request.args, 1, "unpair @resident")
            resident = person_by_user_id(session, program, resident_id)
            pairing = unpair_and_notify(
                session, program=program, resident=resident, coordinator=coordinator, now=services.clock()
            )
            text = (
                f"Done: {mention(resident_id)}'s pairing with {mention(pairing.mentor.slack_user_id)} has ended. "
                f"Both get a neutral notice, and {mention(resident_id)} is on the waiting list for a new mentor."
            )
            return private_message(text)

        if run(request, work):
            refresh(request, request.args)

    def refresh(request: CommandRequest, args: tuple[str, ...]) -> None:
        user_ids = [u for u in (parse_user_reference(a) for a in args) if u]
        ctx.home.refresh(request.client, team_id=request.actor.team_id, user_ids=user_ids)

    ctx.admin.add(
        "pair",
        usage="pair @mentor @resident",
        summary="pair two people now, with the same checks as the matcher (capacity, one mentor each, never again after a request)",
        audience=Audience.COORDINATORS,
        handler=pair_command,
    )
    ctx.admin.add(
        "unpair",
        usage="unpair @resident",
        summary="end a resident's pairing (both get a neutral notice; the resident joins the waiting list)",
        audience=Audience.COORDINATORS,
        handler=unpair_command,
    )
