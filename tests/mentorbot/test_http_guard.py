"""The guard in front of Bolt (mentorbot/http_server.py): what it refuses, and with which status,
before anything parses the request."""

from __future__ import annotations

import hashlib
import hmac
import io
import time

import pytest

from bot.signatures import signature_problem
from mentorbot.http_server import MALFORMED, MAX_BODY_BYTES, TOO_LARGE, UNAUTHORIZED, Refusal, read_slack_request
from sandbox import slack_requests as slack

SECRET = "test-signing-secret"
NOW = 1_800_000_000


def environ(body: bytes, headers: dict[str, str], *, length: bool = True) -> dict:
    env = {"wsgi.input": io.BytesIO(body), "CONTENT_TYPE": headers.pop("Content-Type", slack.FORM)}
    if length:
        env["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def signed(body: bytes, at: int = NOW) -> dict[str, str]:
    """Slack's headers for any bytes (slack_sdk's signer takes text only)."""
    digest = hmac.new(SECRET.encode(), b"v0:" + str(at).encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(at), "X-Slack-Signature": "v0=" + digest}


def check(body: bytes, headers: dict[str, str], **kwargs) -> bytes | Refusal:
    return read_slack_request(environ(body, headers, **kwargs), signing_secret=SECRET, now=NOW)


SLASH = slack.slash_command("help", user_id="U1", response_url="http://x")[0].encode()
EVENT = slack.app_home_opened("U1")[0].encode()


def test_what_slack_sends_passes_whole():
    assert check(SLASH, signed(SLASH)) == SLASH
    assert check(EVENT, {**signed(EVENT), "Content-Type": slack.JSON}) == EVENT
    assert check(SLASH, signed(SLASH), length=False) == SLASH  # a chunked request


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=not-json", slack.FORM),
        (b"payload=%5B1%2C2%5D", slack.FORM),  # JSON, but a list
        (b"[1, 2]", slack.JSON),
        (b"{not json", slack.JSON),
        (b'"a string"', slack.JSON),
        (b"\xff\xfe\x00binary", slack.FORM),
        (b"{" * 100_000, slack.JSON),  # nested too deep
        (b'{"n": ' + b"9" * 5000 + b"}", slack.JSON),  # a 5,000-digit integer
    ],
)
def test_a_signed_body_that_is_not_a_form_or_json_object_is_400(body, content_type):
    assert check(body, {**signed(body), "Content-Type": content_type}) is MALFORMED


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": str(NOW)},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "١٢٣", "X-Slack-Signature": "v0=00"},  # digits, but not ASCII
        {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=00"},
        {**slack.sign(SECRET, SLASH.decode(), NOW - 301)},
        {**slack.sign(SECRET, SLASH.decode(), NOW + 301)},
        {**slack.sign("another-secret", SLASH.decode(), NOW)},
        {**slack.sign(SECRET, SLASH.decode(), NOW), "X-Slack-Signature": "v0=é"},
    ],
)
def test_unauthenticated_is_401_whatever_the_body(headers):
    assert check(SLASH, dict(headers)) is UNAUTHORIZED
    assert check(b"\xff junk", dict(headers)) is UNAUTHORIZED  # never parsed


def test_too_large_is_413_before_anything_else_and_unread():
    body = b"x" * (MAX_BODY_BYTES + 1)
    env = environ(body, {})
    assert read_slack_request(env, signing_secret=SECRET, now=NOW) is TOO_LARGE
    assert env["wsgi.input"].tell() == 0
    assert check(body, {}, length=False) is TOO_LARGE  # chunked: read no further than the limit
    assert read_slack_request({**environ(SLASH, {}), "CONTENT_LENGTH": "12abc"}, signing_secret=SECRET, now=NOW) is MALFORMED


def test_signature_problems_are_said_without_the_body():
    problem = signature_problem(SECRET, body=b"note=secret words", timestamp=str(NOW - 600), signature="v0=1", now=NOW)
    assert problem is not None and "secret words" not in problem
    assert signature_problem(SECRET, body=SLASH, now=time.time(), **_headers(slack.sign(SECRET, SLASH.decode()))) is None


def _headers(signed_headers: dict[str, str]) -> dict[str, str]:
    return {"timestamp": signed_headers["X-Slack-Request-Timestamp"], "signature": signed_headers["X-Slack-Signature"]}
