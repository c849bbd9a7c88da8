"""App Home: published when someone opens the tab."""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.kit import ListenerContext, program_team
from views.ids import EVENT_APP_HOME_OPENED


def register(ctx: ListenerContext) -> None:
    @ctx.app.event(EVENT_APP_HOME_OPENED)
    def publish_home(event: dict, client: WebClient, context: BoltContext) -> None:
        user_id, team_id = event["user"], program_team(context)
        if event.get("tab") not in (None, "home") or not team_id:
            return  # the Messages tab needs nothing from us; nor does an event that names no workspace
        ctx.services.after_ack(lambda: ctx.home.publish(client, team_id=team_id, user_id=user_id), "app_home_opened")
