"""Housekeeping operations run by the scheduler."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from storage.models import IdempotencyKey, SlackDelivery, slack_oauth_states


def prune_idempotency_keys(session: Session, *, older_than: datetime) -> int:
    """Slack retries within minutes; keys older than `older_than` guard nothing any more."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < older_than))
    return cast("CursorResult[Any]", result).rowcount or 0


def prune_slack_deliveries(session: Session, *, older_than: datetime) -> int:
    """A request signed more than five minutes ago is refused anyway: older marks guard nothing."""
    result = session.execute(delete(SlackDelivery).where(SlackDelivery.created_at < older_than))
    return cast("CursorResult[Any]", result).rowcount or 0


def prune_oauth_states(session: Session, *, now: datetime) -> int:
    """Each visit to /slack/install stores a state that a finished install consumes; those of
    installs never finished would pile up (the page is public), so the expired ones go."""
    naive_utc = now.astimezone(UTC).replace(tzinfo=None)  # slack-sdk stores naive UTC
    result = session.execute(delete(slack_oauth_states).where(slack_oauth_states.c.expire_at < naive_utc))
    return cast("CursorResult[Any]", result).rowcount or 0
