"""`mentorbot audit`: the audit log on the command line, straight from the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mentorbot.cli import main
from storage import requests
from storage.models import Role
from tests.support import factories
from views.changes import RequestMessageTexts

NOTE = "please keep this between us"


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)  # the audit needs no Slack at all


def test_audit_prints_who_did_what_to_whom_newest_first_without_the_note(env, arrange, capsys):
    with arrange() as session:
        program = factories.program(session)
        fran = factories.person(session, program, role=Role.FACULTY, name="Dr. Fran", slack_user_id="UFRAN")
        riley = factories.person(session, program, role=Role.RESIDENT, name="Riley", slack_user_id="URILEY")
        pairing = factories.pairing(session, program, mentor=fran, resident=riley)
        requests.request_change(
            session, requester_id=riley.id, pairing_id=pairing.id, note=NOTE, requester_rematch=True,
            now=datetime(2026, 11, 25, 15, 0, tzinfo=UTC), messages=RequestMessageTexts(),
        )  # fmt: skip
    assert main(["audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2026-11-25 15:00 UTC  Riley (URILEY)  change_request.made  -> Dr. Fran (UFRAN)")
    assert f"pairing_id={pairing.id}" in lines[0]
    assert "pairing.ended" in lines[1] and "program.created" in lines[-1]
    assert all(NOTE not in line for line in lines)

    assert main(["audit", "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_audit_of_an_empty_log(env, capsys):
    assert main(["audit"]) == 0
    assert capsys.readouterr().out.strip() == "the audit log is empty"


def test_audit_limit_must_be_positive(env, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--limit", "0"])
    assert exit_.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_audit_on_a_database_without_the_schema(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["audit"]) == 2
    assert "run `mentorbot db upgrade` first" in capsys.readouterr().err
