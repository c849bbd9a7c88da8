"""What the real Bolt app listens to, read from its registrations (not from a hand-kept list), so
tests that walk every listener cover a new one the day it is registered."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from slack_bolt import App

from bot.commands import CommandRouter

# Bolt's built-in matcher factories (slack_bolt/listener_matcher/builtins.py), by the name of the
# factory, and the variable each one's matcher closes over.
_KINDS = {
    "command": ("command", "command"),
    "action": ("action", "constraints"),
    "view_submission": ("view_submission", "callback_id"),
    "options": ("options", "constraints"),
    "event": ("event", "event_type"),
}


@dataclass(frozen=True)
class Registered:
    kind: str  # "command" | "action" | "view_submission" | "options" | "event"
    key: str  # the command, action_id, callback_id or event type

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


def registered_listeners(app: App) -> list[Registered]:
    """Every listener registered on `app`. A kind of listener this does not know (a shortcut, a
    message listener, a regular expression) fails loudly: teach the tests that use this about it."""
    found: list[Registered] = []
    for listener in app._listeners:  # Bolt keeps them in registration order; no public accessor
        matcher = listener.matchers[0]
        factory = getattr(matcher, "func", None).__qualname__.split(".")[0]  # type: ignore[union-attr]
        if factory not in _KINDS:
            raise AssertionError(f"a {factory} listener: the listener-walking tests don't know how to call it yet")
        kind, variable = _KINDS[factory]
        key = inspect.getclosurevars(matcher.func).nonlocals[variable]  # type: ignore[attr-defined]
        if not isinstance(key, str):
            raise AssertionError(f"a {kind} listener matching {key!r}: the listener-walking tests expect a plain string")
        found.append(Registered(kind, key))
    return found


def subcommand_lines(router: CommandRouter) -> list[str]:
    """Every `/mentor …` subcommand, as its first words (`status`, `admin match`)."""
    lines: list[str] = []
    for subcommand in router.subcommands():
        if subcommand.routes is None:
            lines.append(subcommand.name)
        else:
            lines += [f"{subcommand.name} {inner}" for inner in subcommand_lines(subcommand.routes)]
    return lines
