"""`mentorbot match FILE.json`: the input format, the output format, and every error message."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mentoring.matching import MatchProblem, Mentor, Resident, match
from mentoring.matching_io import (
    MatchInputError,
    problem_from_dict,
    problem_to_dict,
    result_to_dict,
    solve_json,
)

EXAMPLE: dict[str, Any] = {
    "max_mentees_per_mentor": 2,
    "residents": [
        {
            "id": "r1",
            "ranking": ["m1", "m2"],
            "subspecialties": ["cardiology"],
            "focus_areas": ["academic"],
        },
        {"id": "r2", "ranking": ["m1"], "subspecialties": [], "focus_areas": ["wellbeing"]},
        {"id": 3},  # integer id, every optional field left out
    ],
    "mentors": [
        {
            "id": "m1",
            "capacity": 1,
            "available": True,
            "subspecialties": ["cardiology"],
            "focus_areas": ["academic"],
            "preferred_residents": ["r2"],
        },
        {"id": "m2", "capacity": 2},
        {"id": "m3", "capacity": 2, "available": False},
    ],
    "excluded_pairs": [["m2", 3]],
}


def solve(data: Any) -> dict[str, Any]:
    return solve_json(json.dumps(data))


def test_example_round_trip() -> None:
    assert solve(EXAMPLE) == {
        "pairs": [
            # m1 prefers r2 (preferred resident) over r1, so r1 takes its second choice.
            {"mentor": "m2", "resident": "r1", "resident_rank": 2},
            {"mentor": "m1", "resident": "r2", "resident_rank": 1},
        ],
        # Resident "3" may not have m2 (excluded), m1 is full, m3 is unavailable.
        "unmatched_residents": ["3"],
        "stats": {
            "residents": 3,
            "mentors_available": 2,
            "capacity_total": 3,
            "matched": 2,
            "unmatched": 1,
            "first_choice": 1,
            "within_own_ranking": 2,
            "mean_rank": 1.5,
        },
    }


def test_output_is_json_serialisable() -> None:
    assert json.loads(json.dumps(solve(EXAMPLE))) == solve(EXAMPLE)


def test_problem_from_dict_applies_defaults_and_normalises_ids() -> None:
    problem = problem_from_dict({"residents": [{"id": 7}], "mentors": [{"id": 7, "capacity": 1}]})
    assert problem == MatchProblem(
        residents=(Resident("7"),),
        mentors=(Mentor("7", 1),),
        excluded_pairs=frozenset(),
        max_mentees_per_mentor=2,
    )
    # Someone who is both resident and mentor is fine; they just cannot mentor themselves.
    assert match(problem).unmatched_residents == ("7",)


def test_problem_dict_round_trip() -> None:
    problem = problem_from_dict(EXAMPLE)
    assert problem_from_dict(problem_to_dict(problem)) == problem
    assert result_to_dict(match(problem)) == solve(EXAMPLE)


def with_change(path: str, value: Any) -> dict[str, Any]:
    """A copy of EXAMPLE with one field replaced; path like "residents.0.ranking"."""
    data = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    target: Any = data
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


def without(path: str) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    target: Any = data
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    del target[last]
    return data


ID_EXPECTED = "expected a non-empty string or integer id"
CAPACITY_0_TO_2 = "capacity: must be a whole number from 0 to 2"
MAX_MENTEES_1_TO_4 = "max_mentees_per_mentor: must be a whole number from 1 to 4 (the most a program may allow)"

ERROR_CASES: dict[str, tuple[Any, str]] = {
    # Structure and types.
    "top level not an object": ([], "input: expected an object, got a list"),
    "residents missing": (
        without("residents"),
        'input: missing required field "residents"',
    ),
    "mentors not a list": (
        with_change("mentors", {}),
        "mentors: expected a list, got an object",
    ),
    "resident not an object": (
        with_change("residents.1", "r2"),
        'residents[1]: expected an object, got "r2"',
    ),
    "unknown top-level field": (
        with_change("max_mentees", 2),
        'input: unknown field "max_mentees"',
    ),
    "misspelt resident field": (
        with_change("residents.0.rankings", ["m1"]),
        'residents[0]: unknown field "rankings"',
    ),
    "ranking not a list": (
        with_change("residents.0.ranking", "m1"),
        'residents[0].ranking: expected a list, got "m1"',
    ),
    "subspecialty not a string": (
        with_change("residents.0.subspecialties", ["cardiology", 5]),
        "residents[0].subspecialties[1]: expected a string, got 5",
    ),
    "focus areas not a list": (
        with_change("mentors.0.focus_areas", None),
        "mentors[0].focus_areas: expected a list, got null",
    ),
    "available not a boolean": (
        with_change("mentors.1.available", "yes"),
        'mentors[1].available: expected true or false, got "yes"',
    ),
    # IDs.
    "missing resident id": (
        without("residents.1.id"),
        'residents[1]: missing required field "id"',
    ),
    "missing mentor id": (
        without("mentors.0.id"),
        'mentors[0]: missing required field "id"',
    ),
    "id of the wrong type": (
        with_change("mentors.0.id", 1.5),
        f"mentors[0].id: {ID_EXPECTED}, got 1.5",
    ),
    "boolean id": (
        with_change("residents.0.id", True),
        f"residents[0].id: {ID_EXPECTED}, got true",
    ),
    "blank id": (
        with_change("residents.0.id", " "),
        f"residents[0].id: {ID_EXPECTED}",
    ),
    "duplicate resident id": (
        with_change("residents.1.id", "r1"),
        'residents[1].id: duplicate resident id "r1" (also residents[0])',
    ),
    "duplicate id across string and integer": (
        with_change("residents.0.id", "3"),
        'residents[2].id: duplicate resident id "3" (also residents[0])',
    ),
    "duplicate mentor id": (
        with_change("mentors.2.id", "m2"),
        'mentors[2].id: duplicate mentor id "m2" (also mentors[1])',
    ),
    # References.
    "unknown mentor in ranking": (
        with_change("residents.0.ranking", ["m1", "m9"]),
        'residents[0].ranking[1]: unknown mentor id "m9"',
    ),
    "mentor ranked twice": (
        with_change("residents.0.ranking", ["m1", "m2", "m1"]),
        'residents[0].ranking[2]: mentor "m1" ranked twice (also at ranking[0])',
    ),
    "unknown resident in preferred_residents": (
        with_change("mentors.0.preferred_residents", ["r2", "r9"]),
        'mentors[0].preferred_residents[1]: unknown resident id "r9"',
    ),
    "resident preferred twice": (
        with_change("mentors.0.preferred_residents", ["r2", "r2"]),
        'mentors[0].preferred_residents[1]: resident "r2" listed twice',
    ),
    "unknown mentor in excluded pair": (
        with_change("excluded_pairs", [["m9", "r1"]]),
        'excluded_pairs[0][0]: unknown mentor id "m9"',
    ),
    "unknown resident in excluded pair": (
        with_change("excluded_pairs", [["m1", "r1"], ["m1", "r9"]]),
        'excluded_pairs[1][1]: unknown resident id "r9"',
    ),
    "excluded pair swapped round": (
        with_change("excluded_pairs", [["r1", "m1"]]),
        'excluded_pairs[0][0]: unknown mentor id "r1"',
    ),
    "excluded pair of the wrong shape": (
        with_change("excluded_pairs", [["m1"]]),
        "excluded_pairs[0]: expected [mentor_id, resident_id], got a list",
    ),
    # Capacity and the program maximum.
    "capacity missing": (
        without("mentors.1.capacity"),
        'mentors[1]: missing required field "capacity"',
    ),
    "capacity negative": (
        with_change("mentors.1.capacity", -1),
        f"mentors[1].{CAPACITY_0_TO_2} (max_mentees_per_mentor), got -1",
    ),
    "capacity fractional": (
        with_change("mentors.1.capacity", 1.5),
        f"mentors[1].{CAPACITY_0_TO_2} (max_mentees_per_mentor), got 1.5",
    ),
    "capacity as text": (
        with_change("mentors.1.capacity", "2"),
        f'mentors[1].{CAPACITY_0_TO_2} (max_mentees_per_mentor), got "2"',
    ),
    "capacity above program maximum": (
        with_change("mentors.1.capacity", 3),
        f"mentors[1].{CAPACITY_0_TO_2} (max_mentees_per_mentor), got 3",
    ),
    "capacity above a lower maximum": (
        with_change("max_mentees_per_mentor", 1),
        "mentors[1].capacity: must be a whole number from 0 to 1",
    ),
    "max mentees zero": (
        with_change("max_mentees_per_mentor", 0),
        f"{MAX_MENTEES_1_TO_4}, got 0",
    ),
    "max mentees above the ceiling": (
        with_change("max_mentees_per_mentor", 5),
        f"{MAX_MENTEES_1_TO_4}, got 5",
    ),
    "max mentees boolean": (
        with_change("max_mentees_per_mentor", True),
        f"{MAX_MENTEES_1_TO_4}, got true",
    ),
}


@pytest.mark.parametrize("case", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_bad_input_is_rejected_with_a_message_saying_where(case: tuple[Any, str]) -> None:
    data, expected_message = case
    with pytest.raises(MatchInputError) as raised:
        solve(data)
    message = str(raised.value)
    assert expected_message in message
    assert "\n" not in message


MALFORMED_JSON = {
    "truncated": ('{"residents": [', "invalid JSON at line 1, column 16"),
    "trailing comma": ('{\n  "residents": [],\n}', "invalid JSON at line 3, column 1"),
    "empty file": ("", "invalid JSON at line 1, column 1"),
}


@pytest.mark.parametrize("case", MALFORMED_JSON.values(), ids=MALFORMED_JSON.keys())
def test_malformed_json_names_line_and_column(case: tuple[str, str]) -> None:
    text, expected_message = case
    with pytest.raises(MatchInputError, match=expected_message):
        solve_json(text)


def test_match_input_error_is_a_value_error() -> None:
    # Callers that only know about ValueError still catch it.
    assert issubclass(MatchInputError, ValueError)
