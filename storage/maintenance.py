"""Housekeeping operations run by the scheduler."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from storage.models import IdempotencyKey, SlackDelivery


def prune_idempotency_keys(session: Session, *, older_than: datetime) -> int:
    """Slack retries within minutes; keys older than `older_than` guard nothing any more."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < older_than))
    return cast("CursorResult[Any]", result).rowcount or 0


def prune_slack_deliveries(session: Session, *, older_than: datetime) -> int:
    """A request signed more than five minutes ago is refused anyway: older marks guard nothing."""
    result = session.execute(delete(SlackDelivery).where(SlackDelivery.created_at < older_than))
    return cast("CursorResult[Any]", result).rowcount or 0
