"""`/mentor report`, the Export button and the home tabs, through the real Bolt app and the fake Slack."""

from __future__ import annotations

import csv
import io

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.home import HomePublisher
from storage.models import AuditEntry
from tests.support import sample_program
from views.ids import ACTION_EXPORT, ACTION_WE_MET

HOME_CLICK = {"view": {"type": "home"}}


@pytest.fixture
def sample(arrange, clock, fake_slack):
    for user_id, name, _, _ in sample_program.PEOPLE:
        fake_slack.add_user(user_id, name=name)
    with arrange() as session:
        return sample_program.build(session, meetings_through=clock().date())


def test_report_shows_the_summary_privately_to_a_coordinator(bot, sample, fake_slack):
    reply = bot.command("report", user_id="UCOORD1")
    response = reply.only_response()
    assert response["response_type"] == "ephemeral"
    text = reply.text()
    assert "Weekly mentorship summary" in text and "Dr. Sam Lee &amp; Taylor Brooks: 55 days overdue" in text
    assert "Only you can see this message." in text
    assert fake_slack.calls_to("chat.postMessage") == []  # nothing in any channel


def test_report_is_for_coordinators_only(bot, sample):
    reply = bot.command("report", user_id="URES1")
    assert "`/mentor report` is for program coordinators, so nothing was done" in reply.text()
    assert "Weekly mentorship summary" not in reply.text()


def test_help_lists_report_for_coordinators_only(bot, sample):
    assert "/mentor report" in bot.command("help", user_id="UCOORD1").text()
    assert "/mentor report" not in bot.command("help", user_id="URES1").text()


def test_export_button_sends_the_csv_to_the_coordinators_dm(bot, sample, fake_slack, session_factory):
    reply = bot.click(ACTION_EXPORT, user_id="UFAC1", value="2026", **HOME_CLICK)
    assert reply.status == 200
    upload, figures = fake_slack.uploaded_files
    assert upload.channel_id == figures.channel_id == fake_slack.dm_channel("UFAC1")
    assert upload.filename == "mentorship-pairings-2026-27.csv"
    rows = list(csv.DictReader(io.StringIO(upload.content.decode("utf-8-sig"))))
    assert len(rows) == 7 and {r["mentor"] for r in rows} >= {"Dr. Fran Ortiz", "Dr. Sam Lee"}
    assert figures.filename == "mentorship-figures-2026-27.csv"
    rows = list(csv.DictReader(io.StringIO(figures.content.decode("utf-8-sig"))))
    assert {"period": "2026–27 Q1", "figure": "pairs_due_that_met_share", "value": "1.000"} in rows
    assert {"period": "2026–27 Q1", "figure": "full_participation_year_so_far_of", "value": "5"} in rows
    shared = [m for m in fake_slack.messages(upload.channel_id) if m.get("upload")]
    assert len(shared) == 2 and all("Only you can see this message." in m["text"] for m in shared)
    with session_factory() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.pairings"))
    assert entry.actor_label == "Dr. Fran Ortiz (UFAC1)" and entry.details == {"academic_year": 2026, "rows": 7}


def test_export_button_does_nothing_for_someone_who_is_not_a_coordinator(bot, sample, fake_slack):
    bot.click(ACTION_EXPORT, user_id="URES1", value="2026", **HOME_CLICK)
    assert fake_slack.uploaded_files == []
    assert fake_slack.calls_to("files.getUploadURLExternal") == []


def test_home_tabs_are_published_and_valid_for_each_kind_of_person(bot, sample, fake_slack):
    for user_id in ("UCOORD1", "UFAC1", "UFAC2", "URES1", "URES8"):
        bot.open_home(user_id)
    coordinator = str(fake_slack.home_view("UCOORD1"))
    assert "Program dashboard" in coordinator and "Your mentor" not in coordinator
    both = str(fake_slack.home_view("UFAC1"))
    assert "Your mentees" in both and "Program dashboard" in both
    resident = fake_slack.home_view("URES1")
    assert "Program dashboard" not in str(resident) and "(in 69 days)" in str(resident)
    buttons = [e for b in resident["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"action_id": ACTION_WE_MET, "value": str(sample.pairings["ortiz-chen"])}.items() <= buttons[0].items()
    assert "You've been on the list for a match since Nov 2, 2026" in str(fake_slack.home_view("URES8"))


def test_refresh_republishes_each_affected_home_once(bot, services, sample, fake_slack):
    publisher = HomePublisher(services, bot.router)
    client = WebClient(token="xoxb-test-token", base_url=fake_slack.url)
    publisher.refresh(client, team_id="T0001", user_ids=["URES1", "UFAC1", "URES1"])
    assert [c.args["user_id"] for c in fake_slack.calls_to("views.publish")] == ["URES1", "UFAC1"]


def test_admin_export_sends_the_same_csv_and_refuses_a_bad_year(bot, sample, fake_slack):
    assert "isn't a year" in bot.command("admin export twenty", user_id="UFAC1").text()
    assert fake_slack.uploaded_files == []
    reply = bot.command("admin export 2026", user_id="UFAC1")
    assert "Sent: the 2026–27 pairings and program figures are in your DM" in reply.only_response()["text"]
    upload, figures = fake_slack.uploaded_files
    assert upload.channel_id == fake_slack.dm_channel("UFAC1")
    assert (upload.filename, figures.filename) == ("mentorship-pairings-2026-27.csv", "mentorship-figures-2026-27.csv")


def test_a_refused_export_click_is_told_privately(bot, sample, fake_slack):
    bot.click(ACTION_EXPORT, user_id="URES1", value="2026", view={"type": "home"}, response_url=None)
    (opened,) = fake_slack.calls_to("views.open")  # the App Home has no response_url: a small modal
    assert "for the program coordinators" in str(opened.args["view"])
