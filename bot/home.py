"""Publishing the App Home tab: on app_home_opened, and after any change that affects it."""

from __future__ import annotations

from collections.abc import Iterable

from slack_sdk import WebClient

from bot.access import Actor, authorize, lookup_actor
from bot.commands import CommandRouter
from bot.ids import EVENT_APP_HOME_OPENED
from bot.listeners.errors import apologise_on_error
from bot.runtime import Services
from bot.views.changes import personal_actions
from bot.views.help import CommandLine
from bot.views.home import home_view, matching_actions, not_on_roster_home
from storage.models import Role
from storage.requests import active_pairings_of

ROLE_LABELS = {Role.RESIDENT: "a resident", Role.FACULTY: "faculty", Role.COORDINATOR: "a coordinator"}


def role_label(actor: Actor) -> str:
    label = ROLE_LABELS[actor.role]
    if actor.is_coordinator and actor.role is not Role.COORDINATOR:
        label += " and a coordinator"
    return label


class HomePublisher:
    def __init__(self, services: Services, router: CommandRouter) -> None:
        self.services = services
        self.router = router

    def publish(self, client: WebClient, *, team_id: str, user_id: str) -> None:
        """Render and publish one person's home tab; failures are logged, never raised."""
        with apologise_on_error(None, f"publishing the home tab of {user_id}"):
            with self.services.unit_of_work() as session:
                found = lookup_actor(session, team_id=team_id, user_id=user_id)
                actor = found.actor
                has_pairing = bool(actor and active_pairings_of(session, person_id=actor.person_id))
            if actor is None or authorize(EVENT_APP_HOME_OPENED, actor, subject_ids=(actor.person_id,)):
                view = not_on_roster_home(found.coordinator_user_ids)
            else:
                commands = [CommandLine(c.usage, c.summary) for c in self.router.visible_to(actor)]
                personal = matching_actions(
                    is_resident=actor.role is Role.RESIDENT,
                    is_faculty=actor.role is Role.FACULTY,
                    withdrawn=actor.withdrawn,
                ) + personal_actions(
                    has_pairing=has_pairing,
                    withdrawn=actor.withdrawn,
                    can_leave=actor.role in (Role.RESIDENT, Role.FACULTY),
                )
                view = home_view(name=actor.name, role_label=role_label(actor), commands=commands, personal=personal)
            client.views_publish(user_id=user_id, view=view)

    def refresh(self, client: WebClient, *, team_id: str, user_ids: Iterable[str]) -> None:
        """After a change: republish the home tabs of everyone it affects."""
        for user_id in dict.fromkeys(user_ids):
            self.publish(client, team_id=team_id, user_id=user_id)
