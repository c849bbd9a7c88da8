"""Confidential change requests, withdrawal and rejoining: the data side, one transaction each.

The program's promise (DESIGN.md, "Confidential change and withdrawal"):
- anyone may end their pairing, or leave the program, at any time and without a reason;
- the other person gets a neutral notice that never says who asked;
- the optional note is for coordinators only, and is deleted when the request is resolved;
- a pairing ended this way carries end_reason change_request or withdrawal, which is what keeps
  the matcher from ever proposing the two again.

Each operation returns what happened (a RequestSummary); who is told what, in which words, is
program/changes.py's (with views/changes.py).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import audit
from storage.db import forget_after_commit
from storage.idempotency import claim, was_claimed
from storage.inserts import insert_or_skip
from storage.models import (
    ChangeRequest,
    EndReason,
    Pairing,
    Person,
    PersonStatus,
    Program,
    Proposal,
    ProposalState,
    QueueEntry,
    QueueReason,
    RequestKind,
    RequestState,
    Role,
)
from storage.outbox import Cleanup, cancel_to_person, clean_copies
from storage.outbox_kinds import request_alert_prefix
from storage.pairings import active_pairings_of, counterpart_of, end_pairing
from storage.programs import load_program, program_today
from storage.roster import PersonRef, load_person

NOTE_MAX_CHARS = 2000

# --- what happened -------------------------------------------------------------------------


class Resolution(str, enum.Enum):
    REMATCH = "rematch"
    CLOSE = "closed"


@dataclass(frozen=True)
class RequestSummary:
    """What happened, for the requester's confirmation and the coordinators' alert."""

    request_id: int
    kind: RequestKind
    requester: PersonRef
    counterparts: tuple[PersonRef, ...]
    note: str | None
    # Change only: whether the requester asked to be matched again.
    requester_rematch: bool
    # Who is now waiting for a new match because of this request.
    queued: tuple[PersonRef, ...]
    # Withdrawal only: residents left without a mentor in a proposal awaiting approval.
    unmatched_in_proposal: tuple[PersonRef, ...] = ()
    removed_from_proposal: bool = False
    # A change asked for a moment after the pairing had already ended (the other person asked, or
    # withdrew, at the same moment): nothing more ended, but the request and its note stand.
    pairing_had_ended: bool = False
    # Set once resolved.
    resolution: Resolution | None = None
    resolved_by: str | None = None
    resolved_on: date | None = None


# --- results ---------------------------------------------------------------------------------


class Outcome(str, enum.Enum):
    DONE = "done"
    DUPLICATE = "duplicate"  # the same submission again (double click, Slack retry): nothing more done
    PAIRING_ENDED = "pairing_ended"  # it had already ended (the other person asked at the same moment); the request stands
    ALREADY_WITHDRAWN = "already_withdrawn"
    NOT_WITHDRAWN = "not_withdrawn"
    ALREADY_RESOLVED = "already_resolved"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class RequestResult:
    outcome: Outcome
    summary: RequestSummary | None = None
    # Whose App Home changed.
    affected_user_ids: tuple[str, ...] = ()
    # Rejoin only: who came back.
    person: PersonRef | None = None


@dataclass(frozen=True)
class ResolveResult:
    outcome: Outcome
    summary: RequestSummary | None = None
    # The alert as it reads once resolved (program/changes.py words it), and how its copies are
    # being cleaned (edits queued for those in Slack).
    resolved_message: dict[str, Any] | None = None
    cleanup: Cleanup | None = None


class NotAPartyError(ValueError):
    """The caller skipped the access check: only the pairing's own people may ask to change it."""


@dataclass(frozen=True)
class Parties:
    """Who a request is about: the access policy keeps coordinators who are parties out of it."""

    program_id: int
    person_ids: frozenset[int]


# --- reads -----------------------------------------------------------------------------------


