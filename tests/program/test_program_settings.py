"""Each program's cadence and maximum mentees, through the rules, the reminder sweep and
pairing: two programs in one database, each keeping its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mentoring.cadence import next_due, shortest_interval_days
from mentoring.nudges import NudgePolicy
from program.programs import ReminderSettingsError, change_program
from scheduler.reminders import sweep_reminders
from storage.meetings import log_meeting
from storage.models import AuditEntry, NudgeDecision, OutboxMessage, OutboxState, Pairing, Program, Role
from storage.pairings import PairingProblem, PairingRuleError, create_pairing
from storage.programs import ProgramOptions, add_program
from tests.support import factories
from views.preferences import offer_modal

NEW_YORK = ZoneInfo("America/New_York")


def at(day: date, hour: int = 6) -> datetime:
    return datetime.combine(day, time(hour), NEW_YORK).astimezone(UTC)


@pytest.mark.parametrize(
    ("started_on", "last_met_on", "months", "due"),
    [
        (date(2026, 7, 1), None, 3, date(2026, 10, 1)),
        (date(2026, 7, 1), None, 2, date(2026, 9, 1)),
        (date(2026, 7, 1), None, 1, date(2026, 8, 1)),
        (date(2026, 7, 1), date(2026, 9, 10), 2, date(2026, 11, 10)),
        (date(2026, 12, 31), None, 2, date(2027, 2, 28)),  # clamped to the month's end
        (date(2026, 7, 1), None, 6, date(2027, 1, 1)),
    ],
)
def test_a_meeting_is_due_after_the_programs_cadence(started_on, last_met_on, months, due):
    assert next_due(started_on, last_met_on, every_months=months) == due


@pytest.mark.parametrize(("months", "days"), [(1, 28), (2, 59), (3, 89), (6, 181)])
def test_the_shortest_interval_of_a_cadence(months, days):
    assert shortest_interval_days(months) == days


def test_a_heads_up_longer_than_the_shortest_interval_is_refused():
    NudgePolicy(cadence_months=1, approaching_days=27)
    with pytest.raises(ValueError, match="approaching_days must be 0 \\(no heads-up\\) up to 27"):
        NudgePolicy(cadence_months=1, approaching_days=28)


@pytest.fixture
def two_programs(arrange):
    """Internal medicine (the first program: every 3 months, 2 mentees) and surgery (every 2
    months, 3 mentees), each with a pair started July 1."""
    with arrange() as session:
        medicine = factories.program(session)
        surgery = add_program(
            session, team_id=medicine.team_id, handle="surgery", name="General Surgery",
            options=ProgramOptions(cadence_months=2, max_mentees_per_mentor=3), now=factories.EPOCH, actor_label="test",
        )  # fmt: skip
        ids = {}
        for program in (medicine, surgery):
            mentor = factories.person(session, program, role=Role.FACULTY)
            resident = factories.person(session, program)
            new = create_pairing(session, program=program, mentor=mentor, resident=resident, now=at(date(2026, 7, 1), 12))
            ids[program.handle] = (program.id, new.pairing.id, mentor.id, resident.id)
    return ids


def _decisions(session_factory, pairing_id):
    with session_factory() as session:
        rows = session.scalars(select(NudgeDecision).where(NudgeDecision.pairing_id == pairing_id).order_by(NudgeDecision.id))
        return [(d.kind, d.due_on) for d in rows]


def test_each_programs_pairs_fall_due_and_are_reminded_on_its_own_cadence(two_programs, job_context, clock, session_factory):
    medicine, surgery = two_programs["residency-mentorship"], two_programs["surgery"]
    with session_factory() as session:
        assert session.get(Pairing, medicine[1]).next_due_on == date(2026, 10, 1)
        assert session.get(Pairing, surgery[1]).next_due_on == date(2026, 9, 1)
    day = date(2026, 7, 1)
    while day <= date(2026, 9, 1):
        clock.set(at(day))
        sweep_reminders(job_context)
        day += timedelta(days=1)
    assert _decisions(session_factory, surgery[1]) == [("approaching", date(2026, 9, 1)), ("due", date(2026, 9, 1))]
    assert _decisions(session_factory, medicine[1]) == []  # its heads-up is on Sep 17

    # A meeting logged in surgery moves its next due date two months on, not three.
    with session_factory.begin() as session:
        logged = log_meeting(
            session, pairing_id=surgery[1], logged_by=session.get(factories.Person, surgery[3]), met_on=date(2026, 9, 10),
            now=at(date(2026, 9, 10), 12),
        )  # fmt: skip
        assert logged.next_due_on == date(2026, 11, 10)


def test_changing_a_programs_cadence_moves_its_active_pairs_due_dates_and_only_its_own(
    two_programs, job_context, clock, session_factory
):
    medicine, surgery = two_programs["residency-mentorship"], two_programs["surgery"]
    clock.set(at(date(2026, 8, 18)))
    sweep_reminders(job_context)  # surgery's heads-up for Sep 1 is queued
    with session_factory() as session:
        queued = session.scalars(select(OutboxMessage).where(OutboxMessage.pairing_id == surgery[1])).all()
        assert queued and all(m.state is OutboxState.PENDING for m in queued)

    with session_factory.begin() as session:
        program = session.get(Program, surgery[0])
        changed = change_program(
            session, program=program, options=ProgramOptions(cadence_months=3), now=clock(), actor_label="cli: program set"
        )
    assert changed == ["cadence_months"]
    with session_factory() as session:
        assert session.get(Pairing, surgery[1]).next_due_on == date(2026, 10, 1)
        assert session.get(Pairing, medicine[1]).next_due_on == date(2026, 10, 1)
        states = {m.state for m in session.scalars(select(OutboxMessage).where(OutboxMessage.pairing_id == surgery[1]))}
        assert states == {OutboxState.CANCELLED}  # the heads-up spoke of a due date that moved
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "program.updated")).one()
        assert entry.program_id == surgery[0] and entry.details == {"cadence_months": {"from": 2, "to": 3}}


def test_settings_that_do_not_fit_together_are_refused_with_nothing_written(two_programs, session_factory, clock):
    surgery = two_programs["surgery"]
    clock.set(at(date(2026, 8, 1)))
    with session_factory.begin() as session, pytest.raises(ReminderSettingsError):
        change_program(
            session, program=session.get(Program, surgery[0]), options=ProgramOptions(cadence_months=1, approaching_days=40),
            now=clock(), actor_label="test",
        )  # fmt: skip
    with session_factory() as session:
        assert session.get(Program, surgery[0]).cadence_months == 2
        assert session.get(Pairing, surgery[1]).next_due_on == date(2026, 9, 1)


def test_each_program_has_its_own_most_mentees_per_mentor(two_programs, session_factory):
    """Surgery allows 3: its mentor takes two more and is then full; medicine's stops at 2."""
    now = at(date(2026, 7, 2), 12)
    with session_factory.begin() as session:
        for handle, allowed_more in (("surgery", 2), ("residency-mentorship", 1)):
            program_id, _, mentor_id, _ = two_programs[handle]
            program = session.get(Program, program_id)
            mentor = session.get(factories.Person, mentor_id)
            for _ in range(allowed_more):
                create_pairing(session, program=program, mentor=mentor, resident=factories.person(session, program), now=now)
            with pytest.raises(PairingRuleError) as refused:
                create_pairing(session, program=program, mentor=mentor, resident=factories.person(session, program), now=now)
            assert refused.value.problem is PairingProblem.MENTOR_FULL
            assert refused.value.refusals[0].limit == program.max_mentees_per_mentor


def test_the_offer_form_offers_up_to_the_programs_maximum_and_says_its_cadence():
    view = offer_modal(max_capacity=3, catalogue=[], year_label="2026–27", cadence_months=2)
    capacity = next(b for b in view["blocks"] if b.get("block_id") == "capacity")
    assert [o["value"] for o in capacity["element"]["options"]] == ["1", "2", "3"]
    assert "at least once every two months" in view["blocks"][0]["text"]["text"]
