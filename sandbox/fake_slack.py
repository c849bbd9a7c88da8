"""A recording fake of the Slack Web API, served over real HTTP on loopback.

Point a real ``slack_sdk.WebClient(token="xoxb-...", base_url=fake.url)`` (or a Bolt ``App``
built with that client) at it. The fake keeps just enough state to answer like Slack (users,
channels, DMs, messages, views, files), records every call, and refuses malformed requests the
way Slack would. A refusal that can only come from a product bug (a missing argument, invalid
Block Kit, no token...) is also appended to ``violations`` so that tests can assert it stays
empty: a bug must never be silently accepted.

Failures can be injected deterministically (``fail_next``, ``set_failure_rate``, ``delay``).

Imitated Slack behaviour worth knowing:
- Errors are HTTP 200 ``{"ok": false, "error": ...}``; 429 carries ``Retry-After``.
- ``chat.postMessage`` to a user id posts to that user's DM, as Slack does.
- ``conversations.history`` is newest first, leaves out thread replies and ephemerals, and
  includes ``metadata`` only with ``include_all_metadata``.
- Message errors: ``no_text``, ``msg_too_long``, ``invalid_blocks``, ``invalid_metadata_format``.
  View errors are ``invalid_arguments`` with details in ``response_metadata.messages``.
- A response_url accepts five posts (Slack: "up to 5 times within 30 minutes").
- ``apps.connections.open`` takes the app-level (xapp-) token and answers ``socket_mode_url``
  (set it to a ``tests.support.fake_socket_mode.FakeSocketMode``'s ``url``).
- Calls are recorded once the fake has decided its answer, before any injected delay.
- Several workspaces (the OAuth install flow): ``add_workspace``/``add_organization`` and
  ``set_oauth_app``; ``GET /oauth/v2/authorize?...&team=T…`` stands for a person approving the
  install there and redirects to the app's redirect URL with a code, which ``oauth.v2.access``
  (HTTP Basic client credentials) turns into a bot token of that workspace. ``auth.test``
  answers per token; ``uninstall`` revokes a workspace's tokens (calls with them then get
  ``token_revoked``, as Slack answers). ``Call.token`` says which token a call carried.
"""

from __future__ import annotations

import base64
import copy
import email.parser
import email.policy
import itertools
import json
import random
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

# Documented limits that slack_sdk's models do not (all) check.
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
MESSAGE_TEXT_MAX = 40_000
HEADER_TEXT_MAX = 150
SECTION_TEXT_MAX = 3000
MODAL_TEXT_MAX = 24  # title, submit, close
PRIVATE_METADATA_MAX = 3000
VIEW_JSON_MAX = 250_000
MPIM_USERS_MAX = 8
RESPONSE_URL_USES = 5

# Required arguments per method, in one place. "a|b" means either one.
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("channel",),
    "chat.postEphemeral": ("channel", "user"),
    "chat.update": ("channel", "ts"),
    "chat.delete": ("channel", "ts"),
    "conversations.open": ("users|channel",),
    "conversations.history": ("channel",),
    "users.info": ("user",),
    "users.lookupByEmail": ("email",),
    "views.open": ("trigger_id", "view"),
    "views.push": ("trigger_id", "view"),
    "views.update": ("view_id|external_id", "view"),
    "views.publish": ("user_id", "view"),
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
}
# Slack's own error name for a missing argument, where it has one; otherwise invalid_arguments.
MISSING_ARG_ERRORS = {"channel": "channel_not_found", "user": "user_not_found", "email": "users_not_found"}
# Methods Slack has retired: calling them is a product bug.
RETIRED_METHODS = {"files.upload": "method_deprecated"}
# Form-encoded calls carry these as JSON strings.
JSON_STRING_ARGS = ("blocks", "attachments", "view", "metadata", "files")

_FAILURE_BODIES = {429: "ratelimited"}


@dataclass(frozen=True)
class Call:
    """One request the fake received, with the answer it gave."""

    method: str  # Web API method, or "response_url" / "file_upload"
    args: dict[str, Any]  # JSON-string arguments already decoded
    headers: dict[str, str]
    status: int
    response: dict[str, Any]
    time: float
    applied: bool  # False when an injected failure pre-empted the call
    path: str

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.response.get("ok") is True

    @property
    def token(self) -> str | None:
        """The token the call carried (Authorization: Bearer, or a token argument)."""
        return _bearer(self.headers.get("Authorization")) or self.args.get("token")


@dataclass
class FakeWorkspace:
    """A workspace, or (``is_organization``) an Enterprise Grid organization, the app can be installed in."""

    team_id: str  # the enterprise ID for an organization
    name: str
    enterprise_id: str | None = None
    is_organization: bool = False
    bot_user_id: str = "UBOT"
    tokens: list[str] = field(default_factory=list)  # issued, newest last
    revoked: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _OAuthApp:
    client_id: str
    client_secret: str
    redirect_url: str


@dataclass(frozen=True)
class UploadedFile:
    file_id: str
    filename: str
    title: str | None
    channel_id: str | None
    content: bytes


