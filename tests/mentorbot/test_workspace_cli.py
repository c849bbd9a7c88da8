"""`mentorbot workspace list|keep|delete`: what the operator decides about an uninstalled workspace."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from mentorbot.cli import main
from program.workspaces import workspace_installed, workspace_uninstalled
from storage.models import Base, Person, Program, Role, Workspace, slack_bots
from storage.programs import ProgramSettings
from tests.support import factories, sample_program

INSTALLED = datetime(2026, 8, 3, 14, 0, tzinfo=UTC)
UNINSTALLED = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
LEFT = "T0001"  # the sample program's workspace, which removes the app
STAYS = "T0STAY"
ORG = "E0ORG"


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    for variable in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(variable, raising=False)  # these commands need only the database


def _install(session, key: str, name: str, *, org: bool = False) -> Program:
    program = workspace_installed(
        session, key=key, enterprise_id=key if org else None, name=name, is_enterprise_install=org,
        settings=ProgramSettings(time_zone="America/New_York"), now=INSTALLED,
    )  # fmt: skip
    session.execute(
        insert(slack_bots).values(
            client_id="1111.2222", app_id="A0001", team_id=None if org else key, enterprise_id=key if org else None,
            bot_token=f"xoxb-{key}", is_enterprise_install=org, installed_at=INSTALLED.replace(tzinfo=None),
        )
    )  # fmt: skip
    return program


@pytest.fixture
def two_workspaces(env, arrange):
    """The sample program's workspace installed the app and removed it; another still has it."""
    with arrange() as session:
        sample_program.build(session, meetings_through=datetime(2026, 11, 1).date())
        workspace_installed(
            session, key=LEFT, enterprise_id=None, name="General Hospital", is_enterprise_install=False,
            settings=ProgramSettings(time_zone="America/New_York"), now=INSTALLED,
        )  # fmt: skip
        stays = _install(session, STAYS, "Children's Hospital")
        factories.person(session, stays, role=Role.RESIDENT, name="Sam Stays", slack_user_id="USTAYS")
        _install(session, ORG, "Health System", org=True)
    with arrange() as session:
        assert workspace_uninstalled(session, key=LEFT, reason="app_uninstalled", now=UNINSTALLED)
    return stays.id


def test_list_says_which_workspaces_have_the_app_and_which_wait_for_a_decision(two_workspaces, capsys):
    assert main(["workspace", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{ORG}  Health System (organization)  installed 2026-08-03  [1 program, 0 people]",
        f"{LEFT}  General Hospital  uninstalled 2026-11-02; data waiting for your decision: "
        f"mentorbot workspace keep|delete {LEFT}  [1 program, 16 people]",
        f"{STAYS}  Children's Hospital  installed 2026-08-03  [1 program, 1 person]",
    ]


def test_keep_records_the_decision_and_touches_nothing_else(two_workspaces, arrange, capsys):
    assert main(["workspace", "keep", LEFT]) == 0
    assert "its data is kept" in capsys.readouterr().out
    with arrange() as session:
        assert session.get(Workspace, LEFT).data_kept_at is not None
        assert session.scalar(select(func.count(Person.id))) == 17
    assert main(["workspace", "list"]) == 0
    assert f"{LEFT}  General Hospital  uninstalled 2026-11-02; data kept since" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["workspace", "keep", STAYS], "still has the app installed"),
        (["workspace", "keep", "T0NONE"], "no workspace T0NONE"),
        (["workspace", "delete", STAYS, "--yes"], "remove the app from that workspace first"),
        (["workspace", "delete", LEFT], f"mentorbot workspace delete {LEFT} --yes"),
    ],
)
def test_refusals_change_nothing_and_say_why_in_one_line(two_workspaces, arrange, capsys, argv, problem):
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert problem in error and error.count("\n") == 1
    with arrange() as session:
        assert session.scalar(select(func.count(Program.id))) == 3
        assert session.get(Workspace, LEFT).data_kept_at is None


def test_delete_removes_every_row_of_that_workspace_and_nothing_of_the_others(two_workspaces, arrange, capsys):
    stays_id = two_workspaces
    assert main(["workspace", "delete", LEFT, "--yes"]) == 0
    assert f"{LEFT}: deleted 1 program(s) and 16 people" in capsys.readouterr().out

    with arrange() as session:
        programs = {p.team_id: p.id for p in session.scalars(select(Program))}
        assert set(programs) == {STAYS, ORG}
        assert session.get(Workspace, LEFT) is None
        assert {row.team_id or row.enterprise_id for row in session.execute(select(slack_bots))} == {STAYS, ORG}
        leftovers = {}
        for table in Base.metadata.sorted_tables:
            if table.name in ("workspaces", "slack_bots", "slack_installations", "slack_oauth_states", "idempotency_keys"):
                continue
            if "program_id" in table.c:
                count = session.scalar(
                    select(func.count()).select_from(table).where(table.c.program_id.not_in(programs.values()))
                )
            elif table.name == "programs":
                continue
            else:  # rows owned through a pairing, a proposal or a person: the others have none
                count = session.scalar(select(func.count()).select_from(table))
            if count:
                leftovers[table.name] = count
        assert leftovers == {}
        assert [p.name for p in session.scalars(select(Person))] == ["Sam Stays"]
        assert programs[STAYS] == stays_id
