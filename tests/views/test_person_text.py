"""Text a person typed reaches its readers whole, in every view that shows it (issue 9, class 8).

Every view that shows a note or free text is rendered with the worst texts a person can send:
the longest the form allows, every character one that escaping lengthens, emoji outside the
Basic Multilingual Plane, no whitespace to break at. The fake Slack's Block Kit validation must
accept each, and the note's sections, unquoted and unescaped and put end to end, must be exactly
the text typed: nothing cut, nothing added.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from mentoring.check_ins import FREE_TEXT_MAX_CHARS, CheckInKind
from mentoring.preferences import NOTE_MAX_CHARS as PREFERENCE_NOTE_MAX_CHARS
from mentoring.preferences import subspecialty_catalogue
from sandbox.fake_slack import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX, block_problems, view_problems
from storage.change_requests import NOTE_MAX_CHARS as REQUEST_NOTE_MAX_CHARS
from storage.change_requests import RequestSummary
from storage.models import ProposalState, RequestKind, Role
from storage.proposals import ProposalReview, ProposedPair
from storage.roster import PersonRef
from views import changes, check_ins
from views.common import ZERO_WIDTH_JOINER, quoted_sections, slack_length
from views.meetings import day
from views.preferences import request_modal
from views.proposals import review_modal

DAY = date(2026, 10, 1)
RESIDENT = PersonRef(1, "Dr. Ana <Ruiz> & co", "URESIDENT", Role.RESIDENT)
MENTOR = PersonRef(2, "Dr. Ben Okafor", "UMENTOR", Role.FACULTY)
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji of five code points
THUMBS = "\U0001f44d\U0001f3fd"  # with a skin tone
FLAG = "\U0001f1eb\U0001f1f7"  # two regional indicators
ACCENTED = "e\u0301"  # e and a combining acute accent


def cycled(pattern: str, length: int) -> str:
    return "".join(itertools.islice(itertools.cycle(pattern), length))


def worst_texts(length: int) -> dict[str, str]:
    return {
        "all ampersands": "&" * length,
        "all angle brackets": cycled("<>", length),
        "escapes and emoji, no whitespace": cycled("&<" + FAMILY + ">" + THUMBS + FLAG + ACCENTED + "\U0001f642", length),
        "all astral": "\U0001f642" * length,
        "lines of escapes": cycled("&" * 97 + "\n", length),
        "words": cycled("a&b <c> ", length),
        "blank lines and a trailing break": cycled("&&\n\n", length),
    }


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def unquote(text: str) -> str:
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        if line.startswith("> "):
            out.append(line[2:])
        else:  # only a piece's own line break leaves an empty, unquoted last line
            assert line == "" and index == len(lines) - 1, f"unquoted line {line!r} in {text[:80]!r}"
            out.append("")
    return "\n".join(out)


def text_after(blocks: list[dict[str, Any]], lead: str) -> str:
    """The person's text shown after `lead`: the sections from the one that starts with it to the
    last quote that follows, unquoted, unescaped and put end to end."""
    sections = [b for b in blocks if b.get("type") == "section" and "text" in b]
    starts = [i for i, b in enumerate(sections) if b["text"]["text"].startswith(lead + "\n")]
    assert len(starts) == 1, f"{lead!r} starts {len(starts)} sections"
    first = sections[starts[0]]["text"]["text"][len(lead) + 1 :]
    pieces = [first]
    for block in sections[starts[0] + 1 :]:
        if not block["text"]["text"].startswith("> "):
            break
        pieces.append(block["text"]["text"])
    for piece in pieces:
        assert "&" not in re.sub(r"&(amp|lt|gt);", "", piece), "a piece ends or starts inside an escape"
        assert slack_length(piece) <= SECTION_TEXT_MAX
    return "".join(unescape(unquote(piece)) for piece in pieces)


def summary(kind: RequestKind, note: str) -> RequestSummary:
    return RequestSummary(
        request_id=7, kind=kind, requester=RESIDENT, counterparts=(MENTOR,), note=note, requester_rematch=True, queued=(MENTOR,)
    )


def review(note: str) -> ProposalReview:
    others = tuple(PersonRef(10 + i, f"Resident {i}", f"UR{i}", Role.RESIDENT) for i in range(3))
    return ProposalReview(
        proposal_id=3,
        state=ProposalState.PENDING,
        is_round=True,
        pairs=(ProposedPair(RESIDENT, MENTOR, 1),),
        unmatched=others,
        fingerprint="f",
        notes=((RESIDENT, note), *((p, f"short & <sweet> {p.name}") for p in others)),
    )


# Every view that shows a person's text: (its name, the longest text its form takes, the view from a
# text, the lead its text follows, whether it is a message (else a modal)).
Render = Callable[[str], dict[str, Any]]
VIEWS: list[tuple[str, int, Render, str, bool]] = [
    ("change request alert", REQUEST_NOTE_MAX_CHARS,
     lambda t: changes.coordinator_alert(summary(RequestKind.CHANGE, t)), "*Their note:*", True),
    ("withdrawal alert", REQUEST_NOTE_MAX_CHARS,
     lambda t: changes.coordinator_alert(summary(RequestKind.WITHDRAW, t)), "*Their note:*", True),
    *(
        (f"check-in note ({kind.value})", FREE_TEXT_MAX_CHARS,
         lambda t, kind=kind: check_ins.note_alert(  # type: ignore[misc]
             note_id=5, author_user_id="URESIDENT", other_user_id="UMENTOR", kind=kind, subject_on=DAY, text=t
         ),
         f"<@URESIDENT> (paired with <@UMENTOR>) wrote to the coordinators {check_ins.ABOUT[kind].format(day=day(DAY))}:",
         True)
        for kind in CheckInKind
    ),
    ("proposal review (residents' notes)", PREFERENCE_NOTE_MAX_CHARS,
     lambda t: review_modal(review(t), key=b"k" * 32), "*Dr. Ana &lt;Ruiz&gt; &amp; co*:", False),
]  # fmt: skip


def test_the_check_in_lead_is_what_the_view_says() -> None:
    """The table's leads are spelled by hand: check one against the view, so a changed lead fails here."""
    message = check_ins.note_alert(
        note_id=5, author_user_id="URESIDENT", other_user_id="UMENTOR", kind=CheckInKind.MEETING, subject_on=DAY, text="x"
    )
    assert message["blocks"][0]["text"]["text"].startswith(VIEWS[2][3] + "\n")


