"""`mentorbot scheduler` as a real process: its jobs run at start with the real APScheduler,
deliver what the outbox holds, and SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from sandbox.fake_slack import Call, FakeSlack
from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import OutboxMessage, OutboxState, Role
from tests.support import factories


def _mentorbot() -> list[str]:
    script = Path(sys.executable).with_name("mentorbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mentorbot.cli"]


def _wait_for_post(fake: FakeSlack, text: str, timeout: float = 30.0) -> Call:
    """The scheduler also posts its own things (a summary, a notice): wait for this one."""
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        posts = fake.wait_for("chat.postMessage", count=seen + 1, timeout=deadline - time.monotonic())
        mine = [c for c in posts if c.args.get("text") == text]
        if mine:
            return mine[0]
        seen = len(posts)
    raise AssertionError(f"no post with text {text!r}")


def test_the_scheduler_process_delivers_the_outbox_and_stops_on_sigterm(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'mentorbot.db'}"
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with FakeSlack() as fake:
        fake.add_user("URES1", name="riley")
        with session_scope(factory) as session:
            program = factories.program(session)
            riley = factories.person(session, program, role=Role.RESIDENT, slack_user_id="URES1")
            # Outside quiet hours on purpose, so the test does not depend on the hour it runs at.
            factories.outbox_dm(session, program, [riley], now=datetime.now(UTC), respect_working_hours=False)
        env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_API_URL": fake.url, "DATABASE_URL": database_url}
        log_path = tmp_path / "scheduler.log"
        with log_path.open("w") as log:
            process = subprocess.Popen([*_mentorbot(), "scheduler"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
            try:
                posted = _wait_for_post(fake, "Hello from the outbox")
                assert posted.ok
                process.send_signal(signal.SIGTERM)
                assert process.wait(timeout=30) == 0, log_path.read_text()
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        assert fake.violations == []
    with factory() as session:
        mine = select(OutboxMessage.state).where(OutboxMessage.kind == "test.dm")
        assert session.scalars(mine).all() == [OutboxState.SENT]
    engine.dispose()
