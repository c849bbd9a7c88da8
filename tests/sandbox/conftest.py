"""The sandbox, started as `mentorbot sandbox` starts it, on each test database backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from sandbox.app import Sandbox
from sandbox.server import PageServer
from tests.sandbox.browser import DESKTOP, launch_chromium

# The bot answers after its ack, as in Slack: allow for a busy machine before calling it missing.
expect.set_options(timeout=15_000)


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    started = Sandbox(database_url)
    try:
        yield started
    finally:
        started.stop()
    assert started.fake.violations == [], "the bot sent Slack something it would refuse:\n" + "\n".join(started.fake.violations)


@pytest.fixture
def page_url(sandbox: Sandbox) -> Iterator[str]:
    server = PageServer(sandbox, port=0).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    yield from launch_chromium()


@pytest.fixture
def page(chromium: Any, page_url: str) -> Iterator[Any]:
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_url)
    yield page
    context.close()
    assert errors == [], f"the page's JavaScript failed: {errors}"
