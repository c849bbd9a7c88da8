"""The `/mentor` slash command: ack, find who is asking, route to the subcommand."""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.access import Audience, allows, lookup_actor
from bot.commands import CommandRequest, Subcommand, parse_command
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
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


def register(ctx: ListenerContext) -> None:
    app, services, router = ctx.app, ctx.services, ctx.router
    router.add("help", summary="this list", audience=Audience.EVERYONE, handler=lambda request: None)

    @app.command(SLASH_COMMAND)
    def mentor_command(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        ack()
        services.after_ack(lambda: answer(command, respond, client), f"{SLASH_COMMAND} {command.get('text', '')!r}")

    def answer(command: dict, respond: Respond, client: WebClient) -> None:
        with apologise_on_error(respond, f"{SLASH_COMMAND} {command.get('text', '')!r}"):
            parsed = parse_command(command.get("text"))
            with services.unit_of_work() as session:
                found = lookup_actor(session, team_id=command["team_id"], user_id=command["user_id"])
            actor = found.actor
            if actor is None:
                respond(**not_on_roster_message(found.coordinator_user_ids))
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
                    )
                )
