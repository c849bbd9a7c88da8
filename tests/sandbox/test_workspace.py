"""The sandbox's Slack client keeps each person's stack of modals as Slack does: views.open and
views.push, and a submission's response_action (push, update, errors, clear, or none = close).

Mentorbot itself never pushes a view, so a small Bolt app that does stands in for it here; the
requests it gets are signed and checked exactly like the bot's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from sandbox.fake_slack import FakeSlack
from sandbox.workspace import Workspace

SECRET = "workspace-test-secret"
USER = "U0TESTER1"


def _modal(callback_id: str, title: str) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": callback_id, "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Next"},
        "blocks": [{"type": "input", "block_id": "answer", "label": {"type": "plain_text", "text": "Answer"},
                    "element": {"type": "plain_text_input", "action_id": "value"}}],
    }  # fmt: skip


def _stacking_app(fake: FakeSlack) -> App:
    app = App(client=WebClient(token="xoxb-test", base_url=fake.url), signing_secret=SECRET, process_before_response=True)

    @app.command("/mentor")
    def opened(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=_modal("first", "First"))

    @app.view("first")
    def first(ack: Ack, view: dict) -> None:
        ack(response_action="push", view=_modal("second", "Second"))

    @app.view("second")
    def second(ack: Ack, view: dict) -> None:
        answer = view["state"]["values"]["answer"]["value"]["value"]
        if answer != "ok":
            ack(response_action="errors", errors={"answer": "Type ok."})
        else:
            ack(response_action="update", view=_modal("third", "Third"))

    @app.view("third")
    def third(ack: Ack) -> None:
        ack(response_action="clear")

    return app


@pytest.fixture
def workspace() -> Iterator[Workspace]:
    with FakeSlack() as fake:
        fake.add_user(USER, name="tester")
        server = make_server("127.0.0.1", 0, SlackRequestHandler(_stacking_app(fake)), handler_class=_Quiet)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield Workspace(
            fake,
            events_url=f"http://127.0.0.1:{server.server_address[1]}/slack/events",
            signing_secret=SECRET,
            team_id=fake.team_id,
            channel_id="C0TEST",
            channel_name="test",
            coordinators=frozenset(),
            clock=lambda: datetime(2026, 8, 3, 17, 0, tzinfo=UTC),
            zones={USER: ZoneInfo("America/New_York")},
        )
        server.shutdown()
        server.server_close()
        assert fake.violations == []


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _stack(workspace: Workspace) -> tuple[str | None, int]:
    modal = workspace.snapshot(USER, {})["modal"]
    return (None, 0) if modal is None else (modal["view"]["title"]["text"], modal["depth"])


def _top_id(workspace: Workspace) -> str:
    top = workspace.top_modal(USER)
    assert top is not None, "no modal is open"
    return str(top["id"])


def _answer(text: str) -> dict[str, Any]:
    return {"answer": {"value": {"type": "plain_text_input", "value": text}}}


def test_modals_stack_update_show_errors_and_clear_like_slack(workspace: Workspace) -> None:
    workspace.command(USER, "go")
    assert _stack(workspace) == ("First", 1)
    first_id = _top_id(workspace)

    workspace.submit(USER, view_id=first_id, values=_answer("x"))
    assert _stack(workspace) == ("Second", 2)
    second_id = _top_id(workspace)
    workspace.close_modal(USER, view_id=second_id)  # the back arrow: the first view again
    assert _stack(workspace) == ("First", 1)

    workspace.submit(USER, view_id=first_id, values=_answer("x"))
    second_id = _top_id(workspace)
    workspace.submit(USER, view_id=second_id, values=_answer("no"))
    modal = workspace.snapshot(USER, {})["modal"]
    assert modal["errors"] == {"answer": "Type ok."} and modal["view"]["id"] == second_id

    workspace.submit(USER, view_id=second_id, values=_answer("ok"))
    assert _stack(workspace) == ("Third", 2)  # updated in place: same view, same depth
    assert _top_id(workspace) == second_id

    workspace.submit(USER, view_id=second_id, values=_answer("done"))
    assert _stack(workspace) == (None, 0)  # clear closes every view
