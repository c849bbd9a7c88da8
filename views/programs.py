"""Several programs, one person: the program a message, button or form is about.

Someone in one program sees nothing of this. Someone in several (a mentee in internal medicine
and a peer mentor in its peer track) sees each message headed by its program's name, and every
button and form carries its program, so a click acts in that program and no other. The mark is
`program:<id>;` in front of a button's value or a modal's private_metadata; whoever reads it
checks it against the clicker's own memberships (bot/kit.py), so a forged one reaches nothing
the person could not reach anyway.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from storage.roster import ProgramRef as ProgramLabel
from views.common import Block, Message, View, context, divider, escape, header, private_message, section

STAMP_PREFIX = "program:"
# Element types whose `value` a click sends back.
_VALUED = {"button"}


def stamp(value: str, program_id: int) -> str:
    return f"{STAMP_PREFIX}{program_id};{value}"


def read_stamp(value: str | None) -> tuple[int | None, str]:
    """(program id, the original value) from a stamped value; (None, value) from any other."""
    text = value or ""
    if not text.startswith(STAMP_PREFIX):
        return None, text
    number, semicolon, rest = text[len(STAMP_PREFIX) :].partition(";")
    if not semicolon or not number.isdigit():
        return None, text
    return int(number), rest


def _stamp_elements(node: Any, program_id: int) -> None:
    if isinstance(node, dict):
        if node.get("type") in _VALUED and "value" in node:
            node["value"] = stamp(str(node["value"]), program_id)
        for child in node.values():
            _stamp_elements(child, program_id)
    elif isinstance(node, list):
        for child in node:
            _stamp_elements(child, program_id)


def stamp_blocks(blocks: Sequence[Block] | None, program_id: int) -> list[Block] | None:
    """A copy of `blocks` whose buttons carry the program."""
    if blocks is None:
        return None
    stamped = copy.deepcopy(list(blocks))
    _stamp_elements(stamped, program_id)
    return stamped


def for_program(message: Message, program: ProgramLabel) -> Message:
    """A message to someone in several programs: headed by the program's name, its buttons
    carrying the program."""
    text = str(message.get("text") or "")
    blocks = stamp_blocks(message.get("blocks"), program.program_id) or ([section(text)] if text else [])
    out: dict[str, Any] = dict(message)
    out["blocks"] = [context(f"*{escape(program.name)}*"), *blocks]
    out["text"] = f"{program.name}: {text}"
    return out


def view_for_program(view: View, program: ProgramLabel) -> View:
    """A modal opened in one program (for someone in several): its form carries the program and
    says which program it is about."""
    out: dict[str, Any] = copy.deepcopy(dict(view))
    if out.get("type") not in ("modal", "home"):
        return out  # not a view: nothing to head or stamp
    if out.get("type") == "modal" and out.get("callback_id"):
        out["private_metadata"] = stamp(str(out.get("private_metadata") or ""), program.program_id)
    out["blocks"] = [context(f"*{escape(program.name)}*"), *(stamp_blocks(out.get("blocks"), program.program_id) or [])]
    return out


def combined_home(sections: Sequence[tuple[ProgramLabel, View]]) -> View:
    """One App Home for someone in several programs: each program's home under its name, with
    its own buttons."""
    blocks: list[Block] = []
    for index, (program, view) in enumerate(sections):
        if index:
            blocks.append(divider())
        own = stamp_blocks(view.get("blocks"), program.program_id) or []
        if own and own[0].get("type") == "header":
            own = own[1:]  # the program's name stands where the home's own title was
        blocks.append(header(program.name[:150]))
        blocks.extend(own)
    return {"type": "home", "blocks": blocks[:100]}


def which_program_message(command: str, programs: Sequence[ProgramLabel]) -> Message:
    """Someone in several programs typed a command that could be about any of them."""
    lines = "\n".join(f"• {escape(p.name)}: `/mentor {command} {p.handle}`" for p in programs)
    text = f"You're in more than one mentorship program. Which one is this about?\n{lines}"
    return private_message(text, [section(text), context("Only you can see this message.")])


def programs_help_line(programs: Sequence[ProgramLabel]) -> str:
    """Under /mentor help for someone in several programs."""
    names = ", ".join(f"{escape(p.name)} (`{p.handle}`)" for p in programs)
    return f"You're in {len(programs)} programs: {names}. Add the program's short name after a command, e.g. `/mentor status {programs[-1].handle}`."
