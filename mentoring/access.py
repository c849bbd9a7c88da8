"""Who may reach whose data: the program's confidentiality rule, as pure code.

Residents and faculty reach only their own pairing and record; coordinators reach the program,
except confidential requests about a pairing they are in themselves. bot/access.py says how far
each Slack surface reaches; this module decides, given what the database says about the caller
and the data, whether the caller may.
"""

from __future__ import annotations

import enum


class Reach(enum.Enum):
    """How far a surface reaches into the program's data."""

    ROSTER = "roster"  # anyone on the roster, about nothing but themselves (help, App Home)
    OWN = "own"  # one's own pairing or record only; a change request is personal, even for coordinators
    OWN_OR_COORDINATOR = "own_or_coordinator"  # one person's data: themselves, or a coordinator
    PROGRAM = "program"  # coordinators only: everybody's data, admin actions, exports
    PROGRAM_NOT_PARTY = "program_not_party"  # coordinators, about requests they are not part of


class Refusal(enum.Enum):
    NOT_ON_ROSTER = "not_on_roster"
    COORDINATORS_ONLY = "coordinators_only"
    NOT_YOURS = "not_yours"  # the payload names someone else's pairing or record
    ABOUT_YOU = "about_you"  # a coordinator handling a confidential request about their own pairing
    TAMPERED = "tampered"  # private_metadata that we did not write, or a choice we did not offer


def refusal_for(reach: Reach, *, is_coordinator: bool, same_program: bool, is_party: bool) -> Refusal | None:
    """None when someone on the roster may reach this data; otherwise why not. `is_party`: the
    caller is one of the people the data belongs to (as found in the database)."""
    if reach in (Reach.PROGRAM, Reach.PROGRAM_NOT_PARTY) and not is_coordinator:
        return Refusal.COORDINATORS_ONLY
    if not same_program:
        return Refusal.NOT_YOURS
    if reach is Reach.OWN and not is_party:
        return Refusal.NOT_YOURS
    if reach is Reach.OWN_OR_COORDINATOR and not (is_party or is_coordinator):
        return Refusal.NOT_YOURS
    if reach is Reach.PROGRAM_NOT_PARTY and is_party:
        return Refusal.ABOUT_YOU
    return None
