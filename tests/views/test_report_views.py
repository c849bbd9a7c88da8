"""Rendering the summary, the quarter report, the notices, both home tabs, the chart and the CSV
for the sample program: the figures match the stored data, and Slack would accept the blocks."""

from __future__ import annotations

import csv
import io
import json
import struct
from datetime import UTC, date, datetime

import pytest

from mentoring.cadence import AcademicCalendar, AcademicQuarter
from sandbox.fake_slack import MESSAGE_BLOCKS_MAX, block_problems, view_problems
from storage.models import Person, PersonStatus, Role
from storage.reports import pairings_in_year, person_home, program_snapshot, quarter_report
from tests.support import factories, sample_program
from views.charts import quarter_chart_png
from views.export_csv import COLUMNS, export_file
from views.help import CommandLine
from views.home import home_view
from views.ids import (
    ACTION_CHANGE,
    ACTION_EXPORT,
    ACTION_OPEN_OFFER,
    ACTION_OPEN_REQUEST,
    ACTION_OPEN_ROUND,
    ACTION_PAUSE,
    ACTION_PLAN,
    ACTION_REJOIN,
    ACTION_REVIEW_PROPOSAL,
    ACTION_RUN_MATCH,
    ACTION_WE_MET,
    ACTION_WITHDRAW,
)
from views.reports import (
    SUMMARY_LIST_LIMIT,
    no_channel_notice,
    private_summary_message,
    quarter_report_message,
    summary_message,
    undelivered_notice,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
COMMANDS = [CommandLine("help", "this list")]
# Never in anything the bot renders: note contents, or why a pairing ended.
FORBIDDEN = (sample_program.SECRET_NOTE, "change_request", "end_reason", "year_end")


def valid_message(message: dict) -> str:
    assert block_problems(message["blocks"], limit=MESSAGE_BLOCKS_MAX) == []
    assert message["text"]
    rendered = json.dumps(message, ensure_ascii=False)
    for forbidden in FORBIDDEN:
        assert forbidden not in rendered
    return rendered


def valid_home(view: dict) -> str:
    assert view_problems(view, expected_type="home") == []
    rendered = json.dumps(view, ensure_ascii=False)
    for forbidden in FORBIDDEN:
        assert forbidden not in rendered
    return rendered


def action_ids(view: dict) -> list[tuple[str, str | None]]:
    return [
        (element["action_id"], element.get("value"))
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


@pytest.fixture
def sample(arrange):
    with arrange() as session:
        return sample_program.build(session, meetings_through=TODAY)


@pytest.fixture
def snapshot(session_factory, sample):
    with session_factory() as session:
        return program_snapshot(session, program=sample_program.program(session, sample), now=NOW)


# --- the weekly summary ------------------------------------------------------------------------


def test_summary_shows_the_figures_and_the_lists(snapshot):
    rendered = valid_message(summary_message(snapshot))
    for expected in (
        "*Active pairs*\\n6",
        "3 of 6 pairs due · 3 meetings logged",
        "*Overdue*\\n2 pairs",
        "*Waiting for a match*\\n2 residents",
        "*Open change or withdrawal requests*\\n1",
        "6 used · 2 free (2 mentors with room)",
        "2026–27: closed",
        "Dr. Sam Lee &amp; Taylor Brooks: 55 days overdue",
        "Dr. Sam Lee &amp; Morgan Diaz: 36 days overdue",
        "Dana White, since Nov 2",
        "Eli Stone: account deactivated, 1 message not delivered",
        "1 pair proposed on Nov 23, 2026, 1 resident left unmatched",
    ):
        assert expected in rendered, expected
    # Who asked for the open change is not shown: the requester (Jamie Park) appears nowhere.
    assert "Jamie Park" not in rendered


def test_private_summary_says_who_can_see_it(snapshot):
    message = private_summary_message(snapshot)
    valid_message(message)
    assert message["response_type"] == "ephemeral"
    assert "Only you can see this message." in json.dumps(message)


def test_long_lists_are_cut_with_a_count_and_a_pointer(arrange, session_factory):
    with arrange() as session:
        program = factories.program(session)
        for _ in range(35):
            mentor = factories.person(session, program, role=Role.FACULTY, name="Dr. " + "Longname" * 8)
            resident = factories.person(session, program, name="Resident " + "Verylongname" * 6)
            factories.pairing(session, program, mentor=mentor, resident=resident, started_on=date(2026, 3, 1))
        for _ in range(30):
            factories.queued(session, program, factories.person(session, program))
    with session_factory() as session:
        snapshot = program_snapshot(session, program=session.merge(program), now=NOW)
    message = summary_message(snapshot)
    rendered = valid_message(message)
    assert len(message["blocks"]) < MESSAGE_BLOCKS_MAX
    assert rendered.count("days overdue") == SUMMARY_LIST_LIMIT
    assert "…and 25 more: see the coordinator dashboard on Mentorbot's *Home* tab." in rendered
    assert "…and 20 more" in rendered
    home = home_view(name="Casey", role_label="a coordinator", commands=COMMANDS, dashboard=snapshot, today=TODAY)
    valid_home(home)
    overdue = next(b["text"]["text"] for b in home["blocks"] if b.get("text", {}).get("text", "").startswith("*Overdue pairs"))
    shown = overdue.count("days overdue")
    # Long names: the section's 3000 characters run out before the dashboard's 20 lines do.
    assert 10 < shown < 20 and len(overdue) <= 3000
    assert overdue.endswith(f"…and {35 - shown} more: the CSV export below lists every pairing.")


# --- the quarter report ------------------------------------------------------------------------


@pytest.fixture
def q3_report(arrange, session_factory, sample):
    with arrange() as session:
        sample_program.log_meetings(session, sample, upto=date(2027, 4, 1))
    with session_factory() as session:
        return quarter_report(session, program=sample_program.program(session, sample), quarter=AcademicQuarter(2026, 3))


def test_quarter_report_shows_compliance_trend_and_pairs(q3_report):
    rendered = valid_message(quarter_report_message(q3_report))
    for expected in (
        "Quarter report: 2026–27 Q3",
        "Jan 1, 2027 – Mar 31, 2027",
        "*Compliance*\\n67%: 4 of 6 pairs due met",
        "*Meetings logged*\\n4 across 6 pairs (0.7 per pair)",
        "Q1: 100% (4 of 4) · 1.0 meetings per pair",
        "Q2: 67% (4 of 6) · 0.7 meetings per pair",
        "Q3: 67% (4 of 6) · 0.7 meetings per pair",
        "*No meeting though one was due (2)*",
        "• Dr. Sam Lee &amp; Morgan Diaz",
    ):
        assert expected in rendered, expected
    table = next(
        b["text"]["text"] for b in quarter_report_message(q3_report)["blocks"] if "By pair" in b.get("text", {}).get("text", "")
    )
    rows = table.split("```")[1].splitlines()
    assert rows[0].split()[-5:] == ["Q1", "Q2", "Q3", "this", "quarter"]
    assert rows[1].split() == ["Dr.", "Fran", "Ortiz", "Alex", "Novak", "2", "1", "1", "met"]
    assert rows[3].split() == ["Dr.", "Omar", "Haddad", "Sam", "Rivera", "–", "1", "1", "met"]
    assert rows[-1].split() == ["Dr.", "Sam", "Lee", "Taylor", "Brooks", "0", "0", "0", "MISSED"]
    assert len(rows) == 7  # the header and six pairs: Haddad & Wong ended before Q3


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_chart_is_a_png_sized_for_slack_and_deterministic(q3_report):
    chart = quarter_chart_png(q3_report)
    width, height = png_size(chart)
    assert 1000 <= width <= 1400 and 500 <= height <= 800
    assert quarter_chart_png(q3_report) == chart


def test_a_chart_with_no_pairs_still_renders(arrange, session_factory):
    with arrange() as session:
        program = factories.program(session)
    with session_factory() as session:
        report = quarter_report(session, program=session.merge(program), quarter=AcademicQuarter(2026, 1))
    png_size(quarter_chart_png(report))
    rendered = valid_message(quarter_report_message(report))
    assert "No pair had a meeting due yet" in rendered and "By pair" not in rendered


# --- notices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        ("not_in_channel", "type `/invite @Mentorbot`"),
        ("is_archived", "Unarchive it"),
        ("channel_not_found: slack said so", "check the channel ID in `MENTORBOT_COORDINATOR_CHANNEL`"),
        ("fatal_error", "Check that the channel still exists"),
        (None, "Check that the channel still exists"),
    ],
)
def test_undelivered_notice_says_what_to_do(error, advice):
    message = undelivered_notice(what="this week's mentorship summary", channel_id="C0COORD1", error=error)
    rendered = valid_message(message)
    assert "I couldn't post this week's mentorship summary to <#C0COORD1>" in rendered
    assert advice in rendered and "/mentor report" in rendered


