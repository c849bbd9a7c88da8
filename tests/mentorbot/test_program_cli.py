"""`mentorbot program add|list|set` and `--program` on the roster, export and audit commands,
run in-process against a real database and the fake Slack."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mentorbot.cli import main
from storage.models import AuditEntry, Person, Program, Role


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


IM_ROSTER = "slack_user_id,name,role,pgy\nUPGY3,Riley Chen,resident,3\nUFAC1,Dr. Ortiz,faculty+coordinator,\n"
# The same PGY-3 is a peer mentor of interns in the peer track.
PEER_ROSTER = (
    "slack_user_id,name,role,pgy\nUPGY3,Riley Chen,mentor,3\nUINT1,Sam Intern,mentee,1\nUCRD2,Pat Coordinator,coordinator,\n"
)


def _programs(session_factory):
    with session_factory() as session:
        return {p.handle: p for p in session.scalars(select(Program))}


def _memberships(session_factory, user_id):
    with session_factory() as session:
        rows = session.execute(
            select(Program.handle, Person.role, Person.pgy, Person.is_coordinator)
            .join(Program, Program.id == Person.program_id)
            .where(Person.slack_user_id == user_id)
        ).all()
    return {handle: (role, pgy, coordinator) for handle, role, pgy, coordinator in rows}


def test_a_program_added_beside_the_first_keeps_its_own_settings_and_roster(env, session_factory, capsys):
    (env / "im.csv").write_text(IM_ROSTER)
    (env / "peer.csv").write_text(PEER_ROSTER)
    assert main(["roster", "import", "im.csv"]) == 0  # creates the workspace's first program
    capsys.readouterr()

    assert main(["program", "add", "im-peer", "--name", "IM peer mentoring", "--peer", "--cadence", "2",
                 "--max-mentees", "3", "--year-start", "06-24", "--summary-at", "Fri 16:30", "--channel", "C0PEER01"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "im-peer: IM peer mentoring" in out and "a meeting every 2 month(s); at most 3 mentee(s)" in out
    assert main(["roster", "import", "peer.csv", "--program", "im-peer"]) == 0
    assert "into im-peer: 3 added" in capsys.readouterr().out

    programs = _programs(session_factory)
    first, peer = programs["residency-mentorship"], programs["im-peer"]
    assert (first.cadence_months, first.max_mentees_per_mentor, first.peer_mentoring) == (3, 2, False)
    assert (peer.cadence_months, peer.max_mentees_per_mentor, peer.peer_mentoring) == (2, 3, True)
    assert (peer.academic_year_start_month, peer.academic_year_start_day) == (6, 24)
    assert (peer.summary_weekday, peer.summary_hour, peer.summary_minute) == (4, 16, 30)
    assert peer.time_zone == "America/Chicago" and peer.coordinator_channel_id == "C0PEER01"
    # One person, two memberships, a role in each.
    assert _memberships(session_factory, "UPGY3") == {
        "residency-mentorship": (Role.RESIDENT, 3, False),
        "im-peer": (Role.FACULTY, 3, False),
    }
    assert _memberships(session_factory, "UFAC1") == {"residency-mentorship": (Role.FACULTY, None, True)}

    assert main(["program", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.index("residency-mentorship:") < listed.index("im-peer:")
    assert "peer mentoring (mentors are residents)" in listed


def test_program_set_changes_what_it_names_and_audits_it(env, session_factory, capsys):
    (env / "im.csv").write_text(IM_ROSTER)
    assert main(["roster", "import", "im.csv"]) == 0
    assert main(["program", "add", "surgery", "--name", "General Surgery"]) == 0
    capsys.readouterr()
    assert main(["program", "set", "surgery", "--cadence", "4", "--missed-limit", "2", "--time-zone", "America/Denver"]) == 0
    assert "surgery: changed cadence_months, missed_limit, time_zone" in capsys.readouterr().out
    assert main(["program", "set", "surgery", "--cadence", "4"]) == 0
    assert "nothing to change" in capsys.readouterr().out

    surgery = _programs(session_factory)["surgery"]
    assert (surgery.cadence_months, surgery.missed_limit, surgery.time_zone) == (4, 2, "America/Denver")
    with session_factory() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.program_id == surgery.id).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["program.created", "program.updated"]
    assert entries[1].details["cadence_months"] == {"from": 3, "to": 4}
    assert main(["audit", "--program", "surgery"]) == 0
    audit_lines = capsys.readouterr().out.splitlines()
    assert len(audit_lines) == 2 and all("program." in line for line in audit_lines)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["program", "add", "open", "--name", "X"], "is a word /mentor already uses"),
        (["program", "add", "Surgery!", "--name", "X"], "a handle is 2-30 lowercase letters"),
        (["program", "add", "surgery", "--name", "X", "--cadence", "13"], "a whole number from 1 to 12"),
        (["program", "add", "surgery", "--name", "X", "--max-mentees", "5"], "a whole number from 1 to 4"),
        (["program", "add", "surgery", "--name", "X", "--year-start", "02-29"], "not 02-29"),
        (["program", "add", "surgery", "--name", "X", "--time-zone", "Mars/Olympus"], "not a known time zone"),
    ],
)
def test_bad_settings_are_refused_in_one_line_before_anything_is_written(env, session_factory, capsys, argv, says):
    (env / "im.csv").write_text(IM_ROSTER)
    assert main(["roster", "import", "im.csv"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_status:
        main(argv)
    assert exit_status.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert set(_programs(session_factory)) == {"residency-mentorship"}


def test_a_taken_handle_or_name_and_an_unknown_program_are_one_clear_line(env, session_factory, capsys):
    (env / "im.csv").write_text(IM_ROSTER)
    assert main(["roster", "import", "im.csv"]) == 0
    assert main(["program", "add", "surgery", "--name", "General Surgery"]) == 0
    capsys.readouterr()
    assert main(["program", "add", "surgery", "--name", "Other"]) == 2
    assert "already has a program 'surgery'" in capsys.readouterr().err
    assert main(["program", "add", "gs", "--name", "General Surgery"]) == 2
    assert "already has a program named 'General Surgery'" in capsys.readouterr().err
    assert main(["roster", "import", "im.csv", "--program", "pediatrics"]) == 2
    err = capsys.readouterr().err
    assert "no program 'pediatrics'" in err and "residency-mentorship, surgery" in err
    assert main(["export", "--program", "pediatrics", "--out", "-"]) == 2
    assert "no program 'pediatrics'" in capsys.readouterr().err
    assert len(_programs(session_factory)) == 2


def test_roster_export_is_one_program_and_imports_back_unchanged(env, session_factory, capsys):
    (env / "im.csv").write_text(IM_ROSTER)
    (env / "peer.csv").write_text(PEER_ROSTER)
    assert main(["roster", "import", "im.csv"]) == 0
    assert main(["program", "add", "im-peer", "--name", "IM peer mentoring", "--peer"]) == 0
    assert main(["roster", "import", "peer.csv", "--program", "im-peer"]) == 0
    capsys.readouterr()

    assert main(["roster", "export", "--program", "im-peer", "--out", "peer-out.csv"]) == 0
    assert "3 people on the roster of im-peer" in capsys.readouterr().out
    exported = (env / "peer-out.csv").read_text()
    assert exported.splitlines() == [
        "slack_user_id,email,name,role,pgy,subspecialty",
        "UCRD2,,Pat Coordinator,coordinator,,",
        "UPGY3,,Riley Chen,mentor,3,",
        "UINT1,,Sam Intern,resident,1,",
    ]
    assert "UFAC1" not in exported  # the other program's people stay in the other program
    assert main(["roster", "import", "peer-out.csv", "--program", "im-peer"]) == 0
    assert "0 added, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert main(["roster", "export", "--out", "-"]) == 0  # the first program by default
    assert "UFAC1,,Dr. Ortiz,faculty+coordinator,," in capsys.readouterr().out


def test_a_heads_up_longer_than_the_cadence_allows_is_one_clear_line(env, session_factory, capsys):
    (env / "im.csv").write_text(IM_ROSTER)
    assert main(["roster", "import", "im.csv"]) == 0
    capsys.readouterr()
    assert main(["program", "add", "monthly", "--name", "Monthly", "--cadence", "1", "--approaching-days", "30"]) == 2
    err = capsys.readouterr().err
    assert "do not fit together" in err and "up to 27" in err and "nothing was added" in err
    assert main(["program", "set", "residency-mentorship", "--cadence", "1", "--approaching-days", "28"]) == 2
    assert "nothing was changed" in capsys.readouterr().err
    assert _programs(session_factory)["residency-mentorship"].cadence_months == 3
    assert set(_programs(session_factory)) == {"residency-mentorship"}
