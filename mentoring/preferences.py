"""What residents and faculty tell the matcher, and the rules their answers must keep.

Residents rank up to RANKING_LIMIT faculty and pick subspecialty interests and focus areas;
faculty say whether they can mentor this year, how many mentees they can take (never above
the program maximum), their subspecialties, focus areas and, optionally, residents they would
like to mentor. The checks here are pure: callers pass in who is eligible (from the database)
and get back a problem per field, worded for the person filling in the form.

Standard library only; no clock, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

RANKING_LIMIT = 5
NOTE_MAX_CHARS = 1000
PREFERRED_RESIDENTS_LIMIT = 10
# Slack refuses a select with more than 100 options.
CATALOGUE_LIMIT = 100


class FocusArea(str, Enum):
    """The program's three purposes (DESIGN.md rule 1)."""

    ACADEMIC = "academic_support"
    PROFESSIONAL = "professional_development"
    WELLBEING = "personal_growth_wellbeing"

    @property
    def label(self) -> str:
        return FOCUS_AREA_LABELS[self]


FOCUS_AREA_LABELS = {
    FocusArea.ACADEMIC: "Academic support",
    FocusArea.PROFESSIONAL: "Professional development",
    FocusArea.WELLBEING: "Personal growth and well-being",
}

# Internal-medicine subspecialties offered in every program; the roster's own subspecialties
# are added to these (see subspecialty_catalogue).
DEFAULT_SUBSPECIALTIES = (
    "Addiction medicine",
    "Allergy and immunology",
    "Cardiology",
    "Critical care medicine",
    "Endocrinology",
    "Gastroenterology",
    "General internal medicine",
    "Geriatric medicine",
    "Hematology",
    "Hospital medicine",
    "Infectious disease",
    "Medical education",
    "Nephrology",
    "Oncology",
    "Palliative care",
    "Primary care",
    "Pulmonology",
    "Research",
    "Rheumatology",
    "Sleep medicine",
    "Sports medicine",
)


def subspecialty_key(text: str) -> str:
    """The stored form of a subspecialty: "  Pulmonary  Care " -> "pulmonary care"."""
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class Choice:
    """One option of a pick list: the stored key and what the person reads."""

    key: str
    label: str


def subspecialty_catalogue(roster_subspecialties: Iterable[str | None] = ()) -> list[Choice]:
    """The defaults plus whatever the roster uses, sorted by label, at most CATALOGUE_LIMIT.

    Roster spellings are kept as labels (the first spelling of a key wins); defaults come first
    when the list has to be cut, so a long roster never pushes out the common ones.
    """
    labels: dict[str, str] = {}
    for label in [*DEFAULT_SUBSPECIALTIES, *(s for s in roster_subspecialties if s)]:
        key = subspecialty_key(label)
        if key and key not in labels:
            labels[key] = re.sub(r"\s+", " ", label).strip()
    kept = list(labels.items())[:CATALOGUE_LIMIT]
    return sorted((Choice(key, label) for key, label in kept), key=lambda c: (c.label.lower(), c.key))


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# Field names the checks report problems against; views map them to their blocks.
def choice_field(position: int) -> str:
    """The field of the resident's choice at 1-based `position`."""
    return f"choice_{position}"


FIELD_SUBSPECIALTIES = "subspecialties"
FIELD_FOCUS_AREAS = "focus_areas"
FIELD_NOTE = "note"
FIELD_AVAILABLE = "available"
FIELD_CAPACITY = "capacity"
FIELD_PREFERRED = "preferred_residents"

Problems = dict[str, str]


class BlockedReason(Enum):
    WITHDRAWN = "withdrawn"  # they left the program: nothing to answer until they rejoin
    HAS_MENTOR = "has_mentor"  # a resident with a mentor asks for a change instead


@dataclass(frozen=True)
class Blocked:
    """Why someone cannot answer a form now."""

    reason: BlockedReason
    mentor_name: str | None = None  # HAS_MENTOR: who it is


@dataclass(frozen=True)
class RequestAnswers:
    """A resident's form, as submitted: `choices[i]` is the (i+1)th choice or None if empty."""

    choices: tuple[int | None, ...]
    subspecialties: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    note: str = ""

    @property
    def ranking(self) -> list[int]:
        """The chosen mentors, best first, gaps closed up."""
        return [choice for choice in self.choices if choice is not None]


