"""The daily jobs and their schedule: one table, one entry per job with its own cron.

``SCHEDULE`` lists each job: its name, its ``async (day, now, settings, progress) -> counts``
(``jobs.progress``: the CLI shows a bar, the scheduler stays quiet) and its cron, in
``settings.timezone``. An entry without a cron of its own fires at ``settings.reminder_cron``
(the daily jobs' hour); ``settings.job_crons`` ("month-end=0 2 * * *; prune=30 3 * * *")
overrides any. Jobs whose crons are the same fire together in table order (month-end before
write-off before penalties), and firings never overlap. The ``Scheduler`` also fires every job
once at start-up; each firing runs, for each of its jobs, the dates from the day after its last
finished run up to today (``jobs.runs.catch_up``). Every replica may run a scheduler:
``jobs.runs`` makes each date of each job run once. Crontabs and tasks are created inside the
running loop and stopped with the app (``tally.app``); nothing starts at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import aiocron

from domain.approvals.reminders import remind_pending_tasks
from domain.progress import QUIET, Progress
from jobs.handover import run_handover
from jobs.month_end import run_month_end
from jobs.org_sync import ORG_SYNC, org_sync_enabled, run_org_sync
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


@dataclass(frozen=True)
class ScheduledJob:
    """One entry of the schedule: a job and when it fires (``cron`` None: at the daily jobs'
    hour, ``settings.reminder_cron``); ``enabled(settings)`` False leaves it out of the
    scheduler (``tally jobs run`` still runs it)."""
    name: str
    run: JobFunc
    cron: str | None = None
    enabled: Callable[[object], bool] = lambda settings: True


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob(REMINDERS, run_reminders),
    ScheduledJob(APPROVAL_REMINDERS, approval_reminders),
    ScheduledJob("tiers", run_tiers),
    ScheduledJob("month-end", run_month_end),
    ScheduledJob("write-off", run_write_off),  # after month-end: new bills get the money waiting
    ScheduledJob("penalties", run_penalties),
    # yesterday's hand-over: summaries to check, finance's card
    ScheduledJob("handover", run_handover),
    # old idempotency records, inbound message ids and job runs
    ScheduledJob("prune", run_prune),
    # staff, departments, heads and roles from DingTalk's contacts, when that is switched on
    ScheduledJob(ORG_SYNC, run_org_sync, enabled=org_sync_enabled),
)
DAILY_JOBS: dict[str, JobFunc] = {job.name: job.run for job in SCHEDULE}


def jobs_for(settings) -> dict[str, JobFunc]:
    """The jobs the scheduler fires with these settings, in table order."""
    return {job.name: job.run for job in SCHEDULE if job.enabled(settings)}


def parse_job_crons(text: str) -> dict[str, str]:
    """``settings.job_crons``: "job=cron; job=cron" (crons hold spaces and commas, so ";"
    separates entries) → cron by job name; ValueError naming an unknown job or a bad entry."""
    crons: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        name, equals, spec = (part.strip() for part in entry.partition("="))
        if not equals or not spec:
            raise ValueError(f"{entry!r} is not job=cron")
        if name not in DAILY_JOBS:
            raise ValueError(f"no job {name!r} (jobs: {', '.join(DAILY_JOBS)})")
        crons[name] = spec
    return crons


def crons_of(settings, jobs: dict[str, JobFunc]) -> dict[str, list[str]]:
    """Each cron that fires and the jobs it fires, in table order."""
    own = {job.name: job.cron for job in SCHEDULE}
    overrides = parse_job_crons(settings.job_crons)
    groups: dict[str, list[str]] = {}
    for name in jobs:
        spec = overrides.get(name) or own.get(name) or settings.reminder_cron
        groups.setdefault(spec, []).append(name)
    return groups


def _work_for(func: JobFunc, settings, clock: Callable[[], datetime],
              progress: Progress = QUIET) -> Callable[[date], Work]:
    """A job's work for a date, called with the time it starts."""
    return lambda day: lambda: func(day, clock(), settings, progress)


async def run_due(settings, clock: Callable[[], datetime],
                  jobs: dict[str, JobFunc] | None = None,
                  max_days: int = MAX_CATCH_UP_DAYS) -> list[RunOutcome]:
    """Every job's dates still to run, up to today by ``clock``."""
    outcomes: list[RunOutcome] = []
    for name, func in (jobs or jobs_for(settings)).items():
        outcomes += await catch_up(name, clock, _work_for(func, settings, clock),
                                   max_days=max_days)
    return outcomes


async def run_job(settings, job: str, day: date, clock: Callable[[], datetime], *,
                  force: bool = False, progress: Progress = QUIET) -> RunOutcome:
    """One date of a daily job through its job_run record (a finished date only if forced)."""
    work = _work_for(DAILY_JOBS[job], settings, clock, progress)(day)
    return await run_once(job, day, clock, work, force=force)


class Scheduler:
    """Fires each job's ``run_due`` at its cron and every job once on start; one firing at a
    time, so jobs sharing a cron run in table order."""

    def __init__(self, settings, clock: Callable[[], datetime],
                 jobs: dict[str, JobFunc] | None = None) -> None:
        self._settings = settings
        self._clock = clock
        self._jobs = jobs or jobs_for(settings)
        self._crons: list[aiocron.Cron] = []
        self._tasks: set[asyncio.Task] = set()
        self._serial = asyncio.Lock()

    def start(self) -> None:
        zone = ZoneInfo(self._settings.timezone)
        for spec, names in crons_of(self._settings, self._jobs).items():
            self._crons.append(aiocron.crontab(
                spec, func=functools.partial(self._on_cron, names), start=True, tz=zone))
        self.fire()

    def _on_cron(self, names: list[str]) -> None:
        self.fire(names)  # not returned: aiocron would await the task and hold on to its result

    def fire(self, names: list[str] | None = None) -> asyncio.Task:
        """Start a catch-up run of these jobs (all: None) in a tracked task (stopped with the
        scheduler)."""
        jobs = {name: func for name, func in self._jobs.items() if names is None or name in names}
        task = asyncio.get_running_loop().create_task(self._run(jobs), name="tally-daily-jobs")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, jobs: dict[str, JobFunc]) -> list[RunOutcome]:
        async with self._serial:
            try:
                return await run_due(self._settings, self._clock, jobs)
            except Exception:  # the next firing tries again; the error is in the log
                log.exception("daily jobs failed")
                return []

    async def stop(self) -> None:
        for cron in self._crons:
            cron.stop()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
