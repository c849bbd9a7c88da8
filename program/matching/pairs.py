"""Starting and ending pairings: every new pair is introduced in a group DM; a coordinator's
unpairing gives both people the neutral notice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from program.messages import queue_once
from storage.admin_pairing import pair, unpair
from storage.models import Pairing, Person, Program
from storage.outbox_kinds import OutboxKind, introduction_key, unpaired_notice_key
from storage.pairings import NewPairing
from storage.programs import load_program
from storage.roster import Actor, find_person, in_several_programs, person_of
from views import rounds as words
from views.changes import pairing_ended_notice


def introduce(session: Session, *, program: Program, new: NewPairing, now: datetime) -> None:
    """The pair's introduction, in a group DM with both of them, in both people's working hours."""
    pairing = new.pairing
    assert pairing.next_due_on is not None
    message = words.introduction(
        mentor_user_id=new.mentor.slack_user_id,
        resident_user_id=new.resident.slack_user_id,
        first_due=pairing.next_due_on,
        cadence_months=program.cadence_months,
        program_name=program.name if in_several_programs(session, program, [new.mentor, new.resident]) else None,
    )
    queue_once(
        session, program, OutboxKind.PAIRING_INTRODUCTION, message, now=now, to=[new.mentor, new.resident],
        dedupe_key=introduction_key(pairing.id), pairing_id=pairing.id,
    )  # fmt: skip


def pair_and_introduce(
    session: Session, *, program: Program, mentor: Person, resident: Person, coordinator: Person, now: datetime
) -> NewPairing:
    """A coordinator pairs two people now, with the matcher's rules; PairingRuleError if they break one."""
    new = pair(session, program=program, mentor=mentor, resident=resident, coordinator=coordinator, now=now)
    introduce(session, program=program, new=new, now=now)
    return new


def unpair_and_notify(session: Session, *, program: Program, resident: Person, coordinator: Person, now: datetime) -> Pairing:
    """A coordinator ends a resident's pairing; both get the neutral notice, the resident waits for a new match."""
    pairing = unpair(session, program=program, resident=resident, coordinator=coordinator, now=now)
    notice = pairing_ended_notice()  # the very notice a change request sends: it must not tell them apart
    for person in (pairing.mentor, pairing.resident):
        queue_once(
            session, program, OutboxKind.PAIRING_ENDED, notice, now=now, to=[person],
            dedupe_key=unpaired_notice_key(pairing.id, person.id),
        )  # fmt: skip
    return pairing


# --- a coordinator's commands, naming people by their Slack IDs ------------------------------------


class NotOnRoster(LookupError):
    """A Slack member the command names is not on the program's roster; nothing was written."""

    def __init__(self, user_id: str) -> None:
        super().__init__(user_id)
        self.user_id = user_id


def _on_roster(session: Session, program: Program, user_id: str) -> Person:
    person = find_person(session, program_id=program.id, team_id=program.team_id, slack_user_id=user_id)
    if person is None:
        raise NotOnRoster(user_id)
    return person


def pair_now(session: Session, *, actor: Actor, mentor_user_id: str, resident_user_id: str, now: datetime) -> NewPairing:
    """`/mentor admin pair`: NotOnRoster or PairingRuleError when it cannot be done."""
    program = load_program(session, actor.program_id)
    mentor, resident = _on_roster(session, program, mentor_user_id), _on_roster(session, program, resident_user_id)
    return pair_and_introduce(
        session, program=program, mentor=mentor, resident=resident, coordinator=person_of(session, actor), now=now
    )


def unpair_now(session: Session, *, actor: Actor, resident_user_id: str, now: datetime) -> Pairing:
    """`/mentor admin unpair`: NotOnRoster or PairingRuleError when it cannot be done."""
    program = load_program(session, actor.program_id)
    resident = _on_roster(session, program, resident_user_id)
    return unpair_and_notify(session, program=program, resident=resident, coordinator=person_of(session, actor), now=now)
