"""What button, modal and option listeners share: who is asking (never taken from the payload's
other fields), and how to answer them privately wherever they clicked."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.access import Actor, Audience, Lookup, allows, lookup_actor
from bot.runtime import Services
from bot.views.common import private_message
from bot.views.help import not_on_roster_message
from bot.views.preferences import notice_view
from storage.models import Person, Program

REFUSALS = {
    Audience.RESIDENTS: "This is for residents, so nothing was done.",
    Audience.FACULTY: "This is for faculty, so nothing was done.",
    Audience.COORDINATORS: "Only program coordinators can do this, so nothing was done.",
}


def who(services: Services, context: BoltContext) -> Lookup:
    """The caller from Slack's signed user and team IDs, looked up on the roster now."""
    with services.unit_of_work() as session:
        return lookup_actor(session, team_id=context["team_id"], user_id=context["user_id"])


def refusal(found: Lookup, audience: Audience) -> str | None:
    """Why this caller may not do something meant for `audience`; None if they may."""
    if found.actor is None:
        return not_on_roster_message(found.coordinator_user_ids)["text"]
    if not allows(audience, found.actor):
        return REFUSALS[audience]
    return None


def permitted(services: Services, context: BoltContext, audience: Audience) -> tuple[Actor | None, str | None]:
    """(actor, None) when allowed, else (None, a private explanation)."""
    found = who(services, context)
    problem = refusal(found, audience)
    return (None, problem) if problem else (found.actor, None)


def rows(session: Session, actor: Actor) -> tuple[Person, Program]:
    """The actor's own roster row and program, loaded in this unit of work."""
    person, program = session.get(Person, actor.person_id), session.get(Program, actor.program_id)
    assert person is not None and program is not None
    return person, program


def tell(client: WebClient, body: dict[str, Any], respond: Any, text: str, *, title: str = "Mentorbot") -> None:
    """Answer a click privately: in the conversation if it came from a message (Bolt's respond,
    through its response_url), else in a small modal (the App Home has no response_url)."""
    if respond is not None and body.get("response_url"):
        respond(**private_message(text))
    elif body.get("trigger_id"):
        client.views_open(trigger_id=body["trigger_id"], view=notice_view(title, text))
