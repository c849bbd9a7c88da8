"""Drive the real Bolt app the way Slack does: signed requests, dispatched in-process.

Each method returns what the person would see: the HTTP ack and anything the app sent back
through response_url; the fake Slack's transcript holds every Web API call.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.commands import CommandRouter
from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack, view_problems

OPTIONS_MAX = 100
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150

_reply_names = itertools.count(1)


@dataclass(frozen=True)
class Reply:
    status: int
    ack: str
    responses: list[dict[str, Any]]

    @property
    def ack_json(self) -> dict[str, Any]:
        return json.loads(self.ack) if self.ack else {}

    def only_response(self) -> dict[str, Any]:
        assert len(self.responses) == 1, f"expected exactly one private reply, got {self.responses}"
        return self.responses[0]

    def text(self) -> str:
        """Everything the person was shown, as one string (for content assertions)."""
        return "\n".join(json.dumps(r) for r in self.responses) + self.ack


@dataclass
class BotHarness:
    app: App
    router: CommandRouter
    fake: FakeSlack
    signing_secret: str
    dispatched: list[BoltResponse] = field(default_factory=list)

    def _dispatch(self, built: slack.Built, response_name: str | None = None, headers: dict[str, str] | None = None) -> Reply:
        request = slack.signed(self.signing_secret, built)
        request.headers.update(headers or {})  # e.g. X-Slack-Retry-Num: Slack resending the same request
        response = self.app.dispatch(request.to_bolt_request())
        self.dispatched.append(response)
        self._check_ack(response.body)
        responses = self.fake.responses(response_name) if response_name else []
        return Reply(status=response.status, ack=response.body, responses=responses)

    def _check_ack(self, body: str) -> None:
        """Views and option lists in an ack go straight to Slack: hold them to Slack's rules too."""
        try:
            ack = json.loads(body) if body.startswith("{") else {}
        except ValueError:
            return
        problems: list[str] = []
        if ack.get("response_action") in ("update", "push"):
            problems += view_problems(ack.get("view"), expected_type="modal")
        if "options" in ack:
            options = ack["options"]
            if len(options) > OPTIONS_MAX:
                problems.append(f"{len(options)} options, more than {OPTIONS_MAX}")
            for o in options:
                if len(o["text"]["text"]) > OPTION_TEXT_MAX or len(o["value"]) > OPTION_VALUE_MAX:
                    problems.append(f"option too long: {o}")
        if ack.get("response_action") == "errors" and not ack.get("errors"):
            problems.append("response_action errors without errors")
        self.fake.violations.extend(f"ack: {p}" for p in problems)

    def command(self, text: str, *, user_id: str, team_id: str = "T0001", trigger_id: str | None = None) -> Reply:
        name = f"cmd{next(_reply_names)}"
        built = slack.slash_command(
            text, user_id=user_id, team_id=team_id, trigger_id=trigger_id, response_url=self.fake.response_url(name)
        )
        return self._dispatch(built, name)

    def click(self, action_id: str, *, user_id: str, value: str | None = None, **kwargs: Any) -> Reply:
        name = f"act{next(_reply_names)}"
        kwargs.setdefault("response_url", self.fake.response_url(name))
        return self._dispatch(slack.block_actions(action_id, user_id=user_id, value=value, **kwargs), name)

    def submit(
        self,
        callback_id: str,
        *,
        user_id: str,
        values: dict[str, dict[str, Any]],
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Reply:
        return self._dispatch(slack.view_submission(callback_id, user_id=user_id, values=values, **kwargs), headers=headers)

    def opened_view(self) -> dict[str, Any]:
        """The modal the bot opened last (as Slack stored it, with its id and hash)."""
        calls = [c for c in self.fake.calls_to("views.open") if c.ok]
        assert calls, "the bot opened no modal"
        return calls[-1].response["view"]

    def submit_view(self, view: dict[str, Any], *, user_id: str, values: dict[str, dict[str, Any]], **kwargs: Any) -> Reply:
        """Submit a modal the bot opened, as Slack would: same callback, metadata and view id."""
        kwargs.setdefault("private_metadata", view.get("private_metadata", ""))
        kwargs.setdefault("view_id", view["id"])
        kwargs.setdefault("hash", view["hash"])
        return self.submit(view["callback_id"], user_id=user_id, values=values, **kwargs)

    def suggest_reply(self, action_id: str, *, user_id: str, value: str = "", **kwargs: Any) -> Reply:
        return self._dispatch(slack.block_suggestion(action_id, user_id=user_id, value=value, **kwargs))

    def suggest(self, action_id: str, *, user_id: str, value: str = "", **kwargs: Any) -> list[dict[str, Any]]:
        """The options the bot offers in an external select while someone types `value`."""
        reply = self.suggest_reply(action_id, user_id=user_id, value=value, **kwargs)
        assert reply.status == 200, reply
        return reply.ack_json.get("options", [])

    def open_home(self, user_id: str, **kwargs: Any) -> Reply:
        return self._dispatch(slack.app_home_opened(user_id, **kwargs))
