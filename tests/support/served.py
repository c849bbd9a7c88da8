"""The real HTTP path in-process: the bot's WSGI app (mentorbot/http_server.py, what gunicorn
serves) behind a real HTTP server on a loopback port, for tests that POST signed requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App

from mentorbot.http_server import EVENTS_PATH, Health, make_wsgi_app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line per request is noise in tests
        pass


class _Server(WSGIServer):
    # wsgiref prints a failing app's traceback to stderr and answers 500: the 500 is what tests see.
    request_queue_size = 64


@contextmanager
def serving(app: App, *, signing_secret: str) -> Iterator[str]:
    """The URL Slack would POST to, served until the block ends."""
    wsgi = make_wsgi_app(app, lambda: Health(database="ok", schema="current"), signing_secret=signing_secret)
    server = make_server("127.0.0.1", 0, wsgi, server_class=_Server, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{EVENTS_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