def request_parties(session: Session, *, request_id: int) -> Parties | None:
    request = session.get(ChangeRequest, request_id)
    if request is None:
        return None
    return Parties(request.program_id, frozenset([request.requester_id, *request.counterpart_ids]))


def open_request_count(session: Session, *, program_id: int, not_party: Collection[int] = ()) -> int:
    """How many requests await a coordinator (counts only), leaving out those `not_party` are in:
    a count that went up when their own pairing ended would tell them it was by request."""
    query = select(ChangeRequest).where(ChangeRequest.program_id == program_id, ChangeRequest.state == RequestState.OPEN)
    excluded = set(not_party)
    return sum(1 for r in session.scalars(query) if not excluded & {r.requester_id, *r.counterpart_ids})


def request_partners(session: Session, *, program_id: int, person_ids: Collection[int]) -> set[int]:
    """Everyone who was on the other side of a change request or withdrawal (any state) from one
    of `person_ids`: what those people's views of the program leave out, so that nothing there
    (who waits for a match, who is without a mentor) tells them who asked or who left."""
    wanted = set(person_ids)
    if not wanted:
        return set()
    partners: set[int] = set()
    for request in session.scalars(select(ChangeRequest).where(ChangeRequest.program_id == program_id)):
        parties = {request.requester_id, *request.counterpart_ids}
        if wanted & parties:
            partners |= parties - wanted
    return partners


def open_requests_for(session: Session, *, coordinator: Person) -> list[ChangeRequest]:
    """Open requests a coordinator may handle: never one about a pairing they are in."""
    query = (
        select(ChangeRequest)
        .where(ChangeRequest.program_id == coordinator.program_id, ChangeRequest.state == RequestState.OPEN)
        .order_by(ChangeRequest.created_at, ChangeRequest.id)
    )
    return [r for r in session.scalars(query) if coordinator.id != r.requester_id and coordinator.id not in r.counterpart_ids]


# --- operations ------------------------------------------------------------------------------


def request_change(
    session: Session,
    *,
    requester_id: int,
    pairing_id: int,
    note: str | None,
    requester_rematch: bool,
    now: datetime,
    idempotency_key: str | None = None,
) -> RequestResult:
    """End a pairing at the request of one of its two people, at once and without a reason."""
    if idempotency_key and was_claimed(session, idempotency_key):
        return RequestResult(Outcome.DUPLICATE)
    pairing = session.get(Pairing, pairing_id, with_for_update=True, populate_existing=True)
    if pairing is None or requester_id not in (pairing.mentor_id, pairing.resident_id):
        raise NotAPartyError(f"person {requester_id} is not in pairing {pairing_id}")
    if idempotency_key and not claim(session, idempotency_key, now=now):
        return RequestResult(Outcome.DUPLICATE)

    program = load_program(session, pairing.program_id)
    requester = load_person(session, requester_id)
    counterpart = counterpart_of(pairing, requester_id)
    if not pairing.active:
        return _after_the_end(session, program, pairing, requester, counterpart, note, requester_rematch, now=now)
    _end_pairing(session, pairing, EndReason.CHANGE_REQUEST, program=program, actor=requester, now=now)
    wanting = [counterpart, requester] if requester_rematch else [counterpart]
    queued = [p for p in wanting if _queue_for_rematch(session, program, p, now=now)]

    request = _new_request(session, program, requester, RequestKind.CHANGE, [counterpart], note, now=now, pairing_id=pairing.id)
    summary = RequestSummary(
        request_id=request.id,
        kind=RequestKind.CHANGE,
        requester=PersonRef.of(requester),
        counterparts=(PersonRef.of(counterpart),),
        note=request.note,
        requester_rematch=requester_rematch,
        queued=tuple(PersonRef.of(p) for p in queued),
    )
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="change_request.made",
        actor=requester,
        subject=counterpart,
        details={"request_id": request.id, "pairing_id": pairing.id, "queued": [p.id for p in queued]},
    )
    return RequestResult(Outcome.DONE, summary, (requester.slack_user_id, counterpart.slack_user_id))


