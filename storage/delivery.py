"""The outbox's delivery bookkeeping: claiming rows, and recording what Slack answered.

A row's life:

    pending --claim--> sending (leased) --sent--> sent
                          |  |  '--refused for good--> failed
                          |  '--429 / known not sent--> pending (later)
                          '--timeout / 5xx while posting, or a crash--> sending, lease expired

A `sending` row whose lease has expired is *in doubt*: an attempt started and nobody recorded how
it ended (the process died, or Slack timed out after perhaps posting). The next claim of such a
row must look for the message in Slack before posting again (scheduler/delivery.py does).

Every claim is its own short transaction that records the attempt before anything is sent, so a
crash can lose the outcome of an attempt but never the attempt itself. Claims skip rows that
another transaction has locked (PostgreSQL `FOR UPDATE SKIP LOCKED`); SQLite's single writer
(BEGIN IMMEDIATE, see storage/db.py) serialises claims instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, OutboxState, Person, Program
from storage.outbox import GAVE_UP_IN_DOUBT, may_be_in_slack, working_hours_for_all

MAX_ATTEMPTS = 12
FIRST_RETRY_DELAY = timedelta(seconds=30)
LONGEST_RETRY_DELAY = timedelta(hours=1)
# How long after its post's next attempt an edit looks again (the post's outcome is known by then).
EDIT_WAIT = timedelta(seconds=5)
# Rows put off (quiet hours, an edit waiting for its post) while looking for one to claim, per claim transaction.
MAX_DEFERRALS_PER_CLAIM = 50
# Recorded on a row whose workspace has no token any more: refused for good, never retried.
NO_TOKEN_ERROR = "no token for the workspace: the app was uninstalled or its token revoked"


@dataclass(frozen=True)
class Claim:
    """A snapshot of a claimed row: everything the sender needs, safe after the session closed."""

    id: int
    program_id: int
    team_id: str  # the program's workspace: whose token delivers it
    kind: str
    recipient_user_ids: tuple[str, ...]
    channel_id: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    attachment: bytes | None
    attachment_name: str | None
    attempts: int  # including this one
    in_doubt: bool  # an earlier attempt may have reached Slack: check before sending
    known_channel: str | None  # the conversation an earlier attempt opened, if recorded
    owner: str
    edits: EditTarget | None = None  # an edit of another row's message, not a post


@dataclass(frozen=True)
class EditTarget:
    """The message an edit rewrites: its row, and where Slack has it (if recorded: a post that gave
    up in doubt is looked for in its conversation by the row's id)."""

    outbox_id: int
    channel: str | None
    ts: str | None


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min ... capped at an hour (12 attempts span ~5 h)."""
    return min(FIRST_RETRY_DELAY * (2 ** max(0, attempts - 1)), LONGEST_RETRY_DELAY)


def _recipients(session: Session, message: OutboxMessage) -> list[Person]:
    user_ids = list(message.recipient_user_ids or [])
    if not user_ids:
        return []
    query = select(Person).where(Person.program_id == message.program_id, Person.slack_user_id.in_(user_ids))
    return list(session.scalars(query))


def _quiet_until(session: Session, message: OutboxMessage, moment: datetime) -> datetime:
    """The first instant at or after `moment` when this message may be delivered."""
    if not message.quiet_hours or not message.recipient_user_ids:
        return moment
    program = session.get(Program, message.program_id)
    assert program is not None
    return working_hours_for_all(_recipients(session, message), program, moment)


def _defer(message: OutboxMessage, until: datetime) -> None:
    """Put a row off until `until`, keeping whether its last attempt is in doubt."""
    if message.state is OutboxState.SENDING:
        message.lease_owner = None
        message.lease_until = until
    else:
        message.state = OutboxState.PENDING
        message.not_before = until


def _next_due(session: Session, now: datetime) -> OutboxMessage | None:
    # In-doubt rows first: they are few, and the oldest outcomes deserve settling first.
    for query in (
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.lease_until <= now)
        .order_by(OutboxMessage.lease_until, OutboxMessage.id),
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.not_before, OutboxMessage.id),
    ):
        found = session.scalars(query.limit(1).with_for_update(skip_locked=True)).first()
        if found is not None:
            return found
    return None


def claim_next(session: Session, *, owner: str, now: datetime, lease: timedelta) -> Claim | None:
    """Lease the next row that is due, record the attempt, and return it; None when none is due.

    A due DM that falls in its recipients' quiet hours (after downtime, or a retry that slipped
    past 17:00) is put off to their next working window instead.
    """
    for _ in range(MAX_DEFERRALS_PER_CLAIM):
        message = _next_due(session, now)
        if message is None:
            return None
        allowed_from = _quiet_until(session, message, now)
        if allowed_from > now:
            _defer(message, allowed_from)
            session.flush()
            continue
        target: EditTarget | None = None
        if message.edits_id is not None:
            original = session.get(OutboxMessage, message.edits_id)
            if original is not None and original.state in (OutboxState.PENDING, OutboxState.SENDING):
                # Its post is still on its way: edit after it, or a late post would undo the edit.
                _defer(message, max(original.not_before, original.lease_until or now, now) + EDIT_WAIT)
                session.flush()
                continue
            if original is None or not may_be_in_slack(original):
                message.state = OutboxState.CANCELLED
                message.last_error = "nothing to edit: the message never reached Slack"
                message.lease_owner = message.lease_until = None
                session.flush()
                continue
            target = EditTarget(original.id, original.slack_channel, original.slack_ts)
        in_doubt = message.state is OutboxState.SENDING
        program = session.get(Program, message.program_id)
        assert program is not None
        message.state = OutboxState.SENDING
        message.lease_owner = owner
        message.lease_until = now + lease
        message.attempts += 1
        session.flush()
        return Claim(
            id=message.id,
            program_id=message.program_id,
            team_id=program.team_id,
            kind=message.kind,
            recipient_user_ids=tuple(message.recipient_user_ids or ()),
            channel_id=message.channel_id,
            text=message.text,
            blocks=message.blocks,
            attachment=message.attachment,
            attachment_name=message.attachment_name,
            attempts=message.attempts,
            in_doubt=in_doubt,
            known_channel=message.slack_channel,
            owner=owner,
            edits=target,
        )
    return None


def _leased(session: Session, claim: Claim) -> OutboxMessage | None:
    """The claimed row, if this worker still holds its lease (it should, unless a send outlived it)."""
    message = session.get(OutboxMessage, claim.id, with_for_update=True)
    if message is None or message.state is not OutboxState.SENDING or message.lease_owner != claim.owner:
        return None
    return message


def record_sent(session: Session, *, claim: Claim, channel: str, ts: str | None, now: datetime) -> bool:
    """Slack has the message. False if the lease was lost meanwhile (logged by the caller)."""
    message = _leased(session, claim)
    if message is None:
        return False
    message.state = OutboxState.SENT
    message.slack_channel = channel
    message.slack_ts = ts
    message.sent_at = now
    message.last_error = None
    message.lease_owner = message.lease_until = None
    return True


def record_not_sent(session: Session, *, claim: Claim, retry_at: datetime, error: str, counts_as_attempt: bool = True) -> bool:
    """Slack certainly did not post it (e.g. 429, or a failure before posting): try again later.

    A 429 is Slack asking us to wait, not a failed attempt, so it is not counted against the
    bound. A row that was in doubt stays in doubt (it still needs checking before a send).
    """
    message = _leased(session, claim)
    if message is None:
        return False
    if not counts_as_attempt:
        message.attempts -= 1
    elif message.attempts >= MAX_ATTEMPTS:
        return _give_up(message, error, in_doubt=claim.in_doubt)
    message.last_error = error[:500]
    if claim.in_doubt:
        message.lease_owner, message.lease_until = None, _quiet_until(session, message, retry_at)
    else:
        message.state = OutboxState.PENDING
        message.lease_owner = message.lease_until = None
        message.not_before = _quiet_until(session, message, retry_at)
    return True


def record_in_doubt(session: Session, *, claim: Claim, channel: str | None, retry_at: datetime, error: str) -> bool:
    """A post timed out or failed with a 5xx: Slack may have posted it. Check, then retry."""
    message = _leased(session, claim)
    if message is None:
        return False
    if channel:
        message.slack_channel = channel
    if message.attempts >= MAX_ATTEMPTS:
        return _give_up(message, error, in_doubt=True)
    message.last_error = error[:500]
    message.lease_owner = None
    message.lease_until = _quiet_until(session, message, retry_at)
    return True


def record_failed(session: Session, *, claim: Claim, error: str) -> bool:
    """Slack refused it for good (deactivated user, archived channel...): never retried."""
    message = _leased(session, claim)
    if message is None:
        return False
    message.state = OutboxState.FAILED
    message.last_error = error[:500]
    message.lease_owner = message.lease_until = None
    return True


def release(session: Session, *, claim: Claim, until: datetime, reason: str) -> bool:
    """Hand a claimed row back untried (its method is rate limited): the attempt does not count."""
    return record_not_sent(session, claim=claim, retry_at=until, error=reason, counts_as_attempt=False)


def _give_up(message: OutboxMessage, error: str, *, in_doubt: bool) -> bool:
    doubt = f" {GAVE_UP_IN_DOUBT}" if in_doubt else ""
    message.state = OutboxState.FAILED
    message.last_error = f"gave up after {message.attempts} attempts{doubt}: {error}"[:500]
    message.lease_owner = message.lease_until = None
    return True


def delivery_failures(session: Session, program_id: int, *, limit: int = 100) -> Sequence[OutboxMessage]:
    """Messages Slack refused for good or that ran out of attempts, newest first: for coordinators
    (a deactivated account, the bot removed from the coordinator channel...)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.program_id == program_id, OutboxMessage.state == OutboxState.FAILED)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
