"""Check-ins: asking someone, their answer or skip (one transaction each), the anonymous scores
of a closed quarter, and the free text addressed to the coordinators.

What is kept, and what is not (see mentoring/check_ins.py for why):
- a prompt row says who was asked about what, and whether the question is still open; an
  answered and a skipped question look the same (DONE), so a skip records nothing;
- a score goes to check_in_answers with no person, no pairing, no time finer than the academic
  quarter it was given in, and a random key;
- free text goes to check_in_notes under its writer's name, for the coordinators only, and its
  text is deleted when a coordinator marks it read, from the database and from every copy of
  the coordinators' DM (the caller edits those already in Slack).
"""

from __future__ import annotations

import enum
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from mentoring.cadence import AcademicQuarter
from mentoring.check_ins import CheckInKind, check_score, clean_free_text
from storage.db import forget_after_commit
from storage.inserts import insert_or_skip
from storage.models import (
    CheckInAnswer,
    CheckInNote,
    CheckInPrompt,
    CheckInState,
    Meeting,
    Pairing,
    Person,
    Program,
)
from storage.outbox import Cleanup, clean_copies
from storage.outbox_kinds import check_in_note_prefix
from storage.programs import academic_calendar, program_today

ANSWER_KEY_BYTES = 16


class NotYourCheckInError(ValueError):
    """The caller skipped the access check: a check-in is answered only by the person asked."""


# --- asking -------------------------------------------------------------------------------------


def ask(
    session: Session, *, program: Program, person: Person, pairing_id: int, kind: CheckInKind, subject_on: date, now: datetime
) -> CheckInPrompt | None:
    """Ask `person` for a check-in, once: None if they were already asked about this subject."""
    statement = (
        insert_or_skip(session, CheckInPrompt)
        .values(
            program_id=program.id,
            person_id=person.id,
            pairing_id=pairing_id,
            kind=kind,
            subject_on=subject_on,
            state=CheckInState.OPEN,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["person_id", "pairing_id", "kind", "subject_on"])
        .returning(CheckInPrompt.id)
    )
    prompt_id = session.execute(statement).scalar()
    return session.get(CheckInPrompt, prompt_id) if prompt_id is not None else None


def pairings_to_ask_about(session: Session, *, program: Program, quarter: AcademicQuarter) -> list[Pairing]:
    """The relationship check for a quarter just over: pairs still together that met during it
    (mentoring.check_ins.asked_about_quarter), both people loaded."""
    first_day, end_exclusive = academic_calendar(program).quarter_bounds(*quarter)
    met = exists().where(Meeting.pairing_id == Pairing.id, Meeting.met_on >= first_day, Meeting.met_on < end_exclusive)
    query = (
        select(Pairing)
        .where(Pairing.program_id == program.id, Pairing.ended_on.is_(None), Pairing.started_on < end_exclusive, met)
        .options(selectinload(Pairing.mentor), selectinload(Pairing.resident))
        .order_by(Pairing.id)
    )
    return list(session.scalars(query))


# --- answering ----------------------------------------------------------------------------------


class AnswerOutcome(str, enum.Enum):
    DONE = "done"  # answered or skipped, now
    ALREADY_DONE = "already_done"  # answered or skipped before (a double click, a second tab)


@dataclass(frozen=True)
class AnswerResult:
    outcome: AnswerOutcome
    prompt: CheckInPrompt
    note: CheckInNote | None = None  # free text for the coordinators, if any was written


def prompt_for(session: Session, *, prompt_id: int, person: Person, lock: bool = False) -> CheckInPrompt:
    """The check-in `person` was asked; NotYourCheckInError for anyone else's (or none)."""
    prompt = session.get(CheckInPrompt, prompt_id, with_for_update=lock or None, populate_existing=lock)
    if prompt is None or prompt.person_id != person.id:
        raise NotYourCheckInError(f"check-in {prompt_id} was not asked of person {person.id}")
    return prompt


ENDING_CHECK_IN_DAYS = 60


def ending_prompt(session: Session, *, person: Person, now: datetime) -> CheckInPrompt | None:
    """The ending check-in of the person's most recently ended pairing (within 60 days), asked
    now if it was not yet: the neutral notice's button names no pairing, so it is found here."""
    program = session.get(Program, person.program_id)
    assert program is not None
    today = program_today(program, now)
    query = (
        select(Pairing)
        .where(
            (Pairing.mentor_id == person.id) | (Pairing.resident_id == person.id),
            Pairing.ended_on.is_not(None),
            Pairing.ended_on >= today - timedelta(days=ENDING_CHECK_IN_DAYS),
        )
        .order_by(Pairing.ended_on.desc(), Pairing.id.desc())
    )
    pairing = session.scalars(query).first()
    if pairing is None or pairing.ended_on is None:
        return None
    subject = {"person_id": person.id, "pairing_id": pairing.id, "kind": CheckInKind.ENDING, "subject_on": pairing.ended_on}
    ask(
        session,
        program=program,
        person=person,
        pairing_id=pairing.id,
        kind=CheckInKind.ENDING,
        subject_on=pairing.ended_on,
        now=now,
    )
    return session.scalars(select(CheckInPrompt).filter_by(**subject)).first()


