"""The sandbox's web page and the small JSON API behind it, on 127.0.0.1 only.

The page is plain HTML, CSS and JavaScript in sandbox/static (no build step). POSTs must be JSON
and the Host must be loopback, so another site open in the same browser cannot drive the sandbox.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import threading
from collections.abc import Callable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.app import ClockError, Sandbox
from sandbox.workspace import BotUnreachable

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
PAGES = {"/": "index.html", "/app.js": "app.js", "/style.css": "style.css", "/blockkit.js": "blockkit.js"}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
MAX_BODY = 1_000_000


class BadRequest(Exception):
    """Something the page sent that the sandbox cannot act on; shown to the person as is."""


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    if not isinstance(user, str) or not user:
        raise BadRequest("Pick someone to act as first.")
    return user


def _api(sandbox: Sandbox) -> dict[str, Callable[[dict[str, Any]], Any]]:
    ws = sandbox.workspace

    def command(body: dict[str, Any]) -> Any:
        text = str(body.get("text", "")).strip()
        if text.startswith("/mentor"):
            text = text[len("/mentor") :].strip()
        elif text.startswith("/"):
            raise BadRequest("Only the /mentor command exists here.")
        return ws.command(_user(body), text).status

    def action(body: dict[str, Any]) -> Any:
        user, element = _user(body), body.get("action")
        if not isinstance(element, dict) or not element.get("action_id"):
            raise BadRequest("That control has no action.")
        if body.get("view_id"):
            return ws.click_in_view(user, view_id=str(body["view_id"]), action=element, values=body.get("values") or {}).status
        return ws.click_in_message(user, channel=str(body.get("channel")), ts=str(body.get("ts")), action=element).status

    def suggest(body: dict[str, Any]) -> Any:
        return ws.suggest(
            _user(body),
            view_id=str(body.get("view_id")),
            action_id=str(body.get("action_id")),
            block_id=str(body.get("block_id")),
            value=str(body.get("value", "")),
        )

    def submit(body: dict[str, Any]) -> Any:
        return ws.submit(_user(body), view_id=str(body.get("view_id")), values=body.get("values") or {}).ack

    def close(body: dict[str, Any]) -> Any:
        ws.close_modal(_user(body), view_id=str(body.get("view_id")))

    def home(body: dict[str, Any]) -> Any:
        return ws.open_home(_user(body)).status

    def clock(body: dict[str, Any]) -> Any:
        how = str(body.get("how", ""))
        day = None
        if how == "date":
            try:
                day = date.fromisoformat(str(body.get("date", "")))
            except ValueError:
                raise BadRequest("Give the date as YYYY-MM-DD.") from None
        move = sandbox.advance(how, day)
        return {"steps": move.steps}

    def autofill(body: dict[str, Any]) -> Any:
        result = sandbox.fill_in_answers()
        return {"answered": result.answered, "already": result.already_answered, "not_asked": result.not_asked}

    return {
        "/api/command": command,
        "/api/action": action,
        "/api/suggest": suggest,
        "/api/submit": submit,
        "/api/close": close,
        "/api/home": home,
        "/api/clock": clock,
        "/api/autofill": autofill,
    }


class _Handler(BaseHTTPRequestHandler):
    sandbox: Sandbox
    routes: dict[str, Callable[[dict[str, Any]], Any]]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("page: " + format, *args)

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        return host in LOOPBACK_HOSTS

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def do_GET(self) -> None:
        if not self._host_ok():
            return self._json(403, {"error": "The sandbox answers only on 127.0.0.1."})
        parts = urlsplit(self.path)
        if parts.path in PAGES:
            name = PAGES[parts.path]
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return self._send(200, (STATIC / name).read_bytes(), f"{kind}; charset=utf-8")
        if parts.path == "/api/people":
            return self._json(200, {"people": self.sandbox.people()})
        if parts.path == "/api/state":
            user = (parse_qs(parts.query).get("user") or [""])[0]
            try:
                return self._json(200, self.sandbox.snapshot(user))
            except LookupError as error:
                return self._json(404, {"error": str(error)})
        if parts.path.startswith("/files/"):
            content = self.sandbox.fake.file_content(parts.path.removeprefix("/files/"))
            if content is None:
                return self._json(404, {"error": "no such file"})
            return self._send(200, content, "image/png" if content.startswith(b"\x89PNG") else "application/octet-stream")
        return self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        if not self._host_ok():
            return self._json(403, {"error": "The sandbox answers only on 127.0.0.1."})
        route = self.routes.get(urlsplit(self.path).path)
        if route is None:
            return self._json(404, {"error": "not found"})
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            return self._json(415, {"error": "Send JSON."})
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._json(413, {"error": "Too large."})
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise BadRequest("Send a JSON object.")
            return self._json(200, {"ok": True, "result": route(body)})
        except (BadRequest, ClockError, LookupError, BotUnreachable) as problem:
            return self._json(400, {"ok": False, "error": str(problem)})
        except ValueError:
            return self._json(400, {"ok": False, "error": "That was not valid JSON."})
        except Exception:
            log.exception("the sandbox failed on %s", self.path)
            return self._json(500, {"ok": False, "error": "The sandbox hit an error; its log has the details."})


class PageServer:
    def __init__(self, sandbox: Sandbox, *, port: int) -> None:
        handler = type("Handler", (_Handler,), {"sandbox": sandbox, "routes": _api(sandbox)})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="sandbox-page")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def start(self) -> PageServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
