"""The pairings a form opened by a button may offer: the clicker's own, never what the payload says."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.access import Actor, authorize
from mentoring.access import Refusal
from storage.meetings import active_pairings_of
from storage.models import Pairing


def own_pairings(session: Session, actor: Actor, *, surface: str, pairing_id: int | None) -> tuple[list[Pairing], Refusal | None]:
    """The actor's active pairings, or only the one a button names. A payload naming a pairing is
    never trusted: naming someone else's (or one that ended) gives the refusal to show instead."""
    pairings = active_pairings_of(session, actor.person_id)
    if pairing_id is None:
        return pairings, None
    named = [p for p in pairings if p.id == pairing_id]
    if named:
        return named, None
    found = session.get(Pairing, pairing_id)
    subjects = [found.mentor_id, found.resident_id] if found else [-1]
    return [], authorize(surface, actor, subject_ids=subjects) or Refusal.NOT_YOURS
