"""The "meeting coming up" reminder carries the meeting guide for the resident's training year and
the quarter, from the coordinators' file, which is read again when it changes."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from program.meeting_guides import GuideBook
from scheduler.reminders import sweep_reminders
from storage.models import OutboxMessage, Role
from tests.support import factories

SEPT_17 = datetime(2026, 9, 17, 10, 0, tzinfo=UTC)  # the approaching reminder of a pair started July 1
GUIDES = """
[PGY-1 Q1] Settling into internship
- How is the move from medical school going?
[PGY-2] Fellowship and career planning
- Which paths are you weighing?
[default] A good mentoring meeting
- What is on your mind?
"""


@pytest.fixture
def pairs(arrange):
    with arrange() as session:
        program = factories.program(session)
        for pgy in (1, 2, 3):
            mentor = factories.person(session, program, role=Role.FACULTY)
            resident = factories.person(session, program, role=Role.RESIDENT, pgy=pgy, name=f"PGY{pgy} resident")
            factories.pairing(session, program, mentor, resident, started_on=date(2026, 7, 1))


def _approaching(session_factory) -> dict[str, str]:
    """The heads-up each resident got (by name), as rendered."""
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "nudge.approaching"))
        return {row.recipient_user_ids[0]: json.dumps(row.blocks) for row in rows}


def test_the_heads_up_carries_the_guide_for_the_training_year_and_quarter(pairs, job_context, clock, session_factory, tmp_path):
    path = tmp_path / "guides.txt"
    path.write_text(GUIDES, encoding="utf-8")
    clock.set(SEPT_17)
    sweep_reminders(dataclasses.replace(job_context, meeting_guides=GuideBook(path)))
    rendered = list(_approaching(session_factory).values())
    assert len(rendered) == 6  # both people of each pair get the same guide
    titles = sorted(
        {
            next(t for t in ("Settling into internship", "Fellowship and career planning", "A good mentoring meeting") if t in r)
            for r in rendered
        }
    )
    assert titles == ["A good mentoring meeting", "Fellowship and career planning", "Settling into internship"]
    assert all("Ideas for this meeting" in r for r in rendered)


def test_without_a_file_the_shipped_guides_are_used(pairs, job_context, clock, session_factory):
    clock.set(SEPT_17)
    sweep_reminders(job_context)
    assert any("Boards and the next step" in r for r in _approaching(session_factory).values())  # PGY-3


def test_an_edited_file_applies_at_once_and_a_broken_edit_keeps_the_last_good_one(tmp_path, caplog):
    path = tmp_path / "guides.txt"
    path.write_text(GUIDES, encoding="utf-8")
    book = GuideBook(path)
    assert book.current().for_resident(2, 1).title == "Fellowship and career planning"
    path.write_text(GUIDES.replace("Fellowship and career planning", "Planning what comes next"), encoding="utf-8")
    os.utime(path, (1, 1))  # a new modification time, whatever the file system's resolution
    assert book.current().for_resident(2, 1).title == "Planning what comes next"
    path.write_text("[PGY-2] Broken\nno dash here\n", encoding="utf-8")
    os.utime(path, (2, 2))
    with caplog.at_level(logging.ERROR):
        assert book.current().for_resident(2, 1).title == "Planning what comes next"
    assert "line 2: expected a [heading]" in caplog.text
