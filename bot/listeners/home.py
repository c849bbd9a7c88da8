"""App Home: published when someone opens the tab."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.access import Actor, lookup_actor
from bot.commands import CommandRouter
from bot.ids import EVENT_APP_HOME_OPENED
from bot.listeners.errors import apologise_on_error
from bot.runtime import Services
from bot.views.help import CommandLine
from bot.views.home import home_view, not_on_roster_home
from storage.models import Role

ROLE_LABELS = {Role.RESIDENT: "a resident", Role.FACULTY: "faculty", Role.COORDINATOR: "a coordinator"}


def role_label(actor: Actor) -> str:
    label = ROLE_LABELS[actor.role]
    if actor.is_coordinator and actor.role is not Role.COORDINATOR:
        label += " and a coordinator"
    return label


def register(app: App, services: Services, router: CommandRouter) -> None:
    @app.event(EVENT_APP_HOME_OPENED)
    def publish_home(event: dict, client: WebClient, context: dict) -> None:
        if event.get("tab") not in (None, "home"):
            return  # the Messages tab needs nothing from us
        user_id, team_id = event["user"], context["team_id"]
        services.after_ack(lambda: publish(user_id, team_id, client), "app_home_opened")

    def publish(user_id: str, team_id: str, client: WebClient) -> None:
        with apologise_on_error(None, "app_home_opened"):
            with services.unit_of_work() as session:
                found = lookup_actor(session, team_id=team_id, user_id=user_id)
            if found.actor is None:
                view = not_on_roster_home(found.coordinator_user_ids)
            else:
                commands = [CommandLine(c.usage, c.summary) for c in router.visible_to(found.actor)]
                view = home_view(name=found.actor.name, role_label=role_label(found.actor), commands=commands)
            client.views_publish(user_id=user_id, view=view)
