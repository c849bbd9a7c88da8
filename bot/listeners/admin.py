"""`/mentor admin <name> …`: one entry in /mentor help for coordinators, then their own list.

Features register admin subcommands on `ctx.admin` (a CommandRouter); the router of `/mentor`
has already checked that the caller is a coordinator before anything here runs.
"""

from __future__ import annotations

from dataclasses import replace

from bot.access import Audience
from bot.commands import CommandRequest
from bot.kit import ListenerContext
from views.common import echo
from views.help import CommandLine, help_message


def register(ctx: ListenerContext) -> None:
    admin = ctx.admin

    def lines() -> list[CommandLine]:
        return [CommandLine(f"admin {s.usage}", s.summary) for s in admin.subcommands()]

    def dispatch(request: CommandRequest) -> None:
        name = request.args[0].lower() if request.args else "help"
        subcommand = admin.resolve(name)
        if subcommand is None:
            lead = (
                "Here is what coordinators can do:"
                if name == "help"
                else f"Sorry, I don't know `/mentor admin {echo(name)}`. Here is what you can do:"
            )
            request.respond(**help_message(lines(), lead=lead))
            return
        subcommand.handler(replace(request, args=request.args[1:]))

    ctx.router.add(
        "admin",
        summary="run the program: matching rounds, proposals, manual pairs (`/mentor admin help` lists them)",
        audience=Audience.COORDINATORS,
        handler=dispatch,
        usage="admin …",
        routes=admin,
    )
