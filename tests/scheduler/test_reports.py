"""The coordinators' scheduled posts: each summary and report queued once, whatever the number
of runs and processes; notices to the coordinators when one cannot be posted."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from sandbox.fake_slack import MESSAGE_BLOCKS_MAX, block_problems
from scheduler.context import JobContext
from scheduler.delivery import deliver_pending
from scheduler.reports import coordinator_posts_job
from storage import db
from storage.coordinator_posts import enqueue_once
from storage.models import OutboxMessage, OutboxState, Person, PersonStatus, Program
from tests.support import factories, sample_program

MONDAY_9AM = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 09:00 in New York
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NEW_YORK = ZoneInfo("America/New_York")


def job_context(session_factory, clock, fake_slack) -> JobContext:
    return JobContext(session_factory=session_factory, clock=clock, slack=WebClient(token="xoxb-t", base_url=fake_slack.url))


@pytest.fixture
def ctx(session_factory, clock, fake_slack):
    return job_context(session_factory, clock, fake_slack)


def outbox(session_factory, **where) -> list[OutboxMessage]:
    with session_factory() as session:
        query = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
        return list(session.scalars(query))


@pytest.fixture
def sample(arrange, clock):
    with arrange() as session:
        return sample_program.build(session, meetings_through=clock().date())


# --- the weekly summary ------------------------------------------------------------------------


def test_summary_waits_for_its_slot_then_is_queued_once(ctx, clock, sample, session_factory):
    clock.set(MONDAY_9AM - timedelta(minutes=1))
    assert coordinator_posts_job(ctx)["summaries"] == 0
    clock.set(MONDAY_9AM)
    assert coordinator_posts_job(ctx)["summaries"] == 1
    clock.advance(minutes=1)
    assert coordinator_posts_job(ctx)["summaries"] == 0
    (summary,) = outbox(session_factory, kind="summary")
    assert summary.channel_id == "C0COORD1" and summary.recipient_user_ids is None
    assert summary.dedupe_key == f"summary:{sample.program_id}:2026-W49"
    assert summary.not_before == MONDAY_9AM and summary.state is OutboxState.PENDING
    assert block_problems(summary.blocks, limit=MESSAGE_BLOCKS_MAX) == []
    assert "Dr. Sam Lee &amp; Taylor Brooks: 60 days overdue" in str(summary.blocks)


def test_a_process_that_was_down_catches_up_within_the_week(ctx, clock, sample, session_factory):
    clock.set(MONDAY_9AM + timedelta(days=3, hours=5))  # Thursday afternoon
    assert coordinator_posts_job(ctx)["summaries"] == 1
    (summary,) = outbox(session_factory, kind="summary")
    assert summary.dedupe_key.endswith("2026-W49")


def test_the_program_settings_choose_the_day_and_time(arrange, ctx, clock, sample, session_factory):
    with arrange() as session:
        program = sample_program.program(session, sample)
        program.summary_weekday, program.summary_hour, program.summary_minute = 4, 16, 30  # Friday 16:30
        program.time_zone = "America/Los_Angeles"
    # Friday Dec 4, 16:30 in Los Angeles is 00:30 UTC on Saturday.
    clock.set(datetime(2026, 12, 5, 0, 29, tzinfo=UTC))
    assert coordinator_posts_job(ctx)["summaries"] == 0
    clock.set(datetime(2026, 12, 5, 0, 30, tzinfo=UTC))
    assert coordinator_posts_job(ctx)["summaries"] == 1


def test_no_channel_tells_each_coordinator_once_a_week(ctx, clock, arrange, session_factory):
    with arrange() as session:
        sample_program.build(session, channel=None)
    clock.set(MONDAY_9AM)
    assert coordinator_posts_job(ctx) == {"summaries": 0, "quarter_reports": 0, "notices": 2}
    assert coordinator_posts_job(ctx)["notices"] == 0
    notices = outbox(session_factory, kind="coordinator_notice")
    assert sorted(n.recipient_user_ids[0] for n in notices) == ["UCOORD1", "UFAC1"]
    assert "MENTORBOT_COORDINATOR_CHANNEL" in notices[0].text + str(notices[0].blocks)
    assert notices[0].not_before >= MONDAY_9AM  # a DM: in the coordinator's working hours
    assert outbox(session_factory, kind="summary") == []
    clock.advance(days=7)
    assert coordinator_posts_job(ctx)["notices"] == 2


def test_an_undeliverable_summary_tells_every_coordinator_what_to_do_once(ctx, clock, sample, session_factory, fake_slack):
    fake_slack.add_channel("C0COORD1", name="mentorship-coordinators", is_member=False)
    for user_id in ("UCOORD1", "UFAC1"):
        fake_slack.add_user(user_id, name=user_id.lower())
    clock.set(MONDAY_9AM)
    coordinator_posts_job(ctx)
    # Slack refuses (not_in_channel) this week's summary and the first quarter's report and chart,
    # all decided in the same run (the program began in July).
    assert deliver_pending(ctx).failed == 3
    clock.advance(minutes=1)
    assert coordinator_posts_job(ctx)["notices"] == 2
    assert coordinator_posts_job(ctx)["notices"] == 0
    notices = outbox(session_factory, kind="coordinator_notice")
    assert sorted(n.recipient_user_ids[0] for n in notices) == ["UCOORD1", "UFAC1"]
    text = str(notices[0].blocks)
    assert "I couldn't post this week's mentorship summary and the quarter-end mentorship report to <#C0COORD1>" in text
    assert "type `/invite @Mentorbot`" in text
    assert notices[0].dedupe_key == f"undelivered:summary:{sample.program_id}:2026-W49:{notices[0].recipient_user_ids[0]}"
    delivered = deliver_pending(ctx)
    assert delivered.sent == 2 and fake_slack.messages("UCOORD1")[0]["text"].startswith("I couldn't post")


def test_withdrawn_coordinators_and_stale_failures_get_no_notice(arrange, ctx, clock, sample, session_factory, fake_slack):
    fake_slack.add_channel("C0COORD1", name="mentorship-coordinators", is_archived=True)
    with arrange() as session:
        program = sample_program.program(session, sample)
        stale = factories.failed_delivery(session, program, [], kind="summary", at=MONDAY_9AM - timedelta(days=30))
        stale.recipient_user_ids, stale.channel_id = None, "C0COORD1"
        session.get(Person, sample.people["UFAC1"]).status = PersonStatus.WITHDRAWN
    clock.set(MONDAY_9AM)
    coordinator_posts_job(ctx)
    deliver_pending(ctx)
    assert coordinator_posts_job(ctx)["notices"] == 1
    (notice,) = outbox(session_factory, kind="coordinator_notice")
    assert notice.recipient_user_ids == ["UCOORD1"] and "archived" in notice.text


# --- quarter reports ---------------------------------------------------------------------------

Q1_REPORT_AT = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)  # first Monday 09:00 after Sep 30


def test_quarter_report_comes_with_the_first_summary_after_the_quarter(arrange, ctx, clock, session_factory, fake_slack):
    fake_slack.add_channel("C0COORD1", name="mentorship-coordinators")
    with arrange() as session:
        sample = sample_program.build(session, meetings_through=date(2026, 10, 4))
    clock.set(Q1_REPORT_AT - timedelta(minutes=1))
    assert coordinator_posts_job(ctx)["quarter_reports"] == 0
    clock.set(Q1_REPORT_AT)
    assert coordinator_posts_job(ctx) == {"summaries": 1, "quarter_reports": 1, "notices": 0}
    assert coordinator_posts_job(ctx) == {"summaries": 0, "quarter_reports": 0, "notices": 0}
    (report,) = outbox(session_factory, kind="quarter_report")
    (chart,) = outbox(session_factory, kind="quarter_chart")
    assert report.dedupe_key == f"quarter-report:{sample.program_id}:2026-Q1"
    assert chart.dedupe_key == f"quarter-chart:{sample.program_id}:2026-Q1"
    assert report.channel_id == chart.channel_id == "C0COORD1"
    assert chart.attachment.startswith(PNG_MAGIC) and chart.attachment_name == "mentorship-2026-27-Q1.png"
    assert block_problems(report.blocks, limit=MESSAGE_BLOCKS_MAX) == []
    assert "Quarter report: 2026–27 Q1" in str(report.blocks) and "100%: 4 of 4 pairs due met" in report.text

    assert deliver_pending(ctx).sent == 3  # the summary, the report, its chart
    posted = fake_slack.messages("C0COORD1")
    assert [m["text"].split(":")[0] for m in posted] == [
        "Weekly mentorship summary",
        "Quarter report 2026–27 Q1",
        "Chart for the 2026–27 Q1 report",
    ]
    assert posted[1]["blocks"] == report.blocks
    (upload,) = fake_slack.uploaded_files
    assert upload.channel_id == "C0COORD1" and upload.content == chart.attachment


def test_a_chart_that_fails_alone_is_reported_alone(arrange, ctx, clock, session_factory, fake_slack):
    fake_slack.add_channel("C0COORD1", name="mentorship-coordinators")
    with arrange() as session:
        sample_program.build(session, meetings_through=date(2026, 10, 4))
    clock.set(Q1_REPORT_AT)
    coordinator_posts_job(ctx)
    fake_slack.fail_next("files.getUploadURLExternal", error="missing_scope")
    assert deliver_pending(ctx).failed == 1
    assert coordinator_posts_job(ctx)["notices"] == 2
    notices = outbox(session_factory, kind="coordinator_notice")
    assert all("the quarter-end report's chart" in n.text for n in notices)


def test_reports_wait_for_a_channel_and_then_catch_up(arrange, ctx, clock, session_factory):
    with arrange() as session:
        sample = sample_program.build(session, channel=None, meetings_through=date(2027, 1, 3))
    clock.set(datetime(2027, 1, 4, 14, tzinfo=UTC))
    assert coordinator_posts_job(ctx)["quarter_reports"] == 0
    with arrange() as session:
        session.get(Program, sample.program_id).coordinator_channel_id = "C0NEWCHAN"
    clock.advance(hours=1)
    assert coordinator_posts_job(ctx)["quarter_reports"] == 2
    assert [r.dedupe_key.rsplit(":", 1)[1] for r in outbox(session_factory, kind="quarter_report")] == ["2026-Q1", "2026-Q2"]
    assert all(c.channel_id == "C0NEWCHAN" for c in outbox(session_factory, kind="quarter_chart"))


# --- once, whatever the processes --------------------------------------------------------------


def test_two_processes_queue_one_summary(clock, sample, fake_slack, database_url, session_factory):
    other_engine = db.make_engine(database_url)  # a second process: its own engine and pool
    try:
        first = job_context(session_factory, clock, fake_slack)
        second = job_context(db.make_session_factory(other_engine), clock, fake_slack)
        clock.set(MONDAY_9AM)
        results = [coordinator_posts_job(first)["summaries"], coordinator_posts_job(second)["summaries"]]
    finally:
        other_engine.dispose()
    assert sorted(results) == [0, 1]
    assert len(outbox(session_factory, kind="summary")) == 1


@pytest.mark.postgres
def test_a_race_for_the_same_key_queues_one_message(pg_database_url, clock):
    """Two transactions both see no summary and both insert: the loser's savepoint rolls back."""
    engine = db.make_engine(pg_database_url)
    factory = db.make_session_factory(engine)
    try:
        with db.session_scope(factory) as session:
            program_id = factories.program(session).id
        first = factory()
        second_result: list[object] = []

        def second_process() -> None:
            with db.session_scope(factory) as session:
                program = session.get(Program, program_id)
                message = enqueue_once(session, dedupe_key="summary:race", program=program, kind="summary",
                                       channel_id="C1", text="second", now=clock(), respect_working_hours=False)  # fmt: skip
                second_result.append(message)

        program = first.get(Program, program_id)
        assert enqueue_once(first, dedupe_key="summary:race", program=program, kind="summary", channel_id="C1",
                            text="first", now=clock(), respect_working_hours=False) is not None  # fmt: skip
        thread = threading.Thread(target=second_process)
        thread.start()
        _wait_until_blocked_on_a_lock(engine)
        first.commit()
        first.close()
        thread.join(timeout=10)
        assert second_result == [None]
        with factory() as session:
            assert [m.text for m in session.scalars(select(OutboxMessage))] == ["first"]
    finally:
        engine.dispose()


