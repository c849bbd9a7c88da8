"""The coordinators' buttons on a change-request alert: rematch now, or close.

Resolving deletes the note: from the database, from the stored copies of the alert, and from the
alerts already in coordinators' DMs (edited in place).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import authorize, lookup_actor
from bot.listeners.changes import as_respond, private_reply, team_of
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from storage import requests
from views.access import refusal_text
from views.changes import RequestMessageTexts, already_resolved_text, request_gone_text
from views.ids import ACTION_RESOLVE_CLOSE, ACTION_RESOLVE_REMATCH

log = logging.getLogger(__name__)


def register(ctx: ListenerContext) -> None:
    services = ctx.services
    messages = RequestMessageTexts()

    def resolve(
        action_id: str, resolution: requests.Resolution, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        reply = private_reply(body, client, respond)
        with apologise_on_error(as_respond(reply), action_id):
            value = str(body["actions"][0].get("value") or "")
            request_id = int(value) if value.isdigit() else None
            result: requests.ResolveResult | None = None
            with services.unit_of_work() as session:
                found = lookup_actor(session, team_id=team_of(body), user_id=body["user"]["id"])
                parties = requests.request_parties(session, request_id=request_id) if request_id else None
                refusal = authorize(
                    action_id,
                    found.actor,
                    subject_ids=parties.person_ids if parties else (),
                    program_id=parties.program_id if parties else None,
                )
                if refusal is None and found.actor is not None and request_id is not None and parties is not None:
                    result = requests.resolve_request(
                        session,
                        request_id=request_id,
                        coordinator_id=found.actor.person_id,
                        resolution=resolution,
                        now=services.clock(),
                        messages=messages,
                    )
            if refusal is not None:
                reply(refusal_text(refusal, found.coordinator_user_ids))
            elif result is None or result.outcome is requests.Outcome.NOT_FOUND:
                reply(request_gone_text())
            elif result.outcome is requests.Outcome.ALREADY_RESOLVED:
                assert result.summary is not None
                reply(already_resolved_text(result.summary))
            else:
                assert result.resolved_message is not None
                show_resolved(body, client, respond, result)

    def show_resolved(body: dict[str, Any], client: WebClient, respond: Respond, result: requests.ResolveResult) -> None:
        """Replace the alert everywhere it was delivered, so the note leaves Slack too."""
        resolved = result.resolved_message
        assert resolved is not None
        container = body.get("container") or {}
        clicked = requests.SlackCopy(str(container.get("channel_id")), str(container.get("message_ts")))
        copies = set(result.delivered_copies)
        if body.get("response_url") and clicked not in copies:
            respond(replace_original=True, text=resolved.text, blocks=resolved.blocks)
        for copy in result.delivered_copies:
            try:
                client.chat_update(channel=copy.channel, ts=copy.ts, text=resolved.text, blocks=resolved.blocks)
            except SlackApiError as error:
                # The stored copy is already clean; this one stays in Slack until someone deletes it.
                log.warning("could not edit the alert %s/%s: %s", copy.channel, copy.ts, error.response.get("error"))

    def listener_for(action_id: str, resolution: requests.Resolution) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            services.after_ack(lambda: resolve(action_id, resolution, body, client, respond), action_id)

        return listener

    ctx.app.action(ACTION_RESOLVE_REMATCH)(listener_for(ACTION_RESOLVE_REMATCH, requests.Resolution.REMATCH))
    ctx.app.action(ACTION_RESOLVE_CLOSE)(listener_for(ACTION_RESOLVE_CLOSE, requests.Resolution.CLOSE))
