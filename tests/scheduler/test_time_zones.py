from __future__ import annotations

from datetime import timedelta

from scheduler.time_zones import refresh_time_zones
from storage.models import Person
from tests.support import factories


def test_time_zones_are_cached_and_refreshed_after_a_week(arrange, job_context, fake_slack, clock, session_factory):
    with arrange() as session:
        prog = factories.program(session)
        tokyo = factories.person(session, prog)
        unknown = factories.person(session, prog)
    fake_slack.add_user(tokyo.slack_user_id, name="t", tz="Asia/Tokyo")

    assert refresh_time_zones(job_context) == 2
    with session_factory() as session:
        assert session.get(Person, tokyo.id).slack_time_zone == "Asia/Tokyo"
        assert session.get(Person, unknown.id).slack_time_zone is None  # user_not_found: the program's zone applies
        assert session.get(Person, tokyo.id).slack_time_zone_checked_at == clock()

    clock.advance(days=6)
    assert refresh_time_zones(job_context) == 0
    fake_slack.add_user(tokyo.slack_user_id, name="t", tz="Europe/London")
    clock.advance(days=2)
    assert refresh_time_zones(job_context) == 2
    with session_factory() as session:
        assert session.get(Person, tokyo.id).slack_time_zone == "Europe/London"


def test_a_429_stops_the_run_and_rests_users_info(arrange, job_context, fake_slack, clock):
    with arrange() as session:
        prog = factories.program(session)
        people = [factories.person(session, prog) for _ in range(3)]
    for p in people:
        fake_slack.add_user(p.slack_user_id, name=p.name)
    fake_slack.fail_next("users.info", status=429, retry_after=30)
    assert refresh_time_zones(job_context) == 0
    assert refresh_time_zones(job_context) == 0 and len(fake_slack.calls_to("users.info")) == 1
    clock.advance(seconds=31)
    assert refresh_time_zones(job_context) == 3


def test_the_jobs_are_registered():
    from scheduler.jobs import job_by_id

    assert job_by_id("people.refresh_time_zones") is not None
    assert job_by_id("meetings.sweep_reminders").trigger.interval <= timedelta(minutes=15)