def _after_the_end(
    session: Session,
    program: Program,
    pairing: Pairing,
    requester: Person,
    counterpart: Person,
    note: str | None,
    requester_rematch: bool,
    *,
    now: datetime,
) -> RequestResult:
    """A change asked for just after the pairing ended (the other person asked or withdrew at the
    same moment): nothing is left to end, but the request is recorded, so the coordinators get it
    and its note, and the requester is told the truth."""
    queued = [requester] if requester_rematch and _queue_for_rematch(session, program, requester, now=now) else []
    request = _new_request(session, program, requester, RequestKind.CHANGE, [counterpart], note, now=now, pairing_id=pairing.id)
    summary = RequestSummary(
        request_id=request.id,
        kind=RequestKind.CHANGE,
        requester=PersonRef.of(requester),
        counterparts=(PersonRef.of(counterpart),),
        note=request.note,
        requester_rematch=requester_rematch,
        queued=tuple(PersonRef.of(p) for p in queued),
        pairing_had_ended=True,
    )
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="change_request.made",
        actor=requester,
        subject=counterpart,
        details={"request_id": request.id, "pairing_id": pairing.id, "pairing_had_ended": True},
    )
    return RequestResult(Outcome.PAIRING_ENDED, summary, (requester.slack_user_id,))


def withdraw(
    session: Session,
    *,
    person_id: int,
    note: str | None,
    now: datetime,
    idempotency_key: str | None = None,
) -> RequestResult:
    """Leave the program: every pairing ends, and the person sits out rounds until they rejoin."""
    if idempotency_key and was_claimed(session, idempotency_key):
        return RequestResult(Outcome.DUPLICATE)
    person = session.get(Person, person_id, with_for_update=True, populate_existing=True)
    if person is None:
        raise NotAPartyError(f"no person {person_id}")
    if person.status is PersonStatus.WITHDRAWN:
        return RequestResult(Outcome.ALREADY_WITHDRAWN)
    if idempotency_key and not claim(session, idempotency_key, now=now):
        return RequestResult(Outcome.DUPLICATE)

    program = load_program(session, person.program_id)
    pairings = active_pairings_of(session, person_id=person.id, lock=True)
    counterparts = [counterpart_of(p, person.id) for p in pairings]
    for pairing in pairings:
        _end_pairing(session, pairing, EndReason.WITHDRAWAL, program=program, actor=person, now=now)
    queued = [p for p in counterparts if _queue_for_rematch(session, program, p, now=now)]
    removed, unmatched = _leave_pending_proposals(session, person)
    _leave_queue(session, person, now=now)

    person.status = PersonStatus.WITHDRAWN
    person.withdrawn_at = now
    person.updated_at = now
    if not person.is_coordinator:  # a coordinator who stops mentoring still coordinates
        cancel_to_person(session, slack_user_id=person.slack_user_id, reason="recipient left the program")

    request = _new_request(
        session,
        program,
        person,
        RequestKind.WITHDRAW,
        counterparts,
        note,
        now=now,
        pairing_id=pairings[0].id if len(pairings) == 1 else None,
    )
    summary = RequestSummary(
        request_id=request.id,
        kind=RequestKind.WITHDRAW,
        requester=PersonRef.of(person),
        counterparts=tuple(PersonRef.of(c) for c in counterparts),
        note=request.note,
        requester_rematch=False,
        queued=tuple(PersonRef.of(p) for p in queued),
        unmatched_in_proposal=tuple(PersonRef.of(p) for p in unmatched),
        removed_from_proposal=removed,
    )
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="person.withdrew",
        actor=person,
        subject=person,
        details={
            "request_id": request.id,
            "pairing_ids": [p.id for p in pairings],
            "queued": [p.id for p in queued],
            "removed_from_proposal": removed,
        },
    )
    return RequestResult(Outcome.DONE, summary, (person.slack_user_id, *(c.slack_user_id for c in counterparts)))


