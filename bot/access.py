"""Who is asking, and what they may do: one place for every surface to ask.

Two questions, answered here and nowhere else:
- slash commands: may this role use the subcommand (`Audience`, checked by the router);
- every other surface (buttons, modal submissions, the App Home, admin callbacks): may this
  person reach the data the payload names (`authorize`, with the table `POLICY`).

Residents and faculty reach only their own pairing and data; coordinators reach the program,
except confidential requests about a pairing they are in themselves. A payload is never
trusted to say whose data it is: callers re-derive the subjects from the database, and modal
`private_metadata` is sealed with an HMAC so a tampered one is refused (views/private_metadata.py).

The command line reaches the whole database: whoever runs `mentorbot` holds its credentials,
so it is the operators' (and coordinators') tool and never part of what people reach in Slack.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mentoring.access import Reach, Refusal, refusal_for
from storage.models import Person, PersonStatus, Role
from storage.programs import program_for_team
from storage.roster import coordinators, find_person
from views import ids


class Audience(enum.Enum):
    EVERYONE = "everyone"
    RESIDENTS = "residents"
    FACULTY = "faculty"
    COORDINATORS = "coordinators"


@dataclass(frozen=True)
class Actor:
    """A snapshot of the person behind a request, safe to use after the session closed."""

    person_id: int
    program_id: int
    team_id: str
    slack_user_id: str
    name: str
    role: Role
    is_coordinator: bool
    withdrawn: bool

    @classmethod
    def of(cls, person: Person) -> Actor:
        return cls(
            person_id=person.id,
            program_id=person.program_id,
            team_id=person.team_id,
            slack_user_id=person.slack_user_id,
            name=person.name,
            role=person.role,
            is_coordinator=person.is_coordinator,
            withdrawn=person.status is PersonStatus.WITHDRAWN,
        )


@dataclass(frozen=True)
class Lookup:
    actor: Actor | None
    program_id: int | None
    coordinator_user_ids: tuple[str, ...]


def lookup_actor(session: Session, *, team_id: str, user_id: str) -> Lookup:
    """The caller's roster entry, or the coordinators to name when they are not on it."""
    program = program_for_team(session, team_id)
    if program is None:
        return Lookup(actor=None, program_id=None, coordinator_user_ids=())
    person = find_person(session, program_id=program.id, team_id=team_id, slack_user_id=user_id)
    if person is not None:
        return Lookup(actor=Actor.of(person), program_id=program.id, coordinator_user_ids=())
    names = tuple(p.slack_user_id for p in coordinators(session, program_id=program.id))
    return Lookup(actor=None, program_id=program.id, coordinator_user_ids=names)


def allows(audience: Audience, actor: Actor) -> bool:
    if audience is Audience.EVERYONE:
        return True
    if audience is Audience.COORDINATORS:
        return actor.is_coordinator
    if audience is Audience.RESIDENTS:
        return actor.role is Role.RESIDENT
    return actor.role is Role.FACULTY


# Every surface other than slash commands, and how far it reaches. Features add theirs here;
# `authorize` refuses to answer for a surface that is not listed.
POLICY: dict[str, Reach] = {
    ids.EVENT_APP_HOME_OPENED: Reach.ROSTER,
    ids.ACTION_CHANGE: Reach.OWN,
    ids.VIEW_CHANGE: Reach.OWN,
    ids.ACTION_WITHDRAW: Reach.OWN,
    ids.VIEW_WITHDRAW: Reach.OWN,
    ids.ACTION_REJOIN: Reach.OWN,
    ids.ACTION_EXPORT: Reach.PROGRAM,
    ids.ACTION_WE_MET: Reach.OWN,
    ids.VIEW_MEETING: Reach.OWN,
    ids.ACTION_PAUSE: Reach.OWN,
    ids.VIEW_PAUSE: Reach.OWN,
    ids.ACTION_RESUME: Reach.OWN,
    ids.ACTION_PLAN: Reach.OWN,
    ids.VIEW_PLAN: Reach.OWN,
    ids.ACTION_CHECK_IN: Reach.OWN,
    ids.ACTION_CHECK_IN_SKIP: Reach.OWN,
    ids.VIEW_CHECK_IN: Reach.OWN,
    ids.ACTION_NOTE_READ: Reach.PROGRAM_NOT_PARTY,
    ids.ACTION_RESOLVE_REMATCH: Reach.PROGRAM_NOT_PARTY,
    ids.ACTION_RESOLVE_CLOSE: Reach.PROGRAM_NOT_PARTY,
    # Matching (bot/listeners/preferences.py, proposals.py). The forms are about one's own answers
    # and are also limited by role (residents request, faculty offer: bot/listeners/interactions.py).
    ids.ACTION_OPEN_REQUEST: Reach.OWN,
    ids.VIEW_REQUEST: Reach.OWN,
    ids.ACTION_PICK_MENTOR: Reach.OWN,
    ids.ACTION_OPEN_OFFER: Reach.OWN,
    ids.VIEW_OFFER: Reach.OWN,
    ids.ACTION_PICK_RESIDENT: Reach.OWN,
    ids.ACTION_REVIEW_PROPOSAL: Reach.PROGRAM,
    ids.ACTION_REASSIGN: Reach.PROGRAM,
    ids.VIEW_PROPOSAL: Reach.PROGRAM,
    ids.ACTION_PICK_PROPOSAL_RESIDENT: Reach.PROGRAM,
    ids.ACTION_PICK_PROPOSAL_MENTOR: Reach.PROGRAM,
}


def authorize(
    surface: str,
    actor: Actor | None,
    *,
    subject_ids: Collection[int] = (),
    program_id: int | None = None,
) -> Refusal | None:
    """None when `actor` may use `surface` on data belonging to `subject_ids` (person ids, as
    found in the database) in `program_id`; otherwise why not (mentoring/access.py decides)."""
    reach = POLICY[surface]
    if actor is None:
        return Refusal.NOT_ON_ROSTER
    return refusal_for(
        reach,
        is_coordinator=actor.is_coordinator,
        same_program=program_id is None or program_id == actor.program_id,
        is_party=actor.person_id in subject_ids,
    )
