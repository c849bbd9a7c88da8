"""Small Block Kit builders shared by every view. Pure: dicts in, dicts out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

Block = dict[str, Any]
Message = dict[str, Any]  # keyword arguments for respond() / chat.postMessage: text + blocks

SECTION_TEXT_LIMIT = 3000


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def section(text: str) -> Block:
    if len(text) > SECTION_TEXT_LIMIT:
        text = text[: SECTION_TEXT_LIMIT - 1] + "…"
    return {"type": "section", "text": mrkdwn(text)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text[:150])}


def divider() -> Block:
    return {"type": "divider"}


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def join_names(names: Sequence[str], conjunction: str = "or") -> str:
    """ "A", "A or B", "A, B or C" (or "and")."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def private_message(text: str, blocks: list[Block] | None = None) -> Message:
    """An ephemeral reply to the person who asked (response_url)."""
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": text,
        "blocks": blocks if blocks is not None else [section(text)],
    }


View = dict[str, Any]

MODAL_TEXT_LIMIT = 24  # modal title, submit and close
OPTION_TEXT_LIMIT = 75


def month_day_year(day: date) -> str:
    """ "Nov 30, 2026": unambiguous for readers on either side of the Atlantic."""
    return f"{day:%b} {day.day}, {day.year}"


def short_date(day: date) -> str:
    """ "Nov 30": where the year is obvious from context."""
    return f"{day:%b} {day.day}"


def escape(text: str) -> str:
    """Text typed by a person, shown in mrkdwn: no mentions, links or markup smuggled in."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


ECHO_CHARS = 40


def echo(text: str) -> str:
    """A word a person typed, repeated back to them: escaped, and cut short (it may be anything)."""
    return escape(text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…")


def quote(text: str) -> str:
    return "\n".join("> " + line for line in escape(text).splitlines() or [""])


def button(text: str, action_id: str, *, value: str | None = None, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id}
    if value is not None:
        element["value"] = value
    if style is not None:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def fields(*texts: str) -> Block:
    """A section of up to 10 short mrkdwn fields, shown two per row."""
    return {"type": "section", "fields": [mrkdwn(t[:2000]) for t in texts[:10]]}


def notice_modal(title: str, text: str, *, footer: str | None = None) -> dict[str, Any]:
    """A modal that only tells (no inputs): private answers to a click that has no response_url."""
    blocks = [section(text)]
    if footer:
        blocks.append(context(footer))
    return {"type": "modal", "title": plain(title[:24]), "close": plain("Close"), "blocks": blocks}


@dataclass(frozen=True)
class PrivateAnswer:
    """One private answer to a click, in the two forms it may take: ephemeral in the conversation
    the click came from, or a small modal where there is none (the App Home); no modal: say
    nothing there."""

    message: Message
    modal: View | None = None


def click_answer(text: str, *, title: str = "Mentorbot") -> PrivateAnswer:
    return PrivateAnswer(private_message(text), notice_modal(title, text))


def option(text: str, value: str) -> dict[str, Any]:
    """A select or checkbox option; Slack caps its text at 75 characters."""
    if len(text) > OPTION_TEXT_LIMIT:
        text = text[: OPTION_TEXT_LIMIT - 1] + "…"
    return {"text": plain(text), "value": value}


def input_block(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label[:2000]), "element": element, "optional": optional}
    if hint:
        block["hint"] = plain(hint[:2000])
    return block


def modal(
    title: str,
    blocks: list[Block],
    *,
    callback_id: str | None = None,
    submit: str | None = None,
    close: str = "Close",
    private_metadata: str = "",
) -> View:
    view: View = {
        "type": "modal",
        "title": plain(title[:MODAL_TEXT_LIMIT]),
        "close": plain(close[:MODAL_TEXT_LIMIT]),
        "blocks": blocks,
    }
    if callback_id is not None:
        view["callback_id"] = callback_id
    if submit is not None:
        view["submit"] = plain(submit[:MODAL_TEXT_LIMIT])
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def chunked_sections(lines: list[str], *, limit: int = SECTION_TEXT_LIMIT - 100) -> list[Block]:
    """Lines packed into as few sections as Slack's 3,000-character limit allows."""
    blocks: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > limit:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def long_date(day: Any) -> str:
    """ "Thursday, October 1, 2026"."""
    return f"{day:%A, %B} {day.day}, {day.year}"
