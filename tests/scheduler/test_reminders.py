"""The reminder sweep: the right nudge on the right day, decided once, never to whom it should not go."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from scheduler.context import JobContext
from scheduler.reminders import sweep_reminders
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import NudgeDecision, OutboxMessage, Pairing, PersonStatus, Program, Role
from tests.support import factories
from tests.support.clock import ManualClock
from views.ids import ACTION_CHANGE, ACTION_PAUSE, ACTION_PLAN, ACTION_WE_MET, ACTION_WITHDRAW

NEW_YORK = ZoneInfo("America/New_York")


def at(day: date, hour: int = 6) -> datetime:
    """A sweep time on `day` in the program's zone (early morning: before working hours)."""
    return datetime.combine(day, time(hour), NEW_YORK).astimezone(UTC)


@pytest.fixture
def pair(arrange):
    with arrange() as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY)
        resident = factories.person(session, prog, role=Role.RESIDENT)
        pairing = factories.pairing(session, prog, mentor, resident, started_on=date(2026, 7, 1))
    return prog, mentor, resident, pairing  # due 2026-10-01


def _sweep(job_context, clock, day: date):
    clock.set(at(day))
    return sweep_reminders(job_context)


def _decisions(session_factory) -> list[tuple[str, date, int]]:
    with session_factory() as session:
        rows = session.scalars(select(NudgeDecision).order_by(NudgeDecision.id))
        return [(d.kind, d.due_on, d.sequence) for d in rows]


def _outbox(session_factory) -> list[OutboxMessage]:
    with session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_each_step_of_the_ladder_on_its_day_and_never_twice(pair, job_context, clock, session_factory):
    due = date(2026, 10, 1)
    expected_days = {
        due - timedelta(days=14): ("approaching", 0),
        due: ("due", 0),
        due + timedelta(days=7): ("missed", 1),
        due + timedelta(days=14): ("missed", 2),  # and the escalation, the same day
        due + timedelta(days=21): ("missed", 3),
    }
    day = date(2026, 7, 1)
    while day <= due + timedelta(days=40):
        _sweep(job_context, clock, day)
        _sweep(job_context, clock, day)  # a second run the same day decides nothing
        day += timedelta(days=1)
    assert _decisions(session_factory) == [
        ("approaching", due, 0), ("due", due, 0), ("missed", due, 1), ("missed", due, 2),
        ("escalation", due, 0), ("missed", due, 3),
    ]  # fmt: skip
    messages = _outbox(session_factory)
    assert len(messages) == 5 * 2 + 1  # each pair nudge to both people, one escalation post
    for message in messages:
        assert message.pairing_id == pair[3].id
    for day, (kind, _) in expected_days.items():
        assert any(m.kind == f"nudge.{kind}" and m.created_at == at(day) for m in messages)
    with session_factory() as session:
        assert session.get(Pairing, pair[3].id).next_check_on is None  # nothing more for this due date


def test_the_sweep_touches_only_pairs_that_are_due(pair, job_context, clock):
    report = _sweep(job_context, clock, date(2026, 7, 1))  # day one: the pair is scheduled
    assert report.pairs_checked == 1 and report.messages == 0
    assert _sweep(job_context, clock, date(2026, 7, 2)).pairs_checked == 0
    assert _sweep(job_context, clock, date(2026, 9, 16)).pairs_checked == 0
    assert _sweep(job_context, clock, date(2026, 9, 17)).pairs_checked == 1


def test_after_downtime_only_the_reminder_that_is_true_today_is_sent(pair, job_context, clock, session_factory):
    _sweep(job_context, clock, date(2026, 10, 16))  # first run since July: 15 days overdue
    assert _decisions(session_factory) == [("missed", date(2026, 10, 1), 2), ("escalation", date(2026, 10, 1), 0)]


def test_nudge_dms_name_the_due_date_and_carry_the_we_met_button(pair, job_context, clock, session_factory):
    _, mentor, resident, pairing = pair
    _sweep(job_context, clock, date(2026, 9, 17))
    to_mentor, to_resident = _outbox(session_factory)
    assert to_mentor.recipient_user_ids == [mentor.slack_user_id]
    assert to_resident.recipient_user_ids == [resident.slack_user_id]
    assert "Thu, Oct 1, 2026" in to_mentor.text and f"<@{resident.slack_user_id}>" in to_mentor.text
    assert f"<@{mentor.slack_user_id}>" in to_resident.text
    we_met, plan, pause, change, leave = [e for b in to_mentor.blocks if b["type"] == "actions" for e in b["elements"]]
    assert (plan["action_id"], plan["value"]) == (ACTION_PLAN, str(pairing.id))
    assert (we_met["action_id"], we_met["value"], we_met["style"]) == (ACTION_WE_MET, str(pairing.id), "primary")
    assert (pause["action_id"], pause["value"]) == (ACTION_PAUSE, str(pairing.id))
    assert (change["action_id"], change["value"]) == (ACTION_CHANGE, str(pairing.id))
    assert leave["action_id"] == ACTION_WITHDRAW
    # Queued at 06:00 New York time, delivered from 09:00.
    assert to_mentor.not_before == at(date(2026, 9, 17), 9)


