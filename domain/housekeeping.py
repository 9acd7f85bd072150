"""Housekeeping: records kept only for a while are deleted once old, in set-based deletes, so
the idempotency, inbound-message, job-run and event tables stop growing without bound."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.functions import Max

from domain.events.feed import prune_events
from domain.system.models import IdempotencyRecord, InboundMessage, JobRun

# Catch-up looks back up to 31 days from each job's last finished run: keep well past that.
MIN_JOB_RUN_DAYS = 40


@dataclass(frozen=True)
class Retention:
    """Days each kind of record is kept."""

    idempotency_days: int
    inbound_days: int
    job_run_days: int
    event_days: int = 90  # the ERP's events feed


async def prune_old_records(now: datetime, keep: Retention) -> dict:
    """Delete what is older than its retention; counts of rows deleted per table."""
    return {
        "idempotency": await IdempotencyRecord.filter(
            created_at__lt=now - timedelta(days=keep.idempotency_days)).delete(),
        "inbound_message": await InboundMessage.filter(
            received_at__lt=now - timedelta(days=keep.inbound_days)).delete(),
        "job_run": await _prune_job_runs(
            now.date() - timedelta(days=max(keep.job_run_days, MIN_JOB_RUN_DAYS))),
        "event": await prune_events(now, keep.event_days),
    }


async def _prune_job_runs(before) -> int:
    """Runs dated before `before`, but never a job's latest run (catch-up starts from it)."""
    latest = await JobRun.annotate(latest=Max("run_date")).group_by("job").values_list(
        "job", "latest")
    deleted = 0
    for job, latest_day in latest:  # one delete per job name: a handful
        deleted += await JobRun.filter(job=job, run_date__lt=min(before, latest_day)).delete()
    return deleted
