"""Slack telling us the app was uninstalled from a workspace, or its bot token revoked.

Both end what the bot can do there: the tokens are forgotten, its programs paused and its
waiting messages failed, while the data stays for the operator to keep or delete
(program/workspaces.py). Slack may send an event twice; doing it again changes nothing.
"""

from __future__ import annotations

import logging

from slack_bolt import BoltContext

from bot.kit import ListenerContext, program_team
from program.workspaces import workspace_uninstalled
from views.ids import EVENT_APP_UNINSTALLED, EVENT_TOKENS_REVOKED

log = logging.getLogger(__name__)


def _uninstalled(ctx: ListenerContext, context: BoltContext, reason: str) -> None:
    key = program_team(context)
    if key is None:
        log.warning("%s without a workspace or organization: ignored", reason)
        return

    # One short write and no Slack call: done on the listener's thread (Bolt acks events itself).
    with ctx.services.unit_of_work() as session:
        known = workspace_uninstalled(session, key=key, reason=reason, now=ctx.services.clock())
    log.info("%s in %s: tokens deleted%s", reason, key, ", data kept until the operator decides" if known else "")


def register(ctx: ListenerContext) -> None:
    @ctx.app.event(EVENT_APP_UNINSTALLED)
    def app_uninstalled(context: BoltContext) -> None:
        _uninstalled(ctx, context, EVENT_APP_UNINSTALLED)

    @ctx.app.event(EVENT_TOKENS_REVOKED)
    def tokens_revoked(event: dict, context: BoltContext) -> None:
        # We ask for no user tokens, so only the bot token's revocation matters.
        if (event.get("tokens") or {}).get("bot"):
            _uninstalled(ctx, context, EVENT_TOKENS_REVOKED)
