"""Every listener module exposes register(ctx); this wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.commands import CommandRouter
from bot.home import HomePublisher
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
)
from bot.listeners.context import ListenerContext
from bot.runtime import Services


def register_listeners(app: App, services: Services) -> CommandRouter:
    router = CommandRouter()
    ctx = ListenerContext(app=app, services=services, router=router, home=HomePublisher(services, router), admin=CommandRouter())
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
    return router
