"""Meeting guides: the short agenda the "meeting coming up" reminder carries, chosen by the
resident's training year and the academic quarter, from a text file coordinators can edit.

The file format (the shipped default, mentoring/meeting_guides.txt, is an example of it):

    # Lines starting with # are comments; blank lines are ignored.
    [PGY-1 Q1] Settling into internship
    - How is the move from medical school going? What surprised you?
    - Who do you turn to when a shift goes badly?

A guide starts with a line naming who it is for, in square brackets, then its title. The points
follow, one per line, each starting with "-" (at most five). Who it is for:

    [PGY-1 Q1]   first-year residents, in the first quarter of the academic year
    [PGY-2]      second-year residents, any quarter
    [Q4]         any resident, in the fourth quarter
    [default]    everyone else (and residents whose training year is not on the roster)

The most specific guide wins: training year and quarter, then training year, then quarter,
then default. The "quarter" is the academic quarter of the day the reminder goes out.

Pure: parsing takes the text, never a path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mentoring.text_files import first_control_character, shown

MAX_POINTS = 5
MAX_TITLE_CHARS = 100
MAX_POINT_CHARS = 300
MAX_TRAINING_YEAR = 10

_HEADER = re.compile(r"^\[(?P<who>[^\]]*)\]\s*(?P<title>.*)$")
_WHO = re.compile(r"^(?:PGY-?(?P<pgy>[0-9]{1,2}))?\s*(?:Q(?P<quarter>[0-9]))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Audience:
    """Who a guide is for; None matches any."""

    training_year: int | None = None
    quarter: int | None = None

    def label(self) -> str:
        parts = [f"PGY-{self.training_year}" if self.training_year else "", f"Q{self.quarter}" if self.quarter else ""]
        return " ".join(p for p in parts if p) or "default"


@dataclass(frozen=True)
class Guide:
    title: str
    points: tuple[str, ...]


class GuideFileError(ValueError):
    """A guide file that cannot be read: says which line and what is wrong."""

    def __init__(self, line_number: int, problem: str) -> None:
        super().__init__(f"line {line_number}: {problem}")
        self.line_number, self.problem = line_number, problem


@dataclass(frozen=True)
class MeetingGuides:
    guides: Mapping[Audience, Guide]

    def __post_init__(self) -> None:
        object.__setattr__(self, "guides", MappingProxyType(dict(self.guides)))

    def for_resident(self, training_year: int | None, quarter: int) -> Guide | None:
        """The most specific guide for a resident in this training year and quarter."""
        candidates = [
            Audience(training_year, quarter),
            Audience(training_year, None),
            Audience(None, quarter),
            Audience(None, None),
        ]
        if training_year is None:
            candidates = candidates[2:]
        return next((self.guides[c] for c in candidates if c in self.guides), None)


def _audience(who: str, line_number: int) -> Audience:
    who = who.strip()
    if who.lower() == "default":
        return Audience()
    found = _WHO.match(who)
    if not who or found is None:
        raise GuideFileError(line_number, f"{shown(who)} should be like [PGY-1 Q1], [PGY-2], [Q4] or [default]")
    pgy, quarter = found.group("pgy"), found.group("quarter")
    if pgy is not None and not 1 <= int(pgy) <= MAX_TRAINING_YEAR:
        raise GuideFileError(line_number, f"PGY-{pgy}: the training year is 1 to {MAX_TRAINING_YEAR}")
    if quarter is not None and not 1 <= int(quarter) <= 4:
        raise GuideFileError(line_number, f"Q{quarter}: the quarter is 1 to 4")
    return Audience(int(pgy) if pgy else None, int(quarter) if quarter else None)


def parse_guides(text: str) -> MeetingGuides:
    """The guides in a file's text; GuideFileError naming the first line that is wrong."""
    control = first_control_character(text)
    if control is not None:
        raise GuideFileError(control.line, control.what)
    guides: dict[Audience, Guide] = {}
    current: tuple[Audience, str, list[str], int] | None = None

    def finish() -> None:
        if current is None:
            return
        audience, title, points, line_number = current
        if not points:
            raise GuideFileError(line_number, f"[{audience.label()}] {title} has no points (lines starting with '-')")
        guides[audience] = Guide(title, tuple(points))

    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header:
            finish()
            audience = _audience(header.group("who"), line_number)
            title = header.group("title").strip()
            if audience in guides or (current is not None and current[0] == audience):
                raise GuideFileError(line_number, f"a second guide for [{audience.label()}]")
            if not title:
                raise GuideFileError(line_number, "a guide needs a title after the brackets")
            if len(title) > MAX_TITLE_CHARS:
                raise GuideFileError(line_number, f"the title is longer than {MAX_TITLE_CHARS} characters")
            current = (audience, title, [], line_number)
        elif line.startswith("-"):
            if current is None:
                raise GuideFileError(line_number, "a point before any [heading]")
            point = line[1:].strip()
            if not point:
                raise GuideFileError(line_number, "an empty point")
            if len(point) > MAX_POINT_CHARS:
                raise GuideFileError(line_number, f"the point is longer than {MAX_POINT_CHARS} characters")
            if len(current[2]) == MAX_POINTS:
                raise GuideFileError(line_number, f"more than {MAX_POINTS} points in one guide")
            current[2].append(point)
        else:
            raise GuideFileError(line_number, "expected a [heading], a point starting with '-', or a # comment")
    finish()
    if not guides:
        raise GuideFileError(1, "no guides: a guide is a [heading] line and its points, each starting with '-'")
    return MeetingGuides(guides)
