"""Time comes in as a parameter or a clock; this is the one wall-clock read of the running bot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The one wall-clock read of the running bot; everything else is handed a clock."""
    return datetime.now(UTC)  # noqa: TID251 -- this is the one clock
