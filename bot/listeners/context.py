"""What every listener module is handed at registration."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot.commands import CommandRouter
from bot.home import HomePublisher
from bot.runtime import Services


@dataclass(frozen=True)
class ListenerContext:
    app: App
    services: Services
    router: CommandRouter
    home: HomePublisher
    # `/mentor admin <name> …`: coordinators' subcommands (bot/listeners/admin.py dispatches).
    admin: CommandRouter
