"""The outbox: every message the bot decides to send is a row, written in the same transaction
as the decision; a delivery job sends it to Slack afterwards (scheduler/, see the cadence work).

Enqueueing is the only way features send DMs, group DMs and channel posts. Direct answers to
a person's own click or command (ephemeral replies, modals) do not go through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, or_, select, update
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentoring.working_hours import is_working_time, next_delivery_time, resolve_zone
from storage.db import forget_after_commit
from storage.models import OutboxMessage, OutboxState, Person, PersonStatus, Program
from storage.outbox_kinds import CLEANUP_KIND_OF, OutboxKind, cleanup_key
from storage.programs import person_zone

MAX_ALIGNMENT_ROUNDS = 8


def working_hours_for_all(people: Sequence[Person], program: Program, now: datetime) -> datetime:
    """The first instant at or after `now` that is within working hours for every recipient.

    A group DM to two people in different zones waits until both are at work; if their hours
    never overlap, the latest of their next windows is used so nobody is woken at night.
    """
    zones = [person_zone(p, program) for p in people] or [resolve_zone(None, program.time_zone)]
    moment = now
    for _ in range(MAX_ALIGNMENT_ROUNDS):
        moment = max(next_delivery_time(moment, zone) for zone in zones)
        if all(is_working_time(moment, zone) for zone in zones):
            return moment
    return moment


def _has_left(person: Person) -> bool:
    return person.status is PersonStatus.WITHDRAWN and not person.is_coordinator


def enqueue(
    session: Session,
    *,
    program: Program,
    kind: OutboxKind,
    text: str,
    now: datetime,
    recipients: Sequence[Person] = (),
    channel_id: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    pairing_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    respect_working_hours: bool = True,
    attachment: bytes | None = None,
    attachment_name: str | None = None,
    to_withdrawn: bool = False,
    flush: bool = True,
) -> OutboxMessage:
    """Queue a message to a DM (one recipient), a group DM (several) or a channel.

    By default it waits for the recipients' working hours (weekdays 09:00-17:00 in their own time
    zone; channel posts use the program's). A `dedupe_key` makes a message exist at most once:
    callers that may run twice (sweeps, retries) check `exists(dedupe_key)` or rely on the unique
    constraint.

    Someone who withdrew from the program gets no more DMs: a message to them is stored already
    cancelled, unless `to_withdrawn` (their withdrawal's own confirmation). Coordinators are
    exempt, since a coordinator who stops mentoring still runs the program.
    """
    if bool(recipients) == bool(channel_id):
        raise ValueError("a message goes either to people or to a channel")
    left = [] if to_withdrawn else [p.slack_user_id for p in recipients if _has_left(p)]
    earliest = not_before or now
    if respect_working_hours:
        earliest = working_hours_for_all(list(recipients), program, earliest)
    message = OutboxMessage(
        program_id=program.id,
        kind=OutboxKind(kind).value,
        dedupe_key=dedupe_key,
        pairing_id=pairing_id,
        recipient_user_ids=[p.slack_user_id for p in recipients] or None,
        channel_id=channel_id,
        text=text,
        blocks=blocks,
        attachment=attachment,
        attachment_name=attachment_name,
        not_before=earliest,
        quiet_hours=respect_working_hours,
        state=OutboxState.CANCELLED if left else OutboxState.PENDING,
        last_error=f"recipient left the program: {', '.join(left)}" if left else None,
        attempts=0,
        created_at=now,
    )
    session.add(message)
    if flush:  # callers queueing many rows pass False and let the commit insert them together
        session.flush()
    return message


def not_yet_sent() -> ColumnElement[bool]:
    """Rows that may still be stopped: pending, or waiting to retry after an attempt in doubt
    (one a worker is attempting right now is left to finish)."""
    return or_(
        OutboxMessage.state == OutboxState.PENDING,
        and_(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.lease_owner.is_(None)),
    )


def cancel_for_pairing(session: Session, *, pairing_id: int, reason: str = "pairing ended") -> int:
    """Cancel messages about a pairing that have not been sent (its nudges stop at once)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.pairing_id == pairing_id, not_yet_sent())
        .values(state=OutboxState.CANCELLED, last_error=reason)
    )
    return cast("CursorResult[Any]", result).rowcount or 0


def cancel_to_person(session: Session, *, slack_user_id: str, reason: str) -> int:
    """Cancel pending one-to-one DMs to someone (a withdrawn person gets no more DMs)."""
    # Only ids and recipients are read (never bodies or attachments); the JSON list is compared
    # here because its SQL spelling differs between SQLite and PostgreSQL.
    pending = session.execute(
        select(OutboxMessage.id, OutboxMessage.recipient_user_ids).where(
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.recipient_user_ids.is_not(None),
            OutboxMessage.edits_id.is_(None),  # an edit taking a note out of their DM must still happen
        )
    )
    ids = [row.id for row in pending if row.recipient_user_ids == [slack_user_id]]
    if not ids:
        return 0
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.state == OutboxState.PENDING)
        .values(state=OutboxState.CANCELLED, last_error=reason)
        .execution_options(synchronize_session="fetch")
    )
    return len(ids)


