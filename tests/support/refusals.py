"""Storage refuses with outcomes (problem enums and the names involved); views word them. Tests
of storage assert on the words a person would read, through the same views."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from storage.pairings import PairingRuleError
from storage.rounds import RoundError
from views.pairings import pairing_problem_text
from views.rounds import round_problem_text


def worded(error: Exception) -> str:
    if isinstance(error, PairingRuleError):
        return pairing_problem_text(error)
    if isinstance(error, RoundError):
        return round_problem_text(error)
    raise TypeError(f"no view words {type(error).__name__}")


@contextmanager
def refused(error_type: type[Exception], *, match: str) -> Iterator[None]:
    """Like pytest.raises(error_type, match=...), matched against what the person is told."""
    with pytest.raises(error_type) as caught:
        yield
    text = worded(caught.value)
    assert re.search(match, text), f"{text!r} does not say {match!r}"
