"""Job runs: one ``job_run`` row per job and business date, so each date runs once.

A run claims its row first (status "running"): a date already finished is skipped unless forced,
and one still running is left to whoever runs it, unless its start is older than
``STALE_AFTER`` (its process died). On PostgreSQL the claim happens under a transaction-level
advisory lock on (job, date), so replicas firing together do not both take it; on SQLite the
unique (job, run_date) row and a compare-and-set on its status do the same. The work runs after
the claim commits; its counts or its error are recorded when it ends.

Catch-up: the dates from the day after the last finished run up to today (at most
``MAX_CATCH_UP_DAYS`` of them; with no run yet, today only).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain.common_errors import FUTURE_RUN_DATE
from domain.sql import is_postgres
from domain.system.models import JobRun

log = logging.getLogger(__name__)

RUNNING, FINISHED, FAILED, SKIPPED = "running", "finished", "failed", "skipped"
STALE_AFTER = timedelta(hours=2)
MAX_CATCH_UP_DAYS = 31
MAX_ERROR_LENGTH = 2000

Work = Callable[[], Awaitable[dict]]


@dataclass
class RunOutcome:
    job: str
    run_date: date
    status: str  # finished | failed | skipped (already done, or running elsewhere)
    counts: dict = field(default_factory=dict)
    error: str = ""
    reason: str = ""


def lock_key(job: str, day: date) -> int:
    """A signed 64-bit advisory lock key for (job, date)."""
    digest = hashlib.sha1(f"tally-job:{job}:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def run_once(job: str, day: date, clock: Callable[[], datetime], work: Work, *,
                   force: bool = False) -> RunOutcome:
    """Run ``work`` for (job, day) unless that date is done or running elsewhere."""
    now = clock()
    if day > now.date():
        raise FUTURE_RUN_DATE(f"不能运行未来日期 {day} 的任务")
    reason = await _claim(job, day, now, force)
    if reason:
        log.info("job %s %s skipped: %s", job, day, reason)
        return RunOutcome(job, day, SKIPPED, reason=reason)
    try:
        counts = await work()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
        log.exception("job %s %s failed", job, day)
        await JobRun.filter(job=job, run_date=day).update(
            status=FAILED, finished_at=clock(), error=error)
        return RunOutcome(job, day, FAILED, error=error)
    await JobRun.filter(job=job, run_date=day).update(
        status=FINISHED, finished_at=clock(), counts=counts, error="")
    return RunOutcome(job, day, FINISHED, counts=counts)


async def _claim(job: str, day: date, now: datetime, force: bool) -> str:
    """Mark (job, day) running; '' when claimed, else why not."""
    async with in_transaction() as tx:
        if is_postgres(tx):
            [row] = await tx.execute_query_dict(
                "SELECT pg_try_advisory_xact_lock($1) AS locked", [lock_key(job, day)])
            if not row["locked"]:
                return "another replica is claiming it"
        run = await JobRun.filter(job=job, run_date=day).using_db(tx).first()
        if run is None:
            try:
                async with in_transaction():  # a savepoint: a lost race must not spoil tx
                    await JobRun.create(job=job, run_date=day, status=RUNNING, started_at=now,
                                        using_db=tx)
            except IntegrityError:
                return "claimed by another process"
            return ""
        if not force and run.status == FINISHED:
            return "already finished"
        if not force and run.status == RUNNING and now - run.started_at < STALE_AFTER:
            return "running elsewhere"
        taken = await JobRun.filter(id=run.id, status=run.status).using_db(tx).update(
            status=RUNNING, started_at=now, finished_at=None, counts={}, error="")
        return "" if taken else "claimed by another process"


async def last_finished(job: str) -> date | None:
    run = await JobRun.filter(job=job, status=FINISHED).order_by("-run_date").first()
    return run.run_date if run else None


async def dates_to_run(job: str, today: date, max_days: int = MAX_CATCH_UP_DAYS) -> list[date]:
    """From the day after the last finished run up to today, at most ``max_days`` dates."""
    last = await last_finished(job)
    start = today if last is None else last + timedelta(days=1)
    start = max(start, today - timedelta(days=max_days - 1))
    return [start + timedelta(days=i) for i in range((today - start).days + 1)]


async def catch_up(job: str, clock: Callable[[], datetime],
                   work_for: Callable[[date], Work], *,
                   max_days: int = MAX_CATCH_UP_DAYS) -> list[RunOutcome]:
    """Run every date still to run, oldest first; stop at the first failure (it is retried
    on the next firing, and the later dates with it)."""
    outcomes = []
    for day in await dates_to_run(job, clock().date(), max_days):
        outcome = await run_once(job, day, clock, work_for(day))
        outcomes.append(outcome)
        if outcome.status == FAILED:
            break
    return outcomes


async def run_counts() -> dict[tuple[str, str], int]:
    """How many recorded runs each (job, status) has."""
    rows = await JobRun.all().group_by("job", "status").annotate(
        count=Count("id")).values_list("job", "status", "count")
    return {(job, status): count for job, status, count in rows}


async def last_durations(jobs: list[str]) -> dict[str, float]:
    """Seconds the latest finished run of each job took (jobs never finished are left out)."""
    found = {}
    for job in jobs:
        run = await JobRun.filter(job=job, status=FINISHED).order_by("-finished_at").first()
        if run is not None and run.finished_at is not None:
            found[job] = (run.finished_at - run.started_at).total_seconds()
    return found
