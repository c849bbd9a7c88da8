"""The residents' preferences modal and the faculty offer modal: built and read here. Pure.

Faculty and residents are picked with external selects: Slack asks the bot for options as the
person types (bot/listeners/preferences.py answers with at most 100 matches), so the lists work
for any size of roster, unlike a static select's 100-option cap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mentoring.preferences import (
    FIELD_AVAILABLE,
    FIELD_CAPACITY,
    FIELD_FOCUS_AREAS,
    FIELD_NOTE,
    FIELD_PREFERRED,
    FIELD_SUBSPECIALTIES,
    NOTE_MAX_CHARS,
    PREFERRED_RESIDENTS_LIMIT,
    RANKING_LIMIT,
    Blocked,
    BlockedReason,
    Choice,
    FocusArea,
    OfferAnswers,
    RequestAnswers,
    choice_field,
    ordinal,
)
from views.common import (
    View,
    context,
    every_months,
    input_block,
    long_date,
    modal,
    option,
    plain,
    section,
)
from views.ids import ACTION_PICK_MENTOR, ACTION_PICK_RESIDENT, VIEW_OFFER, VIEW_REQUEST
from views.payload import payload_id

VALUE = "value"  # action_id of every single-purpose input in these forms
YES, NO = "yes", "no"
UNKNOWN_ID = -1  # a picked value that is not a person id: fails the eligibility check


@dataclass(frozen=True)
class Picked:
    """A person already chosen, shown as the select's initial option."""

    id: int
    label: str


def person_label(name: str, subspecialty: str | None) -> str:
    return f"{name} ({subspecialty})" if subspecialty else name


REQUEST_TITLE = "Mentor preferences"
OFFER_TITLE = "Mentoring this year"
SAVING = "Saving your answers…"
NOT_SAVED = "Sorry, something went wrong on my side and nothing was saved. Please try again in a minute."
STEPPED_BACK = "You've stepped back from the program, so there's nothing to {what} right now. If you'd like to come back, use `/mentor rejoin`."


def request_blocked_text(blocked: Blocked) -> str:
    """Why a resident cannot ask for a mentor now."""
    if blocked.reason is BlockedReason.WITHDRAWN:
        return STEPPED_BACK.format(what="choose")
    return (
        f"You already have a mentor, {blocked.mentor_name}. If you'd like a different one, use `/mentor change`: "
        "no reason needed, and only the coordinators will know."
    )


def offer_blocked_text(blocked: Blocked) -> str:
    """Why a faculty member cannot answer now (they left the program)."""
    return STEPPED_BACK.format(what="answer")


def changed_meanwhile_text(blocked_text: str | None, problems: Mapping[str, str]) -> str:
    """A form that passed its first check but not the one made while saving."""
    text = blocked_text or "Something changed while you were answering: " + " ".join(problems.values())
    return f"{text} Nothing was saved."


def _person_option(person: Picked) -> dict[str, Any]:
    return option(person.label, str(person.id))


def _focus_options() -> list[dict[str, Any]]:
    return [option(area.label, area.value) for area in FocusArea]


def _subspecialty_element(catalogue: Sequence[Choice], saved: Sequence[str]) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": VALUE,
        "placeholder": plain("Choose any"),
        "options": [option(c.label, c.key) for c in catalogue],
    }
    initial = [option(c.label, c.key) for c in catalogue if c.key in set(saved)]
    if initial:
        element["initial_options"] = initial
    return element


def _focus_element(saved: Sequence[str]) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "checkboxes", "action_id": VALUE, "options": _focus_options()}
    initial = [option(area.label, area.value) for area in FocusArea if area.value in set(saved)]
    if initial:
        element["initial_options"] = initial
    return element


# --- the resident's request -------------------------------------------------------------------


