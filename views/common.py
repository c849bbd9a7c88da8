"""Small Block Kit builders shared by every view. Pure: dicts in, dicts out."""

from __future__ import annotations

import unicodedata
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


NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def months_word(months: int) -> str:
    """ "a month", "two months", "three months": a program's meeting cadence in words."""
    if months == 1:
        return "a month"
    return f"{NUMBER_WORDS[months - 1] if months <= len(NUMBER_WORDS) else months} months"


def every_months(months: int) -> str:
    """ "every month", "every three months"."""
    return "every month" if months == 1 else f"every {months_word(months)}"


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


# --- text a person typed, shown whole ------------------------------------------------------------
#
# A note of 2,000 characters, all "&", escapes to 10,000: far past one section's 3,000. Cutting it
# would lose the end for good (a note is deleted once handled), and bounding the note by its
# escaped size would refuse some 700-character notes while taking 2,000-character ones, a rule
# nobody typing could follow. So a person's text is split across as many sections as it needs.

ZERO_WIDTH_JOINER = "\u200d"
_QUOTE_MARK = "> "
_ESCAPED_SIZE = {"&": len("&amp;"), "<": len("&lt;"), ">": len("&gt;"), "\n": 1 + len(_QUOTE_MARK)}
# A section that starts a long text carries its lead (who wrote it) only if this much room is left.
_SMALLEST_FIRST_PIECE = 200


def slack_length(text: str) -> int:
    """Length in UTF-16 code units: an emoji outside the Basic Multilingual Plane counts two. Never
    less than the number of code points, so a text that fits by this count fits by either."""
    return len(text.encode("utf-16-le")) // 2


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _joins(text: str, at: int) -> bool:
    """Whether text[at - 1] and text[at] belong to one visible character (an emoji sequence, a
    letter and its accents, a flag, CRLF): a piece never ends between them."""
    before, after = text[at - 1], text[at]
    if before == ZERO_WIDTH_JOINER or after == ZERO_WIDTH_JOINER or (before, after) == ("\r", "\n"):
        return True
    if unicodedata.category(after) in ("Mn", "Mc", "Me"):
        return True
    if "\ufe00" <= after <= "\ufe0f" or "\U000e0100" <= after <= "\U000e01ef":  # variation selectors
        return True
    if "\U0001f3fb" <= after <= "\U0001f3ff" or "\U000e0020" <= after <= "\U000e007f":  # skin tones, tag sequences
        return True
    if _is_regional_indicator(before) and _is_regional_indicator(after):
        run = 0
        while at - 1 - run >= 0 and _is_regional_indicator(text[at - 1 - run]):
            run += 1
        return run % 2 == 1  # flags are pairs: split after the second of a pair, never inside it
    return False


def _escaped_size(char: str) -> int:
    return _ESCAPED_SIZE.get(char, slack_length(char))


def _pieces(text: str, first_room: int, room: int) -> list[str]:
    """`text` cut into consecutive pieces whose quoted, escaped form fits the room (the first
    piece's room may be smaller): at the last whitespace that leaves a piece at least half full,
    else at the last point between two visible characters. Cut before escaping, so never inside
    an escape such as `&amp;`."""
    pieces: list[str] = []
    start = 0
    while True:
        budget = first_room if not pieces else room
        size, end = len(_QUOTE_MARK), start
        last_space = last_safe = None
        while end < len(text) and size + _escaped_size(text[end]) <= budget:
            size += _escaped_size(text[end])
            end += 1
            if end < len(text) and not _joins(text, end):
                last_safe = end
                if text[end - 1].isspace():
                    last_space = end
        if end >= len(text):
            pieces.append(text[start:])
            return pieces
        if last_space is not None and (last_space - start) * 2 >= end - start:
            end = last_space
        elif last_safe is not None:
            end = last_safe
        # else: one visible character longer than a section (thousands of accents): cut anyway
        pieces.append(text[start:end])
        start = end


def _quoted(piece: str) -> str:
    """A piece as a mrkdwn quote. A piece that ends a line keeps its line break (unquoted), so the
    pieces of a text put end to end are exactly the text, once unquoted and unescaped."""
    ends_line = piece.endswith("\n")
    lines = escape(piece[:-1] if ends_line else piece).split("\n")
    return "\n".join(_QUOTE_MARK + line for line in lines) + ("\n" if ends_line else "")


def quoted_sections(text: str, *, lead: str = "", limit: int = SECTION_TEXT_LIMIT) -> list[Block]:
    """A person's text (a note, a check-in answer), escaped and quoted, whole, in as many sections
    as it needs; the first starts with `lead` (mrkdwn, on its own line). Every section fits Slack's
    limit whatever the text: all "&", emoji, no whitespace."""
    first_room = limit - slack_length(lead) - 1 if lead else limit
    blocks: list[Block] = []
    if lead and first_room < _SMALLEST_FIRST_PIECE:
        blocks.append(section(lead))
        lead, first_room = "", limit
    pieces = _pieces(text, first_room, limit)
    for index, piece in enumerate(pieces):
        body = _quoted(piece)
        blocks.append({"type": "section", "text": mrkdwn(f"{lead}\n{body}" if lead and index == 0 else body)})
    return blocks


def button(
    text: str, action_id: str, *, value: str | None = None, style: str | None = None, confirm: dict[str, Any] | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id}
    if value is not None:
        element["value"] = value
    if style is not None:
        element["style"] = style
    if confirm is not None:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, *, confirm: str, deny: str = "Cancel") -> dict[str, Any]:
    """Slack asks "are you sure?" before the click reaches the bot: for buttons whose work reaches
    many people or replaces something (Slack caps the title at 100 characters, the text at 300)."""
    return {"title": plain(title[:100]), "text": mrkdwn(text[:300]), "confirm": plain(confirm[:30]), "deny": plain(deny[:30])}


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
