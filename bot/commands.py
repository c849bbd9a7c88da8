"""`/mentor` subcommands: parsing (pure) and the router each feature registers into."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.access import Audience, allows
from bot.runtime import Services
from storage.roster import Actor

if TYPE_CHECKING:
    from bot.home import HomePublisher


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...]


def parse_command(text: str | None) -> ParsedCommand:
    """`"  Met 2026-11-02 "` -> ParsedCommand("met", ("2026-11-02",)); empty text means help."""
    words = (text or "").split()
    if not words:
        return ParsedCommand("help", ())
    return ParsedCommand(words[0].lower(), tuple(words[1:]))


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def parse_user_reference(word: str) -> str | None:
    """A Slack user ID from `<@U123|name>` / `<@U123>` (how Slack escapes an @mention in a slash
    command's text) or a bare `U123`; None for anything else, e.g. an unescaped `@name`."""
    word = word.strip()
    found = _MENTION.match(word)
    if found:
        return found.group(1)
    return word if _USER_ID.match(word) else None


# Anything that sends a private answer given message keyword arguments (Bolt's `respond` is one).
PrivateAnswer = Callable[..., object]


@dataclass(frozen=True)
class CommandRequest:
    actor: Actor
    args: tuple[str, ...]
    trigger_id: str
    respond: PrivateAnswer
    client: WebClient
    services: Services
    home: HomePublisher


Handler = Callable[[CommandRequest], None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    audience: Audience
    handler: Handler
    routes: CommandRouter | None = None  # the subcommands it dispatches to, if it is a group (`admin`)


class CommandRouter:
    def __init__(self) -> None:
        self._subcommands: dict[str, Subcommand] = {}

    def add(
        self,
        name: str,
        *,
        summary: str,
        audience: Audience,
        handler: Handler,
        usage: str | None = None,
        routes: CommandRouter | None = None,
    ) -> None:
        if name in self._subcommands:
            raise ValueError(f"subcommand {name!r} registered twice")
        self._subcommands[name] = Subcommand(name, usage or name, summary, audience, handler, routes)

    def resolve(self, name: str) -> Subcommand | None:
        return self._subcommands.get(name)

    def subcommands(self) -> list[Subcommand]:
        """In registration order."""
        return list(self._subcommands.values())

    def names(self) -> list[str]:
        return sorted(self._subcommands)

    def visible_to(self, actor: Actor | None) -> Sequence[Subcommand]:
        """In registration order, so help reads from everyday commands to admin ones."""
        return [s for s in self._subcommands.values() if actor is not None and allows(s.audience, actor)]
