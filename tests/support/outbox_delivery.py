"""A stand-in for the outbox delivery job in tests of features that only enqueue.

It sends every due message once, in order, the simplest way Slack allows (conversations.open,
then chat.postMessage), so a test can click the buttons people actually received. It has none
of the real job's retries, leases or rate-limit handling (scheduler/delivery.py, issue 4).
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_scope
from storage.models import OutboxMessage, OutboxState


def deliver_due(session_factory: sessionmaker[Session], client: WebClient, now: datetime) -> list[OutboxMessage]:
    with session_scope(session_factory) as session:
        due = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.not_before <= now)
            .order_by(OutboxMessage.id)
        ).all()
        for message in due:
            channel = message.channel_id
            if message.recipient_user_ids:
                channel = client.conversations_open(users=",".join(message.recipient_user_ids))["channel"]["id"]
            sent = client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
            message.state, message.sent_at = OutboxState.SENT, now
            message.slack_channel, message.slack_ts = channel, sent["ts"]
        return list(due)
