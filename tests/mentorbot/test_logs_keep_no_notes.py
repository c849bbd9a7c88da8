"""Nothing confidential reaches a log: the change and withdrawal scenario, with notes, driven
through every way a request can fail authentication (stale, from the future, a bad signature, the
wrong secret, unsigned, an unreadable timestamp) and a 10 MB POST, then done for real, resolved
and delivered, with every logger of the process at DEBUG. No part of a note and no request body
may appear in any record, in-process (Bolt's dispatch, and the WSGI app that gunicorn serves) or
in the standard error of a real `mentorbot -v run --http` process.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from mentorbot.http_server import Health, make_wsgi_app
from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack
from scheduler.delivery import deliver_pending
from storage.models import Role
from tests.mentorbot.test_http_server import running_server
from tests.support import factories
from tests.support.changes import HOME_VIEW, change_values, sealed, snapshot, withdraw_values
from views.ids import ACTION_RESOLVE_CLOSE, ACTION_RESOLVE_REMATCH, ACTION_WITHDRAW, VIEW_WITHDRAW

SIGNING_SECRET = "test-signing-secret"  # tests/conftest.py
RILEY_NOTE = "Tangerine umbrella: my mentor keeps cancelling our meetings at the last minute."
GIL_NOTE = "Quokka lantern: I am going on family leave and cannot say so to the residents."
FILLER_MARKER = "Zeppelin-marmalade"
TEN_MB = 10 * 1024 * 1024


def fragments(note: str) -> list[str]:
    """Any three consecutive words of a note, so a note cut or wrapped in a log still counts."""
    words = note.split()
    return [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]


# --- capturing every log record ----------------------------------------------------------------


@pytest.fixture
def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Root and every logger the process has made at DEBUG; loggers made later inherit it."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter()
    parts = []
    for record in caplog.records:
        parts.append(f"{record.name} {record.levelname} {record.getMessage()}")
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        if record.stack_info:
            parts.append(record.stack_info)
    return "\n".join(parts)


def assert_nothing_confidential(logged: str, *, bodies: list[str]) -> None:
    for note in (RILEY_NOTE, GIL_NOTE):
        for fragment in fragments(note):
            assert fragment not in logged, f"a note reached the log: {fragment!r}"
    for body in bodies:
        # The first 60 characters of a payload (url-encoded or decoded) are enough to recognise it.
        for shape in (body[:60], body[len("payload=") :][:60]):
            assert shape not in logged, f"a request body reached the log: {shape!r}"
    assert FILLER_MARKER not in logged
    assert len(logged) < 1_000_000, f"{len(logged)} characters logged"


# --- the people --------------------------------------------------------------------------------


@pytest.fixture
def people(arrange, fake_slack) -> dict[str, int]:
    with arrange() as session:
        program = factories.program(session)
        add = lambda role, name, uid, **kw: factories.person(session, program, role=role, name=name, slack_user_id=uid, **kw)  # noqa: E731
        ids = {
            "UCASEY": add(Role.COORDINATOR, "Casey Coordinator", "UCASEY").id,
            "UDANA": add(Role.FACULTY, "Dr. Dana", "UDANA", is_coordinator=True).id,
        }
        fran, gil = add(Role.FACULTY, "Dr. Fran", "UFRAN"), add(Role.FACULTY, "Dr. Gil", "UGIL")
        riley, tess = add(Role.RESIDENT, "Riley Resident", "URILEY"), add(Role.RESIDENT, "Tess Resident", "UTESS")
        factories.pairing(session, program, mentor=fran, resident=riley)
        factories.pairing(session, program, mentor=gil, resident=tess)
    for uid in ("UCASEY", "UDANA", "UFRAN", "UGIL", "URILEY", "UTESS"):
        fake_slack.add_user(uid, name=uid.lower())
    return ids


# --- ways a request fails authentication --------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    name: str
    headers: Callable[[str], dict[str, str]]  # body -> headers


def _signed(secret: str, age: int) -> Callable[[str], dict[str, str]]:
    return lambda body: slack.sign(secret, body, int(time.time()) - age)


ATTEMPTS = [
    Attempt("stale", _signed(SIGNING_SECRET, 600)),
    Attempt("from the future", _signed(SIGNING_SECRET, -600)),
    Attempt("bad signature", lambda body: {**slack.sign(SIGNING_SECRET, body), "X-Slack-Signature": "v0=" + "0" * 64}),
    Attempt("wrong secret", _signed("an-old-rotated-secret", 0)),
    Attempt("unsigned", lambda body: {}),
    Attempt(
        "unreadable timestamp",
        lambda body: {
            "X-Slack-Request-Timestamp": "soon",
            "X-Slack-Signature": slack.sign(SIGNING_SECRET, body)["X-Slack-Signature"],
        },
    ),
]


def wsgi_post(app: Callable[..., Any], body: bytes | io.BytesIO, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST /slack/events through the WSGI app exactly as gunicorn calls it."""
    stream = body if isinstance(body, io.BytesIO) else io.BytesIO(body)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "CONTENT_LENGTH": str(len(stream.getbuffer())),
        "CONTENT_TYPE": headers.get("Content-Type", slack.FORM),
    }
    for name, value in headers.items():
        if name.lower() != "content-type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    status: list[str] = []
    chunks = app(environ, lambda s, _headers, _exc=None: status.append(s))
    answer = b"".join(chunks)
    return int(status[0].split()[0]), answer


