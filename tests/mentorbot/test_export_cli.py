"""`mentorbot export`: the database alone is enough (no Slack token, nothing sent)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from mentorbot.cli import main
from program.clock import system_clock
from tests.support import factories, sample_program
from views.export_csv import COLUMNS


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return tmp_path


@pytest.fixture
def sample(arrange):
    with arrange() as session:
        return sample_program.build(session, meetings_through=sample_program.JULY_1.replace(year=2027))


def read(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_export_writes_one_row_per_pairing(env, sample, capsys):
    assert main(["export", "--year", "2026", "--out", "pairings.csv"]) == 0
    assert capsys.readouterr().out.strip() == "7 pairing(s) of 2026–27 exported to pairings.csv"
    rows = read(env / "pairings.csv")
    assert len(rows) == 7 and tuple(rows[0]) == COLUMNS
    assert sum(int(r["total_meetings"]) for r in rows) == sum(len(d) for d in sample_program.MEETINGS.values())
    assert not list(env.glob(".*partial"))


def test_export_to_standard_output(env, sample, capsys):
    assert main(["export", "--year", "2026", "--out", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == ",".join(COLUMNS)


def test_export_of_an_empty_year_is_the_header_only(env, sample, capsys):
    assert main(["export", "--year", "2024", "--out", "old.csv"]) == 0
    assert read(env / "old.csv") == []


def test_export_without_a_program_says_what_to_do(env, capsys):
    assert main(["export", "--year", "2026", "--out", "x.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mentorbot: there is no program in this database yet") and "Traceback" not in err
    assert not (env / "x.csv").exists()


def test_export_with_several_workspaces_needs_team(env, arrange, capsys):
    with arrange() as session:
        factories.program(session, team_id="T0001")
        factories.program(session, team_id="T0002")
    assert main(["export", "--year", "2026", "--out", "x.csv"]) == 2
    assert "several workspaces (T0001, T0002); pick one with --team" in capsys.readouterr().err
    assert main(["export", "--year", "2026", "--out", "x.csv", "--team", "T0002"]) == 0


def test_export_to_an_unwritable_place_is_one_line(env, sample, capsys):
    assert main(["export", "--year", "2026", "--out", "no/such/dir/x.csv"]) == 2
    assert capsys.readouterr().err.startswith("mentorbot: no/such/dir/x.csv: No such file or directory")


def test_export_from_an_empty_database_says_what_to_do(env, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{env / 'empty.db'}")
    assert main(["export", "--out", "x.csv"]) == 2
    assert "the database is empty: start the bot once" in capsys.readouterr().err


def test_export_of_the_figures(env, sample, capsys):
    assert main(["export", "--year", "2026", "--figures", "--out", "figures.csv"]) == 0
    assert "of 2026–27 exported to figures.csv" in capsys.readouterr().out
    rows = read(env / "figures.csv")
    assert "2026–27 Q1" in {r["period"] for r in rows}
    # The command reads the wall clock: a quarter's check-ins appear once it is over, and then only
    # what the small-group rule allows (the sample has six usefulness scores in Q1, no relationship ones).
    q1 = {r["figure"]: r["value"] for r in rows if r["period"] == "2026–27 Q1"}
    if system_clock().date() >= date(2026, 10, 1):  # the clock the command reads
        assert (q1["check_in_usefulness_mean"], q1["check_in_usefulness_answers"]) == ("4.17", "6")
        assert q1["check_in_relationship_mean"] == "too few answers to show" and "check_in_relationship_answers" not in q1
    else:
        assert q1["check_ins"] == "shown once the quarter is over"
