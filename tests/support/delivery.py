"""Deliver the outbox in tests.

Uses scheduler/delivery.py (the cadence work) once it exists; until then a plain stand-in that
posts every due message and records where it went, as the real job does.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_scope
from storage.models import OutboxMessage, OutboxState


def deliver_due(session_factory: sessionmaker[Session], client: WebClient, *, now: datetime) -> int:
    try:
        from scheduler.delivery import deliver_pending  # type: ignore[import-not-found]
        from scheduler.jobs import JobContext
    except ImportError:
        return _stand_in(session_factory, client, now=now)
    result = deliver_pending(JobContext(session_factory=session_factory, clock=lambda: now, slack=client))
    return int(result) if isinstance(result, int) else 0


def _stand_in(session_factory: sessionmaker[Session], client: WebClient, *, now: datetime) -> int:
    sent = 0
    with session_scope(session_factory) as session:
        due = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.not_before <= now)
            .order_by(OutboxMessage.id)
        )
        for message in due:
            users = message.recipient_user_ids or []
            if message.channel_id:
                channel = message.channel_id
            elif len(users) == 1:
                channel = users[0]
            else:
                channel = client.conversations_open(users=",".join(users))["channel"]["id"]
            answer = client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
            message.state = OutboxState.SENT
            message.slack_channel, message.slack_ts, message.sent_at = answer["channel"], answer["ts"], now
            sent += 1
    return sent
