"""Check-ins: the DM that asks, the two-question modal, the answers to a click, and the note a
coordinator gets when someone writes to them. Pure functions.

Every screen says who sees what: a score is counted anonymously (averages of at least a handful
of answers, for a finished quarter); free text goes to the coordinators only and is deleted once
read; skipping records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from mentoring.check_ins import FREE_TEXT_MAX_CHARS, SCORES, CheckInKind
from views.common import (
    Block,
    Message,
    View,
    actions,
    button,
    context,
    input_block,
    mention,
    modal,
    option,
    plain,
    quoted_sections,
    section,
)
from views.ids import ACTION_CHECK_IN, ACTION_CHECK_IN_SKIP, ACTION_NOTE_READ, VIEW_CHECK_IN
from views.meetings import day
from views.payload import payload_id

SCORE_INPUT = "check_in_score"
TEXT_INPUT = "check_in_text"
SCORE_LABELS = {1: "1: not useful", 2: "2", 3: "3", 4: "4", 5: "5: very useful"}
RELATIONSHIP_LABELS = {1: "1: not well", 2: "2", 3: "3", 4: "4", 5: "5: very well"}
WHO_SEES_SCORES = (
    "Your score is counted anonymously: the coordinators only ever see averages of at least a handful of answers, "
    "for a quarter that is over. *Skip* records nothing."
)
TEXT_HINT = "Only the program coordinators read this. It's deleted once they've read it."


def _question(kind: CheckInKind, other_user_id: str, subject_on: date) -> str:
    other = mention(other_user_id)
    if kind is CheckInKind.MEETING:
        return f"How useful was your mentoring meeting with {other} on {day(subject_on)}?"
    if kind is CheckInKind.QUARTERLY:
        return f"How is your mentoring with {other} going? (A quick check once a quarter.)"
    return "Your mentoring pairing has ended. Is there anything you'd like the coordinators to know?"


def check_in_request(*, kind: CheckInKind, prompt_id: int, other_user_id: str, subject_on: date) -> Message:
    """The DM that asks; one action (answer), and a way out that records nothing."""
    question = _question(kind, other_user_id, subject_on)
    if kind is CheckInKind.ENDING:
        lead = question + " It's entirely optional: leaving or changing never needs a reason."
        buttons = actions(
            button("Tell the coordinators", ACTION_CHECK_IN, value=str(prompt_id)),
            button("No thanks", ACTION_CHECK_IN_SKIP, value=str(prompt_id)),
        )
        footer = "Only the program coordinators read what you write, and it's deleted once they've read it."
    else:
        lead = question + " Two quick questions, half a minute."
        buttons = actions(
            button("Answer", ACTION_CHECK_IN, value=str(prompt_id), style="primary"),
            button("Skip", ACTION_CHECK_IN_SKIP, value=str(prompt_id)),
        )
        footer = WHO_SEES_SCORES
    return {"text": lead, "blocks": [section(lead), buttons, context(footer)]}


def check_in_modal(*, kind: CheckInKind, other_name: str, subject_on: date, private_metadata: str) -> View:
    blocks: list[Block] = []
    if kind.has_score:
        labels = SCORE_LABELS if kind is CheckInKind.MEETING else RELATIONSHIP_LABELS
        question = (
            f"How useful was your meeting with {other_name} on {day(subject_on)}?"
            if kind is CheckInKind.MEETING
            else f"How is your mentoring with {other_name} going?"
        )
        scores = [option(labels[score], str(score)) for score in SCORES]
        blocks.append(input_block(SCORE_INPUT, question, {"type": "radio_buttons", "action_id": SCORE_INPUT, "options": scores}))
    text_label = (
        "Anything you'd like the coordinators to know?"
        if kind.has_score
        else "Anything you'd like the coordinators to know? (optional)"
    )
    blocks.append(
        input_block(
            TEXT_INPUT,
            text_label,
            {"type": "plain_text_input", "action_id": TEXT_INPUT, "multiline": True, "max_length": FREE_TEXT_MAX_CHARS},
            optional=True,
            hint=TEXT_HINT,
        )
    )
    blocks.append(context(WHO_SEES_SCORES if kind.has_score else "Leaving or changing never needs a reason."))
    return modal("Check-in", blocks, callback_id=VIEW_CHECK_IN, submit="Send", close="Cancel", private_metadata=private_metadata)


@dataclass(frozen=True)
class CheckInForm:
    score: int | None
    text: str | None


def read_check_in_form(view: dict[str, Any]) -> CheckInForm:
    values = view.get("state", {}).get("values", {})
    raw = (values.get(SCORE_INPUT, {}).get(SCORE_INPUT, {}).get("selected_option") or {}).get("value")
    score = payload_id(raw) if payload_id(raw) in SCORES else None
    text = values.get(TEXT_INPUT, {}).get(TEXT_INPUT, {}).get("value")
    return CheckInForm(score, text if isinstance(text, str) else None)


def missing_score_error() -> str:
    return "Pick a number from 1 to 5 (or close this and press Skip)."


def saving_view() -> View:
    return {"type": "modal", "title": plain("Check-in"), "blocks": [section("Saving…")]}


def thanks_view(*, wrote: bool) -> View:
    text = "Thank you! Your answer is counted anonymously."
    if wrote:
        text += " Your note is on its way to the program coordinators, and only they will read it."
    return {"type": "modal", "title": plain("Check-in"), "close": plain("Done"), "blocks": [section(text)]}


def answered_message() -> Message:
    """Replaces the DM that asked, once answered (the buttons go)."""
    text = "Thanks for your check-in."
    return {"text": text, "blocks": [section(text)]}


def skipped_message() -> Message:
    text = "Skipped: nothing was recorded."
    return {"text": text, "blocks": [section(text)]}


def already_done_text() -> str:
    return "You've already answered or skipped this check-in, so there's nothing more to do."


def not_saved_view(problem: str) -> View:
    return {"type": "modal", "title": plain("Check-in"), "close": plain("Close"), "blocks": [section(problem)]}


def nothing_to_answer_text() -> str:
    return "There's no check-in waiting for you, so there's nothing to answer."


# --- the coordinators' copy of a note ----------------------------------------------------------

ABOUT = {
    CheckInKind.MEETING: "after a meeting on {day}",
    CheckInKind.QUARTERLY: "in the quarterly check-in",
    CheckInKind.ENDING: "when their pairing ended",
}


def note_alert(
    *, note_id: int, author_user_id: str, other_user_id: str | None, kind: CheckInKind, subject_on: date, text: str
) -> Message:
    """A DM to each coordinator who is not in the pairing: who wrote, about what, and the text."""
    about = ABOUT[kind].format(day=day(subject_on))
    pairing = f" (paired with {mention(other_user_id)})" if other_user_id else ""
    lead = f"{mention(author_user_id)}{pairing} wrote to the coordinators {about}:"
    return {
        "text": f"{lead} (a check-in note: open the message to read it)",
        "blocks": [
            *quoted_sections(text, lead=lead),
            actions(button("Mark as read", ACTION_NOTE_READ, value=str(note_id))),
            context(
                "Only the program coordinators see this (not any coordinator in this pairing). Marking it read deletes "
                "the text here and from Mentorbot; scores are never shown with a name."
            ),
        ],
    }


def note_read_message(*, author_user_id: str, reader_name: str, read_on: date) -> Message:
    text = (
        f"A check-in note from {mention(author_user_id)} was read by {reader_name} on {day(read_on)}; its text has been deleted."
    )
    return {"text": text, "blocks": [section(text)]}


def note_read_text(*, edits: int) -> str:
    if not edits:
        return "Marked read. Its text is deleted."
    return (
        "Marked read. Its text is deleted here, and I'm taking it out of the coordinators' DMs now; "
        "I'll tell you if Slack holds that up."
    )


def already_read_text() -> str:
    return "Already read."


def note_gone_text() -> str:
    return "That note isn't there any more, so there's nothing to mark."


def not_saved_error() -> str:
    return "Something went wrong on our side and nothing was saved. Please try again in a minute."
