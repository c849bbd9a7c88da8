"""Engine creation and the one place that owns a session's lifetime."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option marking a connection as only reading (see read_scope).
READ_ONLY = "mentorbot_read_only"


class _WithholdRows(logging.Filter):
    """SQLAlchemy's engine logger at DEBUG writes every row it reads, notes included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Row %r":
            record.args = ("(withheld)",)
        return True


_ROWS_WITHHELD = _WithholdRows()


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys.

    Nothing a statement carries reaches a log or an error message: hide_parameters keeps values
    (a note, for one) out of SQLAlchemy's log and out of its exceptions' text, and the engine
    logger withholds rows."""
    engine_logger = logging.getLogger("sqlalchemy.engine.Engine")
    if _ROWS_WITHHELD not in engine_logger.filters:
        engine_logger.addFilter(_ROWS_WITHHELD)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        # psycopg 3 is the driver we ship; a plain postgresql:// URL means it.
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control away from pysqlite so that BEGIN IMMEDIATE below is honoured.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # What is deleted or overwritten (a note, once resolved) is zeroed in the file, not left
        # in free space; empty_write_ahead_log() then takes it out of the WAL.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # In WAL mode a reader never waits for the writer: checks made before an ack stay fast.
            connection.exec_driver_sql("BEGIN")
            return
        # Take the write lock up front: a deferred transaction that reads and then writes can
        # fail with SQLITE_BUSY at once instead of waiting when another writer got in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# Marks a unit of work that deletes confidential text (see forget_after_commit).
_FORGETS = "mentorbot_forgets"


def forget_after_commit(session: Session) -> None:
    """This unit of work deletes confidential text (a note): once it commits, no copy may stay on
    disk. On SQLite, secure_delete has zeroed the old bytes in the database file's pages, and the
    write-ahead log, which still holds the pages as they were, is emptied. PostgreSQL keeps old row
    versions until VACUUM reuses their space: the operator's part (README, "Privacy")."""
    session.info[_FORGETS] = True


def empty_write_ahead_log(engine: Engine) -> bool:
    """SQLite: copy the WAL into the database file and truncate it to nothing. False if a reader
    kept part of it (the maintenance job tries again); True on other databases, which have none
    of ours to empty."""
    if engine.dialect.name != "sqlite":
        return True
    connection = engine.raw_connection()  # outside SQLAlchemy's transaction: a checkpoint cannot run in one
    try:
        cursor = connection.cursor()
        busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        connection.close()
    if busy:
        log.info("the write-ahead log could not be emptied yet (a reader was using it); the maintenance job will")
    return not busy


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)

    @event.listens_for(factory, "after_commit")
    def _forget(session: Session) -> None:
        if session.info.pop(_FORGETS, False):
            empty_write_ahead_log(engine)

    @event.listens_for(factory, "after_rollback")
    def _nothing_to_forget(session: Session) -> None:
        session.info.pop(_FORGETS, None)

    return factory


@contextmanager
def read_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that only reads (rolled back at the end). On SQLite it does not take the
    write lock, so it never waits behind a long write such as a reminder sweep."""
    engine = factory.kw["bind"]
    session = factory(bind=engine.execution_options(**{READ_ONLY: True}))
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed as a whole, or rolled back as a whole."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
