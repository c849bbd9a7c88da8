"""The matcher: hand-made cases for each rule, then properties on random instances."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching import (
    MatchProblem,
    MatchResult,
    MatchStats,
    Mentor,
    Pair,
    Resident,
    blocking_pairs,
    match,
    mentor_preferences,
    resident_preferences,
)

# --- helpers ---------------------------------------------------------------------------


def problem(
    residents: list[Resident],
    mentors: list[Mentor],
    excluded: set[tuple[str, str]] = frozenset(),
    max_mentees: int = 2,
) -> MatchProblem:
    return MatchProblem(
        residents=tuple(residents),
        mentors=tuple(mentors),
        excluded_pairs=frozenset(excluded),
        max_mentees_per_mentor=max_mentees,
    )


def assignment(result: MatchResult) -> dict[str, str]:
    return {pair.resident: pair.mentor for pair in result.pairs}


def effective_capacity(mentor: Mentor, max_mentees: int) -> int:
    return max(0, min(mentor.capacity, max_mentees))


# --- hand cases ------------------------------------------------------------------------


HAND_CASES = {
    "first choices all granted": (
        problem(
            [Resident("r1", ("m1", "m2")), Resident("r2", ("m2", "m1"))],
            [Mentor("m1", 1), Mentor("m2", 1)],
        ),
        {"r1": "m1", "r2": "m2"},
    ),
    "capacity 2 lets a mentor take two": (
        problem(
            [Resident("r1", ("m1",)), Resident("r2", ("m1",)), Resident("r3", ("m1", "m2"))],
            [Mentor("m1", 2), Mentor("m2", 2)],
        ),
        # m1 is full with r1, r2 (IDs break the tie); r3 falls to its second choice.
        {"r1": "m1", "r2": "m1", "r3": "m2"},
    ),
    "program maximum caps a larger capacity": (
        problem(
            [Resident("r1", ("m1",)), Resident("r2", ("m1",)), Resident("r3", ("m1",))],
            [Mentor("m1", 5), Mentor("m2", 5)],
            max_mentees=2,
        ),
        {"r1": "m1", "r2": "m1", "r3": "m2"},
    ),
    "contention resolved by mentor's preferred residents": (
        problem(
            [Resident("r1", ("m1", "m2")), Resident("r2", ("m1", "m2"))],
            [Mentor("m1", 1, preferred_residents=("r2",)), Mentor("m2", 1)],
        ),
        {"r2": "m1", "r1": "m2"},
    ),
    "contention resolved by mentor's compatibility": (
        problem(
            [
                Resident("r1", ("m1", "m2"), subspecialties=frozenset({"cardio"})),
                Resident("r2", ("m1", "m2"), subspecialties=frozenset({"neuro"})),
            ],
            [Mentor("m1", 1, subspecialties=frozenset({"neuro"})), Mentor("m2", 1)],
        ),
        {"r2": "m1", "r1": "m2"},
    ),
    "excluded pair never proposed": (
        problem(
            [Resident("r1", ("m1", "m2"))],
            [Mentor("m1", 2), Mentor("m2", 2)],
            excluded={("m1", "r1")},
        ),
        {"r1": "m2"},
    ),
    "unavailable mentor never used": (
        problem([Resident("r1", ("m1",))], [Mentor("m1", 2, available=False), Mentor("m2", 1)]),
        {"r1": "m2"},
    ),
    "zero capacity mentor never used": (
        problem([Resident("r1", ("m1",))], [Mentor("m1", 0), Mentor("m2", 1)]),
        {"r1": "m2"},
    ),
    "more residents than places leaves the least preferred unmatched": (
        problem(
            [Resident("r1", ("m1",)), Resident("r2", ("m1",)), Resident("r3", ("m1",))],
            [Mentor("m1", 2)],
        ),
        {"r1": "m1", "r2": "m1"},
    ),
    "empty ranking matched by compatibility": (
        problem(
            [Resident("r1", (), subspecialties=frozenset({"neuro"}))],
            [
                Mentor("m1", 1, subspecialties=frozenset({"cardio"})),
                Mentor("m2", 1, subspecialties=frozenset({"neuro"})),
            ],
        ),
        {"r1": "m2"},
    ),
    "subspecialty outranks focus area": (
        problem(
            [Resident("r1", (), frozenset({"neuro"}), frozenset({"academic", "wellbeing"}))],
            [
                Mentor("m1", 1, focus_areas=frozenset({"academic", "wellbeing"})),
                Mentor("m2", 1, subspecialties=frozenset({"neuro"})),
            ],
        ),
        {"r1": "m2"},
    ),
    "focus areas break equal subspecialty overlap": (
        problem(
            [Resident("r1", (), focus_areas=frozenset({"wellbeing"}))],
            [Mentor("a", 1), Mentor("b", 1, focus_areas=frozenset({"wellbeing"}))],
        ),
        {"r1": "b"},
    ),
    "someone who is both cannot mentor themselves": (
        problem([Resident("x", ("x", "m1"))], [Mentor("x", 2), Mentor("m1", 1)]),
        {"x": "m1"},
    ),
    "compatibility ties broken by id (plain string order)": (
        problem([Resident("r1")], [Mentor("m2", 1), Mentor("M9", 1), Mentor("m10", 1)]),
        {"r1": "M9"},  # "M9" < "m10" < "m2"
    ),
    "mentor ties broken by resident id": (
        problem([Resident("rb", ("m1",)), Resident("ra", ("m1",))], [Mentor("m1", 1)]),
        {"ra": "m1"},
    ),
    "unknown ids in lists are ignored": (
        problem(
            [Resident("r1", ("ghost", "m1"))],
            [Mentor("m1", 1, preferred_residents=("nobody",))],
        ),
        {"r1": "m1"},
    ),
}


@pytest.mark.parametrize("case", HAND_CASES.values(), ids=HAND_CASES.keys())
def test_hand_case(case: tuple[MatchProblem, dict[str, str]]) -> None:
    match_problem, expected = case
    result = match(match_problem)
    assert assignment(result) == expected
    expected_unmatched = sorted({r.id for r in match_problem.residents} - set(expected))
    assert list(result.unmatched_residents) == expected_unmatched
    assert blocking_pairs(match_problem, result) == []


def test_resident_rank_counts_explicit_choices_first() -> None:
    match_problem = problem(
        [Resident("r1", ("m3", "m1")), Resident("r0", ("m3",))],
        [Mentor("m1", 1), Mentor("m2", 1), Mentor("m3", 1)],
    )
    result = match(match_problem)
    # r0 takes m3 (ID tie-break at m3); r1 gets its second explicit choice.
    assert [(p.resident, p.mentor, p.resident_rank) for p in result.pairs] == [
        ("r0", "m3", 1),
        ("r1", "m1", 2),
    ]
    assert resident_preferences(match_problem, "r1") == ["m3", "m1", "m2"]


def test_stats() -> None:
    match_problem = problem(
        [
            Resident("r1", ("m1",)),
            Resident("r2", ("m1",)),
            Resident("r3", ()),
            Resident("r4", ("m1",)),
        ],
        [Mentor("m1", 1), Mentor("m2", 2), Mentor("m3", 2, available=False)],
    )
    result = match(match_problem)
    assert result.stats.to_dict() == {
        "residents": 4,
        "mentors_available": 2,
        "capacity_total": 3,
        "matched": 3,
        "unmatched": 1,
        "first_choice": 1,  # r1 at m1
        "within_own_ranking": 1,
        # r2 falls back to m2 (rank 2); r3's compatibility list is m1, m2 by ID, so m2 is rank 2.
        "mean_rank": pytest.approx((1 + 2 + 2) / 3),
    }
    assert result.unmatched_residents == ("r4",)


def test_empty_problem() -> None:
    result = match(problem([], []))
    assert result.pairs == () and result.unmatched_residents == ()
    assert result.stats.mean_rank is None


def test_mentor_preferences_put_preferred_first_then_compatibility() -> None:
    match_problem = problem(
        [
            Resident("r1"),
            Resident("r2", subspecialties=frozenset({"neuro"})),
            Resident("r3", focus_areas=frozenset({"academic"})),
            Resident("r4"),
        ],
        [
            Mentor(
                "m1",
                2,
                subspecialties=frozenset({"neuro"}),
                focus_areas=frozenset({"academic"}),
                preferred_residents=("r4", "r4", "r1"),
            )
        ],
        excluded={("m1", "r1")},
    )
    assert mentor_preferences(match_problem, "m1") == ["r4", "r2", "r3"]


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate mentor id"):
        match(problem([], [Mentor("m1", 1), Mentor("m1", 2)]))


def test_accepts_lists_and_sets_for_convenience() -> None:
    resident = Resident("r1", ["m1"], {"neuro"}, {"academic"})  # type: ignore[arg-type]
    assert resident.ranking == ("m1",) and resident.subspecialties == frozenset({"neuro"})
    hash(resident)


# --- properties ------------------------------------------------------------------------

LABELS = ("a", "b", "c")


@st.composite
def match_problems(draw: st.DrawFn, max_residents: int = 6, max_mentors: int = 5, contested: bool = False) -> MatchProblem:
    """Random small instances.

    contested=True draws full, conflicting explicit lists and scarce places, so that an
    instance often has several stable matchings (otherwise compatibility-derived lists
    agree too much and resident-optimality is trivially true).
    """
    least = 3 if contested else 0
    resident_ids = [f"r{n}" for n in range(draw(st.integers(least, max_residents)))]
    mentor_ids = [f"m{n}" for n in range(draw(st.integers(least, max_mentors)))]
    # Sometimes one person is both a resident and a mentor.
    if resident_ids and mentor_ids and draw(st.booleans()):
        mentor_ids[0] = resident_ids[0]
    labels = st.frozensets(st.sampled_from(LABELS), max_size=2)

    def id_list(pool: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
        if contested:
            return st.permutations(pool).map(tuple)
        # Known IDs, now and then a repeat or an unknown one (which match() ignores).
        return st.lists(st.sampled_from([*pool, "ghost"]), max_size=4).map(tuple)

    capacities = st.sampled_from([1, 1, 1, 1, 2]) if contested else st.integers(0, 3)
    availability = st.just(True) if contested else st.booleans() | st.just(True)

    residents = [Resident(rid, draw(id_list(mentor_ids)), draw(labels), draw(labels)) for rid in resident_ids]
    mentors = [
        Mentor(
            mid,
            capacity=draw(capacities),
            available=draw(availability),
            subspecialties=draw(labels),
            focus_areas=draw(labels),
            preferred_residents=draw(id_list(resident_ids)),
        )
        for mid in mentor_ids
    ]
    all_pairs = [(m, r) for m in mentor_ids for r in resident_ids]
    excluded = draw(st.frozensets(st.sampled_from(all_pairs), max_size=3)) if all_pairs else frozenset()
    return MatchProblem(
        residents=tuple(residents),
        mentors=tuple(mentors),
        excluded_pairs=excluded,
        max_mentees_per_mentor=draw(st.integers(1, 2)),
    )


def reference_resident_preferences(p: MatchProblem, resident: Resident) -> list[str]:
    """The spec, written the obvious (slow) way: materialise and sort."""
    eligible = [m for m in p.mentors if is_eligible(p, m, resident)]
    explicit: list[str] = []
    for mentor_id in resident.ranking:
        if mentor_id in {m.id for m in eligible} and mentor_id not in explicit:
            explicit.append(mentor_id)
    rest = sorted(
        (m for m in eligible if m.id not in explicit),
        key=lambda m: (
            -len(resident.subspecialties & m.subspecialties),
            -len(resident.focus_areas & m.focus_areas),
            m.id,
        ),
    )
    return explicit + [m.id for m in rest]


def reference_mentor_preferences(p: MatchProblem, mentor: Mentor) -> list[str]:
    eligible = [r for r in p.residents if is_eligible(p, mentor, r)]
    preferred: list[str] = []
    for resident_id in mentor.preferred_residents:
        if resident_id in {r.id for r in eligible} and resident_id not in preferred:
            preferred.append(resident_id)
    rest = sorted(
        (r for r in eligible if r.id not in preferred),
        key=lambda r: (
            -len(r.subspecialties & mentor.subspecialties),
            -len(r.focus_areas & mentor.focus_areas),
            r.id,
        ),
    )
    return preferred + [r.id for r in rest]


def is_eligible(p: MatchProblem, mentor: Mentor, resident: Resident) -> bool:
    return (
        mentor.available
        and effective_capacity(mentor, p.max_mentees_per_mentor) >= 1
        and (mentor.id, resident.id) not in p.excluded_pairs
        and mentor.id != resident.id
    )


def stable_matchings(p: MatchProblem) -> list[dict[str, str]]:
    """Every stable matching, by brute force over all assignments (tiny instances only)."""
    resident_lists = {r.id: resident_preferences(p, r.id) for r in p.residents}
    mentor_lists = {m.id: mentor_preferences(p, m.id) for m in p.mentors}
    capacity = {m.id: effective_capacity(m, p.max_mentees_per_mentor) for m in p.mentors}
    resident_ids = [r.id for r in p.residents]

    found = []
    options = [[None, *resident_lists[rid]] for rid in resident_ids]
    for choice in itertools.product(*options):
        candidate = {rid: mid for rid, mid in zip(resident_ids, choice, strict=False) if mid is not None}
        load = Counter(candidate.values())
        if any(load[mid] > capacity[mid] for mid in load):
            continue
        if not has_blocking_pair(candidate, resident_lists, mentor_lists, capacity, load):
            found.append(candidate)
    return found


def has_blocking_pair(
    candidate: dict[str, str],
    resident_lists: dict[str, list[str]],
    mentor_lists: dict[str, list[str]],
    capacity: dict[str, int],
    load: Counter[str],
) -> bool:
    for resident_id, prefs in resident_lists.items():
        current = candidate.get(resident_id)
        better = prefs if current is None else prefs[: prefs.index(current)]
        for mentor_id in better:
            if load[mentor_id] < capacity[mentor_id]:
                return True
            order = mentor_lists[mentor_id]
            worst_held = max(order.index(r) for r, m in candidate.items() if m == mentor_id)
            if order.index(resident_id) < worst_held:
                return True
    return False


PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)


@PROPERTY_SETTINGS
@given(match_problems())
def test_result_is_stable(p: MatchProblem) -> None:
    result = match(p)
    assert blocking_pairs(p, result) == []
    capacity = {m.id: effective_capacity(m, p.max_mentees_per_mentor) for m in p.mentors}
    load = Counter(pair.mentor for pair in result.pairs)
    resident_lists = {r.id: resident_preferences(p, r.id) for r in p.residents}
    mentor_lists = {m.id: mentor_preferences(p, m.id) for m in p.mentors}
    assert not has_blocking_pair(assignment(result), resident_lists, mentor_lists, capacity, load)


@PROPERTY_SETTINGS
@given(match_problems())
def test_capacities_exclusions_and_eligibility_respected(p: MatchProblem) -> None:
    result = match(p)
    mentors = {m.id: m for m in p.mentors}
    residents = {r.id: r for r in p.residents}
    load = Counter(pair.mentor for pair in result.pairs)
    for mentor_id, taken in load.items():
        assert taken <= effective_capacity(mentors[mentor_id], p.max_mentees_per_mentor)
    for pair in result.pairs:
        assert is_eligible(p, mentors[pair.mentor], residents[pair.resident])


@PROPERTY_SETTINGS
@given(match_problems())
def test_each_resident_appears_exactly_once(p: MatchProblem) -> None:
    result = match(p)
    matched = [pair.resident for pair in result.pairs]
    assert len(matched) == len(set(matched))
    assert sorted(matched + list(result.unmatched_residents)) == sorted(r.id for r in p.residents)
    assert list(result.unmatched_residents) == sorted(result.unmatched_residents)
    assert list(result.pairs) == sorted(result.pairs, key=lambda pair: (pair.resident, pair.mentor))
    stats = result.stats
    assert (stats.matched, stats.unmatched, stats.residents) == (
        len(result.pairs),
        len(result.unmatched_residents),
        len(p.residents),
    )


@PROPERTY_SETTINGS
@given(match_problems(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_input_order(p: MatchProblem, rng: random.Random) -> None:
    shuffled = MatchProblem(
        residents=tuple(rng.sample(p.residents, len(p.residents))),
        mentors=tuple(rng.sample(p.mentors, len(p.mentors))),
        excluded_pairs=p.excluded_pairs,
        max_mentees_per_mentor=p.max_mentees_per_mentor,
    )
    first = match(p)
    assert match(p) == first
    assert match(shuffled) == first


@PROPERTY_SETTINGS
@given(match_problems())
def test_derived_lists_follow_the_spec(p: MatchProblem) -> None:
    for resident in p.residents:
        assert resident_preferences(p, resident.id) == reference_resident_preferences(p, resident)
    for mentor in p.mentors:
        assert mentor_preferences(p, mentor.id) == reference_mentor_preferences(p, mentor)


@PROPERTY_SETTINGS
@given(match_problems())
def test_resident_rank_is_position_in_derived_list(p: MatchProblem) -> None:
    result = match(p)
    for pair in result.pairs:
        assert resident_preferences(p, pair.resident).index(pair.mentor) + 1 == pair.resident_rank


@settings(max_examples=100, deadline=None)
@given(match_problems(max_residents=5, max_mentors=4) | match_problems(max_residents=5, max_mentors=4, contested=True))
def test_resident_optimal_against_brute_force(p: MatchProblem) -> None:
    result = assignment(match(p))
    all_stable = stable_matchings(p)
    assert result in all_stable

    def rank_of(resident_id: str, matching: dict[str, str]) -> int:
        prefs = resident_preferences(p, resident_id)
        mentor_id = matching.get(resident_id)
        return len(prefs) if mentor_id is None else prefs.index(mentor_id)  # unmatched is worst

    for resident in p.residents:
        best_possible = min(rank_of(resident.id, stable) for stable in all_stable)
        assert rank_of(resident.id, result) == best_possible


def test_blocking_pairs_finds_an_unstable_assignment() -> None:
    match_problem = problem(
        [Resident("r1", ("m1", "m2")), Resident("r2", ("m2", "m1"))],
        [Mentor("m1", 1), Mentor("m2", 1), Mentor("m3", 1)],
    )
    swapped = MatchResult(
        pairs=(Pair("m2", "r1", 2), Pair("m1", "r2", 2)),
        unmatched_residents=(),
        stats=match(match_problem).stats,
    )
    # r1 would rather have m1, and m1 prefers r1 to r2 (ID tie-break). m2 also prefers r1,
    # so (m2, r2) does not block.
    assert blocking_pairs(match_problem, swapped) == [("m1", "r1")]
    nobody_matched = MatchResult((), ("r1", "r2"), MatchStats(2, 3, 3, 0, 2, 0, 0, None))
    # Every eligible pair blocks when everyone is free.
    assert len(blocking_pairs(match_problem, nobody_matched)) == 6
