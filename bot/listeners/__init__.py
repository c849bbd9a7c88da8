"""Every listener module exposes register(ctx); this wires them all, behind the kit's middleware."""

from __future__ import annotations

from slack_bolt import App

from bot.commands import CommandRouter
from bot.home import HomePublisher
from bot.kit import ListenerContext, resolve_actor
from bot.listeners import (
    admin,
    change_requests,
    changes,
    check_ins,
    commands,
    home,
    meeting_plans,
    meetings,
    pauses,
    preferences,
    proposals,
    reports,
    rounds,
    workspaces,
)
from bot.runtime import Services


def register_listeners(app: App, services: Services) -> CommandRouter:
    router = CommandRouter()
    app.use(resolve_actor(services))
    ctx = ListenerContext(app=app, services=services, router=router, home=HomePublisher(services, router))
    # Order matters only for help: subcommands are listed in registration order.
    commands.register(ctx)
    meetings.register(ctx)
    pauses.register(ctx)
    meeting_plans.register(ctx)
    check_ins.register(ctx)
    preferences.register(ctx)
    changes.register(ctx)
    change_requests.register(ctx)
    home.register(ctx)
    rounds.register(ctx)
    proposals.register(ctx)
    reports.register(ctx)
    admin.register(ctx)
    workspaces.register(ctx)
    return router
