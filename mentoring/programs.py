"""Programs within a workspace: their short names (handles) and the limits of their settings.

A GME office runs several programs in one Slack workspace (internal medicine, surgery, a
peer-mentoring track...). Each has a handle, a short lowercase word people type after a
command (`/mentor met surgery`) and operators pass to `--program`. Pure: no database, no Slack.
"""

from __future__ import annotations

import enum
import re
import unicodedata

# Meetings are due every this many months (program rule 4 says 3; a fellowship may want 2, a
# light-touch track 6). Within a year, so every pair meets at least once per academic year.
DEFAULT_CADENCE_MONTHS = 3
CADENCE_MONTHS_RANGE = range(1, 13)
# Mentees per mentor: the internal-medicine rule is 2; other programs (a peer track where a
# PGY-3 takes three interns) may allow more, up to a ceiling a mentor meeting each mentee
# every few months can keep. The database enforces the ceiling too (mentor slots).
DEFAULT_MAX_MENTEES = 2
MAX_MENTEES_CEILING = 4

HANDLE_PATTERN = re.compile(r"[a-z][a-z0-9-]{1,29}")
# Words the slash command already means something by: a handle is typed after a subcommand,
# so it must never be mistaken for one (`/mentor admin round open` is not the program "open").
COMMAND_WORDS = frozenset(
    {
        "help", "status", "met", "change", "withdraw", "rejoin", "request", "offer", "report", "admin", "plan",
        "pause", "resume", "round", "open", "close", "match", "pair", "unpair", "export", "requests", "check-ins",
        "checkins", "figures", "all", "program", "programs",
    }
)  # fmt: skip


class HandleProblem(enum.Enum):
    SHAPE = "shape"  # not 2-30 lowercase letters, digits or hyphens starting with a letter
    COMMAND_WORD = "command_word"  # a word the slash command already uses


def handle_problem(handle: str) -> HandleProblem | None:
    """Why `handle` cannot name a program, or None when it can."""
    if not HANDLE_PATTERN.fullmatch(handle) or handle.endswith("-"):
        return HandleProblem.SHAPE
    if handle in COMMAND_WORDS:
        return HandleProblem.COMMAND_WORD
    return None


def handle_from_name(name: str) -> str:
    """A handle made from a program's name: "Internal Medicine" -> "internal-medicine".

    Used for a program that was created before programs had handles; it may still need a
    suffix to be unique in its workspace (the caller checks).
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    handle = "-".join(words)[:30].strip("-")
    if not handle or not handle[0].isalpha():
        handle = f"program-{handle}".strip("-")[:30]
    if handle_problem(handle) is HandleProblem.COMMAND_WORD or len(handle) < 2:
        handle = f"{handle}-program"[:30]
    return handle
