from __future__ import annotations

import threading
from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from sqlalchemy import select

from scheduler.jobs import JobContext, JobSpec, all_jobs, job_by_id, run_job
from scheduler.runner import build_scheduler
from storage.models import IdempotencyKey, SlackDelivery


def _ctx(session_factory, clock, fake_slack) -> JobContext:
    return JobContext(session_factory=session_factory, clock=clock, slack=WebClient(token="xoxb-t", base_url=fake_slack.url))


def test_jobs_have_unique_stable_ids():
    ids = [spec.id for spec in all_jobs()]
    assert len(ids) == len(set(ids))
    assert all(job_by_id(i) is not None for i in ids)


def test_the_real_scheduler_runs_jobs_at_start(session_factory, clock, fake_slack):
    ran = threading.Event()
    spec = JobSpec(id="test.ping", description="ping", trigger=IntervalTrigger(hours=1), run=lambda ctx: ran.set())
    scheduler = build_scheduler(_ctx(session_factory, clock, fake_slack), [spec])
    scheduler.start()
    try:
        assert ran.wait(timeout=10), "the job did not run at start"
        job = scheduler.get_job("test.ping")
        assert job.max_instances == 1 and job.coalesce is True
    finally:
        scheduler.shutdown(wait=True)


def test_a_failing_job_is_logged_not_raised(session_factory, clock, fake_slack, caplog):
    def explode(ctx):
        raise RuntimeError("boom")

    spec = JobSpec(id="test.boom", description="boom", trigger=IntervalTrigger(hours=1), run=explode)
    run_job(spec, _ctx(session_factory, clock, fake_slack))
    assert "job test.boom failed" in caplog.text


def test_prune_idempotency_keys_forgets_only_old_keys(arrange, session_factory, clock, fake_slack):
    with arrange() as session:
        session.add_all(
            [
                IdempotencyKey(key="old", created_at=clock() - timedelta(days=3)),
                IdempotencyKey(key="fresh", created_at=clock() - timedelta(hours=1)),
                SlackDelivery(key="slack-trigger:old", created_at=clock() - timedelta(days=3)),
                SlackDelivery(key="slack-trigger:fresh", created_at=clock() - timedelta(hours=1)),
            ]
        )
    spec = job_by_id("maintenance.prune_idempotency_keys")
    assert spec.run(_ctx(session_factory, clock, fake_slack)) == 2
    with session_factory() as session:
        assert session.scalars(select(IdempotencyKey.key)).all() == ["fresh"]
        assert session.scalars(select(SlackDelivery.key)).all() == ["slack-trigger:fresh"]
