"""What every listener and command needs: a way to open a unit of work, and the time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from storage.db import session_scope

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The one wall-clock read of the running bot; everything else is handed a clock."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Services:
    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Clock = system_clock

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with session_scope(self.session_factory) as session:
            yield session
