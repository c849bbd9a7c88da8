from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.cadence import AcademicCalendar, AcademicQuarter, PairingHistory
from mentoring.reporting import (
    ActivePair,
    MentorLoad,
    SummarySchedule,
    WeeklySlot,
    capacity_figures,
    meeting_figures,
    parse_weekly_slot,
    quarter_key,
    year_figures,
    year_label,
)

NEW_YORK = ZoneInfo("America/New_York")
MONDAY_9 = SummarySchedule(weekday=0, hour=9, minute=0, zone=NEW_YORK)
JULY_1 = AcademicCalendar()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- the weekly slot ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 23), utc(2026, 11, 23, 14)),  # Monday, EST (UTC-5)
        (date(2026, 11, 29), utc(2026, 11, 23, 14)),  # Sunday belongs to the same ISO week
        (date(2026, 7, 1), utc(2026, 6, 29, 13)),  # EDT (UTC-4)
        (date(2027, 3, 12), utc(2027, 3, 8, 14)),  # the week before DST starts (Mar 14)
        (date(2027, 3, 15), utc(2027, 3, 15, 13)),  # the Monday after DST starts
        (date(2026, 11, 2), utc(2026, 11, 2, 14)),  # the Monday after DST ends
    ],
)
def test_slot_is_the_programs_local_monday_9am(day, expected):
    assert MONDAY_9.slot_in_week_of(day) == expected


def test_summary_is_due_from_the_slot_until_the_weeks_end():
    assert not MONDAY_9.summary_due(utc(2026, 11, 23, 13, 59))
    assert MONDAY_9.summary_due(utc(2026, 11, 23, 14, 0))
    assert MONDAY_9.summary_due(utc(2026, 11, 30, 4, 59))  # Sunday 23:59 local: still that week
    assert MONDAY_9.week_key(utc(2026, 11, 30, 4, 59)) == "2026-W48"
    assert not MONDAY_9.summary_due(utc(2026, 11, 30, 5, 0))  # Monday 00:00 local: a new week
    assert MONDAY_9.week_key(utc(2026, 11, 30, 5, 0)) == "2026-W49"


def test_no_summary_for_the_week_the_program_began_after_its_slot():
    monday_10am = utc(2026, 11, 23, 15)
    assert not MONDAY_9.summary_due(utc(2026, 11, 25, 12), since=monday_10am)
    assert MONDAY_9.summary_due(utc(2026, 11, 30, 14), since=monday_10am)
    assert MONDAY_9.summary_due(utc(2026, 11, 23, 14), since=utc(2026, 11, 23, 13))


def test_week_key_uses_the_iso_year():
    assert MONDAY_9.week_key(utc(2027, 1, 1, 17)) == "2026-W53"
    assert MONDAY_9.week_key(utc(2027, 1, 4, 17)) == "2027-W01"


def test_a_friday_afternoon_slot_in_another_zone():
    schedule = SummarySchedule(weekday=4, hour=16, minute=30, zone=ZoneInfo("Europe/Berlin"))
    assert schedule.slot_in_week_of(date(2026, 11, 23)) == utc(2026, 11, 27, 15, 30)


@pytest.mark.parametrize(("weekday", "hour", "minute"), [(7, 9, 0), (-1, 9, 0), (0, 24, 0), (0, 9, 60)])
def test_schedule_refuses_impossible_slots(weekday, hour, minute):
    with pytest.raises(ValueError):
        SummarySchedule(weekday=weekday, hour=hour, minute=minute, zone=NEW_YORK)


@settings(max_examples=60, deadline=None)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)))
def test_exactly_one_slot_per_week_property(now):
    """The slot of the week containing `now` is inside that week, so each week is due once."""
    slot = MONDAY_9.slot_in_week_of(MONDAY_9.local_date(now))
    assert MONDAY_9.week_key(slot) == MONDAY_9.week_key(now)
    assert MONDAY_9.summary_due(now) == (now >= slot)


# --- quarter reports ---------------------------------------------------------------------------


