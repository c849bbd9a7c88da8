"""What the matching path's buttons, modals and pick lists share: who is asking (never taken from
the payload's other fields), whether they may (bot/access.py POLICY, then the role a form is
for), and how to answer them privately wherever they clicked."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.access import Actor, Audience, Lookup, allows, authorize, lookup_actor
from bot.runtime import Services
from mentoring.access import Refusal
from storage.models import Person, Program
from views import ids
from views.access import refusal_text
from views.common import notice_modal, private_message

# Surfaces meant for one role, beyond what POLICY says about whose data they reach.
AUDIENCE = {
    ids.ACTION_OPEN_REQUEST: Audience.RESIDENTS,
    ids.VIEW_REQUEST: Audience.RESIDENTS,
    ids.ACTION_PICK_MENTOR: Audience.RESIDENTS,
    ids.ACTION_OPEN_OFFER: Audience.FACULTY,
    ids.VIEW_OFFER: Audience.FACULTY,
    ids.ACTION_PICK_RESIDENT: Audience.FACULTY,
}
ROLE_REFUSALS = {
    Audience.RESIDENTS: "This is for residents, so nothing was done.",
    Audience.FACULTY: "This is for faculty, so nothing was done.",
}


def who(services: Services, context: BoltContext) -> Lookup:
    """The caller from Slack's signed user and team IDs, looked up on the roster now."""
    with services.reading() as session:
        return lookup_actor(session, team_id=context["team_id"], user_id=context["user_id"])


def refusal(found: Lookup, surface: str) -> str | None:
    """Why this caller may not use `surface` (on their own answers, or as a coordinator on the
    program); None if they may."""
    actor = found.actor
    refused = authorize(surface, actor, subject_ids=(actor.person_id,) if actor else ())
    if refused is not None or actor is None:
        return refusal_text(refused or Refusal.NOT_ON_ROSTER, found.coordinator_user_ids)
    audience = AUDIENCE.get(surface)
    if audience is not None and not allows(audience, actor):
        return ROLE_REFUSALS[audience]
    return None


def permitted(services: Services, context: BoltContext, surface: str) -> tuple[Actor | None, str | None]:
    """(actor, None) when allowed, else (None, a private explanation)."""
    found = who(services, context)
    problem = refusal(found, surface)
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
        client.views_open(trigger_id=body["trigger_id"], view=notice_modal(title, text))
