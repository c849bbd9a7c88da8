"""App Home: published when someone opens the tab."""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.kit import ListenerContext, first_delivery, program_team
from views.ids import EVENT_APP_HOME_OPENED


def register(ctx: ListenerContext) -> None:
    @ctx.app.event(EVENT_APP_HOME_OPENED)
    def publish_home(body: dict, event: dict, client: WebClient, context: BoltContext) -> None:
        user_id, team_id = event["user"], program_team(context)
        if event.get("tab") not in (None, "home") or not team_id:
            return  # the Messages tab needs nothing from us; nor does an event that names no workspace

        def publish() -> None:
            # Slack retries an event it thinks we missed (X-Slack-Retry-Num), with the same
            # event_id: one that reached us was acked at once and is published once.
            if first_delivery(ctx.services, body, EVENT_APP_HOME_OPENED):
                ctx.home.publish(client, team_id=team_id, user_id=user_id)

        ctx.services.after_ack(publish, EVENT_APP_HOME_OPENED)
