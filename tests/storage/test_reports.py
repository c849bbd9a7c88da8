"""The reads behind summaries, reports, exports and home tabs, against the sample program."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mentoring.cadence import AcademicQuarter, QuarterStatus
from storage.models import Person, PersonStatus, Role, RoundState
from storage.my_pairings import person_home
from storage.reports import pairings_in_year, program_snapshot, quarter_report
from tests.support import factories, sample_program

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday, 10:00 in New York


@pytest.fixture
def sample(arrange):
    with arrange() as session:
        return sample_program.build(session, meetings_through=NOW.date())


def names(pair):
    return pair.mentor.name, pair.resident.name


def test_snapshot_figures_match_the_stored_data(session_factory, sample):
    with session_factory() as session:
        snapshot = program_snapshot(session, program=sample_program.program(session, sample), now=NOW)
    assert snapshot.today == date(2026, 11, 25)
    assert snapshot.quarter == AcademicQuarter(2026, 2) and snapshot.quarter_label == "2026–27 Q2"
    meetings = snapshot.meetings
    assert meetings.active_pairs == 6  # Haddad & Wong ended in September
    assert meetings.meetings_this_quarter == 3  # Nov 2, Oct 30, Nov 15
    assert meetings.pairs_met_this_quarter == 3
    assert meetings.pairs_due_this_quarter == 6
    assert [(names(pair), days) for pair, days in snapshot.overdue] == [
        (("Dr. Sam Lee", "Taylor Brooks"), 55),  # never met: due Oct 1
        (("Dr. Sam Lee", "Morgan Diaz"), 36),  # met Jul 20: due Oct 20
    ]
    assert [(w.person.name, w.since) for w in snapshot.waiting_residents] == [
        ("Dana White", date(2026, 11, 2)),
        ("Eli Stone", date(2026, 11, 20)),
    ]
    assert snapshot.open_requests == 1
    capacity = snapshot.capacity
    assert (capacity.places, capacity.used, capacity.free, capacity.mentors_with_room) == (8, 6, 2, 2)
    assert snapshot.round is not None and (snapshot.round.academic_year, snapshot.round.state) == (2026, RoundState.CLOSED)
    assert snapshot.round.deadline_on == date(2026, 6, 15)
    assert snapshot.proposal is not None
    assert (snapshot.proposal.pair_count, snapshot.proposal.unmatched_count) == (1, 1)
    assert snapshot.proposal.created_on == date(2026, 11, 23)
    assert [(u.name, u.messages, u.error) for u in snapshot.unreachable] == [("Eli Stone", 1, "user_disabled")]


def test_snapshot_of_an_empty_program(arrange, session_factory):
    with arrange() as session:
        program = factories.program(session)
    with session_factory() as session:
        snapshot = program_snapshot(session, program=session.merge(program), now=NOW)
    assert snapshot.meetings.active_pairs == 0 and snapshot.pairs == {}
    assert snapshot.round is None and snapshot.proposal is None
    assert snapshot.capacity.places == 0 and snapshot.unreachable == () and snapshot.waiting == ()


def test_old_delivery_failures_and_withdrawn_people_drop_out(arrange, session_factory, sample):
    with arrange() as session:
        program = sample_program.program(session, sample)
        old = datetime(2026, 11, 1, tzinfo=UTC)
        factories.failed_delivery(session, program, [session.get(Person, sample.people["URES1"])], at=old)
        dana = session.get(Person, sample.people["URES8"])
        dana.status = PersonStatus.WITHDRAWN
    with session_factory() as session:
        snapshot = program_snapshot(session, program=sample_program.program(session, sample), now=NOW)
    assert [u.name for u in snapshot.unreachable] == ["Eli Stone"]
    assert [w.person.name for w in snapshot.waiting] == ["Eli Stone"]


def test_pairings_in_year_keep_every_pairing_that_was_active(session_factory, sample):
    with session_factory() as session:
        program = sample_program.program(session, sample)
        this_year = pairings_in_year(session, program=program, year=2026)
        last_year = pairings_in_year(session, program=program, year=2025)
    assert last_year == []
    assert [names(py.pair) for py in this_year] == [
        ("Dr. Fran Ortiz", "Alex Novak"),
        ("Dr. Fran Ortiz", "Riley Chen"),
        ("Dr. Omar Haddad", "Chris Wong"),
        ("Dr. Omar Haddad", "Sam Rivera"),
        ("Dr. Priya Patel", "Jamie Park"),
        ("Dr. Sam Lee", "Morgan Diaz"),
        ("Dr. Sam Lee", "Taylor Brooks"),
    ]
    wong = this_year[2]
    assert wong.pair.ended_on == date(2026, 9, 15) and wong.history.meeting_dates == (date(2026, 8, 1),)


def test_quarter_report_of_the_first_quarter(session_factory, sample):
    with session_factory() as session:
        report = quarter_report(session, program=sample_program.program(session, sample), quarter=AcademicQuarter(2026, 1))
    assert report.label == "2026–27 Q1"
    assert (report.first_day, report.last_day) == (date(2026, 7, 1), date(2026, 9, 30))
    assert report.quarter_months == ("Jul–Sep", "Oct–Dec", "Jan–Mar", "Apr–Jun")
    # Haddad & Rivera started on Oct 1, after the quarter: not in its report.
    assert sorted(names(p) for p in report.pairs.values()) == sorted(
        [("Dr. Fran Ortiz", "Alex Novak"), ("Dr. Fran Ortiz", "Riley Chen"), ("Dr. Omar Haddad", "Chris Wong"),
         ("Dr. Priya Patel", "Jamie Park"), ("Dr. Sam Lee", "Morgan Diaz"), ("Dr. Sam Lee", "Taylor Brooks")]
    )  # fmt: skip
    (q1,) = report.figures
    by_name = {names(report.pairs[key]): status for key, status in q1.compliance.statuses.items()}
    assert by_name[("Dr. Sam Lee", "Taylor Brooks")] is QuarterStatus.NOT_DUE
    assert by_name[("Dr. Omar Haddad", "Chris Wong")] is QuarterStatus.PARTIAL
    assert q1.rate == 1.0 and q1.compliance.met_count == 4
    assert q1.meeting_count == 6 and q1.active_pairs == 6


def test_quarter_report_trend_through_the_third_quarter(arrange, session_factory, sample):
    with arrange() as session:
        sample_program.log_meetings(session, sample, upto=date(2027, 4, 1))
    with session_factory() as session:
        report = quarter_report(session, program=sample_program.program(session, sample), quarter=AcademicQuarter(2026, 3))
    assert [f.quarter.quarter for f in report.figures] == [1, 2, 3]
    assert [(f.compliance.met_count, f.compliance.judged_count) for f in report.figures] == [(4, 4), (4, 6), (4, 6)]
    missed = {names(report.pairs[key]) for key in report.current.compliance.missed}
    assert missed == {("Dr. Sam Lee", "Morgan Diaz"), ("Dr. Sam Lee", "Taylor Brooks")}


def test_person_home_for_a_resident_a_mentor_and_someone_waiting(session_factory, sample):
    with session_factory() as session:
        program = sample_program.program(session, sample)
        riley = person_home(session, person=session.get(Person, sample.people["URES1"]), program=program)
        fran = person_home(session, person=session.get(Person, sample.people["UFAC1"]), program=program)
        dana = person_home(session, person=session.get(Person, sample.people["URES8"]), program=program)
    (mine,) = riley.pairings
    assert (mine.counterpart.name, mine.i_mentor) == ("Dr. Fran Ortiz", False)
    assert (mine.last_met_on, mine.due_on) == (date(2026, 11, 2), date(2027, 2, 2))
    assert riley.role is Role.RESIDENT and not riley.withdrawn and riley.waiting_since is None
    assert [(p.counterpart.name, p.i_mentor) for p in fran.pairings] == [("Riley Chen", True), ("Alex Novak", True)]
    assert dana.pairings == () and dana.waiting_since == date(2026, 11, 2)
