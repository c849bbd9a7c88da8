"""Slack's 429 answers, remembered per Web API method for the life of a scheduler process.

When Slack says "Retry-After: 30" for chat.postMessage, every delivery in this process holds off
that method in that workspace for 30 s (`rate_limit_key`), not just the message that drew the 429: the limit is Slack's, per method
and workspace, so hammering it with the next row would only earn another 429.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

DEFAULT_RETRY_AFTER_SECONDS = 30


class RateLimitGate:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, datetime] = {}

    def block(self, method: str, until: datetime) -> None:
        with self._lock:
            current = self._until.get(method)
            if current is None or until > current:
                self._until[method] = until

    def blocked_until(self, method: str, now: datetime) -> datetime | None:
        with self._lock:
            until = self._until.get(method)
            return until if until is not None and until > now else None


def rate_limit_key(method: str, team_id: str) -> str:
    """What a 429 holds off: one Web API method in one workspace (Slack counts them apart)."""
    return f"{team_id}:{method}"


def retry_after_seconds(headers: Any) -> int:
    """Slack's Retry-After header in whole seconds (at least 1); a default when it is missing."""
    for key in ("Retry-After", "retry-after"):
        value = headers.get(key) if headers else None
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            try:
                return max(1, int(float(value)))
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER_SECONDS
