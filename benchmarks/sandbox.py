"""How quick the sandbox feels: page load, a round-trip, and moving the program clock.

Usage: python benchmarks/sandbox.py [--database URL]

Starts the sandbox as `mentorbot sandbox` does (on a temporary SQLite file unless a database is
given, which must be empty), then prints: the time to fetch the page and its scripts, the time
for one person's state, `/mentor help` from signed request to private answer, and the time and
cost per hour of program time of +1 day, +1 week and a whole quarter (every scheduled job runs
once per program hour, as the sandbox's clock does).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import tempfile
import time
import urllib.request
from collections.abc import Callable

from sandbox.app import Sandbox
from sandbox.server import PageServer

PAGE_FILES = ("", "style.css", "blockkit.js", "app.js")
COORDINATOR = "U0COORD01"


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        sandbox = Sandbox(args.database or f"sqlite:///{directory}/sandbox.db")
        server = PageServer(sandbox, port=0).start()
        try:
            page = timed(lambda: [fetch(server.url + name) for name in PAGE_FILES])
            print(f"page and scripts: {page * 1000:.0f} ms")
            state = timed(lambda: fetch(f"{server.url}api/state?user={COORDINATOR}"))
            print(f"one person's state: {state * 1000:.0f} ms")

            def help_answered() -> None:
                before = sandbox.workspace.entry_count(COORDINATOR)
                sandbox.workspace.command(COORDINATOR, "help")
                while sandbox.workspace.entry_count(COORDINATOR) < before + 2:
                    sandbox.snapshot(COORDINATOR)
                    time.sleep(0.002)

            print(f"/mentor help, signed request to private answer: {timed(help_answered) * 1000:.0f} ms")
            for how, label in (("day", "+1 day"), ("week", "+1 week"), ("quarter", "next quarter")):
                started = time.perf_counter()
                move = sandbox.advance(how)
                spent = time.perf_counter() - started
                print(f"{label}: {spent:.1f} s for {move.steps} program hours ({spent / move.steps * 1000:.1f} ms per hour)")
        finally:
            server.stop()
            sandbox.stop()


if __name__ == "__main__":
    main()