def rejoin(session: Session, *, person_id: int, now: datetime) -> RequestResult:
    """Come back after withdrawing: included in rounds again, and in the bot's messages."""
    person = session.get(Person, person_id, with_for_update=True, populate_existing=True)
    if person is None:
        raise NotAPartyError(f"no person {person_id}")
    if person.status is not PersonStatus.WITHDRAWN:
        return RequestResult(Outcome.NOT_WITHDRAWN)
    program = load_program(session, person.program_id)
    person.status = PersonStatus.ACTIVE
    person.withdrawn_at = None
    person.updated_at = now
    audit.record(session, program_id=program.id, at=now, action="person.rejoined", actor=person, subject=person)
    return RequestResult(Outcome.DONE, affected_user_ids=(person.slack_user_id,), person=PersonRef.of(person))


def resolve_request(
    session: Session,
    *,
    request_id: int,
    coordinator_id: int,
    resolution: Resolution,
    now: datetime,
) -> ResolveResult:
    """A coordinator closes a request, or queues its people for a match now. The note is deleted."""
    request = session.get(ChangeRequest, request_id, with_for_update=True, populate_existing=True)
    if request is None:
        return ResolveResult(Outcome.NOT_FOUND)
    program = load_program(session, request.program_id)
    if request.state is RequestState.RESOLVED:
        return ResolveResult(Outcome.ALREADY_RESOLVED, _summary_of(session, request, program))
    coordinator = load_person(session, coordinator_id)

    queued: list[Person] = []
    if resolution is Resolution.REMATCH:
        wanting = [load_person(session, i) for i in request.counterpart_ids]
        if request.kind is RequestKind.CHANGE:
            wanting.append(load_person(session, request.requester_id))
        queued = [p for p in wanting if _queue_for_rematch(session, program, p, now=now)]

    request.state = RequestState.RESOLVED
    request.resolution = resolution.value
    request.resolved_at = now
    request.resolved_by_id = coordinator.id
    request.note = None  # the promise: coordinators' eyes only, and only until it is handled
    forget_after_commit(session)
    session.flush()

    summary = _summary_of(session, request, program)
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="change_request.resolved",
        actor=coordinator,
        subject=load_person(session, request.requester_id),
        details={"request_id": request.id, "resolution": resolution.value, "queued": [p.id for p in queued]},
    )
    return ResolveResult(Outcome.DONE, summary)


# --- steps -----------------------------------------------------------------------------------


def clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    return text[:NOTE_MAX_CHARS] or None


def _end_pairing(
    session: Session, pairing: Pairing, reason: EndReason, *, program: Program, actor: Person, now: datetime
) -> None:
    end_pairing(session, pairing, reason=reason, program=program, now=now)
    audit.record(
        session,
        program_id=program.id,
        at=now,
        action="pairing.ended",
        actor=actor,
        subject=counterpart_of(pairing, actor.id),
        details={"pairing_id": pairing.id, "reason": reason.value},
    )


def _has_room(session: Session, program: Program, person: Person) -> bool:
    """Whether a new match is possible: a resident without a mentor, a mentor below the maximum."""
    if person.status is not PersonStatus.ACTIVE:
        return False
    active = len(active_pairings_of(session, person_id=person.id))
    if person.role is Role.RESIDENT:
        return active == 0
    if person.role is Role.FACULTY:
        return active < program.max_mentees_per_mentor
    return False


def _queue_for_rematch(session: Session, program: Program, person: Person, *, now: datetime) -> bool:
    """Put someone in the match queue (once); True if they are waiting now."""
    if not _has_room(session, program, person):
        return False
    # Two requests touching one mentor at the same moment both queue them: one row wins, quietly.
    session.execute(
        insert_or_skip(session, QueueEntry)
        .values(program_id=program.id, person_id=person.id, reason=QueueReason.REMATCH, queued_at=now)
        .on_conflict_do_nothing(index_elements=["person_id"], index_where=QueueEntry.resolved_at.is_(None))
    )
    return True


