"""The schema comes from Alembic migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import migrate
from storage.db import make_engine
from storage.models import Base


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_database_is_at_head(engine):
    assert migrate.is_up_to_date(engine)


def test_upgrade_is_idempotent(engine):
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_fresh_sqlite_file_gets_every_table_with_wal_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate.upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    engine.dispose()


def test_a_read_scope_on_sqlite_does_not_wait_for_the_writer(tmp_path):
    import time

    from storage.db import make_session_factory, read_scope, session_scope
    from storage.models import Program

    engine = make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as writer:
        writer.execute(text("UPDATE programs SET paused = paused"))  # holds the write lock
        started = time.monotonic()
        with read_scope(factory) as reader:
            assert reader.query(Program).count() == 0
        assert time.monotonic() - started < 1.0  # a write transaction would wait 5 s and fail
    engine.dispose()