def request_modal(
    *,
    saved_choices: Sequence[Picked | None],
    catalogue: Sequence[Choice],
    saved_subspecialties: Sequence[str] = (),
    saved_focus_areas: Sequence[str] = (),
    saved_note: str = "",
    last_day: date | None = None,
) -> View:
    """`last_day`: the round's last day for answers; None outside a round (the request joins the queue)."""
    if last_day is not None:
        when = f"Please answer by *{long_date(last_day)}*; you can change your answers until then."
    else:
        when = "There's no matching round right now, so you'll join the waiting list and the coordinator will match you."
    blocks = [
        section(
            f"Rank up to {RANKING_LIMIT} faculty you'd like as your mentor. Start typing a name to search. "
            "If your choices aren't available, I'll look for someone who shares your interests.\n" + when
        )
    ]
    for position in range(1, RANKING_LIMIT + 1):
        element: dict[str, Any] = {
            "type": "external_select",
            "action_id": ACTION_PICK_MENTOR,
            "placeholder": plain("Search faculty"),
            "min_query_length": 0,
        }
        saved = saved_choices[position - 1] if position <= len(saved_choices) else None
        if saved is not None:
            element["initial_option"] = _person_option(saved)
        blocks.append(input_block(choice_field(position), f"{ordinal(position)} choice", element, optional=True))
    blocks += [
        input_block(
            FIELD_SUBSPECIALTIES,
            "Subspecialty interests",
            _subspecialty_element(catalogue, saved_subspecialties),
            optional=True,
        ),
        input_block(FIELD_FOCUS_AREAS, "What would you like help with?", _focus_element(saved_focus_areas), optional=True),
        input_block(
            FIELD_NOTE,
            "Note for the coordinator",
            {
                "type": "plain_text_input",
                "action_id": VALUE,
                "multiline": True,
                "max_length": NOTE_MAX_CHARS,
                **({"initial_value": saved_note} if saved_note else {}),
            },
            optional=True,
            hint="Only the program coordinators will see this note. Faculty never do.",
        ),
        context("Only you and the program coordinators can see your answers."),
    ]
    return modal("Mentor preferences", blocks, callback_id=VIEW_REQUEST, submit="Save", close="Cancel")


def _selected_value(action: Mapping[str, Any] | None) -> str | None:
    if not action:
        return None
    selected = action.get("selected_option")
    return selected.get("value") if selected else None


def _selected_values(action: Mapping[str, Any] | None) -> tuple[str, ...]:
    if not action:
        return ()
    return tuple(o.get("value", "") for o in action.get("selected_options") or ())


def _as_id(value: str) -> int:
    return payload_id(value) or UNKNOWN_ID


def _value(values: Mapping[str, Any], block_id: str, action_id: str = VALUE) -> Mapping[str, Any] | None:
    return values.get(block_id, {}).get(action_id)


def read_request(values: Mapping[str, Any]) -> RequestAnswers:
    """The form's answers from view.state.values (anything unexpected fails the checks later)."""
    choices = []
    for position in range(1, RANKING_LIMIT + 1):
        picked = _selected_value(_value(values, choice_field(position), ACTION_PICK_MENTOR))
        choices.append(_as_id(picked) if picked is not None else None)
    note_action = _value(values, FIELD_NOTE) or {}
    return RequestAnswers(
        choices=tuple(choices),
        subspecialties=_selected_values(_value(values, FIELD_SUBSPECIALTIES)),
        focus_areas=_selected_values(_value(values, FIELD_FOCUS_AREAS)),
        note=(note_action.get("value") or "").strip(),
    )


def request_saved_view(*, ranked_names: Sequence[str], last_day: date | None, queued: bool) -> View:
    if ranked_names:
        ranked = "\n".join(f"{i}. {name}" for i, name in enumerate(ranked_names, start=1))
        listing = f"Your choices:\n{ranked}"
    else:
        listing = "You didn't rank anyone, so I'll look for faculty who share your interests."
    if queued:
        next_step = (
            "You're on the waiting list, and the program coordinator has been told. You'll hear from me when you're matched."
        )
    elif last_day is not None:
        next_step = f"You can change your answers with `/mentor request` until {long_date(last_day)}. I'll be in touch once the match is made."
    else:
        next_step = "I'll be in touch once you're matched."
    return modal(
        "Mentor preferences",
        [
            section(f"*Thanks, your preferences are saved.*\n{listing}"),
            section(next_step),
            context("Only you and the program coordinators can see your answers."),
        ],
        close="Done",
    )