def test_no_channel_notice_names_the_setting():
    rendered = valid_message(no_channel_notice())
    assert "MENTORBOT_COORDINATOR_CHANNEL" in rendered and "/invite @Mentorbot" in rendered


# --- App Home ----------------------------------------------------------------------------------


def personal(session_factory, sample, user_id):
    with session_factory() as session:
        return person_home(
            session, person=session.get(Person, sample.people[user_id]), program=sample_program.program(session, sample)
        )


def test_resident_home_shows_the_pairing_and_the_buttons(session_factory, sample):
    home = personal(session_factory, sample, "URES1")
    view = home_view(name="Riley Chen", role_label="a resident", commands=COMMANDS, personal=home, today=TODAY)
    rendered = valid_home(view)
    pairing_id = str(sample.pairings["ortiz-chen"])
    assert "*Dr. Fran Ortiz* (<@UFAC1>), your mentor since Jul 1, 2026" in rendered
    assert "Last met: Nov 2, 2026" in rendered
    assert "Next meeting due: *Feb 2, 2027* (in 69 days)" in rendered
    assert action_ids(view) == [
        (ACTION_WE_MET, pairing_id),
        (ACTION_PLAN, pairing_id),
        (ACTION_CHANGE, pairing_id),
        (ACTION_PAUSE, pairing_id),
        (ACTION_OPEN_REQUEST, None),
        (ACTION_WITHDRAW, None),
    ]
    assert "Program dashboard" not in rendered


