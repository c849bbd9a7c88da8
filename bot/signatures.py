"""Slack's request signatures, checked without ever logging what was signed.

Bolt's own check logs the whole body of every request it refuses (a withdrawal note sent during
clock skew, or after the signing secret was rotated, would land in the log) and answers a
non-numeric timestamp with a 500. This one says only why it refused. HTTP mode runs it twice:
in front of Bolt, on the raw bytes, before anything is parsed (mentorbot/http_server.py), and as
the app's first middleware, for requests handed to Bolt directly.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence

from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

# Slack's rule: a request signed more than five minutes ago (or ahead) is refused, which also
# bounds how long a captured request can be replayed.
MAX_AGE_SECONDS = 5 * 60
TIMESTAMP_HEADER = "x-slack-request-timestamp"
SIGNATURE_HEADER = "x-slack-signature"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def signature_problem(secret: str, *, body: bytes, timestamp: str | None, signature: str | None, now: float) -> str | None:
    """None if Slack signed `body` with `secret` within five minutes of `now`; otherwise why not,
    in words that are safe to log (never the body)."""
    if not timestamp:
        return "no X-Slack-Request-Timestamp"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "an unreadable X-Slack-Request-Timestamp"
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return "a timestamp more than five minutes from now (clock skew, or a replay)"
    if not signature:
        return "no X-Slack-Signature"
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "a signature that does not match SLACK_SIGNING_SECRET"
    return None


def header(headers: Mapping[str, str | Sequence[str]], name: str) -> str | None:
    """One header's value from Bolt's (lower-cased, listed) or a plain mapping."""
    value = headers.get(name)
    if isinstance(value, str) or value is None:
        return value
    return value[0] if value else None


UNAUTHORIZED = {"error": "invalid request"}


def wall_clock() -> float:
    """Slack signs with the real time, whatever the program's clock says (looked up at each call,
    so tests that freeze time freeze this too)."""
    return time.time()


def verify_requests(secret: str, *, now: Callable[[], float] = wall_clock) -> Callable[..., BoltResponse]:
    """Bolt middleware standing in for Bolt's own check (disabled in bot/app.py)."""

    def middleware(req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse:
        if req.mode == "socket_mode":  # over an authenticated WebSocket; nothing is signed
            return next()
        problem = signature_problem(
            secret,
            body=req.raw_body.encode("utf-8"),
            timestamp=header(req.headers, TIMESTAMP_HEADER),
            signature=header(req.headers, SIGNATURE_HEADER),
            now=now(),
        )
        if problem is not None:
            log.info("refused a request with %s", problem)
            return BoltResponse(status=401, body=UNAUTHORIZED)
        return next()

    return middleware
