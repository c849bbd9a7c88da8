"""Outbox delivery: send the messages the rest of the bot decided to send, each exactly once.

One row at a time: claim it (recording the attempt, storage/delivery.py), talk to Slack with no
transaction open, then record the outcome. The policy for Slack's answers lives here and only
here (the job's WebClient has no retry handlers of its own):

- 429: the row waits Retry-After (not counted as an attempt) and this process holds off that
  method for as long (scheduler/rate_limits.py); the rest of the batch moves on or is put back.
- 5xx, timeouts, connection errors: retried with exponential backoff, at most
  storage.delivery.MAX_ATTEMPTS attempts, always within the recipients' working hours.
- Any other `ok: false` (user_not_found, account_inactive, channel_not_found, is_archived,
  invalid_blocks...): Slack refused this message for good. The row is marked failed with the
  error, which coordinators see (storage.delivery.delivery_failures); it is never retried.

Exactly once: each chat.postMessage carries `metadata` naming the outbox row. A post that timed
out or got a 5xx may still have been posted, and a process can die between Slack accepting a
message and the database hearing of it; both leave the row `sending` with a lease that runs
out. Whoever claims such a row next reads the conversation back (conversations.history with
include_all_metadata) and only posts if the message is not there. File uploads carry no
metadata; they are matched by file name and comment instead (see README, "Delivery guarantee").
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from program import cleanups
from scheduler.context import JobContext
from scheduler.rate_limits import RateLimitGate, rate_limit_key, retry_after_seconds
from storage import delivery as store
from storage.db import session_scope

log = logging.getLogger(__name__)

EVENT_TYPE = "mentorbot_outbox"
DEFAULT_BATCH = 100
# Longer than any one attempt can take (three Web API calls of at most 10 s each, plus reading
# history back): a lease must not run out while its worker is still talking to Slack.
DEFAULT_LEASE = timedelta(minutes=5)
HISTORY_PAGE_SIZE = 200
HISTORY_PAGES = 5  # the message looked for was posted minutes ago: it is near the top

# `ok: false` answers that mean "try again later" rather than "never".
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited", "rate_limited"}
)


@dataclass
class DeliveryReport:
    sent: int = 0
    confirmed: int = 0  # in doubt, and found already posted: recorded, not sent again
    retrying: int = 0
    failed: int = 0
    rate_limited: int = 0
    lost_leases: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.confirmed + self.retrying + self.failed + self.rate_limited

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.confirmed} confirmed already sent, {self.retrying} to retry, "
            f"{self.failed} failed, {self.rate_limited} rate limited"
        )


def default_owner() -> str:
    """Names this worker on the leases it holds: host, process and thread."""
    return f"{socket.gethostname()}/{os.getpid()}/{threading.get_ident()}"[:100]


# --- outcomes of one attempt --------------------------------------------------------------


@dataclass(frozen=True)
class _Sent:
    channel: str
    ts: str | None
    confirmed: bool = False


@dataclass(frozen=True)
class _NotSent:
    error: str
    retry_at: datetime
    rate_limited: bool = False


@dataclass(frozen=True)
class _InDoubt:
    error: str
    channel: str | None
    retry_at: datetime


@dataclass(frozen=True)
class _Refused:
    error: str


_Outcome = _Sent | _NotSent | _InDoubt | _Refused


class _Blocked(Exception):
    """A 429 now or earlier: the method may not be called before `until`."""

    def __init__(self, method: str, until: datetime) -> None:
        super().__init__(f"{method} rate limited until {until.isoformat()}")
        self.method, self.until = method, until


class _Attempt:
    """One claimed row's conversation with Slack."""

    def __init__(
        self,
        slack: WebClient,
        gate: RateLimitGate,
        claim: store.Claim,
        now: datetime,
        dm_channels: dict[tuple[str, ...], str],
    ) -> None:
        self.slack, self.gate, self.claim, self.now, self.dm_channels = slack, gate, claim, now, dm_channels
        self.channel: str | None = claim.channel_id or claim.known_channel

    def run(self) -> _Outcome:
        if self.claim.edits is not None:
            return self._run_edit(self.claim.edits)
        posting = False
        try:
            channel = self._conversation()
            if self.claim.in_doubt:
                found = self._find_posted(channel)
                if found is not None:
                    return _Sent(channel, found, confirmed=True)
            posting = True
            ts = self._upload(channel) if self.claim.attachment is not None else self._post(channel)
            return _Sent(channel, ts)
        except _Blocked as blocked:
            return _NotSent(str(blocked), blocked.until, rate_limited=True)
        except SlackApiError as error:
            return self._classify(error.response.status_code, str(error.response.get("error") or ""), posting)
        except (SlackClientError, OSError) as error:  # timeouts, refused connections, TLS...
            return self._transient(f"{type(error).__name__}: {error}", posting)

    def _run_edit(self, target: store.EditTarget) -> _Outcome:
        """Rewrite a delivered message (chat.update). An edit that timed out may have been made:
        it is read back first, so each copy is rewritten once."""
        editing = False
        try:
            if target.channel is None:
                self.channel = self._conversation()
            channel = self.channel = target.channel or self.channel
            assert channel is not None
            ts = target.ts or self._find_posted(channel, outbox_id=target.outbox_id)
            if ts is None:
                return _Sent(channel, None, confirmed=True)  # it never reached Slack: nothing to take out
            if self.claim.in_doubt and self._reads(channel, ts) in (None, self.claim.text):
                return _Sent(channel, ts, confirmed=True)  # edited already, or deleted
            editing = True
            kwargs: dict[str, Any] = {"channel": channel, "ts": ts, "text": self.claim.text, "blocks": self.claim.blocks or []}
            self._call("chat.update", lambda: self.slack.chat_update(**kwargs))
            return _Sent(channel, ts)
        except _Blocked as blocked:
            return _NotSent(str(blocked), blocked.until, rate_limited=True)
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code == "message_not_found":
                return _Sent(self.channel or "", None, confirmed=True)  # deleted in Slack: nothing left to take out
            return self._classify(error.response.status_code, code, editing)
        except (SlackClientError, OSError) as error:
            return self._transient(f"{type(error).__name__}: {error}", editing)

    def _reads(self, channel: str, ts: str) -> str | None:
        """The text of the message at `ts` as Slack has it now; None if it is gone."""
        response = self._call(
            "conversations.history",
            lambda: self.slack.conversations_history(channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1),
        )
        found = [m for m in response.get("messages", []) if m.get("ts") == ts]
        return str(found[0].get("text", "")) if found else None

    # Each Web API call goes through the gate: a method Slack asked us to rest is not called.
    # Slack's limits are per method and workspace: another workspace's 429 holds nothing here.
    def _call(self, method: str, fn: Callable[[], Any]) -> Any:
        gated = rate_limit_key(method, self.claim.team_id)
        until = self.gate.blocked_until(gated, self.now)
        if until is not None:
            raise _Blocked(method, until)
        try:
            return fn()
        except SlackApiError as error:
            if error.response.status_code == 429:
                seconds = retry_after_seconds(error.response.headers)
                until = self.now + timedelta(seconds=seconds)
                self.gate.block(gated, until)
                raise _Blocked(method, until) from error
            raise

    def _conversation(self) -> str:
        if self.channel:
            return self.channel
        users = (self.claim.team_id, *sorted(self.claim.recipient_user_ids))
        cached = self.dm_channels.get(users)
        if cached is None:
            recipients = ",".join(sorted(self.claim.recipient_user_ids))
            response = self._call("conversations.open", lambda: self.slack.conversations_open(users=recipients))
            cached = self.dm_channels[users] = str(response["channel"]["id"])
        self.channel = cached
        return cached

    def _post(self, channel: str) -> str:
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": self.claim.id}}
        kwargs: dict[str, Any] = {"channel": channel, "text": self.claim.text, "metadata": metadata}
        if self.claim.blocks:
            kwargs["blocks"] = self.claim.blocks
        response = self._call("chat.postMessage", lambda: self.slack.chat_postMessage(**kwargs))
        return str(response["ts"])

    def _upload(self, channel: str) -> str | None:
        name = self.claim.attachment_name or "attachment"
        response = self._call(
            "files.upload_v2",
            lambda: self.slack.files_upload_v2(
                channel=channel, content=self.claim.attachment, filename=name, title=name, initial_comment=self.claim.text
            ),
        )
        files = response.get("files") or [response.get("file") or {}]
        return str(files[0].get("id")) if files and files[0].get("id") else None

    def _find_posted(self, channel: str, *, outbox_id: int | None = None) -> str | None:
        """The ts (or file id) of this row's message (or row `outbox_id`'s) if an earlier attempt did post it."""
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            kwargs: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": HISTORY_PAGE_SIZE}
            if cursor:
                kwargs["cursor"] = cursor
            response = self._call("conversations.history", functools.partial(self.slack.conversations_history, **kwargs))
            for message in response.get("messages", []):
                if self._is_ours(message, outbox_id or self.claim.id):
                    return str(message.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
        return None

    def _is_ours(self, message: dict[str, Any], outbox_id: int) -> bool:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == EVENT_TYPE:
            return str((metadata.get("event_payload") or {}).get("outbox_id")) == str(outbox_id)
        if self.claim.attachment is not None and message.get("files"):
            names = {f.get("name") for f in message["files"]} | {f.get("title") for f in message["files"]}
            return self.claim.attachment_name in names and message.get("text", "") == self.claim.text
        return False

    def _classify(self, status: int, error: str, posting: bool) -> _Outcome:
        if status >= 500 or error in TRANSIENT_ERRORS:
            return self._transient(f"HTTP {status} {error}".strip(), posting)
        return _Refused(error or f"HTTP {status}")

    def _transient(self, error: str, posting: bool) -> _Outcome:
        retry_at = self.now + store.retry_delay(self.claim.attempts)
        if posting or self.claim.in_doubt:
            return _InDoubt(error, self.channel, retry_at)
        return _NotSent(error, retry_at)


# --- the job ------------------------------------------------------------------------------


def _record(ctx: JobContext, claim: store.Claim, outcome: _Outcome, report: DeliveryReport) -> None:
    with session_scope(ctx.session_factory) as session:
        if isinstance(outcome, _Sent):
            kept = store.record_sent(session, claim=claim, channel=outcome.channel, ts=outcome.ts, now=ctx.clock())
            if outcome.confirmed:
                report.confirmed += 1
            else:
                report.sent += 1
        elif isinstance(outcome, _Refused):
            kept = store.record_failed(session, claim=claim, error=outcome.error)
            report.failed += 1
            report.errors.append(outcome.error)
            log.warning("outbox %s (%s) refused by Slack: %s", claim.id, claim.kind, outcome.error)
        elif isinstance(outcome, _NotSent):
            kept = store.record_not_sent(
                session, claim=claim, retry_at=outcome.retry_at, error=outcome.error,
                counts_as_attempt=not outcome.rate_limited,
            )  # fmt: skip
            if outcome.rate_limited:
                report.rate_limited += 1
            else:
                report.retrying += 1
        else:
            kept = store.record_in_doubt(
                session, claim=claim, channel=outcome.channel, retry_at=outcome.retry_at, error=outcome.error
            )
            report.retrying += 1
        if kept and claim.edits is not None:
            # Whoever took the note out of Slack hears of a late or failed edit with its outcome.
            cleanups.after_edit(session, edit_id=claim.id, now=ctx.clock())
    if not kept:
        # Only possible if an attempt outlived its lease and another worker took the row over.
        report.lost_leases += 1
        log.error("outbox %s: lease lost before its outcome (%s) was recorded", claim.id, type(outcome).__name__)


def deliver_pending(
    ctx: JobContext,
    *,
    limit: int = DEFAULT_BATCH,
    owner: str | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> DeliveryReport:
    """Send up to `limit` due outbox rows, one claim at a time; safe to run in several processes."""
    owner = owner or default_owner()
    report = DeliveryReport()
    dm_channels: dict[tuple[str, ...], str] = {}
    for _ in range(limit):
        now = ctx.clock()
        with session_scope(ctx.session_factory) as session:
            claim = store.claim_next(session, owner=owner, now=now, lease=lease)
        if claim is None:
            break
        slack = ctx.slack_for(claim.team_id)
        if slack is None:
            outcome: _Outcome = _Refused(f"{store.NO_TOKEN_ERROR} ({claim.team_id})")
        else:
            outcome = _Attempt(slack, ctx.rate_limits, claim, now, dm_channels).run()
        _record(ctx, claim, outcome, report)
        if isinstance(outcome, _NotSent) and outcome.rate_limited:
            # Slack asked for a pause: leave the rest of the batch for the next run.
            break
    return report