# --- the faculty offer -----------------------------------------------------------------------


def offer_modal(
    *,
    max_capacity: int,
    catalogue: Sequence[Choice],
    year_label: str,
    available: bool | None = None,
    capacity: int | None = None,
    saved_subspecialties: Sequence[str] = (),
    saved_focus_areas: Sequence[str] = (),
    saved_preferred: Sequence[Picked] = (),
    last_day: date | None = None,
    cadence_months: int = 3,
) -> View:
    yes_no = [option("Yes, I can mentor this year", YES), option("Not this year", NO)]
    available_element: dict[str, Any] = {"type": "radio_buttons", "action_id": VALUE, "options": yes_no}
    if available is not None:
        available_element["initial_option"] = yes_no[0] if available else yes_no[1]
    capacity_options = [option("1 mentee" if n == 1 else f"{n} mentees", str(n)) for n in range(1, max_capacity + 1)]
    capacity_element: dict[str, Any] = {
        "type": "static_select",
        "action_id": VALUE,
        "placeholder": plain("How many"),
        "options": capacity_options,
    }
    if capacity is not None and 1 <= capacity <= max_capacity:
        capacity_element["initial_option"] = capacity_options[capacity - 1]
    preferred_element: dict[str, Any] = {
        "type": "multi_external_select",
        "action_id": ACTION_PICK_RESIDENT,
        "placeholder": plain("Search residents"),
        "min_query_length": 0,
        "max_selected_items": PREFERRED_RESIDENTS_LIMIT,
    }
    if saved_preferred:
        preferred_element["initial_options"] = [_person_option(p) for p in saved_preferred]
    intro = (
        f"Can you mentor a resident in {year_label}? "
        f"Mentors meet each mentee one-on-one at least once {every_months(cadence_months)}."
    )
    if last_day is not None:
        intro += f"\nPlease answer by *{long_date(last_day)}*."
    blocks = [
        section(intro),
        input_block(FIELD_AVAILABLE, "This year", available_element),
        input_block(
            FIELD_CAPACITY,
            "How many mentees can you take?",
            capacity_element,
            optional=True,
            hint=f"The program asks for at most {max_capacity}." if max_capacity > 1 else None,
        ),
        input_block(
            FIELD_SUBSPECIALTIES,
            "Your subspecialties",
            _subspecialty_element(catalogue, saved_subspecialties),
            optional=True,
        ),
        input_block(FIELD_FOCUS_AREAS, "What you can help with", _focus_element(saved_focus_areas), optional=True),
        input_block(
            FIELD_PREFERRED,
            "Residents you'd especially like to mentor",
            preferred_element,
            optional=True,
            hint="Optional. The matcher considers them first; they don't see this.",
        ),
        context("Only you and the program coordinators can see your answers."),
    ]
    return modal("Mentoring this year", blocks, callback_id=VIEW_OFFER, submit="Save", close="Cancel")


def read_offer(values: Mapping[str, Any]) -> OfferAnswers:
    available = _selected_value(_value(values, FIELD_AVAILABLE))
    capacity = _selected_value(_value(values, FIELD_CAPACITY))
    return OfferAnswers(
        available=None if available not in (YES, NO) else available == YES,
        capacity=payload_id(capacity),
        subspecialties=_selected_values(_value(values, FIELD_SUBSPECIALTIES)),
        focus_areas=_selected_values(_value(values, FIELD_FOCUS_AREAS)),
        preferred_residents=tuple(_as_id(v) for v in _selected_values(_value(values, FIELD_PREFERRED, ACTION_PICK_RESIDENT))),
    )


def offer_saved_view(*, available: bool, capacity: int) -> View:
    if available:
        places = "1 mentee" if capacity == 1 else f"{capacity} mentees"
        text = f"*Thanks!* You're down as available for {places} this year. I'll introduce you to your mentee once the match is approved."
    else:
        text = "*Thanks for letting me know.* You won't be matched with a mentee this year."
    return modal(
        "Mentoring this year",
        [
            section(text),
            section("You can change this any time with `/mentor offer`."),
            context("Only you and the program coordinators can see your answers."),
        ],
        close="Done",
    )
