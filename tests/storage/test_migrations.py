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


def test_upgrading_renames_the_outbox_kinds_and_drops_the_stale_proposal_figures(tmp_path):
    """Rows decided before 0003 keep their meaning under the kinds' one spelling."""
    from storage.outbox_kinds import OutboxKind

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0002")
    old_kinds = ["pairing_ended_notice", "request_confirmation", "change_request_alert", "rejoined_notice",
                 "summary", "quarter_report", "quarter_chart", "coordinator_notice", "pairing.ended", "nudge.due"]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO programs (id, team_id, name, time_zone, academic_year_start_month, academic_year_start_day,"
                " max_mentees_per_mentor, approaching_days, missed_every_days, missed_limit, escalation_days,"
                " summary_weekday, summary_hour, summary_minute, paused, created_at)"
                " VALUES (1, 'T1', 'P', 'UTC', 7, 1, 2, 14, 7, 3, 14, 0, 9, 0, 0, '2026-07-01 00:00:00')"
            )
        )
        for number, kind in enumerate(old_kinds, start=1):
            connection.execute(
                text(
                    "INSERT INTO outbox (id, program_id, kind, text, not_before, quiet_hours, state, attempts, created_at)"
                    " VALUES (:id, 1, :kind, 'x', '2026-07-01 00:00:00', 1, 'pending', 0, '2026-07-01 00:00:00')"
                ),
                {"id": number, "kind": kind},
            )
        connection.execute(
            text(
                "INSERT INTO proposals (id, program_id, state, unmatched_resident_ids, stats, created_at)"
                " VALUES (1, 1, 'pending', '[]', '{\"matched\": 3}', '2026-07-01 00:00:00')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        kinds = connection.execute(text("SELECT kind FROM outbox ORDER BY id")).scalars().all()
        columns = {c["name"] for c in inspect(connection).get_columns("proposals")}
    assert [OutboxKind(kind) for kind in kinds] == [
        OutboxKind.PAIRING_ENDED, OutboxKind.REQUEST_CONFIRMATION, OutboxKind.REQUEST_ALERT, OutboxKind.REQUEST_REJOINED,
        OutboxKind.REPORT_SUMMARY, OutboxKind.REPORT_QUARTER, OutboxKind.REPORT_QUARTER_CHART, OutboxKind.REPORT_NOTICE,
        OutboxKind.PAIRING_ENDED, OutboxKind.NUDGE_DUE,
    ]  # fmt: skip
    assert "stats" not in columns
    engine.dispose()
