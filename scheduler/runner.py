"""APScheduler wiring: in-memory job store, one scheduler per process, jobs coordinated in the database."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.jobs import JobContext, JobSpec, all_jobs, run_job

MISFIRE_GRACE_SECONDS = 60


def build_scheduler(ctx: JobContext, jobs: list[JobSpec] | None = None) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
    )
    # Triggers fire on the wall clock (APScheduler's own); the jobs themselves read ctx.clock.
    started = datetime.now(UTC)  # noqa: TID251 -- APScheduler fires on the wall clock anyway
    for spec in jobs if jobs is not None else all_jobs():
        options = {"next_run_time": started} if spec.run_at_start else {}
        scheduler.add_job(
            run_job,
            trigger=spec.trigger,
            args=[spec, ctx],
            id=spec.id,
            name=spec.description,
            replace_existing=True,
            **options,
        )
    return scheduler
