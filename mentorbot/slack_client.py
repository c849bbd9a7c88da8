"""The one place that builds Web API clients, so retry and rate-limit policy lives here."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.log_privacy import withhold_bodies
from mentorbot.config import Settings

WEB_API_TIMEOUT_SECONDS = 10


def make_web_client(settings: Settings, *, retries: bool = True, token: str | None = None) -> WebClient:
    """A client for work done after ack(): honours Retry-After and retries 5xx a few times.

    Its token is SLACK_BOT_TOKEN, or `token` (one workspace's, mentorbot/workspaces.py); with
    several workspaces and no `token`, it has none: Bolt gives each request its workspace's.

    The outbox delivery job asks for retries=False and applies its own policy, because a blind
    retry of chat.postMessage can post twice.
    """
    withhold_bodies()  # slack_sdk logs every request's and response's body at DEBUG
    handlers = (
        [
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
        if retries
        else []
    )
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )
