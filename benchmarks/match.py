"""Benchmark the matcher on seeded random instances.

Usage: python benchmarks/match.py [--runs N] [--seed S]

Prints, per size (residents x mentors): the median matcher time over a few runs, seconds
per 1,000 residents (the target is under 1 s), and peak memory measured with tracemalloc
in a separate run (tracing slows the code down, so it is never mixed with timing).
Instance generation is not timed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run from a clean checkout without installing anything: make `mentoring` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import random
import statistics
import time
import tracemalloc

from mentoring.matching import MatchProblem, MatchResult, Mentor, Resident, match

SIZES = ((200, 300), (1_000, 1_500), (5_000, 7_500))
SUBSPECIALTIES = tuple(f"subspecialty-{n:02d}" for n in range(12))
FOCUS_AREAS = ("academic", "professional", "wellbeing")
RANKED_PER_RESIDENT = 5
SHARE_AVAILABLE = 0.8
SHARE_WITH_PREFERRED_RESIDENTS = 0.1
SHARE_EXCLUDED = 0.01


def _some(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> frozenset[str]:
    return frozenset(rng.sample(pool, rng.randint(low, high)))


def random_problem(residents: int, mentors: int, rng: random.Random) -> MatchProblem:
    """A plausible program year: residents rank 5 faculty; compatibility fills in the rest."""
    resident_ids = [f"r{n:05d}" for n in range(residents)]
    mentor_ids = [f"m{n:05d}" for n in range(mentors)]
    mentor_list = tuple(
        Mentor(
            id=mentor_id,
            capacity=rng.randint(1, 2),
            available=rng.random() < SHARE_AVAILABLE,
            subspecialties=_some(rng, SUBSPECIALTIES, 1, 2),
            focus_areas=_some(rng, FOCUS_AREAS, 1, 3),
            preferred_residents=(tuple(rng.sample(resident_ids, 2)) if rng.random() < SHARE_WITH_PREFERRED_RESIDENTS else ()),
        )
        for mentor_id in mentor_ids
    )
    resident_list = tuple(
        Resident(
            id=resident_id,
            ranking=tuple(rng.sample(mentor_ids, RANKED_PER_RESIDENT)),
            subspecialties=_some(rng, SUBSPECIALTIES, 1, 3),
            focus_areas=_some(rng, FOCUS_AREAS, 1, 3),
        )
        for resident_id in resident_ids
    )
    excluded = frozenset((rng.choice(mentor_ids), rng.choice(resident_ids)) for _ in range(int(residents * SHARE_EXCLUDED)))
    return MatchProblem(residents=resident_list, mentors=mentor_list, excluded_pairs=excluded)


def median_seconds(problem: MatchProblem, runs: int) -> tuple[float, MatchResult]:
    timings = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = match(problem)
        timings.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(timings), result


def peak_memory_bytes(problem: MatchProblem) -> int:
    tracemalloc.start()
    try:
        match(problem)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per size (median)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)

    header = (
        f"{'residents x mentors':>20} {'median s':>9} {'s/1k res':>9} {'peak MiB':>9}"
        f" {'matched':>8} {'mean rank':>9} {'in ranking':>10}"
    )
    print(header)
    print("-" * len(header))
    for residents, mentors in SIZES:
        problem = random_problem(residents, mentors, random.Random(args.seed))
        seconds, result = median_seconds(problem, args.runs)
        peak = peak_memory_bytes(problem)
        stats = result.stats
        print(
            f"{f'{residents:,} x {mentors:,}':>20} {seconds:>9.3f}"
            f" {seconds / residents * 1000:>9.3f}"
            f" {peak / 2**20:>9.1f} {stats.matched:>8,} {stats.mean_rank or 0:>9.2f}"
            f" {stats.within_own_ranking:>10,}"
        )


if __name__ == "__main__":
    main()
