"""Check-ins: asking (after a logged meeting, once a quarter, when a pairing ends), recording an
answer or a skip, and a coordinator marking a note read. Each operation is the storage change
plus the messages it causes, in the caller's transaction (see storage/check_ins.py for what is
kept, and mentoring/check_ins.py for the rules that keep answers anonymous).

Notes go to every coordinator who is not in the pairing, by DM only: never to a channel.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from mentoring.cadence import AcademicQuarter
from mentoring.check_ins import CheckInKind
from storage.check_ins import (
    AnswerResult,
    NoteRead,
    answer,
    ask,
    mark_note_read,
    note_copies_prefix,
    pairings_to_ask_about,
    skip,
)
from storage.meetings import other_person
from storage.models import CheckInNote, CheckInPrompt, Pairing, Person, PersonStatus, Program
from storage.outbox import enqueue
from storage.programs import academic_calendar, program_today
from storage.roster import coordinators
from views import check_ins as views
from views.common import Message

KIND_ASK = "check_in.ask"
KIND_NOTE = "check_in.note"
# The quarterly check asks about a quarter during this many days after it ends, then lets it be.
QUARTERLY_ASKING_DAYS = 30


def _ask_and_send(
    session: Session, *, program: Program, person: Person, pairing: Pairing, kind: CheckInKind, subject_on: date, now: datetime
) -> bool:
    prompt = ask(session, program=program, person=person, pairing_id=pairing.id, kind=kind, subject_on=subject_on, now=now)
    if prompt is None:
        return False
    message = views.check_in_request(
        kind=kind, prompt_id=prompt.id, other_user_id=other_person(pairing, person.id).slack_user_id, subject_on=subject_on
    )
    enqueue(
        session, program=program, kind=KIND_ASK, text=message["text"], blocks=message["blocks"], now=now, recipients=[person],
        dedupe_key=f"check_in:{prompt.id}",
    )  # fmt: skip
    return True


def ask_after_meeting(session: Session, *, program: Program, pairing: Pairing, met_on: date, now: datetime) -> int:
    """Each of the two gets the two questions about this meeting, in their working hours."""
    return sum(
        _ask_and_send(
            session, program=program, person=person, pairing=pairing, kind=CheckInKind.MEETING, subject_on=met_on, now=now
        )
        for person in (pairing.mentor, pairing.resident)
    )


def ask_about_last_quarter(session: Session, *, program: Program, now: datetime) -> int:
    """The relationship check: in the first weeks of a quarter, each person in a pair that met
    during the quarter just ended is asked once how the mentoring is going."""
    calendar = academic_calendar(program)
    today = program_today(program, now)
    current = calendar.quarter_of(today)
    first_day = calendar.quarter_bounds(*current)[0]
    if (today - first_day).days >= QUARTERLY_ASKING_DAYS:
        return 0
    previous = AcademicQuarter(current.year, current.quarter - 1) if current.quarter > 1 else AcademicQuarter(current.year - 1, 4)
    subject_on = calendar.quarter_bounds(*previous)[0]
    asked = 0
    for pairing in pairings_to_ask_about(session, program=program, quarter=previous):
        for person in (pairing.mentor, pairing.resident):
            if person.status is PersonStatus.ACTIVE:
                asked += _ask_and_send(
                    session,
                    program=program,
                    person=person,
                    pairing=pairing,
                    kind=CheckInKind.QUARTERLY,
                    subject_on=subject_on,
                    now=now,
                )
    return asked


def record_answer(
    session: Session, *, person: Person, prompt_id: int, score: int | None, text: str | None, now: datetime
) -> AnswerResult:
    """Record the answer; free text goes to each coordinator who is not in the pairing, by DM."""
    result = answer(session, prompt_id=prompt_id, person=person, score=score, text=text, now=now)
    if result.note is not None:
        _send_note(session, note=result.note, prompt=result.prompt, author=person, now=now)
    return result


def record_skip(session: Session, *, person: Person, prompt_id: int) -> AnswerResult:
    return skip(session, prompt_id=prompt_id, person=person)


def _send_note(session: Session, *, note: CheckInNote, prompt: CheckInPrompt, author: Person, now: datetime) -> None:
    program = session.get(Program, note.program_id)
    pairing = session.get(Pairing, prompt.pairing_id)
    assert program is not None and pairing is not None and note.text is not None
    parties = {pairing.mentor_id, pairing.resident_id}
    other = other_person(pairing, author.id)
    alert = views.note_alert(
        note_id=note.id, author_user_id=author.slack_user_id, other_user_id=other.slack_user_id, kind=note.kind,
        subject_on=note.subject_on, text=note.text,
    )  # fmt: skip
    for coordinator in coordinators(session, program_id=program.id):
        if coordinator.id in parties or coordinator.status is not PersonStatus.ACTIVE:
            continue
        enqueue(
            session, program=program, kind=KIND_NOTE, text=alert["text"], blocks=alert["blocks"], now=now,
            recipients=[coordinator], dedupe_key=f"{note_copies_prefix(note.id)}{coordinator.id}",
        )  # fmt: skip


def read_note(session: Session, *, note_id: int, coordinator: Person, now: datetime) -> tuple[NoteRead, Message | None]:
    """Delete a note's text once a coordinator has read it; returns the message that now stands
    in every copy of the coordinators' DM (the caller edits the copies already in Slack)."""
    note = session.get(CheckInNote, note_id)
    if note is None:
        return mark_note_read(session, note_id=note_id, coordinator=coordinator, now=now, replacement=("", None)), None
    author = session.get(Person, note.author_id)
    program = session.get(Program, note.program_id)
    assert author is not None and program is not None
    replacement = views.note_read_message(
        author_user_id=author.slack_user_id, reader_name=coordinator.name, read_on=program_today(program, now)
    )
    result = mark_note_read(
        session, note_id=note_id, coordinator=coordinator, now=now, replacement=(replacement["text"], replacement["blocks"])
    )
    return result, replacement
