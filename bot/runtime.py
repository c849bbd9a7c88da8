"""What every listener and command needs: a way to open a unit of work, and the time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from program.clock import Clock, system_clock
from storage.db import read_scope, session_scope
from storage.idempotency import claim_delivery

log = logging.getLogger(__name__)

T = TypeVar("T")
AFTER_ACK_WORKERS = 16


class InlineExecutor(Executor):
    """Runs work at once on the caller's thread: deterministic, for tests and one-shot commands."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed back through the future, like a thread pool would
            future.set_exception(error)
        return future


def after_ack_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=AFTER_ACK_WORKERS, thread_name_prefix="after-ack")


@dataclass(frozen=True)
class Services:
    session_factory: sessionmaker[Session]
    # Seals modals' private_metadata (views/private_metadata.py: from the signing secret, or the
    # bot token in Socket Mode, which has none).
    metadata_key: bytes
    clock: Clock = system_clock
    # Work that follows an ack (database, Web API) runs here, not on Bolt's listener threads,
    # so a burst of slow work never delays the next request's ack.
    work: Executor = field(default_factory=InlineExecutor)

    def after_ack(self, fn: Callable[[], None], what: str) -> None:
        def run() -> None:
            try:
                fn()
            except Exception:
                log.exception("failed after ack: %s", what)

        self.work.submit(run)

    def first_delivery(self, key: str) -> bool:
        """Claims `key` for good (committed at once, whatever the work then does); False if a
        delivery of the same request claimed it first, in this process or another."""
        with self.unit_of_work() as session:
            return claim_delivery(session, key, now=self.clock())

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with session_scope(self.session_factory) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """For checks made before an ack: reads only, never waits behind a writer."""
        with read_scope(self.session_factory) as session:
            yield session