def test_overdue_resident_gets_an_easy_way_to_catch_up(session_factory, sample):
    home = personal(session_factory, sample, "URES4")
    rendered = valid_home(home_view(name="Taylor", role_label="a resident", commands=COMMANDS, personal=home, today=TODAY))
    assert "You haven't logged a meeting yet." in rendered
    assert "Next meeting was due *Oct 1, 2026*. Here's an easy way to catch up" in rendered


def test_faculty_home_lists_each_mentee(session_factory, sample):
    home = personal(session_factory, sample, "UFAC2")
    view = home_view(name="Dr. Sam Lee", role_label="faculty", commands=COMMANDS, personal=home, today=TODAY)
    rendered = valid_home(view)
    assert "*Your mentees*" in rendered
    assert "*Morgan Diaz* (<@URES3>), your mentee" in rendered and "*Taylor Brooks* (<@URES4>)" in rendered
    ids = [action for action, _ in action_ids(view)]
    assert ids.count(ACTION_WE_MET) == 2 and ids.count(ACTION_CHANGE) == 2
    assert ACTION_OPEN_OFFER in ids and ACTION_OPEN_REQUEST not in ids and ACTION_WITHDRAW in ids


def test_people_without_a_pairing(session_factory, sample):
    dana = valid_home(
        home_view(
            name="Dana",
            role_label="a resident",
            commands=COMMANDS,
            personal=personal(session_factory, sample, "URES8"),
            today=TODAY,
        )
    )
    assert "You've been on the list for a match since Nov 2, 2026" in dana
    kim = valid_home(
        home_view(
            name="Dr. Jo Kim",
            role_label="faculty",
            commands=COMMANDS,
            personal=personal(session_factory, sample, "UFAC5"),
            today=TODAY,
        )
    )
    assert "You have no mentees right now." in kim


def test_withdrawn_person_sees_a_kind_note_and_a_way_back(arrange, session_factory, sample):
    with arrange() as session:
        session.get(Person, sample.people["URES2"]).status = PersonStatus.WITHDRAWN
    home = personal(session_factory, sample, "URES2")
    view = home_view(name="Alex", role_label="a resident", commands=COMMANDS, personal=home, today=TODAY)
    rendered = valid_home(view)
    assert "You've left the mentorship program, and that's completely fine" in rendered and "welcome back" in rendered
    assert action_ids(view) == [(ACTION_REJOIN, None)]


def test_coordinator_dashboard(snapshot, session_factory, sample):
    view = home_view(name="Casey Morgan", role_label="a coordinator", commands=COMMANDS, dashboard=snapshot, today=TODAY)
    rendered = valid_home(view)
    for expected in (
        "Program dashboard",
        "*Active pairs*\\n6",
        "Dr. Sam Lee &amp; Taylor Brooks: 55 days overdue",
        "Dana White, since Nov 2",
        "*Proposal awaiting review*",
    ):
        assert expected in rendered, expected
    assert action_ids(view) == [
        (ACTION_OPEN_ROUND, None),
        (ACTION_RUN_MATCH, None),
        (ACTION_REVIEW_PROPOSAL, str(snapshot.proposal.proposal_id)),
        (ACTION_EXPORT, "2026"),
    ]


