"""Help, and the answers for people who cannot use a command. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from views.common import Message, context, echo, join_names, mention, private_message, section


@dataclass(frozen=True)
class CommandLine:
    usage: str
    summary: str


def _command_list(commands: Sequence[CommandLine]) -> str:
    return "\n".join(f"• `/mentor {c.usage}`: {c.summary}" for c in commands)


def help_message(commands: Sequence[CommandLine], *, lead: str | None = None) -> Message:
    lead = lead or "Here is what you can do with Mentorbot:"
    blocks = [
        section(lead),
        section(_command_list(commands)),
        context("Only you can see this message."),
    ]
    return private_message(f"{lead}\n{_command_list(commands)}", blocks)


def unknown_command_message(name: str, commands: Sequence[CommandLine]) -> Message:
    return help_message(commands, lead=f"Sorry, I don't know `/mentor {echo(name)}`. Here is what you can do:")


def too_long_message(limit: int) -> Message:
    return private_message(
        f"That's longer than any `/mentor` command ({limit} characters at most), so nothing was done. `/mentor help` lists them."
    )


def not_allowed_message(name: str, who: str, commands: Sequence[CommandLine]) -> Message:
    return help_message(commands, lead=f"`/mentor {echo(name)}` is for {who}, so nothing was done. Here is what you can do:")


def not_on_roster_message(coordinator_user_ids: Sequence[str]) -> Message:
    if coordinator_user_ids:
        who = join_names([mention(u) for u in coordinator_user_ids])
        text = (
            "You're not on the mentorship program's roster yet, so I can't help with that. "
            f"If you'd like to join, please ask the program coordinator: {who}."
        )
    else:
        text = (
            "You're not on the mentorship program's roster yet, and the program has no coordinator set up yet. "
            "Please ask your residency program office to add you."
        )
    return private_message(text, [section(text), context("Only you can see this message.")])


def something_went_wrong_message() -> Message:
    text = (
        "Sorry, something went wrong on my side and nothing was changed. "
        "Please try again in a minute; if it keeps happening, let the program coordinator know."
    )
    return private_message(text)
