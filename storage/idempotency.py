"""Double-submission guards: a key claimed in the same transaction as the work it guards.

A second click, or a Slack retry of the same request, finds the key taken and does nothing.
Two concurrent claims of one key cannot both succeed: the primary key decides, and on
PostgreSQL the second insert waits for the first transaction and then finds the row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.inserts import insert_or_skip
from storage.models import IdempotencyKey, SlackDelivery


def was_claimed(session: Session, key: str) -> bool:
    return session.scalar(select(IdempotencyKey.key).where(IdempotencyKey.key == key)) is not None


def claim(session: Session, key: str, *, now: datetime) -> bool:
    """True if this transaction now owns `key`; False if another already claimed it."""
    statement = (
        insert_or_skip(session, IdempotencyKey)
        .values(key=key, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(IdempotencyKey.key)
    )
    return session.execute(statement).scalar() is not None


def claim_delivery(session: Session, key: str, *, now: datetime) -> bool:
    """True if this is the first delivery of the Slack request `key` names (see SlackDelivery)."""
    statement = (
        insert_or_skip(session, SlackDelivery)
        .values(key=key, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(SlackDelivery.key)
    )
    return session.execute(statement).scalar() is not None
