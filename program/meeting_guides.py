"""The meeting guides in force: the coordinators' file when one is configured, else the shipped
default (mentoring/meeting_guides.txt). The file is read again whenever it changes, so an edit
applies from the next reminder without a restart; an edit that breaks the format is logged with
its line number and the last good version stays in force.
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from importlib import resources
from pathlib import Path

from mentoring.meeting_guides import GuideFileError, MeetingGuides, parse_guides

log = logging.getLogger(__name__)


@cache
def shipped_guides() -> MeetingGuides:
    """The default guides, shipped with the package (read once per process)."""
    return parse_guides(resources.files("mentoring").joinpath("meeting_guides.txt").read_text(encoding="utf-8"))


def read_guides(path: Path) -> MeetingGuides:
    """Parse a guides file; GuideFileError (with the line) or OSError when it cannot be used."""
    return parse_guides(path.read_text(encoding="utf-8"))


class GuideBook:
    """The guides of one process, re-read when the file's modification time changes."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: float | None = None
        self._guides = shipped_guides()

    def current(self) -> MeetingGuides:
        if self.path is None:
            return self._guides
        with self._lock:
            try:
                modified = self.path.stat().st_mtime
                if modified != self._seen:
                    self._seen = modified
                    self._guides = read_guides(self.path)
            except (OSError, GuideFileError, UnicodeDecodeError) as problem:
                log.error("meeting guides %s: %s; the previous guides stay in use", self.path, problem)
            return self._guides
