"""INSERT ... ON CONFLICT DO NOTHING on both backends: how "decide once" is written down."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Base


def insert_ignoring_conflicts(
    session: Session, model: type[Base], values: dict[str, Any], *, conflict_columns: Sequence[str]
) -> bool:
    """Insert one row unless a row with the same `conflict_columns` (a unique key) exists.

    True when this call inserted it. Concurrent callers race safely: the database's unique key
    decides, and exactly one of them gets True.
    """
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    table = model.__table__
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        .returning(*table.primary_key.columns)
    )
    return session.execute(statement).first() is not None
