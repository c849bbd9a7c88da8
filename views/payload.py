"""Reading ids out of what Slack sends back (button values, chosen options): strictly.

Whatever a payload names is checked again against the database and the access policy; this only
makes sure that what reaches the database could be one of our ids at all. Words, negative numbers,
Unicode digits (`"²".isdigit()` is true, `int("²")` fails) and 40-digit numbers (too big for
SQLite's INTEGER, and for PostgreSQL's) are no id.
"""

from __future__ import annotations

import re

ID_MAX = 2**31 - 1  # PostgreSQL's INTEGER, the narrowest id column
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")


def payload_id(value: object) -> int | None:
    """The id `value` names (a string of digits, or an integer), or None if it could not be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= ID_MAX else None


def payload_ids(values: object) -> list[int]:
    """The ids in a list (from sealed private_metadata); anything else names none."""
    return [i for i in (payload_id(v) for v in values) if i is not None] if isinstance(values, list) else []


_YEAR = re.compile(r"[0-9]{4}")


def payload_year(value: object) -> int | None:
    """A year written as four ASCII digits (a button's value, a command's word), or None."""
    return int(value) if isinstance(value, str) and _YEAR.fullmatch(value) else None
