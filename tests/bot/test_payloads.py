"""bot/payloads.py: what Slack sends passes; a payload without Slack's shape is named and refused,
before Bolt builds its context and before any listener reads it."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.payloads import malformed
from sandbox import slack_requests as slack
from tests.support import factories
from tests.support.forms import request_values
from views.ids import ACTION_PICK_MENTOR, ACTION_WE_MET, VIEW_REQUEST


def parsed(built: slack.Built) -> dict:
    body, content_type = built
    if content_type == slack.JSON:
        return json.loads(body)
    fields = dict(parse_qsl(body))
    return json.loads(fields["payload"]) if "payload" in fields else fields


SLACKS = {
    "a slash command": slack.slash_command("met 2026-11-02", user_id="URES1", response_url="https://hooks.slack.com/x"),
    "a click in a DM": slack.block_actions(ACTION_WE_MET, user_id="URES1", value="7", response_url="https://hooks.slack.com/x"),
    "a click in the App Home": slack.block_actions(ACTION_WE_MET, user_id="URES1", view={"type": "home"}),
    "a form submitted": slack.view_submission(VIEW_REQUEST, user_id="URES1", values=request_values([7])),
    "a pick list's search": slack.block_suggestion(ACTION_PICK_MENTOR, user_id="URES1", value="ad"),
    "the App Home opened": slack.app_home_opened("URES1"),
}


@pytest.mark.parametrize("built", SLACKS.values(), ids=SLACKS)
def test_what_slack_sends_passes(built):
    assert malformed(parsed(built)) is None


def _click() -> dict:
    return parsed(slack.block_actions(ACTION_WE_MET, user_id="URES1", value="7", response_url="https://hooks.slack.com/x"))


def _submission() -> dict:
    return parsed(slack.view_submission(VIEW_REQUEST, user_id="URES1", values=request_values([7])))


def _command() -> dict:
    return parsed(slack.slash_command("help", user_id="URES1", response_url="https://hooks.slack.com/x"))


def _home() -> dict:
    return parsed(slack.app_home_opened("URES1"))


def _with(payload: dict, change) -> dict:
    change(payload)
    return payload


MALFORMED = {
    "not an object": ([], "the body is not an object"),
    "a user that is a number": (_with(_click(), lambda p: p.update(user=7)), "payload.user"),
    "a user id that is no Slack id": (_with(_click(), lambda p: p["user"].update(id="")), "payload.user"),
    "authorizations that are not a list": (_with(_home(), lambda p: p.update(authorizations=True)), "payload.authorizations"),
    "no actions": (_with(_click(), lambda p: p.update(actions=[])), "payload.actions is not a non-empty list"),
    "an action value that is a number": (_with(_click(), lambda p: p["actions"][0].update(value=7)), "payload.actions[0].value"),
    "no trigger id": (_with(_click(), lambda p: p.pop("trigger_id")), "payload.trigger_id is missing"),
    "a response_url that is no URL": (_with(_click(), lambda p: p.update(response_url="null")), "payload.response_url"),
    "a view that is null": (_with(_submission(), lambda p: p.update(view=None)), "payload.view"),
    "state values that are a list": (
        _with(_submission(), lambda p: p["view"]["state"].update(values=[])),
        "payload.view.state.values is not an object",
    ),
    "a chosen option that is a string": (
        _with(_submission(), lambda p: p["view"]["state"]["values"]["choice_1"][ACTION_PICK_MENTOR].update(selected_option="7")),
        "selected_option",
    ),
    "a NUL anywhere": (_with(_submission(), lambda p: p["view"].update(private_metadata="a\x00b")), "a NUL character"),
    "a command without its response_url": (_with(_command(), lambda p: p.pop("response_url")), "response_url"),
    "an App Home event without its user": (_with(_home(), lambda p: p["event"].pop("user")), "payload.event.user"),
}


@pytest.mark.parametrize(("payload", "problem"), MALFORMED.values(), ids=MALFORMED)
def test_a_payload_without_slacks_shape_is_named(payload, problem):
    found = malformed(payload)
    assert found is not None and problem in found, found


def test_a_malformed_payload_reaches_no_listener(bot, fake_slack, caplog):
    """In-process (as in Socket Mode), after the signature check: refused with a 400 and no traceback."""
    body = json.dumps(_with(_click(), lambda p: p["actions"][0].update(value={"id": 7})))
    request = slack.signed(bot.signing_secret, (urlencode({"payload": body}), slack.FORM))
    response = bot.app.dispatch(request.to_bolt_request())
    assert response.status == 400
    assert [c.method for c in fake_slack.calls if c.method != "auth.test"] == []
    assert not any(r.exc_info for r in caplog.records)


def test_a_command_longer_than_any_is_refused_and_an_unknown_one_is_echoed_short(bot, arrange):
    with arrange() as session:
        factories.person(session, factories.program(session), slack_user_id="URES1")
    too_long = bot.command("x" * 10_000, user_id="URES1").only_response()
    assert "longer than any `/mentor` command" in too_long["text"]
    unknown = bot.command("frobnicate" * 20 + " <!channel>", user_id="URES1").only_response()
    assert "Sorry, I don't know `/mentor " + "frobnicate" * 4 + "…`" in unknown["text"]