def test_a_missed_reminder_never_blames(pair, job_context, clock, session_factory):
    _sweep(job_context, clock, date(2026, 10, 8))
    text = _outbox(session_factory)[0].text
    assert "easy way to set one up" in text
    for word in ("failed", "you missed", "late", "should have"):
        assert word not in text.lower()


def test_escalations_go_to_each_coordinator_when_there_is_no_channel(arrange, job_context, clock, session_factory):
    with arrange() as session:
        prog = factories.program(session, channel=None)
        prog.coordinator_channel_id = None
        coordinators = [factories.person(session, prog, role=Role.COORDINATOR) for _ in range(2)]
        mentor = factories.person(session, prog, role=Role.FACULTY)
        resident = factories.person(session, prog)
        factories.pairing(session, prog, mentor, resident)
    _sweep(job_context, clock, date(2026, 10, 15))
    escalations = [m for m in _outbox(session_factory) if m.kind == "nudge.escalation"]
    assert sorted(m.recipient_user_ids[0] for m in escalations) == sorted(c.slack_user_id for c in coordinators)


def test_escalation_goes_to_the_coordinator_channel(pair, job_context, clock, session_factory):
    _sweep(job_context, clock, date(2026, 10, 15))
    [escalation] = [m for m in _outbox(session_factory) if m.kind == "nudge.escalation"]
    assert escalation.channel_id == "C0COORD1" and escalation.recipient_user_ids is None
    assert "Wed, Jul 1, 2026" in escalation.text  # "not logged a meeting since they were paired"


def test_a_meeting_starts_a_fresh_ladder(pair, arrange, job_context, clock, session_factory):
    from storage.meetings import log_meeting
    from storage.models import Person

    _, mentor, _, pairing = pair
    _sweep(job_context, clock, date(2026, 9, 17))
    with arrange() as session:
        log_meeting(
            session,
            pairing_id=pairing.id,
            logged_by=session.get(Person, mentor.id),
            met_on=date(2026, 9, 20),
            now=at(date(2026, 9, 21), 10),
        )
    for day in (date(2026, 10, 1), date(2026, 12, 5), date(2026, 12, 6)):
        _sweep(job_context, clock, day)
    assert _decisions(session_factory) == [("approaching", date(2026, 10, 1), 0), ("approaching", date(2026, 12, 20), 0)]


@pytest.mark.parametrize("case", ["ended", "withdrawn", "paused"])
def test_ended_pairings_withdrawn_people_and_paused_programs_get_nothing(
    case, pair, arrange, job_context, clock, session_factory
):
    prog, _, resident, pairing = pair
    with arrange() as session:
        if case == "ended":
            session.get(Pairing, pairing.id).ended_on = date(2026, 8, 1)
        elif case == "withdrawn":
            session.merge(resident).status = PersonStatus.WITHDRAWN
        else:
            session.get(Program, prog.id).paused = True
    for day in (date(2026, 9, 17), date(2026, 10, 1), date(2026, 10, 20)):
        _sweep(job_context, clock, day)
    assert _decisions(session_factory) == []
    assert _outbox(session_factory) == []


def test_a_resumed_program_catches_up_with_one_current_reminder(pair, arrange, job_context, clock, session_factory):
    prog = pair[0]
    with arrange() as session:
        session.get(Program, prog.id).paused = True
    _sweep(job_context, clock, date(2026, 10, 2))
    with arrange() as session:
        session.get(Program, prog.id).paused = False
    _sweep(job_context, clock, date(2026, 10, 9))
    assert _decisions(session_factory) == [("missed", date(2026, 10, 1), 1)]


def test_program_settings_shape_the_ladder(pair, arrange, job_context, clock, session_factory):
    with arrange() as session:
        program = session.get(Program, pair[0].id)
        program.approaching_days, program.missed_limit = 7, 1
    for day in (date(2026, 9, 17), date(2026, 9, 24), date(2026, 10, 8), date(2026, 10, 30)):
        _sweep(job_context, clock, day)
    assert [d[0] for d in _decisions(session_factory)] == ["approaching", "missed", "escalation"]


@pytest.mark.postgres
def test_two_sweeps_racing_on_postgresql_decide_each_nudge_once(pg_database_url, fake_slack):
    factory = make_session_factory(make_engine(pg_database_url))
    with session_scope(factory) as session:
        prog = factories.program(session)
        for _ in range(60):
            factories.pairing(session, prog, factories.person(session, prog, role=Role.FACULTY), factories.person(session, prog))
    clock = ManualClock(at(date(2026, 10, 1)))
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def sweep() -> None:
        engine = make_engine(pg_database_url)
        try:
            ctx = JobContext(make_session_factory(engine), clock, WebClient(token="xoxb-t", base_url=fake_slack.url))
            barrier.wait()
            reports.append(sweep_reminders(ctx, batch=7))
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(r.nudges for r in reports) == 60
    with factory() as session:
        assert len(session.scalars(select(NudgeDecision)).all()) == 60
        assert len(session.scalars(select(OutboxMessage)).all()) == 120
