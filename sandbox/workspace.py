"""The Slack client's side of the sandbox: what each person sees, and the requests their clicks send.

Slack's servers are the stand-in (`FakeSlack`); this module plays the Slack app in the browser:
it signs and POSTs slash commands, clicks, submissions, option searches and events to the bot
exactly as Slack would, keeps each person's stack of open modals, and collects their private
(ephemeral) answers. The page (sandbox/server.py) shows `snapshot(user)` and calls the rest.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack

APP_CONVERSATION = "app"  # the person's DM with the bot (Messages tab), where /mentor answers show
REQUEST_TIMEOUT_SECONDS = 10


class BotUnreachable(Exception):
    """The bot did not answer a request the way Slack needs (no 200 within the time limit)."""


@dataclass
class _Entry:
    """Something only this person sees in their conversation with the bot."""

    seq: int
    kind: str  # "ephemeral" (an answer only they can see) or "command" (what they typed)
    text: str
    at: datetime
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Person:
    modals: list[str] = field(default_factory=list)  # view ids, bottom to top
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # view id -> block id -> message
    triggers: dict[str, bool] = field(default_factory=dict)  # trigger id -> issued inside a modal
    response_names: list[str] = field(default_factory=list)
    responses_seen: dict[str, int] = field(default_factory=dict)
    entries: list[_Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """How the bot answered one request: the HTTP status and its ack body, parsed when JSON."""

    status: int
    ack: dict[str, Any]


class Workspace:
    def __init__(
        self,
        fake: FakeSlack,
        *,
        events_url: str,
        signing_secret: str,
        team_id: str,
        channel_id: str,
        channel_name: str,
        coordinators: frozenset[str],
        clock: Callable[[], datetime],
        zones: Mapping[str, ZoneInfo],
    ) -> None:
        self.fake, self.events_url, self.signing_secret, self.team_id = fake, events_url, signing_secret, team_id
        self.channel_id, self.channel_name, self.coordinators = channel_id, channel_name, coordinators
        self.clock, self.zones = clock, zones
        self._people: dict[str, _Person] = {}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._views_placed: set[str] = set()
        self._first_seen: dict[tuple[str, str], int] = {}

    # ----------------------------------------------------------------- sending, as Slack does

    def _person(self, user_id: str) -> _Person:
        return self._people.setdefault(user_id, _Person())

    def _trigger(self, user_id: str, *, in_modal: bool) -> str:
        trigger = f"{next(self._ids)}.{user_id}.sandbox"
        with self._lock:
            self._person(user_id).triggers[trigger] = in_modal
        return trigger

    def _response_url(self, user_id: str) -> tuple[str, str]:
        name = f"{user_id}-{next(self._ids)}"
        with self._lock:
            self._person(user_id).response_names.append(name)
        return name, self.fake.response_url(name)

    def _send(self, built: slack.Built) -> Outcome:
        request = slack.signed(self.signing_secret, built)
        try:
            status, body, _ = request.post(self.events_url, timeout=REQUEST_TIMEOUT_SECONDS)
        except OSError as error:
            raise BotUnreachable(f"the bot did not answer ({error})") from None
        if status == 404:
            raise BotUnreachable("The bot has no handler for that (it answered 404), so nothing happened.")
        if status != 200:
            raise BotUnreachable(f"The bot refused the request (HTTP {status}).")
        try:
            ack = json.loads(body) if body.strip().startswith("{") else ({"text": body} if body.strip() else {})
        except ValueError:
            ack = {}
        return Outcome(status, ack)

    def command(self, user_id: str, text: str) -> Outcome:
        """`/mentor <text>` typed in the person's DM with the bot."""
        trigger = self._trigger(user_id, in_modal=False)
        _, response_url = self._response_url(user_id)
        with self._lock:
            self._add_entry(user_id, "command", f"/mentor {text}".rstrip())
        dm = self.fake.dm_channel(user_id) or "D0SANDBOX"
        outcome = self._send(
            slack.slash_command(
                text, user_id=user_id, response_url=response_url, team_id=self.team_id, trigger_id=trigger, channel_id=dm
            )
        )
        if outcome.ack.get("text") or outcome.ack.get("blocks"):
            with self._lock:
                self._add_entry(user_id, "ephemeral", str(outcome.ack.get("text", "")), outcome.ack.get("blocks") or [])
        return outcome

    def _click(self, user_id: str, action: dict[str, Any], *, in_modal: bool, **where: Any) -> Outcome:
        return self._send(
            slack.block_actions(
                str(action["action_id"]),
                user_id=user_id,
                team_id=self.team_id,
                trigger_id=self._trigger(user_id, in_modal=in_modal),
                **where,
                **_action_fields(action),
            )
        )

    def click_in_message(self, user_id: str, *, channel: str, ts: str, action: dict[str, Any]) -> Outcome:
        message = next((m for m in self.fake.messages(channel) if m["ts"] == ts), None)
        if message is None:
            raise LookupError("that message is gone")
        name, response_url = self._response_url(user_id)
        self.fake.bind_response_url(name, channel=channel, ts=ts)
        return self._click(
            user_id, action, in_modal=False, response_url=response_url, channel_id=channel, message_ts=ts, message=message
        )

    def click_in_view(self, user_id: str, *, view_id: str, action: dict[str, Any], values: dict[str, Any]) -> Outcome:
        """A click in a modal (``values``: its inputs' current state) or on the App Home."""
        view = self.fake.view(view_id)
        if view is None:
            raise LookupError("that view is gone")
        view["state"] = {"values": values}
        return self._click(user_id, action, in_modal=view.get("type") == "modal", view=view)

    def suggest(self, user_id: str, *, view_id: str, action_id: str, block_id: str, value: str) -> list[dict[str, Any]]:
        """The options the bot offers while the person types ``value`` in an external select."""
        view = self.fake.view(view_id)
        if view is None:
            raise LookupError("that view is gone")
        outcome = self._send(
            slack.block_suggestion(action_id, user_id=user_id, value=value, block_id=block_id, team_id=self.team_id, view=view)
        )
        if "option_groups" in outcome.ack:
            return [o for group in outcome.ack["option_groups"] for o in group.get("options", [])]
        return list(outcome.ack.get("options", []))

    def submit(self, user_id: str, *, view_id: str, values: dict[str, Any]) -> Outcome:
        """Press the modal's submit button; apply the ack's response_action as Slack does."""
        view = self.fake.view(view_id)
        if view is None:
            raise LookupError("that view is gone")
        outcome = self._send(
            slack.view_submission(
                str(view.get("callback_id") or ""),
                user_id=user_id,
                values=values,
                private_metadata=str(view.get("private_metadata") or ""),
                team_id=self.team_id,
                view_id=view_id,
                hash=str(view.get("hash") or ""),
                view={k: view[k] for k in ("blocks", "title", "submit", "close", "external_id") if k in view},
            )
        )
        if outcome.status != 200:
            return outcome
        with self._lock:
            person = self._person(user_id)
            person.errors.pop(view_id, None)
            action = outcome.ack.get("response_action")
            if action == "errors":
                person.errors[view_id] = {str(k): str(v) for k, v in (outcome.ack.get("errors") or {}).items()}
            elif action == "update":
                self.fake.replace_view(view_id, outcome.ack["view"], hash_when_submitted=str(view.get("hash") or ""))
            elif action == "push":
                pushed = self.fake.push_view(outcome.ack["view"], trigger_id=self._trigger(user_id, in_modal=True))
                self._views_placed.add(pushed["id"])
                person.modals.append(pushed["id"])
            elif action == "clear":
                person.modals.clear()
            elif view_id in person.modals:
                person.modals.remove(view_id)
        return outcome

    def close_modal(self, user_id: str, *, view_id: str) -> None:
        with self._lock:
            person = self._person(user_id)
            if view_id in person.modals:
                del person.modals[person.modals.index(view_id) :]

    def close_all_modals(self, user_id: str) -> None:
        with self._lock:
            self._person(user_id).modals.clear()

    def open_home(self, user_id: str) -> Outcome:
        dm = self.fake.dm_channel(user_id) or "D0SANDBOX"
        return self._send(slack.app_home_opened(user_id, channel=dm, team_id=self.team_id))

    # ----------------------------------------------------------------- what the person sees

    def _add_entry(self, user_id: str, kind: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        self._person(user_id).entries.append(_Entry(next(self._ids), kind, text, self.clock(), blocks or []))

    def _collect(self, user_id: str) -> _Person:
        """Take in what the bot sent since the last look: private answers and modals it opened."""
        person = self._person(user_id)
        for name in person.response_names:
            answers = self.fake.responses(name)
            for body in answers[person.responses_seen.get(name, 0) :]:
                if not (_truthy(body.get("replace_original")) or _truthy(body.get("delete_original"))):
                    self._add_entry(user_id, "ephemeral", str(body.get("text", "")), body.get("blocks") or [])
            person.responses_seen[name] = len(answers)
        for trigger, in_modal in list(person.triggers.items()):
            for view in self.fake.views_opened_with(trigger):
                if view["id"] in self._views_placed:
                    continue
                self._views_placed.add(view["id"])
                if not in_modal:
                    person.modals.clear()
                person.modals.append(view["id"])
        return person

    def bot_answered(self, user_id: str, *, entries_seen: int) -> bool:
        """True once the bot opened a modal for the person, or added to what they had seen."""
        with self._lock:
            person = self._collect(user_id)
            return bool(person.modals) or len(person.entries) > entries_seen

    def entry_count(self, user_id: str) -> int:
        with self._lock:
            return len(self._person(user_id).entries)

    def top_modal(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            person = self._collect(user_id)
            return self.fake.view(person.modals[-1]) if person.modals else None

    def _order(self, channel: str, ts: str) -> int:
        key = (channel, ts)
        if key not in self._first_seen:
            self._first_seen[key] = next(self._ids)
        return self._first_seen[key]

    def _time_label(self, moment: datetime, viewer: str) -> str:
        """When, in the viewer's own time zone, as Slack shows it: "Wed Nov 4, 09:00 PST"."""
        local = moment.astimezone(self.zones.get(viewer, UTC))
        return f"{local:%a %b} {local.day}, {local:%H:%M %Z}"

    def _conversation(self, channel: str, title: str, kind: str, viewer: str) -> dict[str, Any]:
        messages = [
            {"ts": m["ts"], "text": m.get("text", ""), "blocks": m.get("blocks") or [], "files": m.get("files") or [],
             "edited": "edited" in m, "seq": self._order(channel, m["ts"]),
             "time": self._time_label(datetime.fromtimestamp(float(m["ts"]), UTC), viewer)}
            for m in self.fake.messages(channel) if m.get("thread_ts", m["ts"]) == m["ts"]
        ]  # fmt: skip
        return {"id": channel, "title": title, "kind": kind, "messages": messages}

    def snapshot(self, user_id: str, names: dict[str, str]) -> dict[str, Any]:
        """Everything the page shows for this person, as JSON-ready data."""
        with self._lock:
            person = self._collect(user_id)
            conversations: list[dict[str, Any]] = []
            dm = self.fake.dm_channel(user_id) or ""
            app = self._conversation(dm, "Mentorbot", APP_CONVERSATION, user_id)
            app["id"], app["channel"] = APP_CONVERSATION, dm
            app["messages"] += [
                {"ts": "", "text": e.text, "blocks": e.blocks, "files": [], "edited": False, "seq": e.seq, "kind": e.kind,
                 "time": self._time_label(e.at, user_id)}
                for e in person.entries
            ]  # fmt: skip
            app["messages"].sort(key=lambda m: m["seq"])
            conversations.append(app)
            for channel, members in self.fake.conversations_of(user_id):
                if len(members) > 1:
                    others = sorted(names.get(u, u) for u in members if u != user_id)
                    conversations.append(self._conversation(channel, ", ".join(others) + " and Mentorbot", "group", user_id))
            if user_id in self.coordinators:
                conversations.append(self._conversation(self.channel_id, "#" + self.channel_name, "channel", user_id))
            modal = None
            if person.modals:
                top = self.fake.view(person.modals[-1])
                if top is not None:
                    modal = {"view": top, "errors": person.errors.get(top["id"], {}), "depth": len(person.modals)}
            return {"conversations": conversations, "home": self.fake.home_view(user_id), "modal": modal}


def _truthy(value: Any) -> bool:
    return value in (True, "true", 1, "1")


def _action_fields(action: dict[str, Any]) -> dict[str, Any]:
    """The clicked element as Slack reports it in block_actions (type, value, selection...)."""
    fields = {k: v for k, v in action.items() if k not in ("action_id",)}
    fields.setdefault("type", "button")
    fields.setdefault("block_id", "b")
    return fields