def exists(session: Session, dedupe_key: str) -> bool:
    """Whether a message with this natural key was already decided (whatever its state)."""
    query = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key).limit(1)
    return session.scalars(query).first() is not None


def decided_keys(session: Session, dedupe_keys: Sequence[str]) -> set[str]:
    """Which of these keys already name a message: one query for a sweep's whole list."""
    if not dedupe_keys:
        return set()
    query = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(list(dedupe_keys)))
    return {key for key in session.scalars(query) if key is not None}


def enqueue_once(session: Session, *, dedupe_key: str, **message: Any) -> OutboxMessage | None:
    """enqueue, unless a message with this key exists already (then None). Inside a savepoint: a
    process that loses a race to decide the same message gets the unique violation, rolls back
    only the savepoint and moves on."""
    if exists(session, dedupe_key):
        return None
    try:
        with session.begin_nested():
            return enqueue(session, dedupe_key=dedupe_key, **message)
    except IntegrityError:
        return None  # another process decided it first


# What a row's last_error says when its delivery gave up in doubt: the post may be in Slack.
GAVE_UP_IN_DOUBT = "(the last attempt may have reached Slack)"


def may_be_in_slack(message: OutboxMessage) -> bool:
    """Whether this row's message is, or may be, in Slack (so an edit of it may be needed)."""
    if message.state in (OutboxState.SENT, OutboxState.SENDING):
        return True
    return message.state is OutboxState.FAILED and GAVE_UP_IN_DOUBT in (message.last_error or "")


@dataclass(frozen=True)
class Cleanup:
    cancelled: int  # copies not sent yet: stopped, so they never reach Slack
    edits: int  # copies that are or may be in Slack: an edit row queued for each


def clean_copies(
    session: Session,
    *,
    dedupe_prefix: str,
    text: str,
    blocks: list[dict[str, Any]] | None,
    reason: str,
    report_to: str | None,
    now: datetime,
) -> Cleanup:
    """Take a note out of every copy of a message whose key starts with `dedupe_prefix` (one
    request's alert to each coordinator, one check-in note's), stored and in Slack.

    Stored copies are overwritten at once and those not sent yet cancelled. Each copy that is or
    may be in Slack gets an edit row (`edits_id`), delivered like any message: retried after 429s,
    errors, outages and restarts, and only once the copy's own delivery has settled, so an edit
    never overtakes the post it corrects (scheduler/delivery.py). `report_to` is told if an edit
    is late or fails (program/cleanups.py).
    """
    # Locked and read afresh: a copy a worker claimed a moment ago is seen as `sending`, never as
    # the `pending` it was, so it gets its edit instead of a cancellation that comes too late.
    copies = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.dedupe_key.startswith(dedupe_prefix, autoescape=True))
        .order_by(OutboxMessage.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    forget_after_commit(session)  # the old text must leave the disk too (SQLite's write-ahead log)
    cancelled = edits = 0
    for message in list(copies):
        message.text = text
        message.blocks = blocks
        if message.state is OutboxState.PENDING:
            message.state = OutboxState.CANCELLED
            message.last_error = reason
            cancelled += 1
        elif may_be_in_slack(message) and message.dedupe_key is not None:
            session.add(
                OutboxMessage(
                    program_id=message.program_id,
                    kind=CLEANUP_KIND_OF[OutboxKind(message.kind)].value,
                    dedupe_key=cleanup_key(message.dedupe_key),
                    recipient_user_ids=message.recipient_user_ids,
                    channel_id=message.channel_id,
                    text=text,
                    blocks=blocks,
                    not_before=now,
                    quiet_hours=False,  # an edit notifies nobody: it need not wait for working hours
                    state=OutboxState.PENDING,
                    attempts=0,
                    created_at=now,
                    edits_id=message.id,
                    report_to=report_to,
                )
            )
            edits += 1
    session.flush()
    return Cleanup(cancelled, edits)


def cleanup_edits(session: Session, *, group: str) -> list[OutboxMessage]:
    """The edits of one resolution (keys from outbox_kinds.cleanup_group), in the order queued.

    On PostgreSQL the group is locked for the rest of the transaction first: two workers that
    finish its last two edits at once then read them one after the other, so one of them sees
    both settled (SQLite's single writer does the same)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql("SELECT pg_advisory_xact_lock(hashtext(:group))"), {"group": group})
    query = select(OutboxMessage).where(
        OutboxMessage.dedupe_key.startswith(group, autoescape=True), OutboxMessage.edits_id.is_not(None)
    )
    return list(session.scalars(query.order_by(OutboxMessage.id)))
