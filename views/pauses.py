"""Pausing and resuming: the modal, the neutral notice, the "back on" message and the private
answers. Pure functions.

Voice: leave, nights and rotations are part of residency; a pause needs no reason and the
messages never hint at one. The other person only learns that meetings are on hold, and until when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mentoring.pauses import PauseLength, PauseProblem
from views.common import (
    Block,
    Message,
    View,
    actions,
    button,
    context,
    escape,
    input_block,
    mention,
    modal,
    months_word,
    option,
    plain,
    private_message,
    section,
)
from views.ids import ACTION_PAUSE, ACTION_RESUME, ACTION_WE_MET, VIEW_PAUSE
from views.meetings import day
from views.payload import payload_id

PAIRINGS_INPUT = "pause_pairings"  # block and action id: a mentor with two mentees picks one or both
LENGTH_INPUT = "pause_length"
DATE_INPUT = "pause_until"

LENGTH_LABELS = {
    PauseLength.TWO_WEEKS: "Two weeks",
    PauseLength.ONE_MONTH: "A month",
    PauseLength.THREE_MONTHS: "Three months",
    PauseLength.UNTIL_DATE: "Until a date I pick",
}
WHO_SEES_WHAT = (
    "*No reason needed.* {other} gets a short note that your meetings are paused and until when, and that "
    "there's nothing for them to do. The coordinators see only that a pair is paused, and until when."
)


@dataclass(frozen=True)
class PauseChoice:
    pairing_id: int
    other_name: str


def pause_button(pairing_id: int | None) -> dict[str, Any]:
    return button("Pause meetings", ACTION_PAUSE, value=str(pairing_id) if pairing_id is not None else None)


def resume_button(pairing_id: int | None) -> dict[str, Any]:
    return button("Resume now", ACTION_RESUME, value=str(pairing_id) if pairing_id is not None else None)


def pause_modal(
    choices: Sequence[PauseChoice], *, ends: dict[PauseLength, date], latest: date, private_metadata: str, cadence_months: int = 3
) -> View:
    """`ends`: the day each common choice would end on, shown beside it; `latest`: six months on."""
    blocks: list[Block] = []
    if len(choices) == 1:
        blocks.append(section(f"Pause your mentoring meetings with *{escape(choices[0].other_name)}*."))
        other = escape(choices[0].other_name)
    else:
        options = [option(c.other_name, str(c.pairing_id)) for c in choices]
        blocks.append(
            input_block(
                PAIRINGS_INPUT,
                "Pause meetings with",
                {"type": "checkboxes", "action_id": PAIRINGS_INPUT, "options": options, "initial_options": options},
            )
        )
        other = "Each of them"
    lengths = [
        option(f"{LENGTH_LABELS[length]} (until {day(ends[length])})" if length in ends else LENGTH_LABELS[length], length.value)
        for length in PauseLength
    ]
    blocks += [
        input_block(
            LENGTH_INPUT,
            "For how long?",
            {"type": "radio_buttons", "action_id": LENGTH_INPUT, "options": lengths, "initial_option": lengths[1]},
        ),
        input_block(
            DATE_INPUT,
            "Paused until (if you pick a date)",
            {"type": "datepicker", "action_id": DATE_INPUT},
            optional=True,
            hint=f"Meetings are back on that day. At most six months: {day(latest)} at the latest.",
        ),
        context(
            WHO_SEES_WHAT.format(other=other)
            + f" While paused, nobody gets reminders and the {months_word(cadence_months)} until your next meeting stop counting."
        ),
    ]
    return modal(
        "Pause meetings", blocks, callback_id=VIEW_PAUSE, submit="Pause", close="Cancel", private_metadata=private_metadata
    )


@dataclass(frozen=True)
class PauseForm:
    pairing_ids: tuple[int, ...] | None  # None: the one pairing the modal was opened for
    length: PauseLength | None
    picked: date | None


def read_pause_form(view: dict[str, Any]) -> PauseForm:
    values = view.get("state", {}).get("values", {})
    chosen = values.get(PAIRINGS_INPUT, {}).get(PAIRINGS_INPUT)
    pairing_ids = None
    if chosen is not None:
        pairing_ids = tuple(i for o in chosen.get("selected_options") or [] if (i := payload_id(o.get("value"))) is not None)
    raw_length = (values.get(LENGTH_INPUT, {}).get(LENGTH_INPUT, {}).get("selected_option") or {}).get("value")
    length = next((choice for choice in PauseLength if choice.value == raw_length), None)
    raw_date = values.get(DATE_INPUT, {}).get(DATE_INPUT, {}).get("selected_date")
    try:
        picked = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        picked = None
    return PauseForm(pairing_ids, length, picked)


def length_error(problem: PauseProblem, latest: date) -> tuple[str, str]:
    """(block to show it on, what to say) for an end date the rules refuse."""
    if problem is PauseProblem.NO_DATE:
        return DATE_INPUT, "Pick the day your meetings should start again."
    if problem is PauseProblem.NOT_AFTER_TODAY:
        return DATE_INPUT, "Pick a day after today."
    return DATE_INPUT, f"A pause lasts at most six months: pick {day(latest)} or earlier."


def no_pairing_picked_error() -> str:
    return "Pick at least one pairing to pause."


def saving_view() -> View:
    return {"type": "modal", "title": plain("Pause meetings"), "blocks": [section("Saving…")]}


@dataclass(frozen=True)
class PausedLine:
    other_name: str
    ends_on: date | None
    next_due_on: date | None
    already: bool  # it was paused already (maybe by the other person)


def paused_view(lines: Sequence[PausedLine]) -> View:
    texts = []
    for line in lines:
        if line.ends_on is None:
            texts.append(f"Your pairing with *{escape(line.other_name)}* has ended, so there's nothing to pause.")
        elif line.already:
            texts.append(f"Your meetings with *{escape(line.other_name)}* were already paused until *{day(line.ends_on)}*.")
        else:
            due = f" Your next meeting will then be due by *{day(line.next_due_on)}*." if line.next_due_on else ""
            texts.append(f"Paused: your meetings with *{escape(line.other_name)}* are back on *{day(line.ends_on)}*.{due}")
    blocks = [section("\n".join(texts)), context("Back sooner? `/mentor resume`, or *Resume now* on the App Home.")]
    return {"type": "modal", "title": plain("Meetings paused"), "close": plain("Done"), "blocks": blocks}


def not_saved_view(problem: str) -> View:
    return {"type": "modal", "title": plain("Pause meetings"), "close": plain("Close"), "blocks": [section(problem)]}


def not_saved_error() -> str:
    return "Something went wrong on our side and nothing was saved. Please try again in a minute."


def not_in_pairing_error() -> str:
    return "That pairing has ended or isn't yours, so there's nothing to pause. `/mentor status` shows your pairing."


def no_pairing_to_pause_message() -> Message:
    return private_message(
        "You don't have a mentoring pairing right now, so there's nothing to pause. "
        "If you'd rather not be matched for a while, tell the program coordinators."
    )


# --- what the other person and the pair get --------------------------------------------------


def paused_notice(*, other_user_id: str, ends_on: date) -> Message:
    """To the other person: neutral, no reason, nothing to do."""
    text = f"Your mentoring meetings with {mention(other_user_id)} are paused until *{day(ends_on)}*; nothing for you to do."
    return {
        "text": text,
        "blocks": [section(text + " I'll let you both know when they're back on."), context("Sent only to you.")],
    }


def back_on_message(*, mentor_user_id: str, resident_user_id: str, next_due_on: date, pairing_id: int) -> Message:
    """To the pair's group DM, the working day the pause ends (or when it is ended early)."""
    text = (
        f"Welcome back, {mention(mentor_user_id)} and {mention(resident_user_id)}: your mentoring meetings are back on. "
        f"The next one is due by *{day(next_due_on)}*."
    )
    return {
        "text": text,
        "blocks": [
            section(text + " Pick a time that suits you both, then log it here."),
            actions(button("We met", ACTION_WE_MET, value=str(pairing_id), style="primary")),
        ],
    }


# --- /mentor resume ----------------------------------------------------------------------------


def resumed_message(lines: Sequence[tuple[str, date | None]]) -> Message:
    """(other person's name, next due date) per pairing resumed; no date: the pairing had ended."""
    texts = [
        f"Your meetings with *{escape(name)}* are back on. The next one is due by *{day(due)}*; you'll both get a short note."
        if due
        else "Your pause is over: you can be matched again."
        for name, due in lines
    ]
    return private_message("\n".join(texts))


def not_yours_to_resume_message(lines: Sequence[tuple[str, date]]) -> Message:
    texts = [
        f"Your meetings with *{escape(name)}* are paused until *{day(ends_on)}*. They start again on their own then; "
        "nothing for you to do."
        for name, ends_on in lines
    ]
    return private_message("\n".join(texts))


def nothing_to_resume_message() -> Message:
    return private_message("Nothing is paused right now, so there's nothing to resume. `/mentor pause` pauses your meetings.")
