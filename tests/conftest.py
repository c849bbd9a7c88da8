"""Shared fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
a fake Slack Web API on loopback, a manual clock, and the real Bolt app wired to all three.

Set MENTORBOT_REQUIRE_POSTGRES=1 (CI does) to make a run without PostgreSQL tests a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from bot.runtime import Services
from mentorbot.config import Settings
from mentorbot.slack_client import make_web_client
from sandbox.fake_slack import FakeSlack
from scheduler.context import JobContext
from storage.db import make_engine, make_session_factory, session_scope
from tests.support.clock import ManualClock
from tests.support.database import (
    TEST_DATABASE_URL,
    fresh_sqlite_url,
    migrated_sqlite_template,
    private_postgres_database,
    truncate_all,
)
from tests.support.harness import BotHarness
from views.private_metadata import metadata_key

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
REQUIRE_POSTGRES = os.environ.get("MENTORBOT_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]

_postgres_outcomes = {"passed": 0, "skipped": 0}


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and not TEST_DATABASE_URL:
        raise pytest.UsageError("MENTORBOT_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


def _is_postgres_test(item_or_report: object) -> bool:
    nodeid = getattr(item_or_report, "nodeid", "")
    keywords = getattr(item_or_report, "keywords", {})
    return "postgresql" in nodeid or "postgres" in keywords


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not _is_postgres_test(report):
        return
    if report.when == "call" and report.passed:
        _postgres_outcomes["passed"] += 1
    elif report.skipped:
        _postgres_outcomes["skipped"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not REQUIRE_POSTGRES or session.config.option.collectonly:
        return
    if _postgres_outcomes["skipped"] or not _postgres_outcomes["passed"]:
        print(
            f"\nPostgreSQL tests required but {_postgres_outcomes['passed']} passed "
            f"and {_postgres_outcomes['skipped']} were skipped"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TEST_DATABASE_URL:
        terminalreporter.write_line(
            f"PostgreSQL tests: {_postgres_outcomes['passed']} passed, {_postgres_outcomes['skipped']} skipped"
        )


# --- databases -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    with private_postgres_database(TEST_DATABASE_URL) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend in turn."""
    if request.param == "sqlite":
        return fresh_sqlite_url(request.getfixturevalue("sqlite_template"), tmp_path)
    url = request.getfixturevalue("postgres_url")
    truncate_all(url)
    return url


@pytest.fixture
def pg_database_url(postgres_url: str) -> str:
    """For tests of PostgreSQL-only behaviour (row locks, concurrent transactions)."""
    truncate_all(postgres_url)
    return postgres_url


@pytest.fixture
def pg_session_factory(pg_database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on PostgreSQL, for races between concurrent transactions."""
    engine = make_engine(pg_database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def arrange(session_factory: sessionmaker[Session]) -> Callable[[], AbstractContextManager[Session]]:
    """`with arrange() as session:` puts rows in place and commits them on exit.

    Short units of work on purpose: SQLite takes its write lock at BEGIN, so a session held open
    by the test would block the bot's own.
    """
    return lambda: session_scope(session_factory)


# --- time and Slack ------------------------------------------------------------------------


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
        assert fake.violations == [], "the bot sent Slack something it would refuse:\n" + "\n".join(fake.violations)


@pytest.fixture
def settings(fake_slack: FakeSlack, database_url: str) -> Settings:
    return Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        slack_api_url=fake_slack.url,
        database_url=database_url,
        time_zone="America/New_York",
        coordinator_channel_id="C0COORD1",
    )


@pytest.fixture
def services(settings: Settings, session_factory: sessionmaker[Session], clock: ManualClock) -> Services:
    return Services(session_factory=session_factory, metadata_key=metadata_key(SIGNING_SECRET), clock=clock)


@pytest.fixture
def bot(services: Services, settings: Settings, fake_slack: FakeSlack) -> BotHarness:
    """The real Bolt app, dispatching signed requests in-process (deterministically)."""
    app, router = build_app(
        services, client=make_web_client(settings), signing_secret=SIGNING_SECRET, process_before_response=True
    )
    return BotHarness(app=app, router=router, fake=fake_slack, signing_secret=SIGNING_SECRET)


@pytest.fixture
def job_context(settings: Settings, session_factory: sessionmaker[Session], clock: ManualClock) -> JobContext:
    """What the scheduler hands a job: the Web API client has no retry handlers (policy is the job's)."""
    return JobContext(session_factory=session_factory, clock=clock, slack=make_web_client(settings, retries=False))
