"""What every text file an operator hands the bot must be, whatever its format: readable text.

A control character (a NUL, an escape sequence, a bell) never belongs in a name, an id or a
guide: it cannot be seen, PostgreSQL refuses NUL in text, and escapes repaint terminals. Tabs and
line breaks are text. Pure: it takes the text, never a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators; not tab, LF or CR.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
SHOWN_CHARS = 60


@dataclass(frozen=True)
class ControlCharacter:
    line: int
    code_point: str  # "U+0000"

    @property
    def what(self) -> str:
        return f"a control character ({self.code_point}); only printable text belongs in this file"

    def problem(self) -> str:
        return f"line {self.line}: {self.what}"


def first_control_character(text: str) -> ControlCharacter | None:
    found = _CONTROL.search(text)
    if found is None:
        return None
    return ControlCharacter(text.count("\n", 0, found.start()) + 1, f"U+{ord(found.group()):04X}")


def cut(value: str) -> str:
    """A value named in a problem, cut short: the person needs to find it, not read it back whole."""
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


def shown(value: str) -> str:
    """The same, quoted."""
    return repr(cut(value))
