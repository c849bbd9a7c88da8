from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from storage.meetings import MeetingError, MeetingProblem, log_meeting
from storage.models import Meeting, OutboxMessage, OutboxState, Pairing, Person, Role
from storage.my_pairings import my_pairings
from storage.outbox import enqueue
from storage.outbox_kinds import OutboxKind
from tests.support import factories

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wed 25 Nov, 10:00 in New York


@pytest.fixture
def pair(arrange):
    with arrange() as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY)
        resident = factories.person(session, prog, role=Role.RESIDENT)
        pairing = factories.pairing(session, prog, mentor, resident, started_on=date(2026, 7, 1))
    return prog, mentor, resident, pairing


def _log(session, pairing, person, met_on, now=NOW):
    return log_meeting(session, pairing_id=pairing.id, logged_by=session.get(Person, person.id), met_on=met_on, now=now)


def test_a_new_pairing_is_due_three_months_after_it_starts_and_looked_at_on_day_one(pair, session_factory):
    with session_factory() as session:
        row = session.get(Pairing, pair[3].id)
        assert (row.next_due_on, row.next_check_on) == (date(2026, 10, 1), date(2026, 7, 1))


def test_logging_a_meeting_moves_the_due_date_and_the_next_look(pair, arrange, session_factory):
    _, mentor, _, pairing = pair
    with arrange() as session:
        logged = _log(session, pairing, mentor, date(2026, 11, 30 - 7))
        assert logged.new and logged.next_due_on == date(2027, 2, 23)
    with session_factory() as session:
        row = session.get(Pairing, pairing.id)
        assert row.last_met_on == date(2026, 11, 23)
        assert row.next_due_on == date(2027, 2, 23)
        assert row.next_check_on == date(2027, 2, 9)  # the approaching reminder, 14 days before


def test_either_person_may_log_and_the_same_day_twice_is_a_no_op(pair, arrange, session_factory):
    _, mentor, resident, pairing = pair
    with arrange() as session:
        assert _log(session, pairing, resident, date(2026, 11, 20)).new
    with arrange() as session:
        again = _log(session, pairing, mentor, date(2026, 11, 20))
        assert not again.new and again.next_due_on == date(2027, 2, 20)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 1


def test_an_older_meeting_is_recorded_but_does_not_pull_the_due_date_back(pair, arrange, session_factory):
    _, mentor, _, pairing = pair
    with arrange() as session:
        _log(session, pairing, mentor, date(2026, 11, 20))
    with arrange() as session:
        older = _log(session, pairing, mentor, date(2026, 9, 1))
        assert older.new and older.next_due_on == date(2027, 2, 20)
    with session_factory() as session:
        assert session.get(Pairing, pairing.id).last_met_on == date(2026, 11, 20)


@pytest.mark.parametrize(
    ("met_on", "problem"),
    [(date(2026, 11, 26), MeetingProblem.IN_THE_FUTURE), (date(2026, 6, 30), MeetingProblem.BEFORE_START)],
)
def test_dates_in_the_future_or_before_the_start_are_refused(pair, arrange, met_on, problem):
    _, mentor, _, pairing = pair
    with pytest.raises(MeetingError) as raised, arrange() as session:
        _log(session, pairing, mentor, met_on)
    assert raised.value.problem is problem


def test_today_is_the_loggers_own_calendar_day(pair, arrange):
    _, mentor, _, pairing = pair
    with arrange() as session:
        session.get(Person, mentor.id).slack_time_zone = "Asia/Tokyo"  # already Thursday 26 Nov there
    with arrange() as session:
        assert _log(session, pairing, mentor, date(2026, 11, 26)).new


def test_only_the_pair_may_log_and_only_while_it_lasts(pair, arrange):
    prog, mentor, _, pairing = pair
    with arrange() as session:
        stranger = factories.person(session, session.merge(prog))
    with pytest.raises(MeetingError) as raised, arrange() as session:
        _log(session, pairing, stranger, date(2026, 11, 20))
    assert raised.value.problem is MeetingProblem.NOT_IN_PAIRING
    with arrange() as session:
        session.get(Pairing, pairing.id).ended_on = date(2026, 11, 1)
    with pytest.raises(MeetingError) as raised, arrange() as session:
        _log(session, pairing, mentor, date(2026, 11, 20))
    assert raised.value.problem is MeetingProblem.PAIRING_ENDED


def test_reminders_queued_for_the_old_due_date_are_cancelled(pair, arrange, session_factory):
    prog, mentor, resident, pairing = pair
    with arrange() as session:
        program = session.merge(prog)
        nudge = enqueue(
            session,
            program=program,
            kind=OutboxKind.NUDGE_MISSED,
            text="a nudge",
            now=NOW,
            recipients=[resident],
            pairing_id=pairing.id,
        )
        other = enqueue(
            session,
            program=program,
            kind=OutboxKind.PAIRING_INTRODUCTION,
            text="hello",
            now=NOW,
            recipients=[resident],
            pairing_id=pairing.id,
        )
    with arrange() as session:
        _log(session, pairing, mentor, date(2026, 11, 20))
    with session_factory() as session:
        assert session.get(OutboxMessage, nudge.id).state is OutboxState.CANCELLED
        assert session.get(OutboxMessage, other.id).state is OutboxState.PENDING


def test_status_lists_each_pairing_with_its_dates(pair, arrange, session_factory):
    prog, mentor, resident, pairing = pair
    with arrange() as session:
        second = factories.person(session, session.merge(prog))
        factories.pairing(
            session, session.merge(prog), session.merge(mentor), second, started_on=date(2026, 9, 15), mentor_slot=2
        )
        _log(session, pairing, mentor, date(2026, 11, 20))
    with session_factory() as session:
        lines = my_pairings(session, person_id=mentor.id)
        assert [(s.counterpart.person_id, s.i_mentor, s.last_met_on, s.due_on) for s in lines] == [
            (resident.id, True, date(2026, 11, 20), date(2027, 2, 20)),
            (second.id, True, None, date(2026, 12, 15)),
        ]
        [mine] = my_pairings(session, person_id=resident.id)
        assert (mine.counterpart.person_id, mine.i_mentor) == (mentor.id, False)
