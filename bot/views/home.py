"""App Home tab. Pure functions returning a `home` view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ids import ACTION_OPEN_OFFER, ACTION_OPEN_REQUEST
from bot.views.common import Block, actions, button, context, divider, header, section
from bot.views.help import CommandLine, not_on_roster_message

View = dict[str, Any]


def matching_actions(*, is_resident: bool, is_faculty: bool, withdrawn: bool) -> list[Block]:
    """The preferences (residents) or availability (faculty) form, one click away."""
    if withdrawn:
        return []
    if is_resident:
        return [actions(button("My mentor preferences", ACTION_OPEN_REQUEST))]
    if is_faculty:
        return [actions(button("Mentoring this year", ACTION_OPEN_OFFER))]
    return []


def home_view(*, name: str, role_label: str, commands: Sequence[CommandLine], personal: Sequence[Block] = ()) -> View:
    lines = "\n".join(f"• `/mentor {c.usage}`: {c.summary}" for c in commands)
    return {
        "type": "home",
        "blocks": [
            header("Mentorship program"),
            section(f"Hi {name}! You're in the program as *{role_label}*."),
            *personal,
            divider(),
            section("*What you can do*\n" + lines),
            context("This tab is visible only to you."),
        ],
    }


def not_on_roster_home(coordinator_user_ids: Sequence[str]) -> View:
    message = not_on_roster_message(coordinator_user_ids)
    return {"type": "home", "blocks": [header("Mentorship program"), *message["blocks"]]}