@pytest.mark.parametrize(("name", "limit", "render", "lead", "is_message"), VIEWS, ids=[v[0] for v in VIEWS])
@pytest.mark.parametrize("case", list(worst_texts(1)))
def test_the_longest_worst_text_is_shown_whole(name: str, limit: int, render: Render, lead: str, is_message: bool, case: str):
    text = worst_texts(limit)[case]
    assert len(text) == limit
    rendered = render(text)
    if is_message:
        assert block_problems(rendered["blocks"], limit=MESSAGE_BLOCKS_MAX) == []
        assert text not in rendered["text"]  # the notification's text never carries the note
    else:
        assert view_problems(rendered, expected_type="modal") == []
    assert text_after(rendered["blocks"], lead) == text


@pytest.mark.parametrize("case", list(worst_texts(1)))
def test_the_preferences_form_gives_back_the_saved_note_whole(case: str):
    text = worst_texts(PREFERENCE_NOTE_MAX_CHARS)[case]
    view = request_modal(saved_choices=[], catalogue=subspecialty_catalogue(), saved_note=text, last_day=DAY)
    assert view_problems(view, expected_type="modal") == []
    initial = [
        b["element"].get("initial_value") for b in view["blocks"] if b.get("type") == "input" and "initial_value" in b["element"]
    ]
    assert initial == [text]


def test_long_text_breaks_at_whitespace_and_never_inside_an_emoji():
    words = cycled("word&<> ", 5000)
    pieces = [b["text"]["text"] for b in quoted_sections(words)]
    assert len(pieces) > 1
    assert all(unescape(unquote(p)).endswith(" ") for p in pieces[:-1])
    emoji = cycled(FAMILY + THUMBS + FLAG + ACCENTED, 5000)
    pieces = [unescape(unquote(b["text"]["text"])) for b in quoted_sections(emoji)]
    assert len(pieces) > 1 and "".join(pieces) == emoji
    for before, after in itertools.pairwise(pieces):
        assert not before.endswith(ZERO_WIDTH_JOINER) and not after.startswith((ZERO_WIDTH_JOINER, "\U0001f3fd", "\u0301"))
        assert (before + after).count(FLAG) == before.count(FLAG) + after.count(FLAG)


def test_a_short_text_is_one_section_as_before():
    assert quoted_sections("Thanks & <3", lead="*Their note:*") == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Their note:*\n> Thanks &amp; &lt;3"}}
    ]
