"""Mentor matching: resident-proposing deferred acceptance with capacities.

This is the hospitals/residents form of Gale-Shapley: residents propose down their
preference lists, each mentor holds its best proposals up to its capacity and releases the
rest. The result is stable for the derived preference lists below and resident-optimal
(every resident gets the best mentor it has in any stable matching).

Derived preference lists (the spec):

* A resident's list is their explicit ranking (ineligible or unknown mentors skipped), then
  every other eligible mentor by compatibility.
* A mentor's order is their preferred residents (in the given order), then every other
  resident by compatibility.
* Compatibility = (shared subspecialties, shared focus areas), higher first; ties are broken
  by ID ascending (plain string comparison).
* A pair is eligible when the mentor is available, has an effective capacity of at least 1
  (min of own capacity and the program maximum), the pair is not excluded, and the two are
  not the same person.

Pure and deterministic: standard library only, no clock, no randomness, and nothing depends
on the order in which residents or mentors are given.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

# (shared subspecialties, shared focus areas); larger is more compatible.
Compatibility = tuple[int, int]
# How a mentor ranks a resident; smaller is preferred. See _PreferenceModel.mentor_order_key.
MentorOrderKey = tuple[int, int, int, str]
Signature = tuple[frozenset[str], frozenset[str]]


def _coerce_fields(instance: object, **converters: Any) -> None:
    """Let callers pass lists/sets; store the hashable tuple/frozenset the type promises."""
    for name, convert in converters.items():
        object.__setattr__(instance, name, convert(getattr(instance, name)))


@dataclass(frozen=True)
class Resident:
    id: str
    ranking: tuple[str, ...] = ()
    subspecialties: frozenset[str] = frozenset()
    focus_areas: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _coerce_fields(self, ranking=tuple, subspecialties=frozenset, focus_areas=frozenset)


@dataclass(frozen=True)
class Mentor:
    id: str
    capacity: int
    available: bool = True
    subspecialties: frozenset[str] = frozenset()
    focus_areas: frozenset[str] = frozenset()
    preferred_residents: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _coerce_fields(
            self,
            subspecialties=frozenset,
            focus_areas=frozenset,
            preferred_residents=tuple,
        )


@dataclass(frozen=True)
class MatchProblem:
    residents: tuple[Resident, ...]
    mentors: tuple[Mentor, ...]
    # (mentor_id, resident_id): pairs that must never be proposed (e.g. ended by a change request).
    excluded_pairs: frozenset[tuple[str, str]] = frozenset()
    max_mentees_per_mentor: int = 2

    def __post_init__(self) -> None:
        _coerce_fields(
            self,
            residents=tuple,
            mentors=tuple,
            excluded_pairs=lambda pairs: frozenset(tuple(pair) for pair in pairs),
        )

    def effective_capacity(self, mentor: Mentor) -> int:
        return max(0, min(mentor.capacity, self.max_mentees_per_mentor))


@dataclass(frozen=True)
class Pair:
    mentor: str
    resident: str
    # 1-based position of the mentor in the resident's derived list (1 = first choice).
    resident_rank: int

    def to_dict(self) -> dict[str, Any]:
        # Spelled out: dataclasses.asdict is slow enough to matter at thousands of pairs.
        return {
            "mentor": self.mentor,
            "resident": self.resident,
            "resident_rank": self.resident_rank,
        }


@dataclass(frozen=True)
class MatchStats:
    residents: int
    # Mentors who can take anyone: available and effective capacity >= 1.
    mentors_available: int
    capacity_total: int
    matched: int
    unmatched: int
    first_choice: int
    # Matched to a mentor the resident ranked explicitly (not filled in by compatibility).
    within_own_ranking: int
    mean_rank: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MatchResult:
    pairs: tuple[Pair, ...]  # sorted by resident id, then mentor id
    unmatched_residents: tuple[str, ...]  # sorted
    stats: MatchStats

    def to_dict(self) -> dict[str, Any]:
        return {
            "pairs": [pair.to_dict() for pair in self.pairs],
            "unmatched_residents": list(self.unmatched_residents),
            "stats": self.stats.to_dict(),
        }


def compatibility(resident: Resident, mentor: Mentor) -> Compatibility:
    return (
        len(resident.subspecialties & mentor.subspecialties),
        len(resident.focus_areas & mentor.focus_areas),
    )


def _unique_by_id(people: Iterable[Any], kind: str) -> dict[str, Any]:
    by_id: dict[str, Any] = {}
    for person in people:
        if person.id in by_id:
            raise ValueError(f"duplicate {kind} id {person.id!r}")
        by_id[person.id] = person
    return by_id


class _PreferenceModel:
    """The derived preference lists of one problem, without materialising them.

    Materialising 5,000 resident lists over 7,500 mentors (and the reverse) is far too slow,
    so both sides are computed on demand:

    * Residents: mentors are grouped by signature (subspecialties, focus areas). Signatures
      take few distinct values, and every mentor in a group is equally compatible with a
      given resident, so a resident's compatibility order is the groups sorted by
      compatibility, with groups of equal compatibility merged by ID (each group is pre-sorted
      by ID). The group order depends only on the resident's own signature, so it is cached
      per signature, and the walk is a lazy generator: most residents stop at their
      explicit choices.
    * Mentors: a mentor never needs its whole list, only to compare two residents, so
      mentor_order_key computes a sortable key instead.
    """

    def __init__(self, problem: MatchProblem) -> None:
        self.problem = problem
        self.residents: dict[str, Resident] = _unique_by_id(problem.residents, "resident")
        self.mentors: dict[str, Mentor] = _unique_by_id(problem.mentors, "mentor")
        # Only mentors who can take someone appear here: the "open" mentors.
        self.capacity: dict[str, int] = {
            mentor.id: problem.effective_capacity(mentor)
            for mentor in problem.mentors
            if mentor.available and problem.effective_capacity(mentor) >= 1
        }
        self._preferred_position: dict[str, dict[str, int]] = {
            mentor_id: _first_positions(self.mentors[mentor_id].preferred_residents) for mentor_id in self.capacity
        }
        self._groups: list[tuple[Signature, tuple[str, ...]]] = self._group_open_mentors()
        self._tiers_by_signature: dict[Signature, list[list[tuple[str, ...]]]] = {}

    def _group_open_mentors(self) -> list[tuple[Signature, tuple[str, ...]]]:
        ids_by_signature: dict[Signature, list[str]] = {}
        for mentor_id in self.capacity:
            mentor = self.mentors[mentor_id]
            signature = (mentor.subspecialties, mentor.focus_areas)
            ids_by_signature.setdefault(signature, []).append(mentor_id)
        return [(signature, tuple(sorted(ids))) for signature, ids in ids_by_signature.items()]

    def is_eligible(self, mentor_id: str, resident_id: str) -> bool:
        return (
            mentor_id in self.capacity
            and mentor_id != resident_id
            and (mentor_id, resident_id) not in self.problem.excluded_pairs
        )

    def resident_choices(self, resident: Resident) -> Iterator[str]:
        """Yield the resident's derived list in order, lazily."""
        already_listed: set[str] = set()
        for mentor_id in resident.ranking:
            if mentor_id not in already_listed and self.is_eligible(mentor_id, resident.id):
                already_listed.add(mentor_id)
                yield mentor_id
        for tier in self._compatibility_tiers(resident):
            # Groups in a tier are equally compatible: interleave them by ID.
            ordered_ids = tier[0] if len(tier) == 1 else heapq.merge(*tier)
            for mentor_id in ordered_ids:
                if mentor_id not in already_listed and self.is_eligible(mentor_id, resident.id):
                    yield mentor_id

    def _compatibility_tiers(self, resident: Resident) -> list[list[tuple[str, ...]]]:
        """Mentor groups bucketed by compatibility with this resident, best bucket first."""
        signature = (resident.subspecialties, resident.focus_areas)
        tiers = self._tiers_by_signature.get(signature)
        if tiers is None:
            scored = [(_compatibility_of_signatures(signature, group_signature), ids) for group_signature, ids in self._groups]
            scored.sort(key=lambda item: (-item[0][0], -item[0][1]))
            tiers = [[ids for _, ids in same_score] for _, same_score in itertools.groupby(scored, key=lambda item: item[0])]
            self._tiers_by_signature[signature] = tiers
        return tiers

    def mentor_order_key(self, mentor_id: str, resident: Resident) -> MentorOrderKey:
        """Sort key of the resident in the mentor's derived order; smaller is preferred.

        Preferred residents come first in the mentor's own order, then everyone else by
        compatibility (higher first) and ID. The resident ID at the end keeps keys unique.
        """
        position = self._preferred_position.get(mentor_id, {}).get(resident.id)
        if position is not None:
            return (0, position, 0, resident.id)
        shared_subspecialties, shared_focus = compatibility(resident, self.mentors[mentor_id])
        return (1, -shared_subspecialties, -shared_focus, resident.id)


