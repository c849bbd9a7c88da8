"""A real headless Chromium (Debian's `chromium` package) driven by Playwright, on the sandbox page.

Playwright's own browser download does not work here, so the system browser is used. Without it
(or without Playwright) the browser tests skip with a reason, unless MENTORBOT_REQUIRE_BROWSER=1
(CI sets it), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REQUIRE_BROWSER = os.environ.get("MENTORBOT_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 400, "height": 800}


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"MENTORBOT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def launch_chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot_dir(tmp_path: Path) -> Path:
    """MENTORBOT_SCREENSHOTS keeps them (e.g. to refresh docs/images); otherwise the test's tmp dir."""
    wanted = os.environ.get("MENTORBOT_SCREENSHOTS")
    directory = Path(wanted) if wanted else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
