"""The daily jobs and their schedule: one table of jobs, one aiocron crontab.

``DAILY_JOBS`` maps a job name to ``async (day, now, settings, progress) -> counts``
(``jobs.progress``: the CLI shows a bar, the scheduler stays quiet). The ``Scheduler``
fires at ``settings.reminder_cron`` in ``settings.timezone`` and once at start-up; each firing
runs, for every job, the dates from the day after its last finished run up to today
(``jobs.runs.catch_up``). Every replica may run a scheduler: ``jobs.runs`` makes each date of
each job run once. Crontab and tasks are created inside the running loop and stopped with the
app (``tally.app``); nothing starts at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import aiocron

from domain.approvals.reminders import remind_pending_tasks
from domain.progress import QUIET, Progress
from jobs.handover import run_handover
from jobs.month_end import run_month_end
from jobs.penalties import run_penalties
from jobs.prune import run_prune
from jobs.reminders import run_reminders
from jobs.runs import MAX_CATCH_UP_DAYS, RunOutcome, Work, catch_up, run_once
from jobs.tiers import run_tiers
from jobs.write_off import run_write_off

log = logging.getLogger(__name__)

REMINDERS, APPROVAL_REMINDERS = "reminders", "approval-reminders"
JobFunc = Callable[[date, datetime, object, Progress], Awaitable[dict]]


async def approval_reminders(day: date, now: datetime, settings,
                             progress: Progress = QUIET) -> dict:
    """Pending approval tasks reminded once a day. Approvers hear about what is pending now,
    so a catch-up date runs with the current time too (the reminders are once per task and
    day)."""
    return await remind_pending_tasks(now, after_hours=settings.approval_remind_after_hours)


DAILY_JOBS: dict[str, JobFunc] = {
    REMINDERS: run_reminders,
    APPROVAL_REMINDERS: approval_reminders,
    "tiers": run_tiers,
    "month-end": run_month_end,
    "write-off": run_write_off,  # after month-end: new bills get the money waiting
    "penalties": run_penalties,
    "handover": run_handover,  # yesterday's hand-over: summaries to check, finance's card
    "prune": run_prune,  # old idempotency records, inbound message ids and job runs
}


def _work_for(func: JobFunc, settings, clock: Callable[[], datetime],
              progress: Progress = QUIET) -> Callable[[date], Work]:
    """A job's work for a date, called with the time it starts."""
    return lambda day: lambda: func(day, clock(), settings, progress)


async def run_due(settings, clock: Callable[[], datetime],
                  jobs: dict[str, JobFunc] | None = None,
                  max_days: int = MAX_CATCH_UP_DAYS) -> list[RunOutcome]:
    """Every job's dates still to run, up to today by ``clock``."""
    outcomes: list[RunOutcome] = []
    for name, func in (jobs or DAILY_JOBS).items():
        outcomes += await catch_up(name, clock, _work_for(func, settings, clock),
                                   max_days=max_days)
    return outcomes


async def run_job(settings, job: str, day: date, clock: Callable[[], datetime], *,
                  force: bool = False, progress: Progress = QUIET) -> RunOutcome:
    """One date of a daily job through its job_run record (a finished date only if forced)."""
    work = _work_for(DAILY_JOBS[job], settings, clock, progress)(day)
    return await run_once(job, day, clock, work, force=force)


class Scheduler:
    """Fires ``run_due`` daily at the cron spec and once on start; one firing at a time."""

    def __init__(self, settings, clock: Callable[[], datetime],
                 jobs: dict[str, JobFunc] | None = None) -> None:
        self._settings = settings
        self._clock = clock
        self._jobs = jobs
        self._cron: aiocron.Cron | None = None
        self._tasks: set[asyncio.Task] = set()
        self._serial = asyncio.Lock()

    def start(self) -> None:
        self._cron = aiocron.crontab(self._settings.reminder_cron, func=self._on_cron,
                                     start=True, tz=ZoneInfo(self._settings.timezone))
        self.fire()

    def _on_cron(self) -> None:
        self.fire()  # not returned: aiocron would await the task and hold on to its result

    def fire(self) -> asyncio.Task:
        """Start a catch-up run in a tracked task (stopped with the scheduler)."""
        task = asyncio.get_running_loop().create_task(self._run(), name="tally-daily-jobs")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self) -> list[RunOutcome]:
        async with self._serial:
            try:
                return await run_due(self._settings, self._clock, self._jobs)
            except Exception:  # the next firing tries again; the error is in the log
                log.exception("daily jobs failed")
                return []

    async def stop(self) -> None:
        if self._cron is not None:
            self._cron.stop()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
