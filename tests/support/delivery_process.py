"""A delivery worker as its own process, for tests that kill it: `python -m tests.support.delivery_process
DATABASE_URL SLACK_API_URL LEASE_SECONDS DEADLINE_SECONDS`.

It delivers one row per run on the wall clock until no row is pending or in doubt (exit 0), or
the deadline passes (exit 1). Prints "claimed" once it has started, so a test knows it is alive.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy import func, select

from program.clock import system_clock
from scheduler.context import JobContext
from scheduler.delivery import deliver_pending
from storage.db import make_engine, make_session_factory
from storage.models import OutboxMessage, OutboxState


def unsettled(factory) -> int:  # type: ignore[no-untyped-def]
    with factory() as session:
        query = select(func.count()).where(OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING]))
        return int(session.scalar(query) or 0)


def main(database_url: str, slack_url: str, lease_seconds: float, deadline_seconds: float) -> int:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    ctx = JobContext(factory, system_clock, WebClient(token="xoxb-test", base_url=slack_url, retry_handlers=[]))
    print("started", flush=True)
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        report = deliver_pending(ctx, limit=1, lease=timedelta(seconds=lease_seconds))
        if report.attempted == 0:
            if unsettled(factory) == 0:
                return 0
            time.sleep(0.05)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
