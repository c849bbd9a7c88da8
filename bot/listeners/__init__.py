"""Every listener module exposes register(app, services, router); this wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.commands import CommandRouter
from bot.listeners import commands, home
from bot.runtime import Services


def register_listeners(app: App, services: Services) -> CommandRouter:
    router = CommandRouter()
    commands.register(app, services, router)
    home.register(app, services, router)
    return router
