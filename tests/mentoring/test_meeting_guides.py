"""Meeting guides: the file format, its errors, and which guide a resident gets."""

from __future__ import annotations

from importlib import resources

import pytest

from mentoring.meeting_guides import Audience, Guide, GuideFileError, parse_guides

SAMPLE = """
# a comment
[PGY-1 Q1] Settling in
- How is it going?
- Who do you turn to?

[pgy2] Career planning
-   Which paths?
[Q4] Looking back
- What went well?
[default] A good meeting
- What's on your mind?
"""


@pytest.mark.parametrize(
    ("training_year", "quarter", "title"),
    [
        (1, 1, "Settling in"),  # year and quarter
        (1, 2, "A good meeting"),  # no PGY-1 guide for Q2
        (2, 1, "Career planning"),  # year, any quarter
        (2, 4, "Career planning"),  # the year beats the quarter
        (3, 4, "Looking back"),  # quarter, any year
        (3, 2, "A good meeting"),
        (None, 4, "Looking back"),  # training year not on the roster
        (None, 1, "A good meeting"),
    ],
)
def test_the_most_specific_guide_wins(training_year, quarter, title) -> None:
    guide = parse_guides(SAMPLE).for_resident(training_year, quarter)
    assert guide is not None and guide.title == title


def test_points_are_trimmed() -> None:
    guides = parse_guides(SAMPLE).guides
    assert guides[Audience(2, None)] == Guide("Career planning", ("Which paths?",))
    assert guides[Audience(1, 1)].points == ("How is it going?", "Who do you turn to?")


def test_without_a_default_some_residents_get_no_guide() -> None:
    assert parse_guides("[PGY-1] Only interns\n- hello\n").for_resident(2, 1) is None


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("- a point\n", 1, "before any [heading]"),
        ("[PGY-1] Title\n", 1, "has no points"),
        ("[PGY-1] Title\n- a\n[PGY-1] Again\n- b\n", 3, "a second guide for [PGY-1]"),
        ("[pgy-1] Title\n- a\n[PGY1] Again\n- b\n", 3, "a second guide"),
        ("[PGY-11] Title\n- a\n", 1, "training year is 1 to 10"),
        ("[PGY-0] Title\n- a\n", 1, "training year is 1 to 10"),
        ("[Q5] Title\n- a\n", 1, "quarter is 1 to 4"),
        ("[interns] Title\n- a\n", 1, "should be like [PGY-1 Q1]"),
        ("[] Title\n- a\n", 1, "should be like"),
        ("[PGY-1]\n- a\n", 1, "needs a title"),
        ("[default] Title\n- a\nplain words\n", 3, "expected a [heading]"),
        ("[default] Title\n-   \n", 2, "an empty point"),
        ("[default] Title\n" + "- p\n" * 6, 7, "more than 5 points"),
        ("[default] " + "t" * 101 + "\n- p\n", 1, "longer than 100"),
        ("[default] T\n- " + "p" * 301 + "\n", 2, "longer than 300"),
    ],
)
def test_a_bad_file_names_the_line_and_the_problem(text, line, problem) -> None:
    with pytest.raises(GuideFileError) as raised:
        parse_guides(text)
    assert raised.value.line_number == line
    assert problem in str(raised.value)
    assert str(raised.value).startswith(f"line {line}: ")


def test_the_shipped_guides_cover_every_resident_and_quarter() -> None:
    guides = parse_guides(resources.files("mentoring").joinpath("meeting_guides.txt").read_text(encoding="utf-8"))
    for training_year in (None, *range(1, 11)):
        for quarter in range(1, 5):
            assert guides.for_resident(training_year, quarter) is not None
    assert guides.for_resident(1, 1).title == "Settling into internship"
    assert guides.for_resident(2, 3).title == "Fellowship and career planning"
    assert guides.for_resident(3, 2).title == "Boards and the next step"