def _leave_queue(session: Session, person: Person, *, now: datetime) -> None:
    for entry in session.scalars(select(QueueEntry).where(QueueEntry.person_id == person.id, QueueEntry.resolved_at.is_(None))):
        entry.resolved_at = now


def _leave_pending_proposals(session: Session, person: Person) -> tuple[bool, list[Person]]:
    """Take someone out of proposals awaiting approval.

    A withdrawing mentor's proposed residents become unmatched in the proposal; a withdrawing
    resident simply disappears from it. Returns (anything removed, residents now unmatched).
    """
    proposals = session.scalars(
        select(Proposal).where(Proposal.program_id == person.program_id, Proposal.state == ProposalState.PENDING)
    )
    removed_any = False
    newly_unmatched: list[Person] = []
    for proposal in proposals:
        mine = [p for p in proposal.pairs if person.id in (p.mentor_id, p.resident_id)]
        was_unmatched = person.id in (proposal.unmatched_resident_ids or [])
        if not mine and not was_unmatched:
            continue
        removed_any = True
        orphans = [p.resident_id for p in mine if p.mentor_id == person.id]
        for pair in mine:
            proposal.pairs.remove(pair)  # delete-orphan removes the row
        unmatched = [i for i in (proposal.unmatched_resident_ids or []) if i != person.id]
        unmatched += [i for i in orphans if i not in unmatched]
        proposal.unmatched_resident_ids = unmatched  # a new list: JSON columns track reassignment only
        newly_unmatched += [load_person(session, i) for i in orphans]
    session.flush()
    return removed_any, newly_unmatched


def _new_request(
    session: Session,
    program: Program,
    requester: Person,
    kind: RequestKind,
    counterparts: Sequence[Person],
    note: str | None,
    *,
    now: datetime,
    pairing_id: int | None,
) -> ChangeRequest:
    request = ChangeRequest(
        program_id=program.id,
        requester_id=requester.id,
        kind=kind,
        pairing_id=pairing_id,
        counterpart_ids=[c.id for c in counterparts],
        note=clean_note(note),
        state=RequestState.OPEN,
        created_at=now,
    )
    session.add(request)
    session.flush()
    return request


def _summary_of(session: Session, request: ChangeRequest, program: Program) -> RequestSummary:
    """A request as coordinators see it; for a resolved one, without the (deleted) note."""
    requester = load_person(session, request.requester_id)
    counterparts = tuple(PersonRef.of(load_person(session, i)) for i in request.counterpart_ids)
    resolved_by = session.get(Person, request.resolved_by_id) if request.resolved_by_id else None
    summary = RequestSummary(
        request_id=request.id,
        kind=request.kind,
        requester=PersonRef.of(requester),
        counterparts=counterparts,
        note=request.note,
        requester_rematch=False,
        queued=(),
    )
    if request.state is RequestState.RESOLVED:
        summary = replace(
            summary,
            note=None,
            resolution=Resolution(request.resolution) if request.resolution else None,
            resolved_by=resolved_by.name if resolved_by else "a coordinator",
            resolved_on=program_today(program, request.resolved_at) if request.resolved_at else None,
        )
    return summary


def replace_alerts(
    session: Session, *, request_id: int, text: str, blocks: list[dict[str, Any]] | None, report_to: str, now: datetime
) -> Cleanup:
    """Take the note out of every copy of a request's alert: stored copies at once, those in Slack
    by an edit each, delivered like a message (`report_to` hears if one is late or fails)."""
    return clean_copies(
        session,
        dedupe_prefix=request_alert_prefix(request_id),
        text=text,
        blocks=blocks,
        reason="request resolved before delivery",
        report_to=report_to,
        now=now,
    )
