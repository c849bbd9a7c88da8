"""Modals' private_metadata, sealed with an HMAC: a payload we did not write is refused.

Even sealed, what it names is never trusted alone: listeners re-read it from the database and
check it against the access policy (bot/access.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

_METADATA_CONTEXT = b"mentorbot private_metadata v1"
_TAG_HEX_CHARS = 32


def metadata_key(secret: str) -> bytes:
    """A key of its own, derived from the app's signing secret (or bot token in Socket Mode)."""
    return hmac.new(secret.encode("utf-8"), _METADATA_CONTEXT, hashlib.sha256).digest()


def _tag(body: str, key: bytes) -> str:
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()[:_TAG_HEX_CHARS]


def seal(payload: Mapping[str, Any], *, key: bytes) -> str:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return f"{_tag(body, key)}.{body}"


def unseal(text: str | None, *, key: bytes) -> dict[str, Any] | None:
    """The payload if we sealed it, else None."""
    tag, dot, body = (text or "").partition(".")
    if not dot or not hmac.compare_digest(tag, _tag(body, key)):
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None
