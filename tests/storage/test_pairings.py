"""Creating pairings: the program's rules, free slots, first due dates; and who residents may rank."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import session_scope
from storage.models import EndReason, Pairing, PersonStatus, Role
from storage.pairings import PairingRuleError, create_pairing, mentee_limit
from storage.preferences import mentor_candidates
from tests.support import factories
from tests.support.refusals import refused

NOW = datetime(2026, 8, 3, 16, 0, tzinfo=UTC)  # Monday noon in New York


@pytest.fixture
def people(arrange):
    with arrange() as session:
        program = factories.program(session)
        mentor = factories.person(session, program, role=Role.FACULTY, name="Dr. M")
        other = factories.person(session, program, role=Role.FACULTY, name="Dr. O")
        residents = [factories.person(session, program, name=f"R{i}") for i in range(4)]
        return {"program": program.id, "mentor": mentor.id, "other": other.id, "residents": [r.id for r in residents]}


def _pair(session_factory, mentor_id, resident_id, now=NOW):
    from storage.models import Person, Program

    with session_scope(session_factory) as session:
        mentor, resident = session.get(Person, mentor_id), session.get(Person, resident_id)
        new = create_pairing(session, program=session.get(Program, mentor.program_id), mentor=mentor, resident=resident, now=now)
        return new.pairing


def test_a_pairing_starts_today_with_its_first_due_date_and_first_check(session_factory, people):
    pairing = _pair(session_factory, people["mentor"], people["residents"][0])
    assert pairing.started_on == date(2026, 8, 3)
    assert pairing.next_due_on == date(2026, 11, 3)
    assert pairing.next_check_on == date(2026, 10, 20)  # the approaching nudge, 14 days before
    assert pairing.mentor_slot == 1


def test_slots_fill_up_and_a_third_mentee_is_refused(session_factory, people):
    first = _pair(session_factory, people["mentor"], people["residents"][0])
    second = _pair(session_factory, people["mentor"], people["residents"][1])
    assert (first.mentor_slot, second.mentor_slot) == (1, 2)
    with refused(PairingRuleError, match="as many mentees as they can take"):
        _pair(session_factory, people["mentor"], people["residents"][2])


def test_an_ended_pairing_frees_its_slot(session_factory, arrange, people):
    first = _pair(session_factory, people["mentor"], people["residents"][0])
    _pair(session_factory, people["mentor"], people["residents"][1])
    with arrange() as session:
        row = session.get(Pairing, first.id)
        row.ended_on, row.end_reason = date(2026, 8, 3), EndReason.COORDINATOR
    assert _pair(session_factory, people["mentor"], people["residents"][2]).mentor_slot == 1


def test_the_database_refuses_a_third_active_mentee_even_past_the_checks(arrange, people):
    with pytest.raises(IntegrityError):
        with arrange() as session:
            from storage.models import Person

            mentor = session.get(Person, people["mentor"])
            for index, resident_id in enumerate(people["residents"][:3]):
                factories.pairing(
                    session,
                    factories.program_of(session, mentor),
                    mentor=mentor,
                    resident=session.get(Person, resident_id),
                    mentor_slot=min(index + 1, 2),
                )


@pytest.mark.parametrize(
    ("arrangement", "message"),
    [
        ("resident_has_mentor", "already has an active mentor (Dr. O)"),
        ("ended_by_request", "never paired again"),
        ("ended_by_withdrawal", "never paired again"),
        ("mentor_unavailable", "said they can't mentor this year"),
        ("mentor_offered_one", "as many mentees as they can take (1)"),
        ("resident_withdrawn", "has stepped back"),
        ("mentor_is_resident", "is not on the roster as faculty"),
    ],
)
def test_rules_that_refuse_a_pairing(session_factory, arrange, people, arrangement, message):
    from storage.models import Person

    mentor_id, resident_id = people["mentor"], people["residents"][0]
    with arrange() as session:
        mentor, resident = session.get(Person, mentor_id), session.get(Person, resident_id)
        other = session.get(Person, people["other"])
        if arrangement == "resident_has_mentor":
            factories.pairing(session, factories.program_of(session, other), mentor=other, resident=resident)
        elif arrangement == "ended_by_request":
            factories.pairing(
                session,
                factories.program_of(session, mentor),
                mentor=mentor,
                resident=resident,
                ended_on=date(2026, 7, 20),
                end_reason=EndReason.CHANGE_REQUEST,
            )
        elif arrangement == "ended_by_withdrawal":
            factories.pairing(
                session,
                factories.program_of(session, mentor),
                mentor=mentor,
                resident=resident,
                ended_on=date(2026, 7, 20),
                end_reason=EndReason.WITHDRAWAL,
            )
        elif arrangement == "mentor_unavailable":
            factories.offer(session, factories.program_of(session, mentor), mentor=mentor, available=False)
        elif arrangement == "mentor_offered_one":
            factories.offer(session, factories.program_of(session, mentor), mentor=mentor, capacity=1)
            factories.pairing(
                session,
                factories.program_of(session, mentor),
                mentor=mentor,
                resident=session.get(Person, people["residents"][1]),
            )
        elif arrangement == "resident_withdrawn":
            resident.status = PersonStatus.WITHDRAWN
        elif arrangement == "mentor_is_resident":
            mentor_id = people["residents"][1]
    with refused(PairingRuleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _pair(session_factory, mentor_id, resident_id)


def test_a_coordinator_ending_does_not_forbid_pairing_again(session_factory, arrange, people):
    from storage.models import Person

    with arrange() as session:
        mentor, resident = session.get(Person, people["mentor"]), session.get(Person, people["residents"][0])
        factories.pairing(
            session, factories.program_of(session, mentor), mentor=mentor, resident=resident,
            ended_on=date(2026, 7, 20), end_reason=EndReason.COORDINATOR,
        )  # fmt: skip
    assert _pair(session_factory, people["mentor"], people["residents"][0]).ended_on is None


def test_mentee_limit_is_the_offer_capped_by_the_program(arrange, people):
    from storage.models import MentorOffer, Program

    with arrange() as session:
        program = session.get(Program, people["program"])
        assert mentee_limit(program, None) == 2
        assert mentee_limit(program, MentorOffer(available=False, capacity=2)) == 0
        assert mentee_limit(program, MentorOffer(available=True, capacity=1)) == 1
        program.max_mentees_per_mentor = 1
        assert mentee_limit(program, MentorOffer(available=True, capacity=2)) == 1


def test_residents_may_rank_faculty_who_can_still_take_them(session_factory, arrange, people):
    from storage.models import Person, Program

    with arrange() as session:
        program = session.get(Program, people["program"])
        other = session.get(Person, people["other"])
        resident = session.get(Person, people["residents"][0])
        full = factories.person(session, program, role=Role.FACULTY, name="Dr. Full")
        factories.offer(session, program, mentor=full, capacity=1)
        factories.pairing(session, program, mentor=full, resident=session.get(Person, people["residents"][1]))
        unavailable = factories.person(session, program, role=Role.FACULTY, name="Dr. Away")
        factories.offer(session, program, mentor=unavailable, available=False)
        last_year = factories.person(session, program, role=Role.FACULTY, name="Dr. Last Year")
        factories.offer(
            session, program, mentor=last_year, available=False, academic_year=2025
        )  # a no for last year is not a no now
        gone = factories.person(session, program, role=Role.FACULTY, name="Dr. Gone")
        gone.status = PersonStatus.WITHDRAWN
        factories.pairing(
            session,
            program,
            mentor=other,
            resident=resident,
            ended_on=date(2026, 7, 20),
            end_reason=EndReason.CHANGE_REQUEST,
        )
        factories.person(session, program, role=Role.COORDINATOR, name="Dr. Admin Only")

    with session_scope(session_factory) as session:
        program = session.get(Program, people["program"])

        def names(**kw):
            return [
                p.name for p in mentor_candidates(session, program=program, resident_id=people["residents"][0], year=2026, **kw)
            ]

        assert names() == ["Dr. Last Year", "Dr. M"]
        assert names(query="last") == ["Dr. Last Year"]
        assert names(query="%") == []  # a search is text, not a pattern
        # The other resident never had Dr. O taken away.
        others = mentor_candidates(session, program=program, resident_id=people["residents"][2], year=2026)
        assert [p.name for p in others] == ["Dr. Last Year", "Dr. M", "Dr. O"]


def test_pick_lists_stop_at_slacks_limit(session_factory, arrange, people):
    from storage.models import Program

    with arrange() as session:
        program = session.get(Program, people["program"])
        for i in range(150):
            factories.person(session, program, role=Role.FACULTY, name=f"Dr. Many {i:03d}")
    with session_scope(session_factory) as session:
        program = session.get(Program, people["program"])
        found = mentor_candidates(session, program=program, resident_id=people["residents"][0], year=2026)
        assert len(found) == 100
        assert [
            p.name
            for p in mentor_candidates(session, program=program, resident_id=people["residents"][0], year=2026, query="many 149")
        ] == ["Dr. Many 149"]