def _wait_until_blocked_on_a_lock(engine) -> None:  # type: ignore[no-untyped-def]
    """Until the second transaction waits on the first's uncommitted row (a condition, not a timer)."""
    waiting = threading.Event()
    query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    for _ in range(500):
        with engine.connect() as connection:
            if connection.exec_driver_sql(query).scalar():
                return
        waiting.wait(0.01)
    raise AssertionError("the second transaction never blocked on the first")


# --- a whole year ------------------------------------------------------------------------------


STEP_HOURS = 10  # runs drift through every hour of the week, sometimes right on the slot


def test_a_year_gives_one_summary_a_week_and_one_report_a_quarter(arrange, clock, fake_slack, database_url, session_factory):
    """July 1, 2026 to July 10, 2027, with meetings logged as they happen and two processes
    running the job at different moments; both are down for ten days in February."""
    fake_slack.add_channel("C0COORD1", name="mentorship-coordinators")
    with arrange() as session:
        sample = sample_program.build(session)
    other_engine = db.make_engine(database_url)
    first = job_context(session_factory, clock, fake_slack)
    second = job_context(db.make_session_factory(other_engine), clock, fake_slack)
    start, end = datetime(2026, 7, 1, 12, tzinfo=UTC), datetime(2027, 7, 10, tzinfo=UTC)
    outage = (datetime(2027, 2, 3, tzinfo=UTC), datetime(2027, 2, 13, tzinfo=UTC))
    clock.set(start)
    step = 0
    try:
        while clock() < end:
            if sample_program.pending_meetings(sample, upto=clock().date()):
                with arrange() as session:
                    sample_program.log_meetings(session, sample, upto=clock().date())
            if not outage[0] <= clock() < outage[1]:
                worker = second if step % 3 == 0 else first
                if any(coordinator_posts_job(worker).values()):
                    deliver_pending(worker)
            clock.advance(hours=STEP_HOURS)
            step += 1
    finally:
        other_engine.dispose()

    summaries = outbox(session_factory, kind="summary")
    weeks = Counter(s.dedupe_key.rsplit(":", 1)[1] for s in summaries)
    assert set(weeks.values()) == {1}
    # Every week from the first Monday after the start (Jul 6) to the last (Jul 5, 2027).
    mondays = [date(2026, 7, 6) + timedelta(weeks=n) for n in range(53)]
    assert sorted(weeks) == sorted(f"{m.isocalendar()[0]}-W{m.isocalendar()[1]:02d}" for m in mondays)
    for summary, monday in zip(summaries, mondays, strict=False):
        slot = datetime.combine(monday, time(9), tzinfo=NEW_YORK)
        late = timedelta(days=7) if monday == date(2027, 2, 8) else timedelta(hours=STEP_HOURS)  # caught up after the outage
        assert slot <= summary.created_at < slot + late
        assert block_problems(summary.blocks, limit=MESSAGE_BLOCKS_MAX) == []

    reports = outbox(session_factory, kind="quarter_report")
    assert [r.dedupe_key.rsplit(":", 1)[1] for r in reports] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert [r.created_at.date() for r in reports] == [date(2026, 10, 5), date(2027, 1, 4), date(2027, 4, 5), date(2027, 7, 5)]
    assert "Q4: 67% (4 of 6)" in str(reports[-1].blocks)
    charts = outbox(session_factory, kind="quarter_chart")
    assert [c.created_at for c in charts] == [r.created_at for r in reports]

    # Everything reached the channel, each once: 53 summaries, 4 reports, and a chart upload each time.
    assert all(m.state is OutboxState.SENT for m in summaries + reports + charts)
    uploads = fake_slack.uploaded_files
    assert [u.filename for u in uploads] == [f"mentorship-2026-27-Q{q}.png" for q in (1, 2, 3, 4)]
    assert all(u.channel_id == "C0COORD1" and u.content.startswith(PNG_MAGIC) for u in uploads)
    assert [u.content for u in uploads] == [c.attachment for c in charts]
    posted = fake_slack.messages("C0COORD1")
    assert len(posted) == 53 + 4 + 4
