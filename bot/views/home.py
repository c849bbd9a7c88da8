"""App Home tab. Pure functions returning a `home` view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ids import ACTION_OPEN_OFFER, ACTION_OPEN_REQUEST
from bot.views.common import actions, button, context, divider, header, section
from bot.views.help import CommandLine, not_on_roster_message

View = dict[str, Any]


def matching_buttons(*, is_resident: bool, is_faculty: bool) -> list[dict[str, Any]]:
    """The preferences (residents) or availability (faculty) form, one click away."""
    if is_resident:
        return [button("My mentor preferences", ACTION_OPEN_REQUEST)]
    if is_faculty:
        return [button("Mentoring this year", ACTION_OPEN_OFFER)]
    return []


def home_view(
    *, name: str, role_label: str, commands: Sequence[CommandLine], buttons: Sequence[dict[str, Any]] = ()
) -> View:
    lines = "\n".join(f"• `/mentor {c.usage}`: {c.summary}" for c in commands)
    blocks = [header("Mentorship program"), section(f"Hi {name}! You're in the program as *{role_label}*.")]
    if buttons:
        blocks.append(actions(*buttons))
    blocks += [divider(), section("*What you can do*\n" + lines), context("This tab is visible only to you.")]
    return {"type": "home", "blocks": blocks}


def not_on_roster_home(coordinator_user_ids: Sequence[str]) -> View:
    message = not_on_roster_message(coordinator_user_ids)
    return {"type": "home", "blocks": [header("Mentorship program"), *message["blocks"]]}
