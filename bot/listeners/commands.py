"""The `/mentor` slash command: ack, find who is asking, route to the subcommand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.access import Audience, allows
from bot.commands import CommandRequest, CommandRouter, Subcommand, parse_command
from bot.home import HomePublisher
from bot.kit import ListenerContext, apologising, first_delivery, who_of
from bot.runtime import Services
from views.help import (
    CommandLine,
    help_message,
    not_allowed_message,
    not_on_roster_message,
    unknown_command_message,
)
from views.ids import SLASH_COMMAND

AUDIENCE_NAMES = {
    Audience.EVERYONE: "everyone",
    Audience.RESIDENTS: "residents",
    Audience.FACULTY: "faculty",
    Audience.COORDINATORS: "program coordinators",
}


def _lines(commands: Sequence[Subcommand]) -> list[CommandLine]:
    return [CommandLine(c.usage, c.summary) for c in commands]


def what(command: dict[str, Any]) -> str:
    """How a command is named in the log: its subcommand, never the rest of what was typed."""
    parsed = parse_command(command.get("text"))
    words = [parsed.name, *parsed.args[:1]] if parsed.name == "admin" else [parsed.name]
    return " ".join([SLASH_COMMAND, *(w[:20] for w in words)])


def answer(
    router: CommandRouter, services: Services, home: HomePublisher, command: dict[str, Any], context: BoltContext,
    respond: Respond, client: WebClient,
) -> None:  # fmt: skip
    """After the ack: the caller's roster entry, then their subcommand if their role may use it."""
    with apologising(lambda answer: respond(**answer.message), what(command)):
        if not first_delivery(services, command, what(command)):
            return
        parsed = parse_command(command.get("text"))
        lookup = who_of(context).lookup
        actor = lookup.actor
        if actor is None:
            respond(**not_on_roster_message(lookup.coordinator_user_ids))
            return
        visible = _lines(router.visible_to(actor))
        subcommand = router.resolve(parsed.name)
        if subcommand is None:
            respond(**unknown_command_message(parsed.name, visible))
        elif not allows(subcommand.audience, actor):
            respond(**not_allowed_message(parsed.name, AUDIENCE_NAMES[subcommand.audience], visible))
        elif subcommand.name == "help":
            respond(**help_message(visible))
        else:
            subcommand.handler(
                CommandRequest(
                    actor=actor,
                    args=parsed.args,
                    trigger_id=command.get("trigger_id", ""),
                    respond=respond,
                    client=client,
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
