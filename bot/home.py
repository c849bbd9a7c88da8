"""Publishing the App Home tab: on app_home_opened, and after any change that affects it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.access import authorize
from bot.commands import CommandRouter
from bot.runtime import Services
from storage.models import Role
from storage.my_pairings import person_home
from storage.programs import load_program, person_today
from storage.reports import program_snapshot
from storage.roster import Actor, Lookup, lookup_actor, person_of
from views.common import View
from views.help import CommandLine
from views.home import home_view, not_on_roster_home
from views.ids import EVENT_APP_HOME_OPENED
from views.programs import combined_home

log = logging.getLogger(__name__)

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
        """Render and publish one person's home tab; failures are logged, never raised. Someone
        in several programs sees each program's home under its name, with its own buttons."""
        try:
            with self.services.reading() as session:
                found = lookup_actor(session, team_id=team_id, user_id=user_id)
                homes = [
                    (program, home)
                    for program, membership in zip(found.programs, found.memberships, strict=True)
                    if (home := self._home(session, found.in_program(membership.program_id))) is not None
                ]
                if not homes:
                    view = not_on_roster_home(found.coordinator_user_ids)
                elif found.several:
                    view = combined_home(homes)
                else:
                    view = homes[0][1]
            client.views_publish(user_id=user_id, view=view)
        except Exception:
            log.exception("failed while publishing the home tab of %s", user_id)

    def _home(self, session: Session, found: Lookup) -> View | None:
        """One membership's home, or None when the access policy refuses it."""
        actor = found.actor
        if actor is None or authorize(EVENT_APP_HOME_OPENED, actor, subject_ids=(actor.person_id,)):
            return None
        commands = [CommandLine(c.usage, c.summary) for c in self.router.visible_to(actor)]
        return home_view(name=actor.name, role_label=role_label(actor), commands=commands, **self._content(session, actor))

    def _content(self, session: Session, actor: Actor) -> dict[str, Any]:
        """The person's own pairing(s), and the program dashboard for coordinators."""
        person, program = person_of(session, actor), load_program(session, actor.program_id)
        now = self.services.clock()
        content: dict[str, Any] = {"today": person_today(person, program, now)}
        if actor.role is not Role.COORDINATOR:
            content["personal"] = person_home(session, person=person, program=program)
        if actor.is_coordinator:
            content["dashboard"] = program_snapshot(session, program=program, now=now, seen_by=[actor.person_id])
        return content

    def refresh(self, client: WebClient, *, team_id: str, user_ids: Iterable[str]) -> None:
        """After a change: republish the home tabs of everyone it affects."""
        for user_id in dict.fromkeys(user_ids):
            self.publish(client, team_id=team_id, user_id=user_id)
