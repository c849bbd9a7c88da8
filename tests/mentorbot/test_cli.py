"""The `mentorbot` command line, run in-process against a real database and the fake Slack."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from mentorbot.cli import main
from storage.models import Person, Role


@pytest.fixture
def env(monkeypatch, fake_slack, database_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "MENTORBOT_COORDINATOR_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MENTORBOT_TIME_ZONE", "America/Chicago")
    return tmp_path


def _people(session_factory):
    with session_factory() as session:
        return {p.slack_user_id: p for p in session.scalars(select(Person))}


ROSTER = (
    "slack_user_id,email,name,role,pgy,subspecialty\n"
    "U0000001,,Riley Resident,resident,2,cardiology\n"
    ",fran@example.org,Dr. Fran Faculty,faculty,,nephrology\n"
)


def test_roster_import_resolves_emails_and_is_idempotent(env, fake_slack, session_factory, capsys):
    fake_slack.add_user("U0000002", name="fran", email="fran@example.org")
    (env / "roster.csv").write_text(ROSTER)
    assert main(["roster", "import", "roster.csv"]) == 0
    assert "2 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["roster", "import", "roster.csv"]) == 0
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out
    people = _people(session_factory)
    assert people["U0000002"].role is Role.FACULTY and people["U0000002"].email == "fran@example.org"
    assert people["U0000001"].pgy == 2


def test_a_bad_row_rolls_back_the_whole_import(env, fake_slack, session_factory, capsys):
    (env / "roster.csv").write_text(ROSTER + "U0000003,,Sam,surgeon,,\n" + ",ghost@example.org,Ghost,resident,,\n")
    assert main(["roster", "import", "roster.csv"]) == 2
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "line 4: role 'surgeon'" in err
    assert "Traceback" not in err
    assert _people(session_factory) == {}


def test_an_unknown_email_is_a_bad_row(env, fake_slack, session_factory, capsys):
    (env / "roster.csv").write_text(ROSTER)  # fran@example.org is not in the workspace
    assert main(["roster", "import", "roster.csv"]) == 2
    assert "line 3: no Slack member has the e-mail fran@example.org" in capsys.readouterr().err
    assert _people(session_factory) == {}


def test_missing_file_is_one_clear_line(env, capsys):
    assert main(["roster", "import", "nope.csv"]) == 2
    assert capsys.readouterr().err.strip() == "mentorbot: nope.csv: no such file"


def test_add_coordinator_bootstraps_the_first_coordinator(env, fake_slack, session_factory, capsys):
    fake_slack.add_user("U0000009", name="casey", real_name="Casey Coordinator")
    assert main(["admin", "add-coordinator", "U0000009"]) == 0
    assert "Casey Coordinator (U0000009) is a coordinator" in capsys.readouterr().out
    assert _people(session_factory)["U0000009"].is_coordinator


def test_add_coordinator_for_an_unknown_user(env, capsys):
    assert main(["admin", "add-coordinator", "U0000404"]) == 2
    assert "Slack does not know U0000404 (user_not_found)" in capsys.readouterr().err


def test_missing_token_exits_2_with_one_line(env, monkeypatch, capsys):
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert main(["admin", "add-coordinator", "U0000009"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mentorbot: SLACK_BOT_TOKEN is not set")


def test_a_token_slack_refuses_exits_2(env, fake_slack, capsys):
    fake_slack.fail_next("auth.test", status=200, error="invalid_auth")
    assert main(["admin", "add-coordinator", "U0000009"]) == 2
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in capsys.readouterr().err


def test_run_without_app_token_explains_socket_mode(env, capsys):
    assert main(["run"]) == 2
    assert "SLACK_APP_TOKEN is not set" in capsys.readouterr().err


def test_db_upgrade_reports_the_revision(env, capsys):
    assert main(["db", "upgrade"]) == 0
    assert "already at" in capsys.readouterr().out


def test_db_upgrade_creates_a_fresh_sqlite_database(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["db", "upgrade"]) == 0
    assert "empty ->" in capsys.readouterr().out
    assert (tmp_path / "mentorbot.db").exists()


def test_match_dry_run_prints_json(tmp_path, capsys):
    problem = {
        "residents": [{"id": "r1", "ranking": ["m1"]}, {"id": "r2", "ranking": ["m1"]}],
        "mentors": [{"id": "m1", "capacity": 1}],
    }
    (tmp_path / "p.json").write_text(json.dumps(problem))
    assert main(["match", str(tmp_path / "p.json")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pairs"] == [{"mentor": "m1", "resident": "r1", "resident_rank": 1}]
    assert result["unmatched_residents"] == ["r2"]


def test_match_with_bad_input_exits_2(tmp_path, capsys):
    (tmp_path / "p.json").write_text("{not json")
    assert main(["match", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mentorbot: ") and "Traceback" not in err


def test_a_slack_error_during_import_is_one_line_and_writes_nothing(env, fake_slack, session_factory, capsys):
    fake_slack.fail_next("users.lookupByEmail", status=200, error="missing_scope")
    (env / "roster.csv").write_text(ROSTER)
    assert main(["roster", "import", "roster.csv"]) == 1
    err = capsys.readouterr().err
    assert "missing_scope (reinstall the app from manifest.yml" in err and "Traceback" not in err
    assert _people(session_factory) == {}


def test_an_unreachable_database_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mentorbot: database error") and "Traceback" not in err


def test_socket_mode_with_a_refused_app_token_exits_2_naming_it(env, fake_slack, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test-token")
    fake_slack.fail_next("apps.connections.open", status=200, error="invalid_auth")
    assert main(["run", "--no-scheduler"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_APP_TOKEN was refused by Slack (invalid_auth)" in err and "Traceback" not in err
