"""A delivery process killed with SIGKILL mid-delivery, then restarted: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from storage.models import OutboxMessage, OutboxState
from tests.support import factories

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 12
LEASE_SECONDS = 1.0


def _start_worker(database_url: str, slack_url: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.delivery_process", database_url, slack_url, str(LEASE_SECONDS), "60"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "started"
    return process


def test_a_worker_killed_between_slack_and_the_database_loses_and_doubles_nothing(
    database_url, arrange, fake_slack, session_factory
):
    now = datetime.now(UTC)
    with arrange() as session:
        prog = factories.program(session)
        people = [factories.person(session, prog) for _ in range(MESSAGES)]
        ids = [
            factories.outbox_dm(session, prog, [p], now=now, text=f"hello {p.slack_user_id}", respect_working_hours=False).id
            for p in people
        ]
    for p in people:
        fake_slack.add_user(p.slack_user_id, name=p.name)
    # Slack takes each post at once but answers 0.5 s later: a kill in that window leaves a
    # message in Slack that the database has not heard of.
    fake_slack.delay("chat.postMessage", 0.5)

    first = _start_worker(database_url, fake_slack.url)
    fake_slack.wait_for("chat.postMessage", count=4, timeout=30)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL

    fake_slack.delay("chat.postMessage", 0)
    second = _start_worker(database_url, fake_slack.url)
    assert second.wait(timeout=60) == 0

    posted = Counter(m["metadata"]["event_payload"]["outbox_id"] for p in people for m in fake_slack.messages(p.slack_user_id))
    assert posted == Counter(dict.fromkeys(ids, 1))
    assert fake_slack.calls_to("conversations.history"), "the restarted worker should have checked the message in doubt"
    with session_factory() as session:
        assert set(session.scalars(select(OutboxMessage.state))) == {OutboxState.SENT}
