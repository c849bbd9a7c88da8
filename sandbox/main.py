"""`mentorbot sandbox`: start everything, print the address, run until Ctrl-C."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

from sandbox.app import Sandbox, SandboxError, default_database_url
from sandbox.server import PageServer


def _fresh_default_database() -> str:
    """The sandbox's own file, started afresh each time (the year begins again)."""
    url = default_database_url()
    Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    return url


def run_sandbox(*, port: int, database_url: str | None) -> None:
    sandbox = Sandbox(database_url or _fresh_default_database())
    try:
        try:
            server = PageServer(sandbox, port=port).start()
        except OSError as error:
            raise SandboxError(f"cannot listen on 127.0.0.1:{port} ({error.strerror}); pick another with --port") from None
        stop = threading.Event()

        def _handle(_signum: int, _frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGINT, _handle)
        signal.signal(signal.SIGTERM, _handle)
        print(f"Mentorbot sandbox: open {server.url} in your browser (Ctrl-C stops it).", flush=True)
        stop.wait()
        server.stop()
    finally:
        sandbox.stop()
