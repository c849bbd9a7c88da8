"""Builds the Bolt app. No global app: each process (and each test) builds its own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import cast

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.commands import CommandRouter
from bot.kit import refuse_malformed
from bot.listeners import register_listeners
from bot.log_privacy import withhold_bodies
from bot.runtime import Services
from bot.signatures import verify_requests


class _TokenFromClientFilter(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN "will be unused" because we hand it a client built from
    that very token (to set SLACK_API_URL); the warning would only puzzle an operator."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


# Bolt's base logger: Bolt copies its filters to every logger it makes, so bodies stay out of all.
BOLT_LOGGER = logging.getLogger("slack_bolt.App")
BOLT_LOGGER.addFilter(_TokenFromClientFilter())


def build_app(
    services: Services,
    *,
    client: WebClient,
    signing_secret: str | None,
    socket_mode: bool = False,
    process_before_response: bool = False,
    oauth: tuple[OAuthSettings, Authorize] | None = None,
) -> tuple[App, CommandRouter]:
    """`client` is the Web API client for work after acks (mentorbot/slack_client.py builds it).
    `process_before_response=True` makes in-process dispatch deterministic in tests; served apps
    keep the default, where the HTTP answer leaves at ack().

    `oauth` (several workspaces, mentorbot/workspaces.py): Bolt serves the install flow and gives
    each request a copy of `client` (token-less) with its workspace's token."""
    oauth_settings, authorize = oauth if oauth is not None else (None, None)
    # Bolt takes an Authorize object as it is (its annotation only names plain functions).
    authorize_fn = cast("Callable[..., AuthorizeResult] | None", authorize)
    withhold_bodies(BOLT_LOGGER)
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        oauth_settings=oauth_settings,
        authorize=authorize_fn,
        logger=BOLT_LOGGER,
        # Ours instead (bot/signatures.py): Bolt's logs the body of every request it refuses.
        request_verification_enabled=False,
        process_before_response=process_before_response,
        token_verification_enabled=True,
        # Listeners only ack and hand over to services.work, so these threads are never held long.
        listener_executor=ThreadPoolExecutor(max_workers=32, thread_name_prefix="bolt-listener"),
    )
    if not socket_mode:  # Socket Mode envelopes arrive over an authenticated WebSocket, unsigned
        app.use(verify_requests(signing_secret or ""))
    app.use(refuse_malformed)  # once we know Slack sent it: nothing unauthenticated is inspected
    router = register_listeners(app, services)
    return app, router
