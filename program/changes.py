"""Confidential change requests, withdrawal and rejoining: each operation ends what it ends
(storage/change_requests.py) and queues who is told what (worded by views/changes.py).

Who is told: the other person gets the same neutral notice whoever asked and why; the requester
gets a confirmation even after leaving (the one message someone who withdrew still gets); every
coordinator who is not in the pairing concerned gets the alert with the note and two buttons.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from program.messages import queue
from storage import change_requests as requests
from storage.change_requests import Outcome, RequestResult, RequestSummary, Resolution, ResolveResult
from storage.models import Person
from storage.outbox_kinds import OutboxKind, request_alert_key
from storage.pairings import active_pairings_of, counterpart_of
from storage.programs import load_program
from storage.roster import Actor, coordinators, load_person
from views import changes as words


def request_change(
    session: Session,
    *,
    actor: Actor,
    pairing_id: int,
    note: str | None,
    rematch: bool,
    now: datetime,
    idempotency_key: str | None = None,
) -> RequestResult:
    """End the actor's pairing at once, without a reason; the other person gets a neutral notice.
    If it had just ended (the other person asked at the same moment), the request still reaches
    the coordinators, with its note, and the actor is told it had ended (PAIRING_ENDED)."""
    result = requests.request_change(
        session,
        requester_id=actor.person_id,
        pairing_id=pairing_id,
        note=note,
        requester_rematch=rematch,
        now=now,
        idempotency_key=idempotency_key,
    )
    if result.outcome in (Outcome.DONE, Outcome.PAIRING_ENDED) and result.summary is not None:
        _tell_about_request(session, result.summary, now=now)
    return result


def withdraw(
    session: Session, *, actor: Actor, note: str | None, now: datetime, idempotency_key: str | None = None
) -> RequestResult:
    """Leave the program: every pairing of the actor ends, and they get no more DMs but this one."""
    result = requests.withdraw(session, person_id=actor.person_id, note=note, now=now, idempotency_key=idempotency_key)
    if result.outcome is Outcome.DONE:
        assert result.summary is not None
        _tell_about_request(session, result.summary, now=now)
    return result


def rejoin(session: Session, *, actor: Actor, now: datetime) -> RequestResult:
    """Back in the program after withdrawing; the coordinators are told."""
    result = requests.rejoin(session, person_id=actor.person_id, now=now)
    if result.outcome is Outcome.DONE:
        assert result.person is not None
        program = load_program(session, actor.program_id)
        notice = words.rejoined_notice(result.person)
        for coordinator in coordinators(session, program_id=program.id):
            if coordinator.id != actor.person_id:
                queue(session, program, OutboxKind.REQUEST_REJOINED, notice, now=now, to=[coordinator])
    return result


def resolve(session: Session, *, actor: Actor, request_id: int, resolution: Resolution, now: datetime) -> ResolveResult:
    """A coordinator closes a request, or queues its people for a match now. The note is deleted,
    from the database and from every stored copy of the alert; each copy already in Slack gets an
    edit, delivered by the outbox (the coordinator hears if one is late or fails)."""
    result = requests.resolve_request(
        session, request_id=request_id, coordinator_id=actor.person_id, resolution=resolution, now=now
    )
    if result.outcome is not Outcome.DONE:
        return result
    assert result.summary is not None
    resolved = words.coordinator_alert_resolved(result.summary)
    cleanup = requests.replace_alerts(
        session, request_id=request_id, text=resolved["text"], blocks=resolved["blocks"], report_to=actor.slack_user_id, now=now
    )
    return replace(result, resolved_message=resolved, cleanup=cleanup)


def counterparts_of(session: Session, *, actor: Actor) -> list[Person]:
    """Who the actor's pairings are with, oldest pairing first: what the forms name."""
    return [counterpart_of(p, actor.person_id) for p in active_pairings_of(session, person_id=actor.person_id)]


def _tell_about_request(session: Session, summary: RequestSummary, *, now: datetime) -> None:
    requester = load_person(session, summary.requester.person_id)
    program = load_program(session, requester.program_id)
    notice = words.pairing_ended_notice()
    # A request after the end ended nothing: the other person already has the notice.
    for ref in () if summary.pairing_had_ended else summary.counterparts:
        # No pairing_id: the notice is not "about" the pairing any more, so nothing cancels it.
        queue(session, program, OutboxKind.PAIRING_ENDED, notice, now=now, to=[load_person(session, ref.person_id)])
    queue(
        session,
        program,
        OutboxKind.REQUEST_CONFIRMATION,
        words.requester_confirmation(summary),
        now=now,
        to=[requester],
        respect_working_hours=False,  # they just asked: the answer should not wait for Monday
        to_withdrawn=True,  # the one message someone who leaves still gets
    )
    # Coordinators who are in one of the pairings are left out: the alert says who asked.
    parties = {summary.requester.person_id, *(c.person_id for c in summary.counterparts)}
    alert = words.coordinator_alert(summary)
    for coordinator in coordinators(session, program_id=program.id):
        if coordinator.id in parties:
            continue
        queue(
            session,
            program,
            OutboxKind.REQUEST_ALERT,
            alert,
            now=now,
            to=[coordinator],
            dedupe_key=request_alert_key(summary.request_id, coordinator.id),
        )
