"""0004 (several programs per workspace) moves a populated single-program database with no loss.

The database is the sample program (pairs that met, an ended pair, a change request with its
note, a waiting list, a pending proposal, a failed delivery, check-in answers...) taken back to
0003 and upgraded again: every row of every table is as it was, the program gets its handle,
a 3-month cadence and no peer flag, and the partial unique indexes are still partial.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Base, Pairing, Program, Role
from storage.pairings import PairingProblem, PairingRuleError, create_pairing
from tests.support import factories, sample_program
from tests.support.database import TEST_DATABASE_URL, private_postgres_database

NEW_PROGRAM_COLUMNS = {"handle", "cadence_months", "peer_mentoring"}


@pytest.fixture(params=["sqlite", "postgresql"])
def private_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own (this test moves the schema back and forth)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'upgrade.db'}")
        yield engine
        engine.dispose()
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    with private_postgres_database(TEST_DATABASE_URL, migrated=False) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (bar the columns 0004 adds), in a stable order."""
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    dump = {}
    with engine.connect() as connection:
        for table in sorted(tables):
            columns = sorted(c["name"] for c in inspect(connection).get_columns(table))
            if table == "programs":
                columns = [c for c in columns if c not in NEW_PROGRAM_COLUMNS]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(text(f'SELECT {quoted} FROM "{table}"')).all()
            dump[table] = sorted((tuple(row) for row in rows), key=repr)
    return dump


def test_a_populated_0003_database_upgrades_with_nothing_lost(private_engine):
    migrate.upgrade(private_engine)
    factory = make_session_factory(private_engine)
    with session_scope(factory) as session:
        sample_program.build(session, meetings_through=date(2026, 11, 30))
    migrate.downgrade(private_engine, "0003")
    assert migrate.current_revision(private_engine) == "0003"
    before = _dump(private_engine)
    assert len(before["pairings"]) == 7 and len(before["meetings"]) == 9 and before["change_requests"]

    migrate.upgrade(private_engine, "0004")  # (later revisions add columns of their own)

    after = _dump(private_engine)
    assert after == before
    migrate.upgrade(private_engine)
    with session_scope(factory) as session:
        program = session.scalars(select(Program)).one()
        assert (program.handle, program.cadence_months, program.peer_mentoring) == ("residency-mentorship", 3, False)
        assert program.max_mentees_per_mentor == 2
    assert set(Base.metadata.tables) <= set(inspect(private_engine).get_table_names())
    if private_engine.dialect.name == "sqlite":
        with private_engine.connect() as connection:
            indexes = dict(connection.execute(text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'pairings'")).all())
        for name in ("uq_pairings_active_resident", "uq_pairings_active_mentor_slot"):
            assert "WHERE ended_on IS NULL" in indexes[name]


def test_after_the_upgrade_a_program_may_allow_more_than_two_mentees(private_engine):
    """The ceiling rose to 4 in the database too: a third mentor slot is accepted where the
    program allows it, and still refused where it does not."""
    migrate.upgrade(private_engine)
    with session_scope(make_session_factory(private_engine)) as session:
        program = factories.program(session)
        program.max_mentees_per_mentor = 3
        mentor = factories.person(session, program, role=Role.FACULTY)
        residents = [factories.person(session, program) for _ in range(4)]
        for resident in residents[:3]:
            create_pairing(session, program=program, mentor=mentor, resident=resident, now=factories.EPOCH)
        with pytest.raises(PairingRuleError) as refused:
            create_pairing(session, program=program, mentor=mentor, resident=residents[3], now=factories.EPOCH)
        slots = sorted(p.mentor_slot for p in session.scalars(select(Pairing)))
    assert slots == [1, 2, 3]
    assert refused.value.refusals[0].problem is PairingProblem.MENTOR_FULL
