"""`/mentor plan` and the "we'll meet on…" form: the pair's group DM gets a Google Calendar link and
an .ics file that a real calendar parser reads back, with the next due date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from urllib.parse import parse_qs, urlparse

import icalendar
import pytest
from sqlalchemy import select

from scheduler.delivery import deliver_pending
from storage.models import MeetingPlan, OutboxMessage, Role
from tests.support import factories
from views import meeting_plans as views

# The clock fixture: Wed 25 Nov 2026, 10:00 in New York.


@pytest.fixture
def pairing_id(arrange, fake_slack):
    with arrange() as session:
        prog = factories.program(session)
        fran = factories.person(session, prog, role=Role.FACULTY, name="Dr. Fran Ortiz", slack_user_id="UFAC1")
        fran.slack_time_zone = "America/Chicago"
        riley = factories.person(session, prog, role=Role.RESIDENT, name="Riley Chen", slack_user_id="URES1")
        found = factories.pairing(session, prog, fran, riley, started_on=date(2026, 9, 1)).id
    fake_slack.add_user("UFAC1", name="Dr. Fran Ortiz", tz="America/Chicago")
    fake_slack.add_user("URES1", name="Riley Chen")
    return found


def _values(day: str | None, at: str | None = None) -> dict:
    return {
        views.DATE_INPUT: {views.DATE_INPUT: {"type": "datepicker", "selected_date": day}},
        views.TIME_INPUT: {views.TIME_INPUT: {"type": "timepicker", "selected_time": at}},
    }


def test_planning_shares_calendar_links_with_the_pair(bot, pairing_id, fake_slack, session_factory, job_context):
    bot.command("plan", user_id="URES1")
    view = bot.opened_view()
    assert "due by *Tue, Dec 1, 2026*" in json.dumps(view)
    reply = bot.submit_view(view, user_id="URES1", values=_values("2026-11-30", "15:30"))
    assert reply.ack_json["response_action"] == "update"
    [update] = fake_slack.calls_to("views.update")
    assert "Mon, Nov 30, 2026 at 3:30 PM EST" in json.dumps(update.args["view"])

    with session_factory() as session:
        [plan] = session.scalars(select(MeetingPlan))
        assert (plan.pairing_id, plan.planned_on, plan.starts_at) == (
            pairing_id,
            date(2026, 11, 30),
            datetime(2026, 11, 30, 20, 30, tzinfo=UTC),
        )
        [shared] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "meeting.plan"))
        assert sorted(shared.recipient_user_ids) == ["UFAC1", "URES1"]
        assert shared.attachment_name == "mentoring-meeting-2026-11-30.ics"
        text, calendar_file = shared.text, shared.attachment
    assert "due by *Tue, Dec 1, 2026*" in text

    # The Google Calendar link carries the meeting, in UTC, 45 minutes long.
    link = text.split("<", 3)[3].split("|")[0]
    query = parse_qs(urlparse(link).query)
    assert link.startswith("https://calendar.google.com/calendar/render?")
    assert query["action"] == ["TEMPLATE"] and query["dates"] == ["20261130T203000Z/20261130T211500Z"]
    assert query["text"] == ["Mentoring: Dr. Fran Ortiz and Riley Chen"]

    # The .ics file is one event a calendar reads back as planned.
    [event] = icalendar.Calendar.from_ical(calendar_file).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 11, 30, 20, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 11, 30, 21, 15, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Mentoring: Dr. Fran Ortiz and Riley Chen"
    assert all(len(line) <= 75 for line in calendar_file.split(b"\r\n"))

    deliver_pending(job_context)
    assert fake_slack.calls_to("files.completeUploadExternal"), "the .ics file is uploaded to the pair's group DM"


def test_a_day_without_a_time_is_an_all_day_entry():
    entry = views.CalendarEntry("u1@T", "Mentoring, with; commas", "A long description " * 8, date(2026, 12, 3), None)
    [event] = icalendar.Calendar.from_ical(views.ics_file(entry, stamped_at=datetime(2026, 11, 25, tzinfo=UTC))).walk("VEVENT")
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (date(2026, 12, 3), date(2026, 12, 4))
    assert str(event["SUMMARY"]) == "Mentoring, with; commas"
    assert str(event["DESCRIPTION"]) == "A long description " * 8
    assert "dates=20261203%2F20261204" in views.google_calendar_link(entry)


@pytest.mark.parametrize(
    ("day", "error"),
    [("2026-11-24", "today or a day to come"), ("2027-12-01", "within the next year"), (None, "today or a day to come")],
)
def test_a_day_the_rules_refuse_shows_in_the_form(bot, pairing_id, session_factory, day, error):
    bot.command("plan", user_id="UFAC1")
    reply = bot.submit_view(bot.opened_view(), user_id="UFAC1", values=_values(day))
    assert reply.ack_json["response_action"] == "errors" and error in reply.ack_json["errors"][views.DATE_INPUT]
    with session_factory() as session:
        assert list(session.scalars(select(MeetingPlan))) == []


def test_the_plan_time_is_the_planners_own(bot, pairing_id, session_factory):
    bot.command("plan", user_id="UFAC1")  # Dr. Fran is in Chicago
    bot.submit_view(bot.opened_view(), user_id="UFAC1", values=_values("2026-12-02", "09:00"))
    with session_factory() as session:
        [plan] = session.scalars(select(MeetingPlan))
        assert plan.starts_at == datetime.combine(date(2026, 12, 2), time(15), UTC)
