"""The program figures as read from the database: pauses now, residents without a mentor by
training year, and check-in scores only for closed quarters and groups big enough to show."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mentoring.cadence import AcademicQuarter
from mentoring.check_ins import CheckInKind, ScoreSummary
from mentoring.program_figures import Share
from storage.check_ins import answer, ask
from storage.models import Pairing, Person, PersonStatus, Program, Role
from storage.pauses import pause_pairings
from storage.program_figures import current_figures
from storage.reports import quarter_report
from tests.support import factories

Q1_DAY = datetime(2026, 8, 20, 15, 0, tzinfo=UTC)


def _answers(arrange, program_id: int, scores: list[int], *, kind=CheckInKind.MEETING, at=Q1_DAY) -> None:
    """Each score from a different resident, about a meeting of their own pairing."""
    with arrange() as session:
        program = session.get(Program, program_id)
        for score in scores:
            mentor = factories.person(session, program, role=Role.FACULTY)
            resident = factories.person(session, program, role=Role.RESIDENT)
            pairing = factories.pairing(session, program, mentor, resident)
            prompt = ask(
                session, program=program, person=resident, pairing_id=pairing.id, kind=kind, subject_on=at.date(), now=at
            )
            answer(session, prompt_id=prompt.id, person=resident, score=score, text=None, now=at)


def test_check_in_scores_are_shown_only_for_a_closed_quarter_of_five_answers_or_more(arrange, session_factory):
    with arrange() as session:
        program_id = factories.program(session).id
    _answers(arrange, program_id, [5, 4, 4, 3])
    _answers(arrange, program_id, [2, 3, 4, 5], kind=CheckInKind.QUARTERLY)
    with session_factory() as session:
        program = session.get(Program, program_id)
        # While Q1 runs, the last closed quarter is last year's Q4: nothing.
        during = current_figures(session, program=program, today=date(2026, 9, 30)).check_ins
        assert during.quarter == AcademicQuarter(2025, 4) and during.usefulness is None
        after = current_figures(session, program=program, today=date(2026, 10, 1))
        assert after.check_ins_label == "2026–27 Q1"
        assert after.check_ins.usefulness is None  # four answers: too few
    _answers(arrange, program_id, [2])
    with session_factory() as session:
        program = session.get(Program, program_id)
        figures = current_figures(session, program=program, today=date(2026, 10, 1)).check_ins
        assert figures.usefulness == ScoreSummary(5, 3.6)
        assert figures.relationship is None
        program.check_in_minimum_answers = 4  # a program may lower the bar, never below three
        assert current_figures(session, program=program, today=date(2026, 10, 1)).check_ins.relationship == ScoreSummary(4, 3.5)


def test_pauses_now_are_counts_and_end_dates(arrange, session_factory):
    with arrange() as session:
        program = factories.program(session)
        pairs = [
            factories.pairing(
                session,
                program,
                factories.person(session, program, role=Role.FACULTY),
                factories.person(session, program, role=Role.RESIDENT),
            )
            for _ in range(3)
        ]
        pause_pairings(session, person=pairs[0].resident, pairing_ids=[pairs[0].id], ends_on=date(2026, 10, 1), now=Q1_DAY)
        pause_pairings(session, person=pairs[1].mentor, pairing_ids=[pairs[1].id], ends_on=date(2026, 9, 1), now=Q1_DAY)
        program_id = program.id
    with session_factory() as session:
        figures = current_figures(session, program=session.get(Program, program_id), today=date(2026, 8, 21))
        assert (figures.paused.count, figures.paused.ends) == (2, (date(2026, 9, 1), date(2026, 10, 1)))


def test_residents_without_a_mentor_by_training_year(arrange, session_factory):
    with arrange() as session:
        program = factories.program(session)
        mentor = factories.person(session, program, role=Role.FACULTY)
        for pgy in (1, 1, 2, 3):
            factories.person(session, program, role=Role.RESIDENT, pgy=pgy)
        factories.pairing(session, program, mentor, factories.person(session, program, role=Role.RESIDENT, pgy=2))
        gone = factories.person(session, program, role=Role.RESIDENT, pgy=3)
        gone.status = PersonStatus.WITHDRAWN
        ended = factories.pairing(session, program, factories.person(session, program, role=Role.FACULTY),
                                  factories.person(session, program, role=Role.RESIDENT, pgy=2))  # fmt: skip
        factories.end_pairing(session, ended, date(2026, 8, 1))
        program_id = program.id
    with session_factory() as session:
        figures = current_figures(session, program=session.get(Program, program_id), today=date(2026, 8, 21))
        assert figures.without_mentor == ((1, 2), (2, 2), (3, 1))


def test_the_quarter_report_carries_the_program_figures(arrange, session_factory):
    with arrange() as session:
        program = factories.program(session)
        for meetings in ([date(2026, 8, 1), date(2026, 9, 1), date(2026, 9, 20)], [date(2026, 8, 15)], []):
            pairing = factories.pairing(session, program, factories.person(session, program, role=Role.FACULTY),
                                        factories.person(session, program, role=Role.RESIDENT))  # fmt: skip
            for met_on in meetings:
                factories.meeting(session, pairing, met_on)
        paused = session.get(Pairing, pairing.id)
        pause_pairings(
            session, person=session.get(Person, paused.mentor_id), pairing_ids=[paused.id], ends_on=date(2026, 10, 15), now=Q1_DAY
        )
        program_id = program.id
    _answers(arrange, program_id, [4, 4, 4, 5, 3])
    with session_factory() as session:
        program = session.get(Program, program_id)
        report = quarter_report(session, program=program, quarter=AcademicQuarter(2026, 1), today=date(2026, 10, 5))
        [q1] = report.program_figures
        assert q1.full_participation == Share(1, 8)  # 3 pairs above + 5 from the answers, all paired on July 1
        assert q1.median_days_between_meetings == 25  # gaps of 31 and 19 days
        assert (q1.pauses.begun, q1.pauses.pairs_paused) == (1, 1)
        assert q1.check_ins is not None and q1.check_ins.usefulness == ScoreSummary(5, 4.0)
        # Before the quarter is over nothing of its check-ins is in the report.
        early = quarter_report(session, program=program, quarter=AcademicQuarter(2026, 1), today=date(2026, 9, 30))
        assert early.program_figures[0].check_ins is None
        assert quarter_report(session, program=program, quarter=AcademicQuarter(2026, 1)).program_figures[0].check_ins is None
