"""JSON in and out of the matcher, for `mentorbot match FILE.json`.

Input (optional fields shown with their defaults):

    {
      "max_mentees_per_mentor": 2,
      "residents": [{"id": "r1", "ranking": [], "subspecialties": [], "focus_areas": []}],
      "mentors": [{"id": "m1", "capacity": 2, "available": true, "subspecialties": [],
                   "focus_areas": [], "preferred_residents": []}],
      "excluded_pairs": [["m1", "r1"]]
    }

IDs may be JSON strings or integers and are normalised to strings. Bad input raises
MatchInputError with one human-readable line that says where the problem is, e.g.
`residents[3].ranking[1]: unknown mentor id "m9"`. Unknown fields are rejected too, so a typo
such as "rankings" cannot silently drop a resident's choices.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from mentoring.matching import MatchProblem, MatchResult, Mentor, Resident, match
from mentoring.programs import DEFAULT_MAX_MENTEES, MAX_MENTEES_CEILING
from mentoring.text_files import first_control_character

__all__: list[str] = [
    "PROGRAM_MAX_MENTEES",
    "MatchInputError",
    "problem_from_dict",
    "problem_to_dict",
    "result_to_dict",
    "solve_json",
]

# The internal-medicine rule, the default: a faculty member mentors at most 2 mentees. A
# program may allow up to MAX_MENTEES_CEILING.
PROGRAM_MAX_MENTEES = DEFAULT_MAX_MENTEES

_RESIDENT_FIELDS = {"id", "ranking", "subspecialties", "focus_areas"}
_MENTOR_FIELDS = {
    "id",
    "capacity",
    "available",
    "subspecialties",
    "focus_areas",
    "preferred_residents",
}
_TOP_LEVEL_FIELDS = {"max_mentees_per_mentor", "residents", "mentors", "excluded_pairs"}

T = TypeVar("T")


class MatchInputError(ValueError):
    """The match input is unusable; the message is one line meant for a human."""


def solve_json(text: str) -> dict[str, Any]:
    """Parse, validate, match and render: the whole `mentorbot match` command."""
    return result_to_dict(match(problem_from_dict(_parse_json(text))))


def result_to_dict(result: MatchResult) -> dict[str, Any]:
    return result.to_dict()


def problem_to_dict(problem: MatchProblem) -> dict[str, Any]:
    """The input format for a problem (sorted, so the output is stable)."""
    return {
        "max_mentees_per_mentor": problem.max_mentees_per_mentor,
        "residents": [
            {
                "id": resident.id,
                "ranking": list(resident.ranking),
                "subspecialties": sorted(resident.subspecialties),
                "focus_areas": sorted(resident.focus_areas),
            }
            for resident in problem.residents
        ],
        "mentors": [
            {
                "id": mentor.id,
                "capacity": mentor.capacity,
                "available": mentor.available,
                "subspecialties": sorted(mentor.subspecialties),
                "focus_areas": sorted(mentor.focus_areas),
                "preferred_residents": list(mentor.preferred_residents),
            }
            for mentor in problem.mentors
        ],
        "excluded_pairs": [list(pair) for pair in sorted(problem.excluded_pairs)],
    }


def _parse_json(text: str) -> Any:
    control = first_control_character(text)
    if control is not None:
        raise MatchInputError(control.problem())
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MatchInputError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise MatchInputError("the JSON is nested too deeply to be a match problem") from None
    except ValueError as error:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise MatchInputError(f"a number is too long to be a count or an id ({error.args[0].split(':')[0]})") from None


def problem_from_dict(data: Any) -> MatchProblem:
    """Validate parsed JSON and build the problem; raise MatchInputError on the first fault."""
    top = _expect_object(data, "input")
    _reject_unknown_fields(top, _TOP_LEVEL_FIELDS, "input")
    max_mentees = _max_mentees(top.get("max_mentees_per_mentor", PROGRAM_MAX_MENTEES))

    raw_residents = _expect_list(_required(top, "residents", "input"), "residents")
    raw_mentors = _expect_list(_required(top, "mentors", "input"), "mentors")
    resident_records = [_expect_object(item, f"residents[{i}]") for i, item in enumerate(raw_residents)]
    mentor_records = [_expect_object(item, f"mentors[{i}]") for i, item in enumerate(raw_mentors)]

    # IDs first: rankings and preferences refer across the two lists.
    resident_ids = _collect_ids(resident_records, "residents", "resident")
    mentor_ids = _collect_ids(mentor_records, "mentors", "mentor")
    known_residents, known_mentors = set(resident_ids), set(mentor_ids)

    residents = tuple(
        _resident(record, f"residents[{i}]", resident_id, known_mentors)
        for i, (record, resident_id) in enumerate(zip(resident_records, resident_ids, strict=False))
    )
    mentors = tuple(
        _mentor(record, f"mentors[{i}]", mentor_id, known_residents, max_mentees)
        for i, (record, mentor_id) in enumerate(zip(mentor_records, mentor_ids, strict=False))
    )
    excluded = _excluded_pairs(top.get("excluded_pairs", []), known_mentors, known_residents)
    return MatchProblem(
        residents=residents,
        mentors=mentors,
        excluded_pairs=excluded,
        max_mentees_per_mentor=max_mentees,
    )


def _max_mentees(value: Any) -> int:
    where = "max_mentees_per_mentor"
    if not _is_integer(value) or not 1 <= value <= MAX_MENTEES_CEILING:
        raise MatchInputError(
            f"{where}: must be a whole number from 1 to {MAX_MENTEES_CEILING} (the most a program may allow), got {_show(value)}"
        )
    return value


def _collect_ids(records: list[dict[str, Any]], list_name: str, kind: str) -> list[str]:
    first_seen_at: dict[str, int] = {}
    ids = []
    for index, record in enumerate(records):
        where = f"{list_name}[{index}]"
        person_id = _normalise_id(_required(record, "id", where), f"{where}.id")
        if person_id in first_seen_at:
            raise MatchInputError(f'{where}.id: duplicate {kind} id "{person_id}" (also {list_name}[{first_seen_at[person_id]}])')
        first_seen_at[person_id] = index
        ids.append(person_id)
    return ids


def _resident(record: dict[str, Any], where: str, resident_id: str, mentor_ids: set[str]) -> Resident:
    _reject_unknown_fields(record, _RESIDENT_FIELDS, where)
    ranking = _id_list(
        record.get("ranking", []),
        f"{where}.ranking",
        mentor_ids,
        "mentor",
        repeated="ranked twice",
    )
    return Resident(
        id=resident_id,
        ranking=ranking,
        subspecialties=_labels(record.get("subspecialties", []), f"{where}.subspecialties"),
        focus_areas=_labels(record.get("focus_areas", []), f"{where}.focus_areas"),
    )


def _mentor(record: dict[str, Any], where: str, mentor_id: str, resident_ids: set[str], max_mentees: int) -> Mentor:
    _reject_unknown_fields(record, _MENTOR_FIELDS, where)
    capacity = _required(record, "capacity", where)
    if not _is_integer(capacity) or not 0 <= capacity <= max_mentees:
        raise MatchInputError(
            f"{where}.capacity: must be a whole number from 0 to {max_mentees} (max_mentees_per_mentor), got {_show(capacity)}"
        )
    available = record.get("available", True)
    if not isinstance(available, bool):
        raise MatchInputError(f"{where}.available: expected true or false, got {_show(available)}")
    preferred = _id_list(
        record.get("preferred_residents", []),
        f"{where}.preferred_residents",
        resident_ids,
        "resident",
        repeated="listed twice",
    )
    return Mentor(
        id=mentor_id,
        capacity=capacity,
        available=available,
        subspecialties=_labels(record.get("subspecialties", []), f"{where}.subspecialties"),
        focus_areas=_labels(record.get("focus_areas", []), f"{where}.focus_areas"),
        preferred_residents=preferred,
    )


def _id_list(value: Any, where: str, known: set[str], kind: str, *, repeated: str) -> tuple[str, ...]:
    """A list of references to known IDs, each at most once."""
    first_seen_at: dict[str, int] = {}
    for index, item in enumerate(_expect_list(value, where)):
        item_where = f"{where}[{index}]"
        person_id = _known_id(item, item_where, known, kind)
        if person_id in first_seen_at:
            raise MatchInputError(
                f'{item_where}: {kind} "{person_id}" {repeated} (also at {where.rsplit(".", 1)[-1]}[{first_seen_at[person_id]}])'
            )
        first_seen_at[person_id] = index
    return tuple(first_seen_at)


def _excluded_pairs(value: Any, mentor_ids: set[str], resident_ids: set[str]) -> frozenset[tuple[str, str]]:
    pairs = set()
    for index, item in enumerate(_expect_list(value, "excluded_pairs")):
        where = f"excluded_pairs[{index}]"
        if not isinstance(item, list) or len(item) != 2:
            raise MatchInputError(f"{where}: expected [mentor_id, resident_id], got {_show(item)}")
        mentor_id = _known_id(item[0], f"{where}[0]", mentor_ids, "mentor")
        resident_id = _known_id(item[1], f"{where}[1]", resident_ids, "resident")
        pairs.add((mentor_id, resident_id))
    return frozenset(pairs)


def _known_id(value: Any, where: str, known: set[str], kind: str) -> str:
    person_id = _normalise_id(value, where)
    if person_id not in known:
        raise MatchInputError(f'{where}: unknown {kind} id "{person_id}"')
    return person_id


def _normalise_id(value: Any, where: str) -> str:
    # bool is an int subclass in Python, but `true` is never a sensible ID.
    if isinstance(value, str) and value.strip():
        return value
    if _is_integer(value):
        return str(value)
    raise MatchInputError(f"{where}: expected a non-empty string or integer id, got {_show(value)}")


def _labels(value: Any, where: str) -> frozenset[str]:
    labels = _expect_list(value, where)
    for index, label in enumerate(labels):
        if not isinstance(label, str):
            raise MatchInputError(f"{where}[{index}]: expected a string, got {_show(label)}")
    return frozenset(labels)


def _required(record: dict[str, Any], field: str, where: str) -> Any:
    if field not in record:
        raise MatchInputError(f'{where}: missing required field "{field}"')
    return record[field]


def _reject_unknown_fields(record: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(record) - allowed)
    if unknown:
        expected = ", ".join(sorted(allowed))
        raise MatchInputError(f'{where}: unknown field "{unknown[0]}" (expected one of: {expected})')


def _expect_object(value: Any, where: str) -> dict[str, Any]:
    return _expect_type(value, dict, "an object", where)


def _expect_list(value: Any, where: str) -> list[Any]:
    return _expect_type(value, list, "a list", where)


def _expect_type(value: Any, expected: type[T], description: str, where: str) -> T:
    if not isinstance(value, expected):
        raise MatchInputError(f"{where}: expected {description}, got {_show(value)}")
    return value


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_JSON_TYPE_NAMES: dict[type, str] = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def _show(value: Any) -> str:
    """Describe a JSON value briefly: scalars verbatim, containers by kind."""
    if isinstance(value, (dict, list)):
        return _JSON_TYPE_NAMES[type(value)]
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):  # not from JSON: problem_from_dict called directly
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
