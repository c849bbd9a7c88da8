"""Queueing a worded message in the outbox: how every operation sends what it decided.

A message is what a view returns ({"text": ..., "blocks": [...]}); it is written in the caller's
transaction, so it is sent if and only if the decision behind it commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage import outbox
from storage.models import OutboxMessage, Person, Program
from storage.outbox_kinds import OutboxKind
from storage.programs import programs_of_team
from storage.roster import ProgramRef, in_several_programs
from views.common import Message
from views.programs import for_program


def _for_readers(session: Session, program: Program, message: Message, to: Sequence[Person], options: dict[str, Any]) -> Message:
    """Headed by the program's name, its buttons carrying the program, when a reader is in several
    programs (or, for a channel post, when the workspace has several): a click then acts in this
    program. Everyone else gets the message as it is."""
    if len(programs_of_team(session, program.team_id)) < 2:  # one program: nothing to tell apart
        return message
    several = in_several_programs(session, program, to) if to else options.get("channel_id") is not None
    return for_program(message, ProgramRef(program.id, program.handle, program.name)) if several else message


def queue(
    session: Session,
    program: Program,
    kind: OutboxKind,
    message: Message,
    *,
    now: datetime,
    to: Sequence[Person] = (),
    **options: Any,
) -> OutboxMessage:
    """To one person (a DM), several (a group DM), or `channel_id=` a channel; see outbox.enqueue
    for the options (working hours, dedupe key, the pairing it is about...)."""
    message = _for_readers(session, program, message, to, options)
    return outbox.enqueue(
        session, program=program, kind=kind, text=message["text"], blocks=message.get("blocks"), now=now, recipients=to, **options
    )


def queue_once(
    session: Session,
    program: Program,
    kind: OutboxKind,
    message: Message,
    *,
    now: datetime,
    dedupe_key: str,
    to: Sequence[Person] = (),
    **options: Any,
) -> OutboxMessage | None:
    """Like queue, unless the message with this key was decided before (then None): for work
    that may run twice, such as a sweep after a restart or in two processes at once."""
    message = _for_readers(session, program, message, to, options)
    return outbox.enqueue_once(
        session,
        dedupe_key=dedupe_key,
        program=program,
        kind=kind,
        text=message["text"],
        blocks=message.get("blocks"),
        now=now,
        recipients=to,
        **options,
    )
