"""Real databases for tests: a migrated SQLite file per test, and a private PostgreSQL
database per test session (so parallel runs on one server never see each other's rows)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage import migrate
from storage.db import make_engine
from storage.models import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def migrated_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def fresh_sqlite_url(template: Path, directory: Path) -> str:
    target = directory / "mentorbot.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def _admin_engine(base_url: str) -> Engine:
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


@contextmanager
def private_postgres_database(base_url: str, *, migrated: bool = True) -> Iterator[str]:
    """CREATE DATABASE a uniquely named copy for this session; DROP it afterwards."""
    name = f"mentorbot_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(base_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            engine = make_engine(url)
            migrate.upgrade(engine)
            engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def truncate_all(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def all_rows(session_factory: sessionmaker[Session]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order: compared before and after a request that must
    write nothing."""
    with session_factory() as session:
        return {
            table.name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }
