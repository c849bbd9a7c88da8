"""Check-ins in the database: asked once, an answer tied to nobody, a skip that records nothing,
and notes to the coordinators whose text is gone once read."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, inspect, select

from mentoring.cadence import AcademicQuarter
from mentoring.check_ins import CheckInKind
from storage.check_ins import (
    AnswerOutcome,
    NoteOutcome,
    NotYourCheckInError,
    answer,
    ask,
    mark_note_read,
    note_parties,
    pairings_to_ask_about,
    scores_given_in,
    skip,
)
from storage.db import session_scope
from storage.models import (
    CheckInAnswer,
    CheckInNote,
    CheckInPrompt,
    CheckInState,
    OutboxMessage,
    OutboxState,
    Person,
    Program,
    Role,
)
from storage.outbox import Cleanup
from storage.outbox_kinds import OutboxKind, check_in_note_key
from tests.support import factories
from tests.support.races import run_together

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
MET_ON = date(2026, 11, 20)


@pytest.fixture
def world(arrange):
    with arrange() as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY, name="Dr. Fran")
        resident = factories.person(session, prog, role=Role.RESIDENT, name="Riley")
        coordinator = factories.person(session, prog, role=Role.COORDINATOR, name="Casey")
        pairing = factories.pairing(session, prog, mentor, resident)
    return prog, mentor, resident, coordinator, pairing


def _ask(session, prog, person, pairing, kind=CheckInKind.MEETING, subject_on=MET_ON):
    program = session.get(Program, prog.id)
    return ask(session, program=program, person=session.get(Person, person.id), pairing_id=pairing.id, kind=kind,
               subject_on=subject_on, now=NOW)  # fmt: skip


def test_a_person_is_asked_once_per_subject(world, arrange):
    prog, mentor, resident, _, pairing = world
    with arrange() as session:
        assert _ask(session, prog, mentor, pairing) is not None
        assert _ask(session, prog, resident, pairing) is not None
        assert _ask(session, prog, mentor, pairing) is None
        assert _ask(session, prog, mentor, pairing, subject_on=date(2026, 11, 21)) is not None


def test_an_answer_is_tied_to_nobody(world, arrange, session_factory):
    prog, _, resident, _, pairing = world
    with arrange() as session:
        prompt_id = _ask(session, prog, resident, pairing).id
    with arrange() as session:
        result = answer(session, prompt_id=prompt_id, person=session.get(Person, resident.id), score=4, text="  ", now=NOW)
        assert result.outcome is AnswerOutcome.DONE and result.note is None
    with session_factory() as session:
        [row] = session.scalars(select(CheckInAnswer))
        # Nothing in the row names a person, a pairing or a moment finer than the quarter.
        assert {c.key for c in inspect(CheckInAnswer).columns} == {
            "id",
            "program_id",
            "kind",
            "academic_year",
            "quarter",
            "score",
        }
        assert (row.kind, row.academic_year, row.quarter, row.score) == (CheckInKind.MEETING, 2026, 2, 4)
        assert len(row.id) == 32 and not row.id.isdigit()
        assert session.get(CheckInPrompt, prompt_id).state is CheckInState.DONE
        assert scores_given_in(session, program_id=prog.id, quarter=AcademicQuarter(2026, 2)) == {CheckInKind.MEETING: [4]}
        assert scores_given_in(session, program_id=prog.id, quarter=AcademicQuarter(2026, 1)) == {}


def test_a_skip_records_nothing_but_closes_the_question(world, arrange, session_factory):
    prog, _, resident, _, pairing = world
    with arrange() as session:
        skipped, answered = (
            _ask(session, prog, resident, pairing).id,
            _ask(session, prog, resident, pairing, subject_on=MET_ON.replace(day=1)).id,
        )
    with arrange() as session:
        person = session.get(Person, resident.id)
        assert skip(session, prompt_id=skipped, person=person).outcome is AnswerOutcome.DONE
        answer(session, prompt_id=answered, person=person, score=5, text=None, now=NOW)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CheckInAnswer)) == 1
        assert session.scalar(select(func.count()).select_from(CheckInNote)) == 0
        # Skipped and answered look the same.
        states = {p.id: (p.state, p.created_at) for p in session.scalars(select(CheckInPrompt))}
        assert states[skipped] == states[answered]


def test_answering_twice_counts_once(world, arrange, session_factory):
    prog, _, resident, _, pairing = world
    with arrange() as session:
        prompt_id = _ask(session, prog, resident, pairing).id
    for expected in (AnswerOutcome.DONE, AnswerOutcome.ALREADY_DONE):
        with arrange() as session:
            person = session.get(Person, resident.id)
            assert answer(session, prompt_id=prompt_id, person=person, score=3, text="more", now=NOW).outcome is expected
    with arrange() as session:
        assert skip(session, prompt_id=prompt_id, person=session.get(Person, resident.id)).outcome is AnswerOutcome.ALREADY_DONE
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CheckInAnswer)) == 1
        assert session.scalar(select(func.count()).select_from(CheckInNote)) == 1


def test_only_the_person_asked_may_answer(world, arrange):
    prog, mentor, resident, _, pairing = world
    with arrange() as session:
        prompt_id = _ask(session, prog, resident, pairing).id
    with pytest.raises(NotYourCheckInError), arrange() as session:
        answer(session, prompt_id=prompt_id, person=session.get(Person, mentor.id), score=1, text=None, now=NOW)
    with pytest.raises(NotYourCheckInError), arrange() as session:
        skip(session, prompt_id=prompt_id + 1000, person=session.get(Person, resident.id))


def test_a_score_is_required_where_one_is_asked(world, arrange, session_factory):
    prog, _, resident, _, pairing = world
    with arrange() as session:
        prompt_id = _ask(session, prog, resident, pairing).id
    with pytest.raises(ValueError), arrange() as session:
        answer(session, prompt_id=prompt_id, person=session.get(Person, resident.id), score=None, text="hi", now=NOW)
    with session_factory() as session:
        assert session.get(CheckInPrompt, prompt_id).state is CheckInState.OPEN


def test_the_ending_check_in_keeps_only_the_note(world, arrange, session_factory):
    prog, mentor, _, _, pairing = world
    with arrange() as session:
        prompt_id = _ask(session, prog, mentor, pairing, kind=CheckInKind.ENDING).id
    with arrange() as session:
        result = answer(
            session, prompt_id=prompt_id, person=session.get(Person, mentor.id), score=5, text="It was good.", now=NOW
        )
        assert result.note is not None and result.note.text == "It was good."
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CheckInAnswer)) == 0


def test_a_note_read_is_deleted_everywhere(world, arrange, session_factory):
    prog, mentor, resident, coordinator, pairing = world
    with arrange() as session:
        prompt_id = _ask(session, prog, resident, pairing).id
    with arrange() as session:
        note = answer(
            session, prompt_id=prompt_id, person=session.get(Person, resident.id), score=2, text="Hard month.", now=NOW
        ).note
        program = session.get(Program, prog.id)
        sent = factories.outbox_dm(session, program, [session.get(Person, coordinator.id)], now=NOW, text="Hard month.",
                                   kind=OutboxKind.CHECK_IN_NOTE, dedupe_key=check_in_note_key(note.id, coordinator.id))  # fmt: skip
        sent.state, sent.slack_channel, sent.slack_ts = OutboxState.SENT, "DCASEY", "1700000000.000001"
        queued = factories.outbox_dm(session, program, [session.get(Person, mentor.id)], now=NOW, text="Hard month.",
                                     kind=OutboxKind.CHECK_IN_NOTE, dedupe_key=check_in_note_key(note.id, mentor.id))  # fmt: skip
        note_id, queued_id, sent_id = note.id, queued.id, sent.id
    with session_factory() as session:
        assert note_parties(session, note_id=note_id).person_ids == {resident.id, mentor.id}
    with arrange() as session:
        read = mark_note_read(session, note_id=note_id, coordinator=session.get(Person, coordinator.id), now=NOW,
                              replacement=("Read by Casey.", None))  # fmt: skip
        assert read.outcome is NoteOutcome.READ
        assert read.cleanup == Cleanup(cancelled=1, edits=1)
    with session_factory() as session:
        stored = session.get(CheckInNote, note_id)
        assert stored.text is None and stored.read_by_id == coordinator.id
        assert all(m.text == "Read by Casey." for m in session.scalars(select(OutboxMessage)))
        [edit] = session.scalars(select(OutboxMessage).where(OutboxMessage.edits_id.is_not(None))).all()
        assert (edit.edits_id, edit.kind, edit.report_to) == (
            sent_id,
            OutboxKind.CHECK_IN_NOTE_CLEANUP,
            coordinator.slack_user_id,
        )
        assert session.get(OutboxMessage, queued_id).state is OutboxState.CANCELLED
    with arrange() as session:
        again = mark_note_read(
            session, note_id=note_id, coordinator=session.get(Person, coordinator.id), now=NOW, replacement=("x", None)
        )
        assert again.outcome is NoteOutcome.ALREADY_READ and again.reader.id == coordinator.id
        assert mark_note_read(session, note_id=999, coordinator=session.get(Person, coordinator.id), now=NOW,
                              replacement=("x", None)).outcome is NoteOutcome.NOT_FOUND  # fmt: skip


def test_the_relationship_check_goes_to_pairs_that_met_in_the_quarter(world, arrange):
    prog, _, _, _, pairing = world
    with arrange() as session:
        program = session.get(Program, prog.id)
        other = factories.pairing(session, program, factories.person(session, program, role=Role.FACULTY),
                                  factories.person(session, program, role=Role.RESIDENT))  # fmt: skip
        ended = factories.pairing(session, program, factories.person(session, program, role=Role.FACULTY),
                                  factories.person(session, program, role=Role.RESIDENT))  # fmt: skip
        factories.meeting(session, session.get(type(pairing), pairing.id), date(2026, 8, 10))
        factories.meeting(session, other, date(2026, 10, 2))  # the next quarter
        factories.meeting(session, ended, date(2026, 8, 10))
        factories.end_pairing(session, ended, date(2026, 9, 1))
    with arrange() as session:
        found = pairings_to_ask_about(session, program=session.get(Program, prog.id), quarter=AcademicQuarter(2026, 1))
        assert [p.id for p in found] == [pairing.id]


# --- PostgreSQL: the same answer submitted twice at once ------------------------------------------


@pytest.mark.postgres
def test_two_submissions_at_once_record_one_answer(pg_session_factory):
    with session_scope(pg_session_factory) as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY)
        resident = factories.person(session, prog, role=Role.RESIDENT)
        pairing = factories.pairing(session, prog, mentor, resident)
        prompt_id = ask(session, program=prog, person=resident, pairing_id=pairing.id, kind=CheckInKind.MEETING,
                        subject_on=MET_ON, now=NOW).id  # fmt: skip

    def answer_now(barrier: threading.Barrier) -> AnswerOutcome:
        with session_scope(pg_session_factory) as session:
            person = session.get(Person, resident.id)
            session.get(CheckInPrompt, prompt_id)  # both see it open before either locks it
            barrier.wait()
            return answer(session, prompt_id=prompt_id, person=person, score=5, text="twice?", now=NOW).outcome

    outcomes = run_together(answer_now)
    assert sorted(map(str, outcomes)) == sorted(map(str, [AnswerOutcome.DONE, AnswerOutcome.ALREADY_DONE]))
    with session_scope(pg_session_factory) as session:
        assert session.scalar(select(func.count()).select_from(CheckInAnswer)) == 1
        assert session.scalar(select(func.count()).select_from(CheckInNote)) == 1
