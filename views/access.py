"""What a person is told when a surface refuses them. Pure; every refusal is private and changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from mentoring.access import Refusal
from views.help import not_on_roster_message

REFUSALS = {
    Refusal.COORDINATORS_ONLY: "That's for the program coordinators, so nothing was changed.",
    Refusal.NOT_YOURS: "That isn't one of your own pairings, so nothing was changed.",
    Refusal.ABOUT_YOU: (
        "This request is about a pairing you're in, so another coordinator needs to handle it. Nothing was changed."
    ),
    Refusal.TAMPERED: "Something about that form didn't check out, so nothing was changed. Please open it again.",
}


def refusal_text(refusal: Refusal, coordinator_user_ids: Sequence[str] = ()) -> str:
    if refusal is Refusal.NOT_ON_ROSTER:
        return str(not_on_roster_message(coordinator_user_ids)["text"])
    return REFUSALS[refusal]
