"""INSERT ... ON CONFLICT DO NOTHING on both backends: how "decide once" is written down."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Base


def insert_or_skip(session: Session, model: Any) -> Any:
    """An INSERT for this session's database that can take `.on_conflict_do_nothing(...)`."""
    dialect = session.get_bind().dialect.name
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](model)


def insert_ignoring_conflicts(
    session: Session, model: type[Base], rows: list[dict[str, Any]], *, conflict_columns: Sequence[str]
) -> list[dict[str, Any]]:
    """Insert the rows whose `conflict_columns` (a unique key) are not taken; return those rows.

    One statement for all rows. Concurrent callers race safely: the database's unique key
    decides, and each row is returned to exactly one of them.
    """
    if not rows:
        return []
    table = model.__table__
    statement = (
        insert_or_skip(session, table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        .returning(*(table.c[name] for name in conflict_columns))
    )
    inserted = {tuple(row) for row in session.execute(statement)}
    return [row for row in rows if tuple(row[name] for name in conflict_columns) in inserted]


def insert_one_ignoring_conflicts(
    session: Session, model: type[Base], values: dict[str, Any], *, conflict_columns: Sequence[str]
) -> bool:
    """True when this call inserted the row (see insert_ignoring_conflicts)."""
    return bool(insert_ignoring_conflicts(session, model, [values], conflict_columns=conflict_columns))


def locked_row(session: Session, model: Any, *, key: str, values: dict[str, Any]) -> Any:
    """The row whose unique column `key` equals `values[key]`, inserted from `values` if missing,
    and locked until this transaction ends (PostgreSQL; SQLite has one writer anyway).

    For "insert or replace" writes that two transactions may make at once (a double click sent
    to two replicas): the second waits for the first instead of colliding on the unique key, then
    reads and replaces what the first wrote.
    """
    session.execute(insert_or_skip(session, model).values(**values).on_conflict_do_nothing(index_elements=[key]))
    query = select(model).where(getattr(model, key) == values[key]).with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one()
