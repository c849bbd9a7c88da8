"""Coordinators' matching commands: `/mentor admin round open [YYYY-MM-DD]`, `round close`,
`match`, `pair @mentor @resident` and `unpair @resident`, and the dashboard's buttons that open a
round or run the matcher.

The `/mentor` router has already checked that the caller is a coordinator. Each command is one
unit of work: a rule it would break comes back as a private message and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.access import Audience
from bot.commands import CommandRequest, parse_user_reference
from bot.kit import Click, ListenerContext
from bot.runtime import Services
from program.matching import pairs, rounds
from program.matching.rounds import ProposalMade
from storage.pairings import PairingRuleError
from storage.roster import Actor
from storage.rounds import DEFAULT_ANSWER_DAYS, RoundError
from views import rounds as replies
from views.common import Message, PrivateAnswer, click_answer, notice_modal, private_message
from views.ids import ACTION_OPEN_ROUND, ACTION_RUN_MATCH
from views.pairings import pairing_problem_text


class CommandProblem(Exception):
    """Something to tell the coordinator instead of doing the command (in words); nothing was written."""


def parse_deadline(args: tuple[str, ...]) -> date | None:
    """The optional last day for answers; CommandProblem if it is not a date."""
    if not args:
        return None
    try:
        return date.fromisoformat(args[0])
    except ValueError:
        raise CommandProblem(replies.bad_deadline_text(args[0])) from None


def parse_people(args: tuple[str, ...], count: int, usage: str) -> list[str]:
    user_ids = [parse_user_reference(word) for word in args]
    if len(args) != count or any(u is None for u in user_ids):
        raise CommandProblem(replies.people_usage_text(usage))
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


def problem_text(problem: Exception) -> str:
    if isinstance(problem, RoundError):
        return replies.round_problem_text(problem)
    if isinstance(problem, PairingRuleError):
        return pairing_problem_text(problem)
    if isinstance(problem, pairs.NotOnRoster):
        return replies.not_on_roster_text(problem.user_id)
    return str(problem)


def attempt(services: Services, work: Callable[[Session], Message]) -> tuple[Message, bool]:
    """Do one command in one unit of work: (the private answer, whether it was done)."""
    try:
        with services.unit_of_work() as session:
            return work(session), True
    except (CommandProblem, RoundError, PairingRuleError, pairs.NotOnRoster) as problem:
        return private_message(problem_text(problem)), False


def run(request: CommandRequest, work: Callable[[Session], Message]) -> bool:
    """Do one command and answer privately; False if nothing was done."""
    reply, done = attempt(request.services, work)
    request.respond(**reply)
    return done


def no_more(args: tuple[str, ...], usage: str) -> None:
    """CommandProblem if words follow a command that takes none (they would be silently ignored)."""
    if args:
        raise CommandProblem(replies.no_arguments_text(usage, args))


def round_command(request: CommandRequest) -> None:
    action, now = (request.args[0].lower() if request.args else ""), request.services.clock()
    if action == "open":

        def open_work(session: Session) -> Message:
            no_more(request.args[2:], f"round open {request.args[1]}" if len(request.args) > 1 else "round open")
            last_day = parse_deadline(request.args[1:])
            return opened_reply(rounds.open_round_now(session, actor=request.actor, last_day=last_day, now=now))

        run(request, open_work)
    elif action == "close":

        def close_work(session: Session) -> Message:
            no_more(request.args[1:], "round close")
            return proposal_reply(rounds.close_answers_now(session, actor=request.actor, now=now))

        run(request, close_work)
    else:
        request.respond(**replies.round_usage_message(request.args[0] if request.args else None))


def opened_reply(opened: rounds.RoundOpened) -> Message:
    return replies.round_opened_reply(year_label=opened.year_label, last_day=opened.last_day, invited=opened.invited)


def match_command(request: CommandRequest) -> None:
    now = request.services.clock()

    def work(session: Session) -> Message:
        no_more(request.args, "match")
        return proposal_reply(rounds.match_now(session, actor=request.actor, now=now))

    run(request, work)


def pair_command(request: CommandRequest) -> None:
    def work(session: Session) -> Message:
        mentor_id, resident_id = parse_people(request.args, 2, "pair @mentor @resident")
        new = pairs.pair_now(
            session, actor=request.actor, mentor_user_id=mentor_id, resident_user_id=resident_id, now=request.services.clock()
        )
        assert new.pairing.next_due_on is not None
        return replies.paired_reply(mentor_user_id=mentor_id, resident_user_id=resident_id, first_due=new.pairing.next_due_on)

    if run(request, work):
        refresh(request)


def unpair_command(request: CommandRequest) -> None:
    def work(session: Session) -> Message:
        (resident_id,) = parse_people(request.args, 1, "unpair @resident")
        pairing = pairs.unpair_now(session, actor=request.actor, resident_user_id=resident_id, now=request.services.clock())
        return replies.unpaired_reply(resident_user_id=resident_id, mentor_user_id=pairing.mentor.slack_user_id)

    if run(request, work):
        refresh(request)


def refresh(request: CommandRequest) -> None:
    user_ids = [u for u in (parse_user_reference(a) for a in request.args) if u]
    request.home.refresh(request.client, team_id=request.actor.team_id, user_ids=user_ids)


# --- the dashboard's buttons (App Home) -------------------------------------------------------------


def dashboard_button(surface: str, work: Callable[[Session, Actor, datetime], Message]) -> Callable[[Click], None]:
    """The same as the command, answered in a small modal; the coordinator's dashboard is refreshed."""

    def clicked(click: Click) -> None:
        actor, problem = click.who.actor, click.who.refusal(surface)
        if problem or actor is None:
            click.answer(click_answer(problem or ""))
            return
        now = click.services.clock()
        reply, done = attempt(click.services, lambda session: work(session, actor, now))
        click.answer(PrivateAnswer(reply, notice_modal("Matching", reply["text"])))
        if done:
            click.refresh_homes([actor.slack_user_id])

    return clicked


def open_round(session: Session, actor: Actor, now: datetime) -> Message:
    return opened_reply(rounds.open_round_now(session, actor=actor, last_day=None, now=now))


def run_matcher(session: Session, actor: Actor, now: datetime) -> Message:
    return proposal_reply(rounds.match_now(session, actor=actor, now=now))


def register(ctx: ListenerContext) -> None:
    admin = ctx.admin
    admin.add("round", usage=replies.ROUND_USAGE, handler=round_command, audience=Audience.COORDINATORS,
              summary=f"open this year's matching round (answers through the given day; default {DEFAULT_ANSWER_DAYS} days), "
              "or close it to answers now and run the matcher")  # fmt: skip
    admin.add("match", handler=match_command, audience=Audience.COORDINATORS,
              summary="run the matcher now (this year's round until it is approved, else the waiting list) and review its proposal")  # fmt: skip
    admin.add("pair", usage="pair @mentor @resident", handler=pair_command, audience=Audience.COORDINATORS,
              summary="pair two people now, with the same checks as the matcher (capacity, one mentor each, never again after a request)")  # fmt: skip
    admin.add("unpair", usage="unpair @resident", handler=unpair_command, audience=Audience.COORDINATORS,
              summary="end a resident's pairing (both get a neutral notice; the resident joins the waiting list)")  # fmt: skip
    ctx.on_click(ACTION_OPEN_ROUND, dashboard_button(ACTION_OPEN_ROUND, open_round), what=ACTION_OPEN_ROUND)
    ctx.on_click(ACTION_RUN_MATCH, dashboard_button(ACTION_RUN_MATCH, run_matcher), what=ACTION_RUN_MATCH)
