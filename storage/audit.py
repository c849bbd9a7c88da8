"""The audit log: who did what to whom, and when. Callers never pass note contents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEntry, Person


def actor_label(person: Person | None, fallback: str) -> str:
    if person is None:
        return fallback
    return f"{person.name} ({person.slack_user_id})"


def record(
    session: Session,
    *,
    program_id: int,
    at: datetime,
    action: str,
    actor: Person | None = None,
    actor_fallback: str = "system",
    subject: Person | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        program_id=program_id,
        at=at,
        actor_id=actor.id if actor else None,
        actor_label=actor_label(actor, actor_fallback),
        action=action,
        subject_id=subject.id if subject else None,
        details=details or {},
    )
    session.add(entry)
    return entry


def entries(session: Session, *, program_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
    """Newest first; every program's when `program_id` is None."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if program_id is not None:
        query = query.where(AuditEntry.program_id == program_id)
    return list(session.scalars(query))


def subject_labels(session: Session, found: list[AuditEntry]) -> dict[int, str]:
    """ "Name (U…)" for every subject of `found`, by person id."""
    ids = {e.subject_id for e in found if e.subject_id is not None}
    if not ids:
        return {}
    return {p.id: actor_label(p, "") for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
