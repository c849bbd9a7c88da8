from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.models import AuditEntry, Person, Role
from storage.roster import RosterEntry, RosterError, add_coordinator, coordinators, upsert_people
from tests.support import factories
from tests.support.factories import EPOCH


def _entries() -> list[RosterEntry]:
    return [
        RosterEntry("U1000001", "Riley Resident", Role.RESIDENT, pgy=2, subspecialty="cardiology"),
        RosterEntry("U1000002", "Dr. Fran Faculty", Role.FACULTY, subspecialty="nephrology"),
        RosterEntry("U1000003", "Dr. Cam Coord", Role.FACULTY, is_coordinator=True),
    ]


def test_upsert_is_idempotent(arrange):
    with arrange() as session:
        program = factories.program(session)
        first = upsert_people(session, program=program, entries=_entries(), now=EPOCH)
    with arrange() as session:
        second = upsert_people(session, program=program, entries=_entries(), now=EPOCH)
        count = session.scalar(select(func.count()).select_from(Person))
        audit_rows = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "roster.added"))
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert count == 3
    assert audit_rows == 3


def test_upsert_updates_changed_fields(arrange):
    with arrange() as session:
        program = factories.program(session)
        upsert_people(session, program=program, entries=_entries(), now=EPOCH)
    changed = [RosterEntry("U1000001", "Riley R. Resident", Role.RESIDENT, pgy=3, subspecialty="cardiology")]
    with arrange() as session:
        summary = upsert_people(session, program=program, entries=changed, now=EPOCH)
        riley = session.scalars(select(Person).where(Person.slack_user_id == "U1000001")).one()
    assert summary.updated == 1
    assert (riley.name, riley.pgy) == ("Riley R. Resident", 3)


def test_faculty_coordinator_counts_as_coordinator(arrange):
    with arrange() as session:
        program = factories.program(session)
        upsert_people(session, program=program, entries=_entries(), now=EPOCH)
        names = [p.name for p in coordinators(session, program_id=program.id)]
    assert names == ["Dr. Cam Coord"]


def test_add_coordinator_bootstraps_and_refuses_residents(arrange):
    with arrange() as session:
        program = factories.program(session)
        resident = factories.person(session, program, role=Role.RESIDENT)
        person = add_coordinator(session, program=program, slack_user_id="U2000001", name="Pat", now=EPOCH)
        assert person.is_coordinator and person.role is Role.COORDINATOR
        again = add_coordinator(session, program=program, slack_user_id="U2000001", name="Pat", now=EPOCH)
        assert again.id == person.id
        with pytest.raises(RosterError, match="resident"):
            add_coordinator(session, program=program, slack_user_id=resident.slack_user_id, name="x", now=EPOCH)


def test_database_refuses_a_resident_coordinator(arrange):
    with pytest.raises(IntegrityError):
        with arrange() as session:
            program = factories.program(session)
            factories.person(session, program, role=Role.RESIDENT, is_coordinator=True)
