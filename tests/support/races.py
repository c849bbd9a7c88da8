"""Forcing a race: the same work on several threads, released together at the moment that matters."""

from __future__ import annotations

import threading
from collections.abc import Callable

TIMEOUT_SECONDS = 30


def run_together(work: Callable[[threading.Barrier], object], *, times: int = 2) -> list[object]:
    """Run `work` on `times` threads; each calls `barrier.wait()` where the race should begin
    (typically after reading, before writing). Returns each run's result, or the exception it
    raised, so the test can assert on both."""
    barrier = threading.Barrier(times, timeout=TIMEOUT_SECONDS)
    outcomes: list[object] = [None] * times

    def run(index: int) -> None:
        try:
            outcomes[index] = work(barrier)
        except Exception as error:  # handed back to the test, never swallowed
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT_SECONDS)
    assert not any(t.is_alive() for t in threads), "a racing thread hung"
    return outcomes