def test_faculty_coordinator_sees_both(snapshot, session_factory, sample):
    home = personal(session_factory, sample, "UFAC1")
    view = home_view(
        name="Dr. Fran Ortiz",
        role_label="faculty and a coordinator",
        commands=COMMANDS,
        personal=home,
        dashboard=snapshot,
        today=TODAY,
    )
    rendered = valid_home(view)
    assert "*Your mentees*" in rendered and "Program dashboard" in rendered
    assert len(view["blocks"]) < 60


# --- the CSV -----------------------------------------------------------------------------------


def test_csv_has_one_row_per_pairing_and_nothing_about_why(arrange, session_factory, sample):
    with arrange() as session:
        sample_program.log_meetings(session, sample, upto=date(2027, 7, 1))
        riley = session.get(Person, sample.people["URES1"])
        riley.name = '=HYPERLINK("http://evil")'
    with session_factory() as session:
        rows = pairings_in_year(session, program=sample_program.program(session, sample), year=2026)
    export = export_file(rows, year=2026, academic_calendar=AcademicCalendar())
    assert export.filename == "mentorship-pairings-2026-27.csv" and export.rows == 7
    assert export.content.startswith(b"\xef\xbb\xbf")
    text = export.content.decode("utf-8-sig")
    for forbidden in (*FORBIDDEN, "reason", "note"):
        assert forbidden not in text
    table = list(csv.DictReader(io.StringIO(text)))
    assert tuple(table[0]) == COLUMNS
    by_pair = {(r["mentor"], r["resident"]): r for r in table}
    novak = by_pair[("Dr. Fran Ortiz", "Alex Novak")]
    assert [novak[f"q{q}_meetings"] for q in range(1, 5)] == ["2", "1", "1", "1"]
    assert novak["total_meetings"] == "5" and novak["started_on"] == "2026-07-01" and novak["ended_on"] == ""
    wong = by_pair[("Dr. Omar Haddad", "Chris Wong")]
    assert wong["ended_on"] == "2026-09-15" and wong["total_meetings"] == "1"
    assert by_pair[("Dr. Omar Haddad", "Sam Rivera")]["started_on"] == "2026-10-01"
    assert ("Dr. Fran Ortiz", '\'=HYPERLINK("http://evil")') in by_pair  # never a formula in Excel
    assert sum(int(r["total_meetings"]) for r in table) == sum(len(d) for d in sample_program.MEETINGS.values())


def test_csv_of_a_year_without_pairings_has_only_the_header(session_factory, sample):
    with session_factory() as session:
        rows = pairings_in_year(session, program=sample_program.program(session, sample), year=2025)
    text = export_file(rows, year=2025, academic_calendar=AcademicCalendar()).content.decode("utf-8-sig")
    assert text.splitlines() == [",".join(COLUMNS)]


def test_the_readme_chart_script_draws_the_sample_programs_chart(tmp_path, capsys):
    """docs/make_chart.py made docs/images/quarter-report.png; it must keep working."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "docs" / "make_chart.py"
    spec = importlib.util.spec_from_file_location("make_chart", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path / "chart.png")
    assert png_size((tmp_path / "chart.png").read_bytes()) == png_size(
        (script.parent / "images" / "quarter-report.png").read_bytes()
    )


def test_names_cannot_smuggle_mentions_or_markup(arrange, session_factory):
    with arrange() as session:
        program = factories.program(session)
        program.name = "Mentoring $5 <!channel>"
        mentor = factories.person(session, program, role=Role.FACULTY, name="Dr. <!here> Smith")
        resident = factories.person(session, program, name="Lee & <@U999>")
        factories.pairing(session, program, mentor=mentor, resident=resident, started_on=date(2026, 3, 1))
    with session_factory() as session:
        program = session.merge(program)
        snapshot = program_snapshot(session, program=program, now=NOW)
        report = quarter_report(session, program=program, quarter=AcademicQuarter(2026, 1))
        home = person_home(session, person=session.get(Person, resident.id), program=program)
    rendered = valid_message(summary_message(snapshot)) + valid_message(quarter_report_message(report))
    rendered += valid_home(
        home_view(name="Lee & <@U999>", role_label="a resident", commands=COMMANDS, personal=home, today=TODAY)
    )
    for raw in ("<!channel>", "<!here>", "<@U999>"):
        assert raw not in rendered
    assert "Dr. &lt;!here&gt; Smith &amp; Lee &amp; &lt;@U999&gt;" in rendered
    png_size(quarter_chart_png(report))  # "$" in the program's name is not read as math
