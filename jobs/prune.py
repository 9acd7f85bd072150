"""The daily housekeeping job: old idempotency records, handled inbound message ids and job
runs go (``domain.housekeeping``); retention comes from the settings."""

from __future__ import annotations

from datetime import date, datetime

from domain.housekeeping import Retention, prune_old_records
from domain.progress import QUIET, Progress


async def run_prune(day: date, now: datetime, settings, progress: Progress = QUIET) -> dict:
    """Delete records past their retention (as of now); counts per table."""
    return await prune_old_records(now, Retention(
        idempotency_days=settings.idempotency_retention_days,
        inbound_days=settings.inbound_retention_days,
        job_run_days=settings.job_run_retention_days,
        event_days=settings.event_retention_days,
    ))