def test_quarter_report_goes_out_with_the_first_summary_after_the_quarter():
    # Q1 2026-27 ends when Oct 1 (a Thursday) begins: the report comes on Monday Oct 5, 9:00.
    assert MONDAY_9.quarter_report_at(JULY_1, AcademicQuarter(2026, 1)) == utc(2026, 10, 5, 13)
    # Q2 ends when Jan 1, 2027 (a Friday) begins: Monday Jan 4.
    assert MONDAY_9.quarter_report_at(JULY_1, AcademicQuarter(2026, 2)) == utc(2027, 1, 4, 14)


def test_a_quarter_ending_on_the_slots_own_day_is_reported_that_day():
    # 2027-03-01 is a Monday; with a March 1 start, the quarter before ends then.
    calendar = AcademicCalendar(start_month=3, start_day=1)
    assert MONDAY_9.quarter_report_at(calendar, AcademicQuarter(2026, 4)) == utc(2027, 3, 1, 14)


def test_quarters_to_report_catch_up_but_not_before_the_program_existed():
    since = utc(2026, 7, 1, 12)
    assert MONDAY_9.quarters_to_report(JULY_1, since=since, now=utc(2026, 10, 5, 12)) == []
    assert MONDAY_9.quarters_to_report(JULY_1, since=since, now=utc(2026, 10, 5, 13)) == [AcademicQuarter(2026, 1)]
    # Down from October to April: both missed quarters are due, oldest first.
    later = MONDAY_9.quarters_to_report(JULY_1, since=since, now=utc(2027, 4, 5, 13))
    assert later == [AcademicQuarter(2026, 1), AcademicQuarter(2026, 2), AcademicQuarter(2026, 3)]
    # A program created mid-quarter reports that quarter, but none before it.
    assert MONDAY_9.quarters_to_report(JULY_1, since=utc(2026, 11, 25), now=utc(2027, 1, 4, 14)) == [AcademicQuarter(2026, 2)]


def test_quarters_older_than_a_year_are_not_reported():
    since = utc(2024, 7, 1)
    due = MONDAY_9.quarters_to_report(JULY_1, since=since, now=utc(2027, 1, 4, 14))
    # Q2 2025-26 ended on Jan 1, 2026, more than a year before: skipped.
    assert due == [AcademicQuarter(2025, 3), AcademicQuarter(2025, 4), AcademicQuarter(2026, 1), AcademicQuarter(2026, 2)]


def test_labels_and_keys():
    assert quarter_key(AcademicQuarter(2026, 3)) == "2026-Q3"
    assert year_label(JULY_1, 2026) == "2026–27"
    assert year_label(AcademicCalendar(1, 1), 2026) == "2026"


# --- weekly figures ----------------------------------------------------------------------------

TODAY = date(2026, 11, 25)
Q2_END = date(2027, 1, 1)


def pair(key, *, started=date(2026, 7, 1), last_met=None, stored_due=None, this_quarter=0):
    return ActivePair(key, started, last_met, stored_due, this_quarter)


def test_meeting_figures():
    pairs = [
        pair("met", last_met=date(2026, 10, 20), this_quarter=2),
        pair("never-met"),  # due Oct 1: 55 days overdue
        pair("met-in-q1", last_met=date(2026, 9, 1)),  # due Dec 1: due this quarter, not overdue
        pair("new", started=date(2026, 11, 1)),  # due Feb 1: not due this quarter
        pair("stored", last_met=date(2026, 8, 1), stored_due=date(2026, 11, 20)),  # the stored date wins
    ]
    figures = meeting_figures(pairs, today=TODAY, quarter_end=Q2_END)
    assert figures.active_pairs == 5
    assert figures.meetings_this_quarter == 2
    assert figures.pairs_met_this_quarter == 1
    assert figures.pairs_due_this_quarter == 4
    assert figures.overdue == (("never-met", 55), ("stored", 5))


def test_the_due_day_itself_is_not_overdue():
    assert pair("p", last_met=date(2026, 8, 25)).days_overdue(TODAY) == 0
    assert pair("p", last_met=date(2026, 8, 24)).days_overdue(TODAY) == 1


