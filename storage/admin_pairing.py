"""A coordinator's manual changes: pair two people, or end a resident's pairing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage import audit
from storage.models import EndReason, Pairing, Person, Program, QueueReason, Role
from storage.pairings import (
    NewPairing,
    PairingProblem,
    PairingRefusal,
    PairingRuleError,
    active_pairing_of_resident,
    create_pairing,
    end_pairing,
)
from storage.preferences import queue_person, resolve_waiting


def pair(
    session: Session, *, program: Program, mentor: Person, resident: Person, coordinator: Person, now: datetime
) -> NewPairing:
    """Pair them now, with the same rules as an approved proposal."""
    new = create_pairing(session, program=program, mentor=mentor, resident=resident, now=now)
    resolve_waiting(session, person_ids=[mentor.id, resident.id], now=now)
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="pairing.created",
        actor=coordinator,
        subject=resident,
        details={"pairing_id": new.pairing.id, "mentor_id": mentor.id, "manual": True},
    )
    return new


def unpair(session: Session, *, program: Program, resident: Person, coordinator: Person, now: datetime) -> Pairing:
    """End the resident's active pairing; its pending messages are cancelled and the resident
    waits in the queue for a new match. A coordinator's ending does not forbid a later re-pair."""
    if resident.role is not Role.RESIDENT:
        raise PairingRuleError(PairingRefusal(PairingProblem.NOT_RESIDENT, resident=resident.name))
    pairing = active_pairing_of_resident(session, resident.id)
    if pairing is None:
        raise PairingRuleError(PairingRefusal(PairingProblem.NO_MENTOR, resident=resident.name))
    end_pairing(session, pairing, reason=EndReason.COORDINATOR, program=program, now=now)
    queue_person(session, person=resident, reason=QueueReason.REMATCH, now=now)
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="pairing.ended",
        actor=coordinator,
        subject=resident,
        details={"pairing_id": pairing.id, "mentor_id": pairing.mentor_id, "reason": EndReason.COORDINATOR.value},
    )
    session.flush()
    return pairing
