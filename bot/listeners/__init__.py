"""Every listener module exposes register(ctx); this wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.commands import CommandRouter
from bot.home import HomePublisher
from bot.listeners import change_requests, changes, commands, home, meetings, reports
from bot.listeners.context import ListenerContext
from bot.runtime import Services


def register_listeners(app: App, services: Services) -> CommandRouter:
    router = CommandRouter()
    ctx = ListenerContext(app=app, services=services, router=router, home=HomePublisher(services, router))
    # Order matters only for help: subcommands are listed in registration order.
    commands.register(ctx)
    meetings.register(ctx)
    changes.register(ctx)
    change_requests.register(ctx)
    home.register(ctx)
    reports.register(ctx)
    return router
