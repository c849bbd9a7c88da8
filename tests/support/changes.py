"""Helpers for driving the change, withdraw and resolve surfaces through the harness."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sandbox.fake_slack import Call, FakeSlack, view_problems
from storage.db import session_scope
from storage.models import (
    AuditEntry,
    ChangeRequest,
    CheckInAnswer,
    CheckInNote,
    CheckInPrompt,
    CheckInState,
    IdempotencyKey,
    MeetingPlan,
    OutboxMessage,
    Pairing,
    PairingPause,
    Person,
    PersonStatus,
    QueueEntry,
    RequestState,
)
from tests.support.harness import Reply
from views.changes import NOTE_INPUT, PAIRING_INPUT, REMATCH_INPUT, REMATCH_NO, REMATCH_YES
from views.private_metadata import metadata_key, seal

SIGNING_SECRET = "test-signing-secret"  # tests/conftest.py
HOME_VIEW = {"type": "home", "id": "VHOME", "callback_id": ""}


def sealed(payload: dict[str, Any]) -> str:
    """private_metadata as the bot itself would have sealed it (for requests Slack never sent)."""
    return seal(payload, key=metadata_key(SIGNING_SECRET))


def change_values(*, note: str | None = None, rematch: bool = True, pairing_id: int | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        REMATCH_INPUT: {
            REMATCH_INPUT: {"type": "radio_buttons", "selected_option": {"value": REMATCH_YES if rematch else REMATCH_NO}}
        },
        NOTE_INPUT: {NOTE_INPUT: note},
    }
    if pairing_id is not None:
        values[PAIRING_INPUT] = {PAIRING_INPUT: {"type": "radio_buttons", "selected_option": {"value": str(pairing_id)}}}
    return values


def withdraw_values(*, note: str | None = None) -> dict[str, Any]:
    return {NOTE_INPUT: {NOTE_INPUT: note}}


@dataclass(frozen=True)
class Seen:
    """Everything one action showed the person who took it, and every Web API call it made."""

    reply: Reply
    calls: list[Call]

    @property
    def text(self) -> str:
        shown = [c.args for c in self.calls if c.method in ("views.open", "views.update", "views.publish", "response_url")]
        return self.reply.text() + "\n".join(json.dumps(a) for a in shown)

    @property
    def opened(self) -> list[dict[str, Any]]:
        return [c.args["view"] for c in self.calls if c.method == "views.open"]


def observe(fake: FakeSlack, action: Callable[[], Reply]) -> Seen:
    before = len(fake.calls)
    reply = action()
    seen = Seen(reply, fake.calls[before:])
    ack_view = reply.ack_json.get("view") if reply.ack.startswith("{") else None
    if ack_view is not None:  # views in an ack never reach the fake: check them here
        problems = view_problems(ack_view, expected_type="modal")
        assert problems == [], f"the bot acked with a view Slack would refuse: {problems}"
    return seen


def snapshot(session_factory: sessionmaker[Session]) -> dict[str, Any]:
    """What any write would change: compared before and after a refused action."""
    count = lambda model, *where: session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    with session_scope(session_factory) as session:
        return {
            "requests": count(ChangeRequest),
            "open_requests": count(ChangeRequest, ChangeRequest.state == RequestState.OPEN),
            "notes": count(ChangeRequest, ChangeRequest.note.is_not(None)),
            "outbox": count(OutboxMessage),
            "audit": count(AuditEntry),
            "keys": count(IdempotencyKey),
            "queue": count(QueueEntry),
            "active_pairings": count(Pairing, Pairing.ended_on.is_(None)),
            "withdrawn": count(Person, Person.status == PersonStatus.WITHDRAWN),
            "pauses": count(PairingPause),
            "open_check_ins": count(CheckInPrompt, CheckInPrompt.state == CheckInState.OPEN),
            "check_in_answers": count(CheckInAnswer),
            "check_in_notes": count(CheckInNote, CheckInNote.text.is_not(None)),
            "meeting_plans": count(MeetingPlan),
        }