@dataclass
class _Failure:
    status: int  # 200 with no error = answer normally (a pure delay)
    error: str | None
    retry_after: int
    delay: float
    process_first: bool

    @property
    def passthrough(self) -> bool:
        return self.status == 200 and self.error is None

    def answer(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        error = self.error or _FAILURE_BODIES.get(self.status, "internal_error")
        headers = {"Retry-After": str(self.retry_after)} if self.status == 429 else {}
        return self.status, {"ok": False, "error": error}, headers


@dataclass
class _FailureRate:
    rate: float
    rng: random.Random
    kinds: tuple[str, ...]
    exempt: frozenset[str]
    timeout_delay: float
    timeout_processed: bool
    retry_after: int


class _Refusal(Exception):
    """Slack answers ok:false. ``violation`` marks a refusal only a product bug can cause."""

    def __init__(self, error: str, violation: str | None = None, *, status: int = 200):
        super().__init__(error)
        self.error, self.violation, self.status = error, violation, status


@dataclass
class _Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeSlack:
    def __init__(
        self,
        *,
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        token_prefix: str = "xoxb-",
        bot_id: str = "B0001",
        app_id: str = "A0001",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``clock``: when given, message timestamps are its time (epoch seconds, as Slack's are);
        otherwise they count up from a fixed second."""
        self.team_id, self.bot_user_id, self.bot_id, self.app_id = team_id, bot_user_id, bot_id, app_id
        self._clock = clock
        self.token_prefix = token_prefix
        self.violations: list[str] = []
        # apps.connections.open answers with this URL; point it at a FakeSocketMode's ``url``.
        self.socket_mode_url: str | None = None
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._calls: list[Call] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._dms: dict[frozenset[str], str] = {}
        self._dm_members: dict[str, frozenset[str]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: dict[str, list[dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._opened_by_trigger: dict[str, str] = {}  # trigger_id -> view id, for load tests' lookups
        self._home: dict[str, dict[str, Any]] = {}
        self._responses: dict[str, list[dict[str, Any]]] = {}
        self._response_targets: dict[str, tuple[str, str]] = {}  # response_url name -> (channel, ts)
        self._view_triggers: dict[str, str] = {}  # view id -> the trigger_id that opened or pushed it
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._uploaded: list[UploadedFile] = []
        self._fail_next: dict[str, deque[list[Any]]] = {}  # method -> [[failure, times_left]]
        self._delays: dict[str, float] = {}
        self._rate: _FailureRate | None = None
        self._oauth_app: _OAuthApp | None = None
        self._workspaces: dict[str, FakeWorkspace] = {}
        self._codes: dict[str, tuple[FakeWorkspace, str]] = {}  # one-time code -> (where, scopes)
        self._token_owners: dict[str, FakeWorkspace] = {}
        self._current_token: str | None = None  # the call being answered's (under the lock)
        self.add_user(bot_user_id, name="mentorbot", is_bot=True)

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> FakeSlack:
        self._stopping.clear()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="FakeSlack"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in an injected delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        assert self._server is not None, "FakeSlack is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``."""
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    # ----------------------------------------------------------------- state set-up

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "America/New_York",
        tz_offset: int | None = None,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        now = datetime.now(ZoneInfo(tz))  # noqa: TID251 -- Slack reports the offset in force now
        if tz_offset is None:
            tz_offset = int(now.utcoffset().total_seconds())  # type: ignore[union-attr]
        profile: dict[str, Any] = {"real_name": real_name or name, "display_name": name}
        if email is not None:
            profile["email"] = email
        user = {
            "id": user_id, "team_id": self.team_id, "name": name, "deleted": deleted,
            "real_name": real_name or name, "tz": tz, "tz_label": now.tzname(), "tz_offset": tz_offset,
            "is_bot": is_bot, "is_admin": False, "profile": profile,
        }  # fmt: skip
        with self._lock:
            self._users[user_id] = user

    def set_oauth_app(self, *, client_id: str, client_secret: str, redirect_url: str) -> None:
        """The app's credentials and its redirect URL, as its settings on api.slack.com hold them."""
        with self._lock:
            self._oauth_app = _OAuthApp(client_id, client_secret, redirect_url)

    def add_workspace(
        self, team_id: str, *, name: str, enterprise_id: str | None = None, bot_user_id: str = "UBOT"
    ) -> FakeWorkspace:
        with self._lock:
            workspace = self._workspaces[team_id] = FakeWorkspace(team_id, name, enterprise_id, bot_user_id=bot_user_id)
            return workspace

    def add_organization(self, enterprise_id: str, *, name: str, bot_user_id: str = "UBOT") -> FakeWorkspace:
        """An Enterprise Grid organization, for org-wide installs (``team=E…`` on the authorize page)."""
        with self._lock:
            org = FakeWorkspace(enterprise_id, name, enterprise_id, is_organization=True, bot_user_id=bot_user_id)
            self._workspaces[enterprise_id] = org
            return org

    def authorize_url(self, url: str, *, team: str) -> str:
        """``url`` (the app's link to Slack's authorize page) as chosen for ``team`` by the person installing."""
        return f"{url}&{urlencode({'team': team})}"

    def tokens_of(self, team_id: str) -> list[str]:
        with self._lock:
            return list(self._workspaces[team_id].tokens)

    def uninstall(self, team_id: str) -> None:
        """Someone removed the app from the workspace (or organization): its tokens stop working."""
        with self._lock:
            workspace = self._workspaces[team_id]
            workspace.revoked.update(workspace.tokens)

    def add_channel(self, channel_id: str, *, name: str, is_member: bool = True, is_archived: bool = False) -> None:
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id, "name": name, "is_channel": True, "is_member": is_member, "is_archived": is_archived,
            }  # fmt: skip

    # ----------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        status: int | None = None,
        retry_after: int = 1,
        error: str | None = None,
        delay: float = 0.0,
        process_first: bool = False,
    ) -> None:
        """Make the next ``times`` calls to ``method`` ("*" = any call) fail.

        Default: HTTP 429 with ``Retry-After``. ``status=5xx``: that status. ``error="x"``:
        HTTP 200 ``{"ok": false, "error": "x"}`` (or the given status with that error).
        ``status=200`` without error: answer normally, only after ``delay``.
        ``process_first``: apply the call (store the message...) and still fail, i.e. Slack
        did the work but the client never heard back.
        """
        failure = _Failure(status or (200 if error else 429), error, retry_after, delay, process_first)
        with self._lock:
            self._fail_next.setdefault(method, deque()).append([failure, times])

    def set_failure_rate(
        self,
        rate: float,
        *,
        seed: int,
        kinds: Iterable[str] = ("429", "500", "timeout"),
        timeout_delay: float = 2.0,
        timeout_processed: bool = True,
        retry_after: int = 1,
        exempt: Iterable[str] = ("auth.test",),
    ) -> None:
        """Fail a seeded random share of calls with one of ``kinds``.

        "timeout" answers only after ``timeout_delay`` seconds (set it above the client's
        timeout). By default a timed-out call IS applied first, the case that makes a naive
        retry post twice. Reproducible as long as the calls arrive in the same order.
        Covers every call the fake records (response_url posts and file uploads too)
        except the ``exempt`` ones; ``fail_next`` entries are used up first.
        """
        with self._lock:
            self._rate = _FailureRate(
                rate, random.Random(seed), tuple(kinds), frozenset(exempt), timeout_delay, timeout_processed, retry_after
            )

    def delay(self, method: str, seconds: float) -> None:
        """Every call to ``method`` waits ``seconds`` before answering (0 removes the delay)."""
        with self._lock:
            self._delays[method] = seconds

    def clear_failures(self) -> None:
        with self._lock:
            self._fail_next.clear()
            self._delays.clear()
            self._rate = None

    def _take_failure(self, method: str) -> _Failure | None:
        for key in (method, "*"):
            queue = self._fail_next.get(key)
            if queue:
                entry = queue[0]
                entry[1] -= 1
                if entry[1] <= 0:
                    queue.popleft()
                return entry[0]
        rate = self._rate
        if rate is None or method in rate.exempt or rate.rng.random() >= rate.rate:
            return None
        kind = rate.rng.choice(rate.kinds)
        if kind == "timeout":  # nobody will read the answer: the client has given up
            return _Failure(503, None, 0, rate.timeout_delay, rate.timeout_processed)
        return _Failure(int(kind), None, rate.retry_after, 0.0, False)

    # ----------------------------------------------------------------- inspection

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times; return those calls."""
        # Counted waits on a Condition, not a deadline from the clock: freezegun may freeze it.
        step = 0.02
        with self._changed:
            for _ in range(max(1, int(timeout / step))):
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                self._changed.wait(step)
            found = [c for c in self._calls if c.method == method]
            if len(found) >= count:
                return found
            listing = "\n".join(f"  {c.method} -> {c.status} {c.response.get('error') or 'ok'}" for c in self._calls)
            raise AssertionError(
                f"expected {count} call(s) to {method} within {timeout}s, got {len(found)}.\n"
                f"Calls so far:\n{listing or '  (none)'}\nViolations: {self.violations}"
            )

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Stored messages of a channel (thread replies included), oldest first."""
        with self._lock:
            channel = self._dms.get(frozenset({channel}), channel)  # a user id means their DM
            return copy.deepcopy(self._messages.get(channel, []))

    def ephemerals(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._ephemerals.get(channel, []))

    def responses(self, name: str = "r1") -> list[dict[str, Any]]:
        """Bodies POSTed to ``response_url(name)``."""
        with self._lock:
            return copy.deepcopy(self._responses.get(name, []))

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._home.get(user_id))

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def opened_view(self, trigger_id: str) -> dict[str, Any] | None:
        """The modal views.open stored for this trigger, as Slack holds it now; in constant time."""
        with self._lock:
            view_id = self._opened_by_trigger.get(trigger_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def dm_channel(self, *user_ids: str) -> str | None:
        """The channel conversations.open gave for that set of users, if any."""
        with self._lock:
            return self._dms.get(frozenset(user_ids))

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        with self._lock:
            return list(self._uploaded)

    # ----------------------------------------------------------------- what a Slack client shows

    def users(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._users.values()))

    def conversations_of(self, user_id: str) -> list[tuple[str, frozenset[str]]]:
        """The DMs and group DMs that include ``user_id``: (channel id, members), oldest first."""
        with self._lock:
            return [(channel, members) for channel, members in self._dm_members.items() if user_id in members]

    def views_opened_with(self, trigger_id: str) -> list[dict[str, Any]]:
        """Views that views.open or views.push created with this trigger_id, oldest first."""
        with self._lock:
            return [copy.deepcopy(self._views[v]) for v, t in self._view_triggers.items() if t == trigger_id]

    def bind_response_url(self, name: str, *, channel: str, ts: str) -> None:
        """Say which message ``response_url(name)`` belongs to, so replace_original edits it as Slack does."""
        with self._lock:
            self._response_targets[name] = (channel, ts)

    def replace_view(self, view_id: str, view: dict[str, Any], *, hash_when_submitted: str) -> dict[str, Any]:
        """A submission acked with ``response_action: update``: Slack keeps the view id.

        The ack was sent before any views.update the bot makes after it, so if the view already
        changed since the submission (its hash moved on), that later update stands.
        """
        with self._lock:
            current = self._views[view_id]
            if current["hash"] != hash_when_submitted:
                return copy.deepcopy(current)
            full = self._full_view(
                _check_view(view, "response_action update", expected_type="modal"), view_id, root=current["root_view_id"]
            )
            self._views[view_id] = full
            self._changed.notify_all()
            return copy.deepcopy(full)

    def push_view(self, view: dict[str, Any], *, trigger_id: str) -> dict[str, Any]:
        """A submission acked with ``response_action: push``."""
        with self._lock:
            return self._store_new_view("response_action push", {"view": view, "trigger_id": trigger_id})["view"]

    def file_content(self, file_id: str) -> bytes | None:
        with self._lock:
            return next((f.content for f in self._uploaded if f.file_id == file_id), None)

    def forget_calls_beyond(self, keep: int) -> None:
        """A long-running stand-in keeps only the newest ``keep`` calls in its transcript."""
        with self._lock:
            del self._calls[:-keep]

    # ----------------------------------------------------------------- request handling

    def _serve(self, path: str, headers: Mapping[str, str], raw: bytes) -> _Reply:
        parts = urlsplit(path)
        route, _, name = parts.path.lstrip("/").partition("/")
        method = {"api": name, "response": "response_url", "upload": "file_upload", "oauth": "oauth_authorize"}.get(route)
        if method is None or not name:
            return _Reply(404, {"ok": False, "error": "unknown_path"})
        args: dict[str, Any] = {"file_id": name, "length": len(raw)}  # an upload's body is the file
        decode_error = None
        if route == "oauth":
            with self._lock:
                return self._oauth_authorize(parts.path, parse_qs(parts.query))
        if route != "upload":
            try:
                args = _decode_args(headers.get("Content-Type", ""), raw, parts.query)
            except ValueError as exc:
                args, decode_error = {}, f"{method}: body could not be decoded ({exc})"
        token = _bearer(headers.get("Authorization")) or args.pop("token", None)

        with self._lock:
            status: int = 200
            body: dict[str, Any] = {"ok": True}
            extra: dict[str, str] = {}
            try:
                if decode_error:
                    raise _Refusal("invalid_json", decode_error)
                if route == "api" and method == "oauth.v2.access":
                    args.update(_basic_auth(headers.get("Authorization")))
                elif route == "api":
                    self._check_auth(method, token)
                failure = self._take_failure(method)
                applied = failure is None or failure.process_first or failure.passthrough
                if applied:
                    self._current_token = token
                    body = self._apply(route, method, name, args, raw)
                if failure is not None and not failure.passthrough:
                    status, body, extra = failure.answer()
            except _Refusal as refusal:
                failure, applied = None, False
                status, body = refusal.status, {"ok": False, "error": refusal.error}
                if refusal.violation:
                    self.violations.append(refusal.violation)
                    body["response_metadata"] = {"messages": [f"[ERROR] {refusal.violation}"]}
            delay = (failure.delay if failure else 0.0) + self._delays.get(method, 0.0)
            recorded = Call(method, args, dict(headers.items()), status, body, time.time(), applied, parts.path)
            self._calls.append(recorded)
            self._changed.notify_all()
            return _Reply(status, copy.deepcopy(body), extra, delay)

    def _check_auth(self, method: str, token: str | None) -> None:
        if not token:
            raise _Refusal("not_authed", f"{method}: no token (Authorization: Bearer ...)")
        # Socket Mode's connection call takes the app-level token; everything else the bot token.
        expected = "xapp-" if method == "apps.connections.open" else self.token_prefix
        if not token.startswith(expected):
            raise _Refusal("invalid_auth", f"{method}: token does not start with {expected!r}")
        owner = self._token_owners.get(token)
        if owner is not None and token in owner.revoked:
            raise _Refusal("token_revoked")  # Slack's answer; the product may race an uninstall once

    def _oauth_authorize(self, path: str, query: dict[str, list[str]]) -> _Reply:
        """Slack's approval page, already approved: redirect back to the app with a code."""
        args = {key: values[-1] for key, values in query.items()}
        recorded = Call("oauth.authorize", dict(args), {}, 302, {}, time.time(), True, path)
        self._calls.append(recorded)
        app = self._oauth_app
        workspace = self._workspaces.get(args.get("team", ""))
        problem = None
        if path.rstrip("/") != "/oauth/v2/authorize":
            problem = f"unknown OAuth page {path}"
        elif app is None or args.get("client_id") != app.client_id:
            problem = f"authorize: unknown client_id {args.get('client_id')!r}"
        elif not args.get("scope"):
            problem = "authorize: no scope asked for"
        elif not args.get("state"):
            problem = "authorize: no state (the app cannot tell this redirect from a forged one)"
        elif workspace is None:
            problem = f"authorize: no workspace {args.get('team')!r} (add_workspace / add_organization)"
        if problem is not None:
            self.violations.append(problem)
            return _Reply(400, {"ok": False, "error": "invalid_request"})
        assert app is not None and workspace is not None
        redirect = args.get("redirect_uri") or app.redirect_url
        if redirect != app.redirect_url:
            self.violations.append(f"authorize: redirect_uri {redirect!r} is not the app's {app.redirect_url!r}")
            return _Reply(400, {"ok": False, "error": "bad_redirect_uri"})
        code = f"code-{next(self._ids)}"
        self._codes[code] = (workspace, args["scope"])
        location = f"{redirect}?{urlencode({'code': code, 'state': args['state']})}"
        return _Reply(302, {}, {"Location": location})

    def _apply(self, route: str, method: str, name: str, args: dict[str, Any], raw: bytes) -> dict[str, Any]:
        if route == "response":
            return self._response_url(name, args)
        if route == "upload":
            return self._upload(name, raw)
        if method in RETIRED_METHODS:
            raise _Refusal(RETIRED_METHODS[method], f"{method} is retired by Slack (use files_upload_v2)")
        for spec in REQUIRED_ARGS.get(method, ()):
            alternatives = spec.split("|")
            if all(args.get(a) in (None, "") for a in alternatives):
                error = MISSING_ARG_ERRORS.get(alternatives[0], "invalid_arguments")
                raise _Refusal(error, f"{method}: missing required argument {spec!r} (got {sorted(args)})")
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        return handler(args) if handler else {"ok": True}

    # ----------------------------------------------------------------- Web API methods

    def _api_oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        app = self._oauth_app
        if app is None or args.get("client_id") != app.client_id or args.get("client_secret") != app.client_secret:
            raise _Refusal("invalid_client_id" if app is None or args.get("client_id") != app.client_id else "bad_client_secret")
        found = self._codes.pop(str(args.get("code") or ""), None)
        if found is None:
            raise _Refusal("invalid_code")
        if args.get("redirect_uri") not in (None, app.redirect_url):
            raise _Refusal("bad_redirect_uri")
        workspace, scopes = found
        token = f"{self.token_prefix}{workspace.team_id}-{next(self._ids)}"
        workspace.tokens.append(token)
        self._token_owners[token] = workspace
        org = {
            "id": workspace.enterprise_id,
            "name": workspace.name if workspace.is_organization else f"{workspace.enterprise_id} org",
        }
        return {
            "ok": True, "access_token": token, "token_type": "bot", "scope": scopes,
            "bot_user_id": workspace.bot_user_id, "app_id": self.app_id,
            "team": None if workspace.is_organization else {"id": workspace.team_id, "name": workspace.name},
            "enterprise": org if workspace.enterprise_id else None,
            "is_enterprise_install": workspace.is_organization,
            "authed_user": {"id": "UINSTALLER"},
        }  # fmt: skip

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        owner = self._token_owners.get(self._current_token or "")
        if owner is not None:
            return {
                "ok": True, "url": f"https://{owner.team_id.lower()}.slack.com/", "team": owner.name,
                "user": "mentorbot", "team_id": None if owner.is_organization else owner.team_id,
                "user_id": owner.bot_user_id, "bot_id": self.bot_id, "enterprise_id": owner.enterprise_id,
                "is_enterprise_install": owner.is_organization,
            }  # fmt: skip
        return {
            "ok": True, "url": "https://fake-workspace.slack.com/", "team": "Fake Workspace",
            "user": "mentorbot", "team_id": self.team_id, "user_id": self.bot_user_id,
            "bot_id": self.bot_id, "is_enterprise_install": False,
        }  # fmt: skip

    def _api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.socket_mode_url is None:
            raise _Refusal("internal_error", "apps.connections.open: the test set no socket_mode_url (a FakeSocketMode's url)")
        return {"ok": True, "url": self.socket_mode_url}

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(args["user"])
        if user is None:
            raise _Refusal("user_not_found")
        return {"ok": True, "user": copy.deepcopy(user)}

    def _api_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        wanted = str(args["email"]).lower()
        for user in self._users.values():
            if str(user["profile"].get("email", "")).lower() == wanted:
                return {"ok": True, "user": copy.deepcopy(user)}
        raise _Refusal("users_not_found")

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("users"):
            if args["channel"] not in self._dm_members:
                raise _Refusal("channel_not_found")
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": args["channel"]}}
        users = frozenset(u.strip() for u in str(args["users"]).split(",") if u.strip())
        if len(users) > MPIM_USERS_MAX:
            raise _Refusal("too_many_users")
        for user_id in users:
            user = self._users.get(user_id)
            if user is None:
                raise _Refusal("user_not_found")
            if user["deleted"]:
                raise _Refusal("user_disabled")
            if user["is_bot"] and user_id != self.bot_user_id:
                raise _Refusal("cannot_dm_bot")
        existing = self._dms.get(users)
        if existing:
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": existing}}
        return {"ok": True, "channel": {"id": self._open_dm(users)}}

    def _open_dm(self, users: frozenset[str]) -> str:
        channel_id = f"{'D' if len(users) == 1 else 'G'}{next(self._ids):08d}"
        self._dms[users], self._dm_members[channel_id] = channel_id, users
        return channel_id

    def _resolve_user_dm(self, channel: str) -> str:
        """Slack lets apps post to a user id: the message goes to that user's DM."""
        if channel in self._users and channel not in self._channels:
            return self._dms.get(frozenset({channel})) or self._open_dm(frozenset({channel}))
        return channel

    def _postable(self, channel: str) -> str:
        channel = self._resolve_user_dm(channel)
        if channel in self._dm_members:
            return channel
        info = self._channels.get(channel)
        if info is None:
            raise _Refusal("channel_not_found")
        if info["is_archived"]:
            raise _Refusal("is_archived")
        if not info["is_member"]:
            raise _Refusal("not_in_channel")
        return channel

    def _next_ts(self) -> str:
        seconds = int(self._clock().timestamp()) if self._clock is not None else 1700000000
        return f"{seconds}.{next(self._ts) % 1_000_000:06d}"

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "app_id": self.app_id,
            "text": args.get("text", ""), "ts": ts, "team": self.team_id,
        }  # fmt: skip
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key) not in (None, ""):
                msg[key] = args[key]
        return msg

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        _check_message(args, "chat.postMessage")
        channel = self._postable(args["channel"])
        msg = self._message(args, self._next_ts())
        self._messages.setdefault(channel, []).append(msg)
        return {"ok": True, "channel": channel, "ts": msg["ts"], "message": copy.deepcopy(msg)}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        _check_message(args, "chat.postEphemeral")
        channel = self._postable(args["channel"])
        if args["user"] not in self._users:
            raise _Refusal("user_not_in_channel")
        msg = self._message(args, self._next_ts()) | {"ephemeral_to": args["user"]}
        self._ephemerals.setdefault(channel, []).append(msg)
        return {"ok": True, "message_ts": msg["ts"]}

    def _find_message(self, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        channel = self._postable(args["channel"])
        for msg in self._messages.get(channel, []):
            if msg["ts"] == args["ts"]:
                return channel, msg
        raise _Refusal("message_not_found")

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        _check_message(args, "chat.update")
        channel, msg = self._find_message(args)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                msg[key] = args[key]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"ok": True, "channel": channel, "ts": msg["ts"], "text": msg["text"], "message": copy.deepcopy(msg)}

    def _api_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, msg = self._find_message(args)
        self._messages[channel].remove(msg)
        return {"ok": True, "channel": channel, "ts": msg["ts"]}

    def _api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args["channel"]
        if channel not in self._dm_members:
            info = self._channels.get(channel)
            if info is None:
                raise _Refusal("channel_not_found")
            if not info["is_member"]:
                raise _Refusal("not_in_channel")
        inclusive = _truthy(args.get("inclusive"))
        oldest, latest = Decimal(str(args.get("oldest") or 0)), args.get("latest")
        newest = Decimal(str(latest)) if latest else None

        def in_range(ts: Decimal) -> bool:
            above = ts >= oldest if inclusive else ts > oldest
            below = newest is None or (ts <= newest if inclusive else ts < newest)
            return above and below

        found = [
            m for m in reversed(self._messages.get(channel, []))
            if m.get("thread_ts", m["ts"]) == m["ts"] and in_range(Decimal(m["ts"]))
        ]  # fmt: skip
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = copy.deepcopy(found[start : start + limit])
        if not _truthy(args.get("include_all_metadata")):
            for m in page:
                m.pop("metadata", None)
        more = start + limit < len(found)
        return {
            "ok": True, "messages": page, "has_more": more, "pin_count": 0,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }  # fmt: skip

    def _full_view(self, view: dict[str, Any], view_id: str, *, root: str | None = None) -> dict[str, Any]:
        full: dict[str, Any] = {
            "team_id": self.team_id, "type": view.get("type"), "blocks": [], "private_metadata": "",
            "callback_id": "", "external_id": "", "state": {"values": {}}, "clear_on_close": False,
            "notify_on_close": False, "previous_view_id": None, "app_id": self.app_id,
            "bot_id": self.bot_id, "app_installed_team_id": self.team_id,
        }  # fmt: skip
        full.update(copy.deepcopy(view))
        # Slack assigns these; a new hash on every change is what makes hash_conflict work.
        full.update(id=view_id, hash=f"{next(self._ids)}.hash", root_view_id=root or view_id)
        return full

    def _store_new_view(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        view = _check_view(args["view"], method, expected_type="modal")
        external_id = view.get("external_id")
        if external_id and any(v.get("external_id") == external_id for v in self._views.values()):
            raise _Refusal("duplicate_external_id")
        full = self._full_view(view, f"V{next(self._ids):010d}")
        self._views[full["id"]] = full
        self._view_triggers[full["id"]] = str(args.get("trigger_id") or "")
        return {"ok": True, "view": copy.deepcopy(full)}

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = self._store_new_view("views.open", args)
        self._opened_by_trigger[str(args["trigger_id"])] = answer["view"]["id"]
        return answer

    def _api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._store_new_view("views.push", args)

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _check_view(args["view"], "views.update", expected_type=None)
        current = self._views.get(args.get("view_id") or "") or next(
            (v for v in self._views.values() if args.get("external_id") and v["external_id"] == args["external_id"]),
            None,
        )
        if current is None:
            raise _Refusal("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _Refusal("hash_conflict")
        full = self._full_view(view, current["id"], root=current["root_view_id"])
        self._views[full["id"]] = full
        return {"ok": True, "view": copy.deepcopy(full)}

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _check_view(args["view"], "views.publish", expected_type="home")
        current = self._home.get(args["user_id"])
        if current and args.get("hash") and args["hash"] != current["hash"]:
            raise _Refusal("hash_conflict")
        full = self._full_view(view, current["id"] if current else f"V{next(self._ids):010d}")
        self._home[args["user_id"]] = self._views[full["id"]] = full
        return {"ok": True, "view": copy.deepcopy(full)}

    def _api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        if not str(args["length"]).isdigit():
            raise _Refusal("invalid_arguments", f"files.getUploadURLExternal: length {args['length']!r} is not a size")
        file_id = f"F{next(self._ids):010d}"
        self._pending_files[file_id] = {"filename": args["filename"], "length": int(args["length"]), "content": None}
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _upload(self, file_id: str, raw: bytes) -> dict[str, Any]:
        pending = self._pending_files.get(file_id)
        if pending is None:
            raise _Refusal("file_not_found", f"upload to {file_id}, which no getUploadURLExternal issued", status=404)
        pending["content"] = raw
        return {"ok": True}

    def _api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args["files"]
        if not isinstance(files, list) or not all(isinstance(f, dict) and f.get("id") for f in files):
            problem = f"files.completeUploadExternal: files must be [{{id, title}}], got {files!r}"
            raise _Refusal("invalid_arguments", problem)
        wanted = [args.get("channel_id"), *str(args.get("channels") or "").split(",")]
        channels = [self._postable(c) for c in wanted if c]
        pending = [self._pending_files.get(f["id"]) for f in files]
        if any(p is None or p["content"] is None for p in pending):
            raise _Refusal("file_not_found")
        shared = []
        for f, p in zip(files, pending, strict=False):
            assert p is not None
            del self._pending_files[f["id"]]
            title = f.get("title")
            self._uploaded.append(UploadedFile(f["id"], p["filename"], title, channels[0] if channels else None, p["content"]))
            shared.append({"id": f["id"], "name": p["filename"], "title": title or p["filename"],
                           "size": len(p["content"]), "channels": channels})  # fmt: skip
        for channel in channels:  # sharing a file posts a message carrying it
            comment = {"text": args.get("initial_comment", ""), "thread_ts": args.get("thread_ts")}
            msg = self._message(comment, self._next_ts()) | {"files": copy.deepcopy(shared), "upload": True}
            self._messages.setdefault(channel, []).append(msg)
        return {"ok": True, "files": shared}

    def _response_url(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        used = self._responses.setdefault(name, [])
        if len(used) >= RESPONSE_URL_USES:
            raise _Refusal("used_url", f"response_url {name!r} used more than {RESPONSE_URL_USES} times", status=404)
        if not _truthy(body.get("delete_original")):
            _check_message(body, "response_url")
        used.append(copy.deepcopy(body))
        target = self._response_targets.get(name)
        if target is not None and (_truthy(body.get("replace_original")) or _truthy(body.get("delete_original"))):
            self._edit_original(*target, body)
        return {"ok": True}

    def _edit_original(self, channel: str, ts: str, body: dict[str, Any]) -> None:
        messages = self._messages.get(channel, [])
        original = next((m for m in messages if m["ts"] == ts), None)
        if original is None:
            return
        if _truthy(body.get("delete_original")):
            messages.remove(original)
            return
        for key in ("text", "blocks"):
            original[key] = body.get(key, "" if key == "text" else [])
        original["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}


# ---------------------------------------------------------------------- validation


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def block_problems(blocks: Any, *, limit: int) -> list[str]:
    """What Slack would refuse in a list of blocks (empty when valid)."""
    if not isinstance(blocks, list):
        return [f"blocks must be a JSON array, got {type(blocks).__name__}"]
    problems = [f"{len(blocks)} blocks, more than {limit}"] if len(blocks) > limit else []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or "type" not in block:
            problems.append(f"block {i} is not an object with a type")
            continue
        kind = block["type"]
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"block {i}: unknown type {kind!r}")
                continue
            parsed.to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"block {i} ({kind}): {exc}")
        text = block.get("text")
        if kind == "header" and (len(_text(text)) > HEADER_TEXT_MAX or _type_of(text) != "plain_text"):
            problems.append(f"block {i} (header): text must be plain_text of at most {HEADER_TEXT_MAX} chars")
        if kind == "section" and len(_text(text)) > SECTION_TEXT_MAX:
            problems.append(f"block {i} (section): text longer than {SECTION_TEXT_MAX}")
    return problems


def _type_of(text: Any) -> str | None:
    return text.get("type") if isinstance(text, dict) else None


def _check_message(args: Mapping[str, Any], where: str) -> None:
    text, blocks = args.get("text"), args.get("blocks")
    if text is not None and len(str(text)) > MESSAGE_TEXT_MAX:
        raise _Refusal("msg_too_long", f"{where}: text is {len(str(text))} chars, more than {MESSAGE_TEXT_MAX}")
    if not text and not blocks and not args.get("attachments"):
        raise _Refusal("no_text", f"{where}: a message needs text or blocks")
    if blocks is not None:
        problems = block_problems(blocks, limit=MESSAGE_BLOCKS_MAX)
        if problems:
            raise _Refusal("invalid_blocks", f"{where}: " + "; ".join(problems))
    metadata = args.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise _Refusal("invalid_metadata_format", f"{where}: metadata needs event_type and event_payload: {metadata!r}")


def view_problems(view: Any, *, expected_type: str | None) -> list[str]:
    """What Slack would refuse in a view (empty when valid)."""
    if not isinstance(view, dict):
        return [f"view must be a JSON object, got {type(view).__name__}"]
    problems: list[str] = []
    kind = view.get("type")
    if expected_type and kind != expected_type:
        problems.append(f"view type must be {expected_type!r}, got {kind!r}")
    try:
        View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as exc:
        problems.append(str(exc))
    problems += block_problems(view.get("blocks", []), limit=VIEW_BLOCKS_MAX)
    if kind == "modal":
        if not view.get("title"):
            problems.append("a modal needs a title")
        for key in ("title", "submit", "close"):
            value = view.get(key)
            if value and (len(_text(value)) > MODAL_TEXT_MAX or _type_of(value) not in (None, "plain_text")):
                problems.append(f"modal {key} must be plain_text of at most {MODAL_TEXT_MAX} chars")
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks", []))
        if has_input and not view.get("submit"):
            problems.append("a modal with input blocks needs a submit button")
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA_MAX:
        problems.append(f"private_metadata longer than {PRIVATE_METADATA_MAX}")
    size = len(json.dumps(view))
    if size > VIEW_JSON_MAX:
        problems.append(f"view JSON is {size} bytes, more than {VIEW_JSON_MAX}")
    return problems


def _check_view(view: Any, method: str, *, expected_type: str | None) -> dict[str, Any]:
    problems = view_problems(view, expected_type=expected_type)
    if problems:
        raise _Refusal("invalid_arguments", f"{method}: " + "; ".join(dict.fromkeys(problems)))
    return view


# ---------------------------------------------------------------------- HTTP plumbing


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _basic_auth(header: str | None) -> dict[str, str]:
    """client_id and client_secret from HTTP Basic credentials (how slack_sdk sends them to oauth.v2.access)."""
    if not header or not header.startswith("Basic "):
        return {}
    client_id, _, client_secret = base64.b64decode(header[len("Basic ") :]).decode().partition(":")
    return {"client_id": client_id, "client_secret": client_secret}


def _bearer(header: str | None) -> str | None:
    if header and header.startswith("Bearer "):
        return header[len("Bearer ") :].strip() or None
    return None


def _decode_args(content_type: str, raw: bytes, query: str) -> dict[str, Any]:
    """Arguments as the WebClient sent them: JSON, form-encoded or multipart, plus the query."""
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if "json" in content_type:
        body = json.loads(raw or b"{}")
        if not isinstance(body, dict):
            raise ValueError("JSON body is not an object")
        args.update(body)
    elif "x-www-form-urlencoded" in content_type:
        args.update({k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()})
    elif "multipart/form-data" in content_type:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            name = str(part.get_param("name", header="content-disposition"))
            args[name] = f"<{len(data)} bytes>" if part.get_filename() else data.decode("utf-8")
    for key in JSON_STRING_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            args[key] = json.loads(value)
    return args


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Slack takes bursts from many processes at once; the socketserver default of 5 pending
    # connections would reset them, which Slack never does.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout tests) is not an error worth printing


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def _serve(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            reply = self.fake._serve(self.path, self.headers, raw)  # type: ignore[arg-type]
        except Exception:  # a bug in the fake must fail the test, not hang it
            with self.fake._lock:
                self.fake.violations.append(f"FakeSlack crashed on {self.path}:\n{traceback.format_exc()}")
            reply = _Reply(500, {"ok": False, "error": "fake_slack_crashed"})
        if reply.delay:
            self.fake._stopping.wait(reply.delay)  # Event.wait: real time even under freezegun
        data = json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left
