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

from mentoring.access import Reach, Refusal, refusal_for
from storage.models import Role
from storage.roster import Actor
from views import ids


class Audience(enum.Enum):
    EVERYONE = "everyone"
    RESIDENTS = "residents"
    FACULTY = "faculty"
    COORDINATORS = "coordinators"


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
    ids.ACTION_OPEN_ROUND: Reach.PROGRAM,  # the dashboard's buttons (bot/listeners/rounds.py)
    ids.ACTION_RUN_MATCH: Reach.PROGRAM,
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
    # and are also limited by role (residents request, faculty offer: bot/kit.py AUDIENCE).
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
