"""The `/mentor` slash command: ack, find who is asking, route to the subcommand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.access import Audience, allows
from bot.commands import CommandRequest, CommandRouter, ParsedCommand, Subcommand, parse_command
from bot.home import HomePublisher
from bot.kit import ListenerContext, Who, apologising, first_delivery, who_of
from bot.runtime import Services
from views.help import (
    CommandLine,
    help_message,
    not_allowed_message,
    not_on_roster_message,
    too_long_message,
    unknown_command_message,
)
from views.ids import SLASH_COMMAND
from views.programs import programs_help_line, which_program_message

COMMAND_TEXT_LIMIT = 500  # the longest real command (`admin pair <@U…> <@U…>`) is far shorter

AUDIENCE_NAMES = {
    Audience.EVERYONE: "everyone",
    Audience.RESIDENTS: "residents",
    Audience.FACULTY: "faculty",
    Audience.COORDINATORS: "program coordinators",
}


def _lines(commands: Sequence[Subcommand]) -> list[CommandLine]:
    return [CommandLine(c.usage, c.summary) for c in commands]


# Read-only subcommands that, for someone in several programs who names none, answer for each.
FOR_EACH_PROGRAM = frozenset({"status"})


def what(command: dict[str, Any]) -> str:
    """How a command is named in the log: its subcommand, never the rest of what was typed."""
    parsed = parse_command(command.get("text"))
    words = [parsed.name, *parsed.args[:1]] if parsed.name == "admin" else [parsed.name]
    return " ".join([SLASH_COMMAND, *(w[:20] for w in words)])


def answer(
    router: CommandRouter, services: Services, home: HomePublisher, command: dict[str, Any], context: BoltContext,
    respond: Respond, client: WebClient,
) -> None:  # fmt: skip
    """After the ack: the caller's roster entry, then their subcommand if their role may use it.

    Someone in several programs may end the command with a program's short name; without one,
    the program is the only one where their role may use the subcommand, or they are asked which
    (`status` answers for each)."""
    with apologising(lambda answer: respond(**answer.message), what(command)):
        if not first_delivery(services, command, what(command)):
            return
        text = command.get("text") or ""
        if len(text) > COMMAND_TEXT_LIMIT:
            respond(**too_long_message(COMMAND_TEXT_LIMIT))
            return
        parsed = parse_command(text)
        who = who_of(context)
        everywhere = who.everywhere
        if everywhere.actor is None:
            respond(**not_on_roster_message(everywhere.coordinator_user_ids))
            return
        named = everywhere.by_handle(parsed.args[-1]) if parsed.args else None
        if named is not None:
            parsed = ParsedCommand(parsed.name, parsed.args[:-1])
            who.choose(named.program_id)
        elif everywhere.several:
            subcommand = router.resolve(parsed.name)
            if parsed.name == "help" or subcommand is None:
                visible = list(dict.fromkeys(c for m in everywhere.memberships for c in router.visible_to(m)))
                lead = programs_help_line(everywhere.programs)
                if subcommand is None:
                    respond(**unknown_command_message(parsed.name, _lines(visible)))
                else:
                    respond(**help_message(_lines(visible), lead=f"{lead}\nHere is what you can do with Mentorbot:"))
                return
            allowed = [m for m in everywhere.memberships if allows(subcommand.audience, m)]
            if parsed.name in FOR_EACH_PROGRAM and len(allowed) > 1:
                for membership in allowed:
                    who.choose(membership.program_id)
                    _run(router, services, home, command, who, parsed, respond, client)
                return
            if len(allowed) > 1:
                programs = [p for p in everywhere.programs if any(m.program_id == p.program_id for m in allowed)]
                respond(**which_program_message(" ".join((parsed.name, *parsed.args)), programs))
                return
            if allowed:
                who.choose(allowed[0].program_id)
        _run(router, services, home, command, who, parsed, respond, client)


def _run(
    router: CommandRouter, services: Services, home: HomePublisher, command: dict[str, Any], who: Who,
    parsed: ParsedCommand, respond: Respond, client: WebClient,
) -> None:  # fmt: skip
    """The subcommand, as the caller's membership in the program chosen (or their first)."""
    lookup = who.lookup
    actor = lookup.actor
    if actor is None:
        respond(**not_on_roster_message(lookup.coordinator_user_ids))
        return
    answer_privately = who.respond_for(respond)
    visible = _lines(router.visible_to(actor))
    subcommand = router.resolve(parsed.name)
    if subcommand is None:
        answer_privately(**unknown_command_message(parsed.name, visible))
    elif not allows(subcommand.audience, actor):
        answer_privately(**not_allowed_message(parsed.name, AUDIENCE_NAMES[subcommand.audience], visible))
    elif subcommand.name == "help":
        answer_privately(**help_message(visible))
    else:
        subcommand.handler(
            CommandRequest(
                actor=actor,
                args=parsed.args,
                trigger_id=command.get("trigger_id", ""),
                respond=answer_privately,
                client=who.client_for(client),
                services=services,
                home=home,
            )
        )


def register(ctx: ListenerContext) -> None:
    ctx.router.add("help", summary="this list", audience=Audience.EVERYONE, handler=lambda request: None)

    @ctx.app.command(SLASH_COMMAND)
    def mentor_command(ack: Ack, command: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        ack()
        ctx.services.after_ack(
            lambda: answer(ctx.router, ctx.services, ctx.home, command, context, respond, client),
            what(command),
        )