def post_without_finishing(base: str, body: bytes) -> int:
    """Declare the whole body but send only its first 64 KB: the answer must come without the rest."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", slack.FORM)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        connection.send(body[: 64 * 1024])
        return connection.getresponse().status
    finally:
        connection.close()


def test_no_note_and_no_body_reaches_any_log_in_process(
    bot, people, fake_slack, session_factory, job_context, every_logger_at_debug
):
    caplog = every_logger_at_debug
    wsgi = make_wsgi_app(bot.app, lambda: Health("ok", "current"), signing_secret=SIGNING_SECRET)
    bodies: list[str] = []

    # Riley's change form and Gil's withdrawal form, as Slack would submit them, with notes.
    bot.command("change", user_id="URILEY", trigger_id="t-riley")
    riley_view = bot.opened_view()
    bot.click(ACTION_WITHDRAW, user_id="UGIL", view=HOME_VIEW, response_url=None, trigger_id="t-gil")
    gil_view = bot.opened_view()
    forms = [
        slack.view_submission(
            riley_view["callback_id"], user_id="URILEY", values=change_values(note=RILEY_NOTE),
            private_metadata=riley_view["private_metadata"], view_id=riley_view["id"], hash=riley_view["hash"],
        ),
        slack.view_submission(
            VIEW_WITHDRAW, user_id="UGIL", values=withdraw_values(note=GIL_NOTE),
            private_metadata=gil_view["private_metadata"], view_id=gil_view["id"], hash=gil_view["hash"],
        ),
    ]  # fmt: skip
    before = snapshot(session_factory)
    calls_before = len(fake_slack.calls)

    # 1. Every way of failing authentication, through Bolt directly and through the WSGI app.
    for body, content_type in forms:
        bodies.append(body)
        for attempt in ATTEMPTS:
            headers = {"Content-Type": content_type, **attempt.headers(body)}
            response = bot.app.dispatch(slack.to_bolt_request(body, headers))
            assert response.status == 401, attempt.name
            status, _ = wsgi_post(wsgi, body.encode(), headers)
            assert status == 401, attempt.name

    # 2. Ten megabytes, unsigned, carrying a note: refused before it is read.
    huge = urlencode(
        {"payload": json.dumps({"type": "view_submission", "note": RILEY_NOTE, "pad": FILLER_MARKER * (TEN_MB // 18)})}
    )
    stream = io.BytesIO(huge.encode())
    status, _ = wsgi_post(wsgi, stream, {"Content-Type": slack.FORM})
    assert status == 413 and stream.tell() == 0  # refused unread
    response = bot.app.dispatch(slack.to_bolt_request(huge, {"Content-Type": slack.FORM}))
    assert response.status == 401
    bodies.append(huge)

    assert snapshot(session_factory) == before
    assert fake_slack.calls[calls_before:] == []

    # 3. The same forms, properly signed: the requests are made, the notes reach the coordinators
    # (through the outbox) and are deleted when the coordinators resolve the requests.
    for body, content_type in forms:
        request = slack.signed(SIGNING_SECRET, (body, content_type))
        status, _ = wsgi_post(wsgi, body.encode(), request.headers)
        assert status == 200
    report = deliver_pending(job_context)
    assert report.failed == 0 and report.sent >= 4  # two alerts per request, the notice, the confirmations
    alerts = [m for c in ("UCASEY", "UDANA") for m in fake_slack.messages(c)]
    assert any(RILEY_NOTE in json.dumps(m) for m in alerts) and any(GIL_NOTE in json.dumps(m) for m in alerts)
    for coordinator, action in (("UCASEY", ACTION_RESOLVE_REMATCH), ("UDANA", ACTION_RESOLVE_CLOSE)):
        for message in fake_slack.messages(coordinator):
            values = [
                e["value"]
                for b in message.get("blocks", [])
                if b["type"] == "actions"
                for e in b["elements"]
                if e["action_id"] == action
            ]
            if values:
                bot.click(
                    action, user_id=coordinator, value=values[0], channel_id=fake_slack.dm_channel(coordinator),
                    message_ts=message["ts"], trigger_id=f"t-{coordinator}-{message['ts']}",
                )  # fmt: skip
    assert snapshot(session_factory)["notes"] == 0

    logged = everything_logged(caplog)
    assert "chat.postMessage, query_params: (withheld)" in logged  # DEBUG really was on, and cut
    assert_nothing_confidential(logged, bodies=bodies)


def test_no_note_and_no_body_reaches_the_servers_log(tmp_path: Path):
    """A real `mentorbot -v run --http`: the same failures and a real withdrawal with a note."""
    with FakeSlack() as fake, running_server(fake, tmp_path, verbose=True) as (base, _process):
        metadata = sealed({"k": "withdraw", "u": "URES1"})
        body, content_type = slack.view_submission(
            VIEW_WITHDRAW, user_id="URES1", values=withdraw_values(note=RILEY_NOTE), private_metadata=metadata
        )
        for attempt in ATTEMPTS:
            status, _, _ = slack.post(base + "/slack/events", body, {"Content-Type": content_type, **attempt.headers(body)})
            assert status == 401, attempt.name
        huge = urlencode({"payload": json.dumps({"note": GIL_NOTE, "pad": FILLER_MARKER * (TEN_MB // 18)})})
        assert post_without_finishing(base, huge.encode()) == 413
        status, _, _ = slack.signed(SIGNING_SECRET, (body, content_type)).post(base + "/slack/events")
        assert status == 200
        fake.wait_for("views.publish")  # the withdrawal was made (the App Home is refreshed after it)
        logged = (tmp_path / "server.log").read_text(errors="replace")
    assert "DEBUG" in logged
    assert_nothing_confidential(logged, bodies=[body, huge])
