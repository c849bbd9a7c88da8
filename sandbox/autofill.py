"""Fill in plausible answers for everyone who has not answered, the way each person would:
open their form with `/mentor request` or `/mentor offer`, search the pick lists through the
bot's own suggestion handler, tick a few boxes, and submit. Nothing is written behind the bot's back.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.program import SandboxPerson
from sandbox.workspace import Workspace

ANSWER_WAIT_SECONDS = 10.0
POLL_SECONDS = 0.02
RANKED_CHOICES = 3


@dataclass(frozen=True)
class AutofillResult:
    answered: int
    already_answered: int
    not_asked: int  # the bot did not offer a form (paired, withdrawn, no round...)


def _wait_for_form(workspace: Workspace, user_id: str, entries_before: int) -> dict[str, Any] | None:
    for _ in range(int(ANSWER_WAIT_SECONDS / POLL_SECONDS)):
        if workspace.bot_answered(user_id, entries_seen=entries_before + 1):  # +1: the typed command itself
            return workspace.top_modal(user_id)
        time.sleep(POLL_SECONDS)
    return None


def _already_answered(view: dict[str, Any]) -> bool:
    """A saved form shows its answers: a ranked choice, or a required question already answered.
    (Optional fields may be prefilled from the roster, e.g. a faculty member's subspecialty.)"""
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        prefilled = any(key in element for key in ("initial_option", "initial_options", "initial_value"))
        if prefilled and (element.get("type") == "external_select" or not block.get("optional")):
            return True
    return False


def _label(option: dict[str, Any]) -> str:
    return str(option.get("text", {}).get("text", ""))


def _pick(option: dict[str, Any]) -> dict[str, Any]:
    return {"text": option["text"], "value": option["value"]}


def _answers(workspace: Workspace, person: SandboxPerson, view: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Slack's view.state.values for a plausible answer to this form."""
    values: dict[str, Any] = {}
    interest = (person.subspecialty or "").lower()
    ranked = 0
    chosen: set[str] = set()
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind, action_id = element["type"], element["action_id"]
        answer: dict[str, Any] | None = None
        if kind == "external_select" and ranked < RANKED_CHOICES:
            options = workspace.suggest(person.user_id, view_id=view["id"], action_id=action_id, block_id=block_id, value="")
            options = [o for o in options if o["value"] not in chosen]
            liked = [o for o in options if interest and interest in _label(o).lower()]
            if options:
                option = liked[0] if liked else rng.choice(options)
                chosen.add(option["value"])
                ranked += 1
                answer = {"selected_option": _pick(option)}
        elif kind == "multi_static_select":
            matching = [o for o in element["options"] if interest and _label(o).lower() == interest]
            answer = {"selected_options": [_pick(o) for o in matching]}
        elif kind == "checkboxes":
            options = element["options"]
            answer = {"selected_options": [_pick(o) for o in rng.sample(options, k=min(len(options), rng.randint(1, 2)))]}
        elif kind == "radio_buttons":
            options = element["options"]
            answer = {"selected_option": _pick(options[0] if rng.random() < 0.85 else options[-1])}
        elif kind == "static_select":
            answer = {"selected_option": _pick(rng.choice(element["options"]))}
        if answer is not None:
            values[block_id] = {action_id: {"type": kind, **answer}}
    return values


def fill_in_answers(workspace: Workspace, people: Iterable[SandboxPerson], *, seed: int = 2026) -> AutofillResult:
    answered = already = not_asked = 0
    for person in people:
        command = {"resident": "request", "faculty": "offer"}.get(person.role)
        if command is None:
            continue
        rng = random.Random(f"{seed}:{person.user_id}")
        before = workspace.entry_count(person.user_id)
        workspace.close_all_modals(person.user_id)
        workspace.command(person.user_id, command)
        view = _wait_for_form(workspace, person.user_id, before)
        if view is None:
            not_asked += 1
        elif _already_answered(view):
            already += 1
        else:
            workspace.submit(person.user_id, view_id=view["id"], values=_answers(workspace, person, view, rng))
            answered += 1
        workspace.close_all_modals(person.user_id)
    return AutofillResult(answered, already, not_asked)
