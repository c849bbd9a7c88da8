"""Requests shaped and signed the way Slack sends them to an app.

Builders return ``(body, content_type)``; ``signed(secret, built)`` adds Slack's signature
headers and gives a ``SignedRequest`` that can be dispatched in-process to a Bolt app or POSTed
over real HTTP. Sign on the test's main thread: freezegun does not follow threads.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
APP_ID = "A0001"
VERIFICATION_TOKEN = "legacy-verification-token"  # Slack still sends it; Bolt ignores it

_event_ids = itertools.count(1)
_trigger_ids = itertools.count(1)
_THIS_PROCESS = uuid.uuid4().hex[:12]


def new_trigger_id() -> str:
    """Unique, as Slack's are: each command, click or submission gets its own (the bot does a
    request's work once per trigger_id, see bot/kit.py)."""
    return f"{next(_trigger_ids)}.{_THIS_PROCESS}"


Built = tuple[str, str]  # (body, content_type)


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature headers for ``body`` (timestamp defaults to now)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _interactive(payload: dict[str, Any]) -> Built:
    return urlencode({"payload": json.dumps(payload)}), FORM


def slash_command(
    text: str,
    *,
    user_id: str,
    response_url: str,
    team_id: str = "T0001",
    command: str = "/mentor",
    trigger_id: str | None = None,
    channel_id: str = "D123",
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> Built:
    """`enterprise_id`: a workspace of an Enterprise Grid organization; `is_enterprise_install`: the
    app is installed org-wide there."""
    fields = {
        "token": VERIFICATION_TOKEN, "team_id": team_id, "team_domain": "fake-workspace",
        "channel_id": channel_id, "channel_name": "directmessage", "user_id": user_id,
        "user_name": user_id.lower(), "command": command, "text": text, "api_app_id": APP_ID,
        "is_enterprise_install": "true" if is_enterprise_install else "false",
        "response_url": response_url, "trigger_id": trigger_id or new_trigger_id(),
    }  # fmt: skip
    if enterprise_id is not None:
        fields |= {"enterprise_id": enterprise_id, "enterprise_name": f"{enterprise_id} org"}
    return urlencode(fields), FORM


def block_actions(
    action_id: str,
    *,
    user_id: str,
    value: str | None = None,
    team_id: str = "T0001",
    trigger_id: str | None = None,
    view: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    response_url: str | None = None,
    block_id: str = "b",
    channel_id: str = "D123",
    message_ts: str = "1700000000.000001",
    message: dict[str, Any] | None = None,
    **action_fields: Any,
) -> Built:
    """A button click by default; pass e.g. ``type="static_select", selected_option={...}``."""
    action: dict[str, Any] = {"type": "button", "action_id": action_id, "block_id": block_id, "action_ts": "1.5"}
    if value is not None:
        action["value"] = value
    action.update(action_fields)
    payload: dict[str, Any] = {
        "type": "block_actions", "user": _user(user_id, team_id), "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN, "trigger_id": trigger_id or new_trigger_id(), "team": {"id": team_id, "domain": "fake-workspace"},
        "enterprise": None, "is_enterprise_install": False, "actions": [action], "state": {"values": {}},
    }  # fmt: skip
    if view is not None:  # a click inside a modal or the home tab
        full = {"id": "V1", "team_id": team_id, "hash": "h1", "private_metadata": "", "callback_id": "",
                "state": {"values": {}}, "blocks": [], "app_id": APP_ID} | view  # fmt: skip
        payload["view"] = full
        payload["container"] = container or {"type": "view", "view_id": full["id"]}
    else:  # a click on a message
        payload["container"] = container or {
            "type": "message", "message_ts": message_ts, "channel_id": channel_id, "is_ephemeral": False,
        }  # fmt: skip
        payload["channel"] = {"id": channel_id, "name": "directmessage"}
        payload["message"] = message or {"type": "message", "ts": message_ts, "text": "", "blocks": []}
    if response_url is not None:
        payload["response_url"] = response_url
    return _interactive(payload)


def view_submission(
    callback_id: str,
    *,
    user_id: str,
    values: dict[str, dict[str, Any]],
    private_metadata: str = "",
    team_id: str = "T0001",
    view_id: str = "V1",
    hash: str = "h1",
    view: dict[str, Any] | None = None,
) -> Built:
    """``values`` is Slack's ``view.state.values``: {block_id: {action_id: {...}}}.

    Shorthand: a plain string (or None, left empty) stands for a plain_text_input's value. ``view``: the view as Slack
    stored it (blocks, title...), when the submission should carry it whole as Slack's does.
    """
    state = {
        block_id: {
            action_id: {"type": "plain_text_input", "value": v} if v is None or isinstance(v, str) else v
            for action_id, v in actions.items()
        }
        for block_id, actions in values.items()
    }
    payload = {
        "type": "view_submission", "team": {"id": team_id, "domain": "fake-workspace"},
        "user": _user(user_id, team_id), "api_app_id": APP_ID, "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(), "is_enterprise_install": False, "enterprise": None, "response_urls": [],
        "view": {
            "id": view_id, "team_id": team_id, "type": "modal", "callback_id": callback_id,
            "private_metadata": private_metadata, "state": {"values": state}, "hash": hash,
            "title": {"type": "plain_text", "text": "Mentorbot"}, "blocks": [], "clear_on_close": False,
            "notify_on_close": False, "root_view_id": view_id, "previous_view_id": None,
            "app_id": APP_ID, "external_id": "", "bot_id": "B0001",
        },
    }  # fmt: skip
    if view is not None:
        payload["view"] = {**payload["view"], **view, "state": {"values": state}}  # type: ignore[dict-item]
    return _interactive(payload)


def block_suggestion(
    action_id: str,
    *,
    user_id: str,
    value: str = "",
    block_id: str = "b",
    team_id: str = "T0001",
    view: dict[str, Any] | None = None,
) -> Built:
    """Slack asking for an external select's options while someone types ``value``."""
    full = {"id": "V1", "team_id": team_id, "type": "modal", "private_metadata": "", "callback_id": "",
            "state": {"values": {}}, "blocks": [], "app_id": APP_ID} | (view or {})  # fmt: skip
    payload = {
        "type": "block_suggestion", "user": _user(user_id, team_id), "container": {"type": "view", "view_id": full["id"]},
        "api_app_id": APP_ID, "token": VERIFICATION_TOKEN, "action_id": action_id, "block_id": block_id,
        "value": value, "team": {"id": team_id, "domain": "fake-workspace"}, "view": full,
    }  # fmt: skip
    return _interactive(payload)


def event_callback(
    event: dict[str, Any],
    *,
    team_id: str = "T0001",
    event_id: str | None = None,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> Built:
    """As for slash_command: an org-wide install's authorization names the organization, not the team."""
    envelope = {
        "token": VERIFICATION_TOKEN, "team_id": team_id, "api_app_id": APP_ID, "event": event,
        "type": "event_callback", "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()), "is_ext_shared_channel": False,
        "authorizations": [{"enterprise_id": enterprise_id, "team_id": None if is_enterprise_install else team_id,
                            "user_id": "UBOT", "is_bot": True, "is_enterprise_install": is_enterprise_install}],
    }  # fmt: skip
    if enterprise_id is not None:
        envelope["enterprise_id"] = enterprise_id
    return json.dumps(envelope), JSON


def app_uninstalled(**kwargs: Any) -> Built:
    return event_callback({"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"}, **kwargs)


def tokens_revoked(*, bot_user_ids: Sequence[str] = ("UBOT",), **kwargs: Any) -> Built:
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": list(bot_user_ids)}, "event_ts": f"{time.time():.6f}"}
    return event_callback(event, **kwargs)


def app_home_opened(user_id: str, *, channel: str = "D123", tab: str = "home", **kwargs: Any) -> Built:
    event = {"type": "app_home_opened", "user": user_id, "channel": channel, "tab": tab,
             "event_ts": f"{time.time():.6f}"}  # fmt: skip
    return event_callback(event, **kwargs)


# ---------------------------------------------------------------------- sending


def to_bolt_request(body: str, headers: dict[str, str]) -> BoltRequest:
    """For ``app.dispatch(...)``: the whole middleware chain, signature check included."""
    return BoltRequest(body=body, headers=dict(headers.items()))


def post(url: str, body: str, headers: dict[str, str], *, timeout: float = 5.0) -> tuple[int, str, dict[str, str]]:
    """POST over real HTTP; returns (status, body, headers) for any status."""
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8"), dict(error.headers.items())


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str]

    def to_bolt_request(self) -> BoltRequest:
        return to_bolt_request(self.body, self.headers)

    def post(self, url: str, *, timeout: float = 5.0) -> tuple[int, str, dict[str, str]]:
        return post(url, self.body, self.headers, timeout=timeout)


def signed(secret: str, built: Built, *, timestamp: int | None = None) -> SignedRequest:
    """Sign a builder's result: ``signed(SECRET, slash_command("help", ...))``."""
    body, content_type = built
    return SignedRequest(body, {"Content-Type": content_type, **sign(secret, body, timestamp)})