@dataclass(frozen=True)
class OfferAnswers:
    available: bool | None
    capacity: int | None
    subspecialties: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    preferred_residents: tuple[int, ...] = field(default=())


def _check_common(subspecialties: Sequence[str], focus_areas: Sequence[str], known_subspecialties: Iterable[str]) -> Problems:
    problems: Problems = {}
    known = set(known_subspecialties)
    if any(key not in known for key in subspecialties):
        problems[FIELD_SUBSPECIALTIES] = "Please pick subspecialties from the list."
    valid_focus = {area.value for area in FocusArea}
    if any(area not in valid_focus for area in focus_areas):
        problems[FIELD_FOCUS_AREAS] = "Please pick focus areas from the list."
    return problems


def check_request(
    answers: RequestAnswers,
    *,
    resident_id: int,
    eligible_mentor_ids: Iterable[int],
    known_subspecialties: Iterable[str],
) -> Problems:
    """Problems with a resident's form, by field; empty when it can be saved.

    A choice must be an eligible mentor (available this year, with room, never the resident,
    never someone whose pairing with this resident ended by request), and each person at most
    once. Gaps between choices are fine: the ranking closes up.
    """
    problems: Problems = {}
    if len(answers.choices) > RANKING_LIMIT:
        problems[choice_field(RANKING_LIMIT)] = f"You can rank up to {RANKING_LIMIT} faculty."
    eligible = set(eligible_mentor_ids)
    first_position: dict[int, int] = {}
    for position, choice in enumerate(answers.choices[:RANKING_LIMIT], start=1):
        if choice is None:
            continue
        field_name = choice_field(position)
        if choice == resident_id:
            problems[field_name] = "You can't pick yourself. Please choose a faculty member."
        elif choice in first_position:
            problems[field_name] = f"You already picked this person as your {ordinal(first_position[choice])} choice."
        elif choice not in eligible:
            problems[field_name] = "This person isn't taking mentees this year. Please pick someone else."
        first_position.setdefault(choice, position)
    problems.update(_check_common(answers.subspecialties, answers.focus_areas, known_subspecialties))
    if len(answers.note) > NOTE_MAX_CHARS:
        problems[FIELD_NOTE] = f"Please keep the note under {NOTE_MAX_CHARS} characters (it has {len(answers.note)})."
    return problems


def check_offer(
    answers: OfferAnswers,
    *,
    max_capacity: int,
    eligible_resident_ids: Iterable[int],
    known_subspecialties: Iterable[str],
) -> Problems:
    """Problems with a faculty member's form, by field; empty when it can be saved."""
    problems: Problems = {}
    if answers.available is None:
        problems[FIELD_AVAILABLE] = "Please say whether you can mentor this year."
    elif answers.available:
        if answers.capacity is None:
            problems[FIELD_CAPACITY] = "Please say how many mentees you can take."
        elif not 1 <= answers.capacity <= max_capacity:
            most = "1 mentee" if max_capacity == 1 else f"{max_capacity} mentees"
            problems[FIELD_CAPACITY] = f"The program allows at most {most} per mentor."
    eligible = set(eligible_resident_ids)
    if len(answers.preferred_residents) > PREFERRED_RESIDENTS_LIMIT:
        problems[FIELD_PREFERRED] = f"Please pick at most {PREFERRED_RESIDENTS_LIMIT} residents."
    elif len(set(answers.preferred_residents)) != len(answers.preferred_residents):
        problems[FIELD_PREFERRED] = "Please pick each resident only once."
    elif any(resident not in eligible for resident in answers.preferred_residents):
        problems[FIELD_PREFERRED] = "Please pick residents from the list."
    problems.update(_check_common(answers.subspecialties, answers.focus_areas, known_subspecialties))
    return problems


def labelled(keys: Iterable[str], catalogue: Mapping[str, str]) -> list[str]:
    """Labels for stored keys, in the stored order; an unknown key shows as itself."""
    return [catalogue.get(key, key) for key in keys]
