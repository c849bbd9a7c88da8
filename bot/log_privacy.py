"""Request and message bodies never reach a log.

Slack's libraries log whole bodies: Bolt the body of a request it refuses and of every ack at
DEBUG, slack_sdk every Web API request and response at DEBUG (a coordinator's alert carries the
note), Socket Mode every envelope. Those bodies hold what people wrote for the coordinators. The
filter keeps each such line up to where the body starts and withholds the rest, so an operator
still sees which call was made and how it ended.

A logger's filters apply only to records made on that very logger, not on its children, so the
filter goes on every logger these libraries write to (Bolt copies its base logger's filters to
each logger it makes: bot/app.py hands it one), and on the process's log handler
(mentorbot/cli.py) for anything else.
"""

from __future__ import annotations

import logging
import re

WITHHELD = "(withheld)"

# Where a body starts in these libraries' lines: "body: …", "body_params: …", "json_body: …",
# "(message: …", "payload: …", "Request body: …", "data: …".
_BODY_STARTS = re.compile(
    r"\b(?:body|body_params|json_body|query_params|payload|message|data|submission)\b\s*[:=]",
    re.IGNORECASE,
)
# Records from these loggers (and their children) are filtered; our own are written with care.
LIBRARY_PREFIXES = ("slack_bolt", "slack_sdk", "slack")
# The loggers slack_sdk writes to when it is not handed one.
SLACK_SDK_LOGGERS = (
    "slack_sdk.web.base_client",
    "slack_sdk.web.slack_response",
    "slack_sdk.webhook.client",
    "slack_sdk.socket_mode.builtin.client",
    "slack_sdk.socket_mode.builtin.connection",
    "slack_sdk.socket_mode.builtin.internals",
    "slack_sdk.socket_mode.client",
)


def withhold(message: str) -> str:
    found = _BODY_STARTS.search(message)
    return message if found is None else message[: found.end()] + " " + WITHHELD


class WithholdBodies(logging.Filter):
    """Cuts every line from Slack's libraries where a body starts."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] in LIBRARY_PREFIXES or record.name.split(":")[0] in LIBRARY_PREFIXES:
            message = record.getMessage()
            cut = withhold(message)
            if cut != message:
                record.msg, record.args = cut, None
        return True


FILTER = WithholdBodies()


def withhold_bodies(*loggers: logging.Logger) -> None:
    """Put the filter on slack_sdk's loggers and on `loggers` (idempotent)."""
    for logger in (*(logging.getLogger(name) for name in SLACK_SDK_LOGGERS), *loggers):
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)