def answer(
    session: Session, *, prompt_id: int, person: Person, score: int | None, text: str | None, now: datetime
) -> AnswerResult:
    """Record an answer: the score anonymously, the free text (if any) for the coordinators.

    A score is required for the kinds that ask for one (ValueError otherwise; the form checks
    first) and ignored for the ending check-in, which is free text only."""
    prompt = prompt_for(session, prompt_id=prompt_id, person=person, lock=True)
    if prompt.state is CheckInState.DONE:
        return AnswerResult(AnswerOutcome.ALREADY_DONE, prompt)
    program = session.get(Program, prompt.program_id)
    assert program is not None
    prompt.state = CheckInState.DONE
    if prompt.kind.has_score:
        if score is None:
            raise ValueError(f"a {prompt.kind.value} check-in needs a score")
        year, quarter = academic_calendar(program).quarter_of(program_today(program, now))
        session.add(
            CheckInAnswer(
                id=secrets.token_hex(ANSWER_KEY_BYTES),
                program_id=program.id,
                kind=prompt.kind,
                academic_year=year,
                quarter=quarter,
                score=check_score(score),
            )
        )
    note = None
    cleaned = clean_free_text(text)
    if cleaned is not None:
        note = CheckInNote(
            program_id=program.id,
            author_id=person.id,
            pairing_id=prompt.pairing_id,
            kind=prompt.kind,
            subject_on=prompt.subject_on,
            text=cleaned,
            created_at=now,
        )
        session.add(note)
    session.flush()
    return AnswerResult(AnswerOutcome.DONE, prompt, note)


def skip(session: Session, *, prompt_id: int, person: Person) -> AnswerResult:
    """Close the question and keep nothing else: a skipped check-in looks like an answered one."""
    prompt = prompt_for(session, prompt_id=prompt_id, person=person, lock=True)
    if prompt.state is CheckInState.DONE:
        return AnswerResult(AnswerOutcome.ALREADY_DONE, prompt)
    prompt.state = CheckInState.DONE
    return AnswerResult(AnswerOutcome.DONE, prompt)


# --- the anonymous scores -----------------------------------------------------------------------


def scores_given_in(session: Session, *, program_id: int, quarter: AcademicQuarter) -> dict[CheckInKind, list[int]]:
    """Every score given during `quarter`, by kind. Callers publish only what
    mentoring.check_ins.check_in_figures allows (closed quarters, big enough groups)."""
    query = select(CheckInAnswer.kind, CheckInAnswer.score).where(
        CheckInAnswer.program_id == program_id,
        CheckInAnswer.academic_year == quarter.year,
        CheckInAnswer.quarter == quarter.quarter,
    )
    scores: dict[CheckInKind, list[int]] = defaultdict(list)
    for kind, score in session.execute(query):
        scores[kind].append(score)
    return dict(scores)


# --- notes to the coordinators ------------------------------------------------------------------


@dataclass(frozen=True)
class NoteParties:
    """Who a note is about: coordinators in the pairing never see it."""

    program_id: int
    person_ids: frozenset[int]


def note_parties(session: Session, *, note_id: int) -> NoteParties | None:
    note = session.get(CheckInNote, note_id)
    if note is None:
        return None
    people = {note.author_id}
    if note.pairing_id is not None:
        pairing = session.get(Pairing, note.pairing_id)
        if pairing is not None:
            people |= {pairing.mentor_id, pairing.resident_id}
    return NoteParties(note.program_id, frozenset(people))


class NoteOutcome(str, enum.Enum):
    READ = "read"
    ALREADY_READ = "already_read"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class NoteRead:
    outcome: NoteOutcome
    note: CheckInNote | None = None
    reader: Person | None = None
    cleanup: Cleanup | None = None  # how its copies are being cleaned (an edit queued for each in Slack)


def mark_note_read(
    session: Session, *, note_id: int, coordinator: Person, now: datetime, replacement: tuple[str, list[dict] | None]
) -> NoteRead:
    """A coordinator has read the note: its text is deleted, here and in every stored copy of the
    coordinators' DM (replaced by `replacement`: text and blocks), and an edit is queued for each
    copy in Slack (the coordinator hears if one is late or fails)."""
    note = session.get(CheckInNote, note_id, with_for_update=True, populate_existing=True)
    if note is None:
        return NoteRead(NoteOutcome.NOT_FOUND)
    if note.read_at is not None:
        reader = session.get(Person, note.read_by_id) if note.read_by_id else None
        return NoteRead(NoteOutcome.ALREADY_READ, note, reader)
    note.text = None
    forget_after_commit(session)
    note.read_at = now
    note.read_by_id = coordinator.id
    text, blocks = replacement
    cleanup = clean_copies(
        session,
        dedupe_prefix=check_in_note_prefix(note.id),
        text=text,
        blocks=blocks,
        reason="note read before delivery",
        report_to=coordinator.slack_user_id,
        now=now,
    )
    session.flush()
    return NoteRead(NoteOutcome.READ, note, coordinator, cleanup)


def unread_notes(session: Session, *, program_id: int) -> Sequence[CheckInNote]:
    query = (
        select(CheckInNote)
        .where(CheckInNote.program_id == program_id, CheckInNote.read_at.is_(None))
        .order_by(CheckInNote.created_at, CheckInNote.id)
    )
    return session.scalars(query).all()
