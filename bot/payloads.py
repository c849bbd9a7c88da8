"""The shape of what Slack sends, checked before Bolt or any listener reads it.

Slack's payloads have a documented shape: a user is an object with a string id, a view's state is
an object of blocks of actions, an option's value is a string. Bolt works out who is asking from
these fields while it builds a request (before any middleware), and every listener reads them as
given; a payload with a list where an object belongs would fail there, deep inside, with a stack
trace and a 500 or an apology. So a payload without Slack's shape is refused as a whole, with a
400 in HTTP mode (mentorbot/http_server.py) and before any listener in Socket Mode (bot/kit.py);
what it names is then still checked against the roster, the database and the access policy.

Only what Bolt and our listeners read is checked; other fields may be anything. `malformed`
returns what is wrong, or None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# A tiny schema language: a type; `Maybe(s)` also allows null; a dict of field -> schema (fields
# marked `Opt` may be missing); `ListOf(s)`; `MapOf(s)`: an object whose values all match `s`.


@dataclass(frozen=True)
class Maybe:
    schema: Any


@dataclass(frozen=True)
class Opt:
    schema: Any


@dataclass(frozen=True)
class ListOf:
    schema: Any
    non_empty: bool = False


@dataclass(frozen=True)
class MapOf:
    schema: Any


@dataclass(frozen=True)
class OneOf:
    schemas: tuple[Any, ...]


@dataclass(frozen=True)
class Matching:
    """A string matching a pattern."""

    pattern: re.Pattern[str]
    what: str


URL = Matching(re.compile(r"https?://\S+"), "a URL")
SLACK_ID = Matching(re.compile(r"[A-Z0-9]{2,64}"), "a Slack id")
TRIGGER = Matching(re.compile(r"\S{1,255}"), "a trigger id")


def _problem(value: Any, schema: Any, where: str) -> str | None:
    if isinstance(schema, Maybe):
        return None if value is None else _problem(value, schema.schema, where)
    if isinstance(schema, OneOf):
        problems = [_problem(value, s, where) for s in schema.schemas]
        return None if None in problems else problems[0]
    if isinstance(schema, Matching):
        ok = isinstance(value, str) and schema.pattern.fullmatch(value) is not None
        return None if ok else f"{where} is not {schema.what}"
    if isinstance(schema, type):
        # bool is an int in Python, never in JSON
        ok = isinstance(value, schema) and not (schema is int and isinstance(value, bool))
        return None if ok else f"{where} is not a {schema.__name__}"
    if isinstance(schema, ListOf):
        if not isinstance(value, list) or (schema.non_empty and not value):
            return f"{where} is not a {'non-empty ' if schema.non_empty else ''}list"
        return next((p for i, item in enumerate(value) if (p := _problem(item, schema.schema, f"{where}[{i}]"))), None)
    if isinstance(schema, MapOf):
        if not isinstance(value, dict):
            return f"{where} is not an object"
        return next((p for key, item in value.items() if (p := _problem(item, schema.schema, f"{where}.{key}"))), None)
    assert isinstance(schema, Mapping), schema
    if not isinstance(value, dict):
        return f"{where} is not an object"
    for name, field in schema.items():
        optional = isinstance(field, Opt)
        if name not in value:
            if optional:
                continue
            return f"{where}.{name} is missing"
        problem = _problem(value[name], field.schema if optional else field, f"{where}.{name}")
        if problem is not None:
            return problem
    return None


# Fields Bolt reads while it builds any request's context (slack_bolt/request/internals.py), and
# the ones the kit reads from every kind of payload.
_ID = OneOf((str, {"id": Opt(Maybe(str))}))
# Objects Bolt looks into for the same ids (an event, the message of an edit, ...).
_NESTED = {
    "user": Opt(Maybe(OneOf((str, {"id": Opt(Maybe(str)), "team_id": Opt(Maybe(str))})))),
    "user_id": Opt(Maybe(str)),
    "team": Opt(Maybe(_ID)),
    "team_id": Opt(Maybe(str)),
    "user_team": Opt(Maybe(str)),
    "enterprise": Opt(Maybe(_ID)),
    "enterprise_id": Opt(Maybe(str)),
    "is_enterprise_install": Opt(Maybe(OneOf((bool, str)))),
    "channel": Opt(Maybe(_ID)),
    "channel_id": Opt(Maybe(str)),
    "thread_ts": Opt(Maybe(str)),
    "item": Opt(Maybe(dict)),
    "inputs": Opt(Maybe(dict)),
}
ENVELOPE = {
    "type": Opt(str),
    "user": Opt(Maybe(OneOf((SLACK_ID, {"id": SLACK_ID, "team_id": Opt(Maybe(SLACK_ID))})))),
    "user_id": Opt(SLACK_ID),
    "team": Opt(Maybe(OneOf((SLACK_ID, {"id": Opt(Maybe(SLACK_ID)), "enterprise_id": Opt(Maybe(str))})))),
    "team_id": Opt(Maybe(SLACK_ID)),
    "enterprise": Opt(Maybe(_ID)),
    "enterprise_id": Opt(Maybe(str)),
    "is_enterprise_install": Opt(Maybe(OneOf((bool, str)))),
    "authorizations": Opt(Maybe(ListOf(_NESTED))),
    "channel": Opt(Maybe(_ID)),
    "channel_id": Opt(Maybe(str)),
    "thread_ts": Opt(Maybe(str)),
    "message": Opt(Maybe(_NESTED)),
    "previous_message": Opt(Maybe(_NESTED)),
    "item": Opt(Maybe(_NESTED)),
    "assistant_thread": Opt(Maybe(_NESTED)),
    "function_execution_id": Opt(Maybe(str)),
    "function_data": Opt(Maybe(dict)),
    "is_ext_shared_channel": Opt(Maybe(bool)),
    "response_url": Opt(URL),
    "response_urls": Opt(ListOf({"response_url": Opt(URL)})),
    "trigger_id": Opt(TRIGGER),
    "view": Opt(dict),
    "container": Opt(dict),
    "event": Opt({**_NESTED, "message": Opt(Maybe(_NESTED)), "previous_message": Opt(Maybe(_NESTED)),
                  "assistant_thread": Opt(Maybe(_NESTED))}),
}  # fmt: skip

_OPTION = {"value": str}
# What a view's state holds for one input (only the fields our forms read).
_INPUT_STATE = {
    "type": Opt(str),
    "value": Opt(Maybe(str)),
    "selected_option": Opt(Maybe(_OPTION)),
    "selected_options": Opt(Maybe(ListOf(_OPTION))),
    "selected_date": Opt(Maybe(str)),
    "selected_time": Opt(Maybe(str)),
}
VIEW = {
    "id": SLACK_ID,
    "type": Opt(str),
    "callback_id": Opt(Maybe(str)),
    "private_metadata": Opt(Maybe(str)),
    "hash": Opt(Maybe(str)),
    "team_id": Opt(Maybe(str)),
    "app_installed_team_id": Opt(Maybe(str)),
    "state": Opt(Maybe({"values": MapOf(MapOf(_INPUT_STATE))})),
    "blocks": Opt(Maybe(list)),
}
_ACTION = {
    "action_id": str,
    "block_id": Opt(Maybe(str)),
    "value": Opt(Maybe(str)),
    "selected_option": Opt(Maybe(_OPTION)),
    "selected_options": Opt(Maybe(ListOf(_OPTION))),
}
_USER = {"id": SLACK_ID}
BY_TYPE: dict[str, dict[str, Any]] = {
    "block_actions": {"user": _USER, "trigger_id": TRIGGER, "actions": ListOf(_ACTION, non_empty=True), "view": Opt(Maybe(VIEW))},
    "view_submission": {
        "user": _USER,
        "view": {**VIEW, "type": str, "callback_id": str, "state": {"values": MapOf(MapOf(_INPUT_STATE))}},
    },
    "view_closed": {"user": _USER, "view": {**VIEW, "type": str}},
    "block_suggestion": {"user": _USER, "action_id": str, "block_id": Opt(Maybe(str)), "value": str, "view": Opt(Maybe(VIEW))},
    "event_callback": {
        "team_id": SLACK_ID,
        "event": {"type": str, "user": Opt(str), "tab": Opt(Maybe(str)), "channel": Opt(_ID)},
    },
    "url_verification": {"challenge": str},
}
# Events, by their type: what their listeners read.
BY_EVENT: dict[str, dict[str, Any]] = {
    "app_home_opened": {"user": SLACK_ID, "tab": Opt(Maybe(str))},
}
# A slash command arrives form-encoded: every field is a string; these must be there.
COMMAND_FIELDS = ("command", "text", "user_id", "team_id", "response_url", "trigger_id")


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def malformed(body: Any) -> str | None:
    """What is wrong with a parsed request body (a form's fields, or a JSON payload), or None."""
    if not isinstance(body, dict):
        return "the body is not an object"
    if _holds_nul(body):  # Slack never sends one; PostgreSQL refuses it in text
        return "a NUL character"
    if "command" in body:
        missing = [name for name in COMMAND_FIELDS if not isinstance(body.get(name), str)]
        if missing:
            return f"a slash command without {', '.join(missing)}"
        return (
            _problem(body["response_url"], URL, "response_url")
            or _problem(body["trigger_id"], TRIGGER, "trigger_id")
            or _problem(body["user_id"], SLACK_ID, "user_id")
            or _problem(body["team_id"], SLACK_ID, "team_id")
        )
    if "ssl_check" in body:
        return None
    problem = _problem(body, ENVELOPE, "payload")
    if problem is not None:
        return problem
    kind = body.get("type")
    problem = _problem(body, BY_TYPE[kind], "payload") if kind in BY_TYPE else None
    if problem is None and kind == "event_callback" and body["event"]["type"] in BY_EVENT:
        problem = _problem(body["event"], BY_EVENT[body["event"]["type"]], "payload.event")
    return problem