def _first_positions(ids: Iterable[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, item in enumerate(ids):
        positions.setdefault(item, position)
    return positions


def _compatibility_of_signatures(resident: Signature, mentor: Signature) -> Compatibility:
    return (len(resident[0] & mentor[0]), len(resident[1] & mentor[1]))


def _deferred_acceptance(model: _PreferenceModel) -> dict[str, tuple[str, int]]:
    """Run resident-proposing deferred acceptance; return resident -> (mentor, rank)."""
    choices = {resident_id: model.resident_choices(r) for resident_id, r in model.residents.items()}
    proposals_made = dict.fromkeys(model.residents, 0)
    # Per mentor: the proposals currently held, as (order key, resident id).
    held: dict[str, list[tuple[MentorOrderKey, str]]] = {}
    # The outcome does not depend on proposal order (it is the unique resident-optimal
    # stable matching); sorting just makes the run itself reproducible.
    free = deque(sorted(model.residents))

    while free:
        resident_id = free.popleft()
        resident = model.residents[resident_id]
        for mentor_id in choices[resident_id]:
            proposals_made[resident_id] += 1
            proposal = (model.mentor_order_key(mentor_id, resident), resident_id)
            holding = held.setdefault(mentor_id, [])
            if len(holding) < model.capacity[mentor_id]:
                holding.append(proposal)
                break
            worst = max(holding)
            if proposal < worst:
                holding.remove(worst)
                holding.append(proposal)
                free.append(worst[1])
                break
        # A resident whose choices run out stays unmatched.

    return {
        resident_id: (mentor_id, proposals_made[resident_id]) for mentor_id, holding in held.items() for _, resident_id in holding
    }


def match(problem: MatchProblem) -> MatchResult:
    """Match residents to mentors; see the module docstring for the rules."""
    model = _PreferenceModel(problem)
    assignment = _deferred_acceptance(model)
    pairs = tuple(
        sorted(
            (
                Pair(mentor=mentor_id, resident=resident_id, resident_rank=rank)
                for resident_id, (mentor_id, rank) in assignment.items()
            ),
            key=lambda pair: (pair.resident, pair.mentor),
        )
    )
    unmatched = tuple(sorted(set(model.residents) - set(assignment)))
    return MatchResult(pairs=pairs, unmatched_residents=unmatched, stats=_stats(model, pairs, unmatched))


def _stats(model: _PreferenceModel, pairs: tuple[Pair, ...], unmatched: tuple[str, ...]) -> MatchStats:
    ranks = [pair.resident_rank for pair in pairs]
    return MatchStats(
        residents=len(model.residents),
        mentors_available=len(model.capacity),
        capacity_total=sum(model.capacity.values()),
        matched=len(pairs),
        unmatched=len(unmatched),
        first_choice=sum(1 for rank in ranks if rank == 1),
        within_own_ranking=sum(1 for pair in pairs if pair.mentor in model.residents[pair.resident].ranking),
        mean_rank=sum(ranks) / len(ranks) if ranks else None,
    )


def resident_preferences(problem: MatchProblem, resident_id: str) -> list[str]:
    """The resident's full derived list of eligible mentors, best first."""
    model = _PreferenceModel(problem)
    if resident_id not in model.residents:
        raise KeyError(f"unknown resident id {resident_id!r}")
    return list(model.resident_choices(model.residents[resident_id]))


def mentor_preferences(problem: MatchProblem, mentor_id: str) -> list[str]:
    """The mentor's full derived order over eligible residents, best first."""
    model = _PreferenceModel(problem)
    if mentor_id not in model.mentors:
        raise KeyError(f"unknown mentor id {mentor_id!r}")
    eligible = [r for r in problem.residents if model.is_eligible(mentor_id, r.id)]
    eligible.sort(key=lambda resident: model.mentor_order_key(mentor_id, resident))
    return [resident.id for resident in eligible]


def blocking_pairs(problem: MatchProblem, result: MatchResult) -> list[tuple[str, str]]:
    """Eligible (mentor_id, resident_id) pairs that would both rather be together, sorted.

    The resident prefers the mentor to their current one (or is unmatched), and the mentor
    has a free place or prefers the resident to the worst mentee it holds. Empty means the
    result is stable for the derived lists.
    """
    model = _PreferenceModel(problem)
    mentor_of = {pair.resident: pair.mentor for pair in result.pairs}
    held_keys: dict[str, list[MentorOrderKey]] = {}
    for pair in result.pairs:
        key = model.mentor_order_key(pair.mentor, model.residents[pair.resident])
        held_keys.setdefault(pair.mentor, []).append(key)

    blocking: list[tuple[str, str]] = []
    for resident in problem.residents:
        current = mentor_of.get(resident.id)
        for mentor_id in model.resident_choices(resident):
            if mentor_id == current:
                break
            holding = held_keys.get(mentor_id, [])
            has_room = len(holding) < model.capacity[mentor_id]
            if has_room or model.mentor_order_key(mentor_id, resident) < max(holding):
                blocking.append((mentor_id, resident.id))
    return sorted(blocking)
