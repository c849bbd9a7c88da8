"""Publishing the App Home tab: on app_home_opened, and after any change that affects it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.access import Actor, authorize, lookup_actor
from bot.commands import CommandRouter
from bot.listeners.errors import apologise_on_error
from bot.runtime import Services
from storage.meetings import person_today
from storage.models import Person, Program, Role
from storage.reports import person_home, program_snapshot
from views.help import CommandLine
from views.home import home_view, not_on_roster_home
from views.ids import EVENT_APP_HOME_OPENED

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
                if actor is None or authorize(EVENT_APP_HOME_OPENED, actor, subject_ids=(actor.person_id,)):
                    view = not_on_roster_home(found.coordinator_user_ids)
                else:
                    commands = [CommandLine(c.usage, c.summary) for c in self.router.visible_to(actor)]
                    view = home_view(
                        name=actor.name, role_label=role_label(actor), commands=commands, **self._content(session, actor)
                    )
            client.views_publish(user_id=user_id, view=view)

    def _content(self, session: Session, actor: Actor) -> dict[str, Any]:
        """The person's own pairing(s), and the program dashboard for coordinators."""
        person, program = session.get(Person, actor.person_id), session.get(Program, actor.program_id)
        assert person is not None and program is not None
        now = self.services.clock()
        content: dict[str, Any] = {"today": person_today(person, program, now)}
        if actor.role is not Role.COORDINATOR:
            content["personal"] = person_home(session, person=person, program=program)
        if actor.is_coordinator:
            content["dashboard"] = program_snapshot(session, program=program, now=now)
        return content

    def refresh(self, client: WebClient, *, team_id: str, user_ids: Iterable[str]) -> None:
        """After a change: republish the home tabs of everyone it affects."""
        for user_id in dict.fromkeys(user_ids):
            self.publish(client, team_id=team_id, user_id=user_id)
