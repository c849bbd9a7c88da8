"""Outbox delivery against the fake Slack: once, in working hours, whatever Slack answers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from scheduler.context import JobContext
from scheduler.delivery import EVENT_TYPE, deliver_pending
from scheduler.jobs import job_by_id
from storage import delivery as store
from storage.db import make_engine, make_session_factory, session_scope
from storage.delivery import MAX_ATTEMPTS, delivery_failures
from storage.models import OutboxMessage, OutboxState, Role
from storage.outbox_kinds import OutboxKind
from tests.support import factories
from tests.support.clock import ManualClock
from tests.support.database import fresh_sqlite_url

# Wednesday 2026-11-25 10:00 in New York: working hours for the default test people.
WORKING_MORNING = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def _row(session_factory, outbox_id: int) -> OutboxMessage:
    with session_factory() as session:
        row = session.get(OutboxMessage, outbox_id)
        assert row is not None
        return row


def _posts(fake_slack) -> list:
    return [c for c in fake_slack.calls_to("chat.postMessage") if c.applied]


@pytest.fixture
def people(arrange, fake_slack):
    with arrange() as session:
        prog = factories.program(session)
        resident = factories.person(session, prog, role=Role.RESIDENT)
        mentor = factories.person(session, prog, role=Role.FACULTY)
    for p in (resident, mentor):
        fake_slack.add_user(p.slack_user_id, name=p.name)
    return prog, resident, mentor


def _queue(arrange, people, clock, **kwargs) -> int:
    prog, resident, _ = people
    with arrange() as session:
        recipients = kwargs.pop("recipients", None) or [resident]
        return factories.outbox_dm(session, prog, recipients, now=clock(), **kwargs).id


def test_a_due_dm_is_sent_once_with_the_outbox_id_in_its_metadata(
    people, arrange, clock, job_context, fake_slack, session_factory
):
    outbox_id = _queue(arrange, people, clock, text="Your meeting is due on Fri 27 Feb")
    report = deliver_pending(job_context)
    assert report.sent == 1
    again = deliver_pending(job_context)
    assert again.attempted == 0

    [post] = _posts(fake_slack)
    assert post.args["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": outbox_id}}
    row = _row(session_factory, outbox_id)
    assert row.state is OutboxState.SENT and row.attempts == 1
    assert row.slack_channel == fake_slack.dm_channel(people[1].slack_user_id)
    assert row.slack_ts == post.response["ts"] and row.sent_at == clock()


def test_a_group_dm_and_a_channel_post(people, arrange, clock, job_context, fake_slack):
    prog, resident, mentor = people
    fake_slack.add_channel("C0COORD1", name="coordinators")
    _queue(arrange, people, clock, recipients=[resident, mentor], text="to you both")
    with arrange() as session:
        from storage.outbox import enqueue

        enqueue(
            session,
            program=session.merge(prog),
            kind=OutboxKind.REPORT_SUMMARY,
            text="to the channel",
            now=clock(),
            channel_id="C0COORD1",
        )
    assert deliver_pending(job_context).sent == 2
    group = fake_slack.dm_channel(resident.slack_user_id, mentor.slack_user_id)
    assert [m["text"] for m in fake_slack.messages(group)] == ["to you both"]
    assert [m["text"] for m in fake_slack.messages("C0COORD1")] == ["to the channel"]


def test_not_before_is_honoured(people, arrange, clock, job_context, fake_slack):
    _queue(arrange, people, clock, not_before=clock() + timedelta(hours=2))
    assert deliver_pending(job_context).attempted == 0
    clock.advance(hours=2)
    assert deliver_pending(job_context).sent == 1


def test_a_dm_that_comes_due_at_night_waits_for_the_morning(people, arrange, clock, job_context, fake_slack, session_factory):
    outbox_id = _queue(arrange, people, clock)  # queued in working hours...
    clock.set(datetime(2026, 11, 28, 3, 0, tzinfo=UTC))  # ...but the bot was down until Friday 22:00 local
    assert deliver_pending(job_context).attempted == 0
    # Next working window in New York: Monday 30 Nov, 09:00 EST.
    assert _row(session_factory, outbox_id).not_before == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 30, 14, 0, tzinfo=UTC))
    assert deliver_pending(job_context).sent == 1


def test_a_429_waits_retry_after_without_using_up_an_attempt(people, arrange, clock, job_context, fake_slack, session_factory):
    first = _queue(arrange, people, clock, text="first")
    second = _queue(arrange, people, clock, text="second")
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=20)

    report = deliver_pending(job_context)
    assert report.rate_limited == 1 and report.sent == 0  # the batch stops at the 429
    row = _row(session_factory, first)
    assert row.state is OutboxState.PENDING and row.attempts == 0
    assert row.not_before == clock() + timedelta(seconds=20)

    clock.advance(seconds=10)  # the method is still resting in this process: nothing is called
    calls_before = len(fake_slack.calls_to("chat.postMessage"))
    assert deliver_pending(job_context).sent == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == calls_before

    clock.advance(seconds=10)
    assert deliver_pending(job_context).sent == 2
    assert [m["text"] for m in fake_slack.messages(people[1].slack_user_id)] == ["first", "second"]
    assert _row(session_factory, second).state is OutboxState.SENT


def test_a_500_while_posting_is_checked_then_retried_with_backoff(
    people, arrange, clock, job_context, fake_slack, session_factory
):
    outbox_id = _queue(arrange, people, clock)
    fake_slack.fail_next("chat.postMessage", status=500)
    assert deliver_pending(job_context).retrying == 1
    row = _row(session_factory, outbox_id)
    assert row.state is OutboxState.SENDING and row.lease_owner is None  # in doubt until checked
    assert row.lease_until == clock() + timedelta(seconds=30) and "500" in row.last_error

    clock.advance(seconds=30)
    assert deliver_pending(job_context).sent == 1
    assert len(fake_slack.calls_to("conversations.history")) == 1
    assert len(fake_slack.messages(people[1].slack_user_id)) == 1


def test_a_post_that_timed_out_after_slack_took_it_is_not_sent_again(
    people, arrange, clock, fake_slack, settings, session_factory
):
    ctx = JobContext(
        session_factory=session_factory,
        clock=clock,
        slack=WebClient(token="xoxb-t", base_url=fake_slack.url, timeout=0.3, retry_handlers=[]),
    )
    outbox_id = _queue(arrange, people, clock)
    fake_slack.fail_next("chat.postMessage", status=503, delay=1.0, process_first=True)
    assert deliver_pending(ctx).retrying == 1
    assert "timed out" in _row(session_factory, outbox_id).last_error

    clock.advance(minutes=1)
    report = deliver_pending(ctx)
    assert report.confirmed == 1 and report.sent == 0
    assert len(fake_slack.messages(people[1].slack_user_id)) == 1
    row = _row(session_factory, outbox_id)
    assert row.state is OutboxState.SENT and row.slack_ts == fake_slack.messages(people[1].slack_user_id)[0]["ts"]


def test_a_failure_before_posting_is_retried_without_a_history_check(
    people, arrange, clock, job_context, fake_slack, session_factory
):
    outbox_id = _queue(arrange, people, clock)
    fake_slack.fail_next("conversations.open", status=502)
    assert deliver_pending(job_context).retrying == 1
    assert _row(session_factory, outbox_id).state is OutboxState.PENDING
    clock.advance(seconds=30)
    assert deliver_pending(job_context).sent == 1
    assert fake_slack.calls_to("conversations.history") == []


@pytest.mark.parametrize("error", ["user_not_found", "account_inactive", "invalid_blocks"])
def test_a_permanent_refusal_is_recorded_for_the_coordinators_and_never_retried(
    error, people, arrange, clock, job_context, fake_slack, session_factory
):
    outbox_id = _queue(arrange, people, clock)
    fake_slack.fail_next("chat.postMessage", error=error)
    assert deliver_pending(job_context).failed == 1
    clock.advance(days=1)
    assert deliver_pending(job_context).attempted == 0
    with session_factory() as session:
        [failure] = delivery_failures(session, people[0].id)
        assert (failure.id, failure.state, failure.last_error) == (outbox_id, OutboxState.FAILED, error)


def test_a_deactivated_account_fails_at_conversations_open(arrange, clock, job_context, fake_slack, session_factory):
    with arrange() as session:
        prog = factories.program(session)
        gone = factories.person(session, prog)
        outbox_id = factories.outbox_dm(session, prog, [gone], now=clock()).id
    fake_slack.add_user(gone.slack_user_id, name=gone.name, deleted=True)
    assert deliver_pending(job_context).failed == 1
    assert _row(session_factory, outbox_id).last_error == "user_disabled"


def test_attempts_are_bounded(people, arrange, clock, job_context, fake_slack, session_factory):
    outbox_id = _queue(arrange, people, clock)
    fake_slack.fail_next("conversations.open", status=500, times=MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        deliver_pending(job_context)
        clock.advance(hours=2)  # past any backoff, and still (or again) within working hours
        while not _in_new_york_working_hours(clock()):
            clock.advance(hours=1)
    row = _row(session_factory, outbox_id)
    assert row.state is OutboxState.FAILED and row.attempts == MAX_ATTEMPTS
    assert row.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")
    assert deliver_pending(job_context).attempted == 0


def _in_new_york_working_hours(moment: datetime) -> bool:
    from zoneinfo import ZoneInfo

    from mentoring.working_hours import is_working_time

    return is_working_time(moment, ZoneInfo("America/New_York"))


def test_retries_stay_within_working_hours(people, arrange, clock, job_context, fake_slack, session_factory):
    clock.set(datetime(2026, 11, 25, 21, 59, 45, tzinfo=UTC))  # 16:59:45 in New York
    outbox_id = _queue(arrange, people, clock)
    fake_slack.fail_next("conversations.open", status=500)
    deliver_pending(job_context)
    assert _row(session_factory, outbox_id).not_before == datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def test_a_crash_after_slack_took_the_message_does_not_send_it_again(
    people, arrange, clock, job_context, fake_slack, session_factory
):
    outbox_id = _queue(arrange, people, clock)
    # A worker claims the row and posts it, then dies before recording anything.
    with session_scope(session_factory) as session:
        claim = store.claim_next(session, owner="dead-worker", now=clock(), lease=timedelta(minutes=5))
    job_context.slack.chat_postMessage(
        channel=people[1].slack_user_id,
        text=claim.text,
        metadata={"event_type": EVENT_TYPE, "event_payload": {"outbox_id": outbox_id}},
    )
    assert deliver_pending(job_context).attempted == 0  # the lease still holds
    clock.advance(minutes=5)
    assert deliver_pending(job_context).confirmed == 1
    assert len(fake_slack.messages(people[1].slack_user_id)) == 1
    assert _row(session_factory, outbox_id).state is OutboxState.SENT


def test_a_crash_before_sending_loses_nothing(people, arrange, clock, job_context, fake_slack, session_factory):
    outbox_id = _queue(arrange, people, clock)
    with session_scope(session_factory) as session:
        store.claim_next(session, owner="dead-worker", now=clock(), lease=timedelta(minutes=5))
    clock.advance(minutes=5)
    assert deliver_pending(job_context).sent == 1
    assert len(fake_slack.messages(people[1].slack_user_id)) == 1
    assert _row(session_factory, outbox_id).attempts == 2


def test_a_cancelled_message_is_not_sent(people, arrange, clock, job_context, fake_slack):
    outbox_id = _queue(arrange, people, clock)
    with arrange() as session:
        session.get(OutboxMessage, outbox_id).state = OutboxState.CANCELLED
    assert deliver_pending(job_context).attempted == 0
    assert _posts(fake_slack) == []


def test_an_attachment_is_uploaded_to_the_channel_with_its_comment(
    people, arrange, clock, job_context, fake_slack, session_factory
):
    prog = people[0]
    fake_slack.add_channel("C0COORD1", name="coordinators")
    with arrange() as session:
        from storage.outbox import enqueue

        outbox_id = enqueue(
            session, program=session.merge(prog), kind=OutboxKind.REPORT_QUARTER, text="2026–27 Q1 report", now=clock(),
            channel_id="C0COORD1", attachment=b"\x89PNG fake", attachment_name="q1.png",
        ).id  # fmt: skip
    assert deliver_pending(job_context).sent == 1
    [uploaded] = fake_slack.uploaded_files
    assert (uploaded.channel_id, uploaded.filename, uploaded.content) == ("C0COORD1", "q1.png", b"\x89PNG fake")
    [message] = fake_slack.messages("C0COORD1")
    assert message["text"] == "2026–27 Q1 report"
    assert _posts(fake_slack) == []
    assert _row(session_factory, outbox_id).state is OutboxState.SENT


def test_an_upload_in_doubt_is_found_by_name_and_comment(people, arrange, clock, job_context, fake_slack, session_factory):
    fake_slack.add_channel("C0COORD1", name="coordinators")
    with arrange() as session:
        from storage.outbox import enqueue

        outbox_id = enqueue(
            session, program=session.merge(people[0]), kind=OutboxKind.REPORT_QUARTER, text="Q1 report", now=clock(),
            channel_id="C0COORD1", attachment=b"png", attachment_name="q1.png",
        ).id  # fmt: skip
    fake_slack.fail_next("files.completeUploadExternal", status=500, process_first=True)
    assert deliver_pending(job_context).retrying == 1
    clock.advance(minutes=1)
    assert deliver_pending(job_context).confirmed == 1
    assert len(fake_slack.uploaded_files) == 1
    assert _row(session_factory, outbox_id).state is OutboxState.SENT


def test_the_delivery_job_is_registered():
    spec = job_by_id("outbox.deliver")
    assert spec is not None and spec.trigger.interval <= timedelta(seconds=30)


# --- several workers ----------------------------------------------------------------------


def _deliver_concurrently(database_url: str, fake_slack, clock, workers: int) -> list:
    """`workers` threads, each with its own engine (as separate processes would have)."""
    reports: list = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work(number: int) -> None:
        engine = make_engine(database_url)
        try:
            ctx = JobContext(
                make_session_factory(engine), clock, WebClient(token="xoxb-t", base_url=fake_slack.url, retry_handlers=[])
            )
            barrier.wait()
            reports.append(deliver_pending(ctx, limit=1000, owner=f"worker-{number}"))
        except BaseException as error:  # surfaced to the test below
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return reports


def _many_people(arrange, fake_slack, clock, count: int) -> list[int]:
    with arrange() as session:
        prog = factories.program(session)
        people = [factories.person(session, prog) for _ in range(count)]
        ids = [factories.outbox_dm(session, prog, [p], now=clock(), text=f"hello {p.slack_user_id}").id for p in people]
    for p in people:
        fake_slack.add_user(p.slack_user_id, name=p.name)
    return ids


@pytest.mark.postgres
def test_two_workers_on_one_postgresql_deliver_each_message_once(pg_database_url, fake_slack):
    clock = ManualClock(WORKING_MORNING)
    factory = make_session_factory(make_engine(pg_database_url))
    ids = _many_people(lambda: session_scope(factory), fake_slack, clock, 120)
    reports = _deliver_concurrently(pg_database_url, fake_slack, clock, workers=2)

    assert sum(r.sent for r in reports) == len(ids)
    assert all(r.sent > 0 for r in reports), "both workers should have taken a share"
    ids_posted = [c.args["metadata"]["event_payload"]["outbox_id"] for c in _posts(fake_slack)]
    assert sorted(ids_posted) == sorted(ids)
    with factory() as session:
        states = session.scalars(select(OutboxMessage.state)).all()
    assert set(states) == {OutboxState.SENT}


def test_two_workers_on_one_sqlite_file_deliver_each_message_once(sqlite_template, tmp_path, fake_slack):
    clock = ManualClock(WORKING_MORNING)
    url = fresh_sqlite_url(sqlite_template, tmp_path)
    factory = make_session_factory(make_engine(url))
    ids = _many_people(lambda: session_scope(factory), fake_slack, clock, 40)
    reports = _deliver_concurrently(url, fake_slack, clock, workers=2)
    assert sum(r.sent for r in reports) == len(ids)
    ids_posted = [c.args["metadata"]["event_payload"]["outbox_id"] for c in _posts(fake_slack)]
    assert sorted(ids_posted) == sorted(ids)