@pytest.mark.parametrize(
    ("loads", "places", "used", "with_room"),
    [
        ([], 0, 0, 0),
        ([MentorLoad(2, 1), MentorLoad(1, 0), MentorLoad(0, 0)], 3, 1, 2),
        ([MentorLoad(2, 2), MentorLoad(1, 1)], 3, 3, 0),
        ([MentorLoad(0, 1)], 1, 1, 0),  # mentoring without an offer: full, not negative room
        ([MentorLoad(2, 1)], 1, 1, 0),  # program maximum 1 below: capped
    ],
)
def test_capacity_figures(loads, places, used, with_room):
    maximum = 1 if loads == [MentorLoad(2, 1)] else 2
    figures = capacity_figures(loads, max_mentees=maximum)
    assert (figures.places, figures.used, figures.free, figures.mentors_with_room) == (places, used, places - used, with_room)


# --- the year's trend --------------------------------------------------------------------------


def test_year_figures_trend_and_meeting_buckets():
    histories = {
        "steady": PairingHistory(date(2026, 7, 1), None, (date(2026, 8, 1), date(2026, 9, 1), date(2026, 11, 1))),
        "silent": PairingHistory(date(2026, 7, 1), None, ()),
        "late": PairingHistory(date(2026, 10, 15), None, (date(2026, 12, 1),)),
        "ended": PairingHistory(date(2026, 7, 1), date(2026, 8, 15), ()),
    }
    q1, q2 = year_figures(histories, 2026, JULY_1, through_quarter=2)
    assert q1.quarter == AcademicQuarter(2026, 1)
    assert q1.rate == 1.0  # "steady" met; "silent" not due yet; "ended" not judged
    assert q1.meetings == {"steady": 2, "silent": 0, "ended": 0}
    assert q1.pairs_with_meetings(3) == [2, 0, 1]
    assert q2.rate == 0.5  # "steady" met, "silent" missed; "late" joined mid-quarter
    assert q2.meetings == {"steady": 1, "silent": 0, "late": 1}
    assert q2.meeting_count == 2 and q2.active_pairs == 3


def test_a_quarter_with_nobody_due_has_no_rate():
    histories = {"new": PairingHistory(date(2026, 7, 1), None, ())}
    (q1,) = year_figures(histories, 2026, JULY_1, through_quarter=1)
    assert q1.rate is None


def test_year_figures_cover_a_full_year_by_default():
    assert [f.quarter.quarter for f in year_figures({}, 2026, JULY_1)] == [1, 2, 3, 4]
    assert all(f.rate is None and f.active_pairs == 0 for f in year_figures({}, 2026, JULY_1))


def test_overdue_sorted_most_first_property():
    @given(st.lists(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 11, 25)), max_size=12))
    @settings(max_examples=40, deadline=None)
    def check(last_met_dates):
        pairs = [pair(i, started=date(2025, 12, 1), last_met=d) for i, d in enumerate(last_met_dates)]
        overdue = meeting_figures(pairs, today=TODAY, quarter_end=Q2_END).overdue
        days = [d for _, d in overdue]
        assert days == sorted(days, reverse=True) and all(d > 0 for d in days)
        assert len(overdue) == sum(1 for p in pairs if p.due_on < TODAY)

    check()


def test_first_slot_at_or_after():
    assert MONDAY_9.first_slot_at_or_after(utc(2026, 11, 23, 14)) == utc(2026, 11, 23, 14)
    assert MONDAY_9.first_slot_at_or_after(utc(2026, 11, 23, 14) + timedelta(seconds=1)) == utc(2026, 11, 30, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Monday 09:00", WeeklySlot(0, 9, 0)),
        ("  fri   16:30 ", WeeklySlot(4, 16, 30)),
        ("SUNDAY 0:05", WeeklySlot(6, 0, 5)),
        ("wed 23:59", WeeklySlot(2, 23, 59)),
    ],
)
def test_parse_weekly_slot(text, expected):
    assert parse_weekly_slot(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Monday", "expected a weekday and a time"),
        ("Mo 09:00", "'mo' is not a weekday"),
        ("t 09:00", "'t' is not a weekday"),
        ("Funday 09:00", "'funday' is not a weekday"),
        ("Monday 9", "'9' is not a time like 09:00"),
        ("Monday 24:00", "'24:00' is not a time like 09:00"),
        ("Monday 09:7", "'09:7' is not a time like 09:00"),
        ("Monday 9am", "'9am' is not a time"),
    ],
)
def test_parse_weekly_slot_says_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_weekly_slot(text)
