"""What Slack puts in view.state.values when someone fills in the bot's matching forms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mentoring.preferences import choice_field
from views.ids import ACTION_PICK_MENTOR, ACTION_PICK_RESIDENT
from views.preferences import VALUE


def selected(value: str | int, kind: str = "static_select") -> dict[str, Any]:
    return {"type": kind, "selected_option": {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}}


def multi(values: Sequence[str | int], kind: str = "multi_static_select") -> dict[str, Any]:
    return {
        "type": kind,
        "selected_options": [{"text": {"type": "plain_text", "text": str(v)}, "value": str(v)} for v in values],
    }


def request_values(
    choices: Sequence[int | str | None] = (),
    *,
    subspecialties: Sequence[str] = (),
    focus_areas: Sequence[str] = (),
    note: str = "",
) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {}
    for position in range(1, 6):
        choice = choices[position - 1] if position <= len(choices) else None
        values[choice_field(position)] = {
            ACTION_PICK_MENTOR: selected(choice, "external_select")
            if choice is not None
            else {"type": "external_select", "selected_option": None}
        }
    values["subspecialties"] = {VALUE: multi(subspecialties)}
    values["focus_areas"] = {VALUE: multi(focus_areas, "checkboxes")}
    values["note"] = {VALUE: {"type": "plain_text_input", "value": note or None}}
    return values


def offer_values(
    *,
    available: bool | None = True,
    capacity: int | str | None = 1,
    subspecialties: Sequence[str] = (),
    focus_areas: Sequence[str] = (),
    preferred: Sequence[int | str] = (),
) -> dict[str, dict[str, Any]]:
    return {
        "available": {
            VALUE: selected("yes" if available else "no", "radio_buttons")
            if available is not None
            else {"type": "radio_buttons", "selected_option": None}
        },
        "capacity": {VALUE: selected(capacity) if capacity is not None else {"type": "static_select", "selected_option": None}},
        "subspecialties": {VALUE: multi(subspecialties)},
        "focus_areas": {VALUE: multi(focus_areas, "checkboxes")},
        "preferred_residents": {ACTION_PICK_RESIDENT: multi(preferred, "multi_external_select")},
    }
