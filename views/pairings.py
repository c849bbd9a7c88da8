"""What a coordinator is told when the program's rules stand in the way of a pairing. Pure."""

from __future__ import annotations

from storage.pairings import PairingProblem, PairingRefusal, PairingRuleError

TEXTS = {
    PairingProblem.NOT_FACULTY: "{mentor} is not on the roster as faculty, so they can't mentor.",
    PairingProblem.MENTOR_WITHDRAWN: "{mentor} has stepped back from the program.",
    PairingProblem.NEVER_AGAIN: (
        "{mentor} and {resident} were paired before and that pairing ended by request, so they are never paired again."
    ),
    PairingProblem.NOT_MENTORING_THIS_YEAR: "{mentor} said they can't mentor this year.",
    PairingProblem.MENTOR_FULL: "{mentor} already has as many mentees as they can take ({limit}).",
    PairingProblem.NO_FREE_PLACE: "This mentor has no free place.",
    PairingProblem.NOT_RESIDENT: "{resident} is not on the roster as a resident.",
    PairingProblem.RESIDENT_WITHDRAWN: "{resident} has stepped back from the program.",
    PairingProblem.HAS_MENTOR: "{resident} already has an active mentor ({current_mentor}).",
    PairingProblem.NO_MENTOR: "{resident} has no active mentor.",
    PairingProblem.TAKEN_MEANWHILE: (
        "Someone else paired one of these people at the same moment, so nothing was saved. "
        "Please look at the current state and try again."
    ),
    PairingProblem.PROPOSAL_NOT_FOUND: "I couldn't find that proposal.",
    PairingProblem.PROPOSAL_APPROVED: "This proposal has already been approved, so nothing more was done.",
    PairingProblem.PROPOSAL_REPLACED: "This proposal was replaced by a newer one, so nothing was done.",
    PairingProblem.PROPOSAL_CHANGED: "Someone changed this proposal while you were looking at it, so nothing was done.",
    PairingProblem.NOT_IN_PROPOSAL: "That resident is not part of this proposal.",
    PairingProblem.UNKNOWN_MENTOR: "Please pick a faculty member on the roster.",
}


def refusal_text(refusal: PairingRefusal) -> str:
    return TEXTS[refusal.problem].format(
        mentor=refusal.mentor, resident=refusal.resident, limit=refusal.limit, current_mentor=refusal.current_mentor
    )


def pairing_problem_text(error: PairingRuleError) -> str:
    """Every rule in the way; for an approval, with what to do about it."""
    texts = " ".join(refusal_text(refusal) for refusal in error.refusals)
    if error.approving:
        return f"Nothing was approved yet. {texts} Please reassign and try again."
    return texts
