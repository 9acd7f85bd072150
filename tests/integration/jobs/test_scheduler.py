"""Job runs and catch-up: each job and date runs once (recorded in job_run), a finished date
only again when forced, a failure is recorded and retried, missed days are caught up (capped),
the scheduler fires on start and stops cleanly, and the CLI's run prints a summary."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from domain.credit.models import DebtReminder
from domain.errors import Invalid
from domain.notices.models import OutboxMessage
from domain.system.models import JobRun
from jobs import runs
from jobs.progress import Bar
from jobs.reminders import run_reminders
from jobs.schedule import (
    DAILY_JOBS,
    REMINDERS,
    Scheduler,
    approval_reminders,
    crons_of,
    parse_job_crons,
    run_due,
    run_job,
)
from tally.app import SCHEDULER, create_app
from tally.cli import build_parser, job_summary
from tally.settings import Settings, SettingsError
from tests.conftest import SHANGHAI, Clock
from tests.support.debts import make_customer, make_debt, make_org, make_people

DAY = date(2026, 11, 23)


def counting(calls: list, result: dict | None = None):
    async def work():
        calls.append(1)
        return result or {"done": len(calls)}
    return work


async def test_a_date_runs_once_and_again_only_when_forced(client, clock):
    calls: list = []

    first = await runs.run_once("demo", DAY, clock, counting(calls))
    second = await runs.run_once("demo", DAY, clock, counting(calls))
    forced = await runs.run_once("demo", DAY, clock, counting(calls), force=True)

    assert (first.status, second.status, forced.status) == ("finished", "skipped", "finished")
    assert second.reason == "already finished" and len(calls) == 2
    [run] = await JobRun.all()
    assert (run.job, run.run_date, run.status, run.counts) == ("demo", DAY, "finished",
                                                               {"done": 2})
    assert run.started_at == clock() and run.finished_at == clock()


async def test_a_failed_run_is_recorded_and_runs_again_next_time(client, clock):
    async def broken():
        raise RuntimeError("database went away")

    failed = await runs.run_once("demo", DAY, clock, broken)
    retried = await runs.run_once("demo", DAY, clock, counting([]))

    assert failed.status == "failed" and "database went away" in failed.error
    assert retried.status == "finished"
    [run] = await JobRun.all()
    assert run.status == "finished" and run.error == ""


async def test_a_run_in_progress_is_left_alone_until_it_is_stale(client, clock):
    await JobRun.create(job="demo", run_date=DAY, status="running", started_at=clock())
    busy = await runs.run_once("demo", DAY, clock, counting([]))
    clock.advance(hours=3)
    taken_over = await runs.run_once("demo", DAY, clock, counting([]))

    assert (busy.status, busy.reason) == ("skipped", "running elsewhere")
    assert taken_over.status == "finished"


async def test_a_future_date_is_refused(client, clock):
    with pytest.raises(Invalid) as caught:
        await runs.run_once("demo", DAY + timedelta(days=1), clock, counting([]))
    assert caught.value.code == "future_run_date"


async def test_two_runners_of_one_date_race_and_only_one_works(client, clock):
    calls: list = []

    async def slow():
        calls.append(1)
        await asyncio.sleep(0.05)
        return {}

    outcomes = await asyncio.gather(*(runs.run_once("demo", DAY, clock, slow)
                                      for _ in range(4)))

    assert sorted(o.status for o in outcomes) == ["finished", "skipped", "skipped", "skipped"]
    assert len(calls) == 1


async def test_missed_days_are_caught_up_from_the_last_finished_run(client, clock, settings):
    await JobRun.create(job=REMINDERS, run_date=date(2026, 11, 19), status="finished",
                        started_at=clock(), finished_at=clock())
    await JobRun.create(job=REMINDERS, run_date=date(2026, 11, 21), status="failed",
                        started_at=clock(), error="boom")
    people = await make_people()
    customer = await make_customer("联想", people["li"], "o-lx")
    debt = await make_debt(customer, await make_org(), due=date(2026, 11, 22))

    outcomes = await run_due(settings, clock, {REMINDERS: run_reminders})
    again = await run_due(settings, clock, {REMINDERS: run_reminders})

    assert [(o.run_date.day, o.status) for o in outcomes] == [
        (20, "finished"), (21, "finished"), (22, "finished"), (23, "finished")]
    assert again == []
    # the debt was at before:1 on the 21st but due by now: only "due" is sent, once
    assert [(r.debt_id, r.stage) for r in await DebtReminder.all()] == [(debt.id, "due")]
    assert await OutboxMessage.filter(kind="overdue_notice").count() == 1
    runs_by_day = {r.run_date.day: r for r in await JobRun.filter(job=REMINDERS)}
    assert runs_by_day[22].counts["stages_recorded"] == 1
    assert runs_by_day[21].counts["stale"] == 1 and runs_by_day[21].error == ""


async def test_a_first_run_does_today_only_and_a_long_outage_is_capped(client, clock):
    assert await runs.dates_to_run("demo", DAY) == [DAY]
    await JobRun.create(job="demo", run_date=date(2026, 6, 1), status="finished",
                        started_at=clock())
    dates = await runs.dates_to_run("demo", DAY)
    assert len(dates) == 31 and dates[0] == date(2026, 10, 24) and dates[-1] == DAY


async def test_the_scheduler_catches_up_on_start_and_stops_cleanly(client, clock, settings):
    calls: list[tuple[date, datetime]] = []

    async def job(day, now, settings, progress):
        calls.append((day, now))
        return {"ok": 1}

    await JobRun.create(job="demo", run_date=date(2026, 11, 21), status="finished",
                        started_at=clock())
    scheduler = Scheduler(settings, clock, {"demo": job})
    scheduler.start()
    await scheduler.fire()  # a second firing waits for the first, then has nothing to do
    await scheduler.stop()

    assert [d.day for d, _ in calls] == [22, 23]
    assert await JobRun.filter(job="demo", status="finished").count() == 3


async def test_the_cron_fires_the_catch_up_again(client, clock, settings):
    calls: list[date] = []

    async def job(day, now, settings, progress):
        calls.append(day)
        return {}

    every_second = replace(settings, reminder_cron="* * * * * *")  # seconds first
    scheduler = Scheduler(every_second, clock, {"demo": job})
    scheduler.start()
    try:
        for _ in range(100):
            if calls:
                break
            await asyncio.sleep(0.02)
        await JobRun.all().delete()  # as if the date had not run: the next firing runs it
        for _ in range(150):
            if len(calls) > 1:
                break
            await asyncio.sleep(0.02)
    finally:
        await scheduler.stop()

    assert calls[:2] == [DAY, DAY]
    [cron] = scheduler._crons  # one job: one cron
    assert str(cron.tz) == "Asia/Shanghai"


def test_each_job_has_its_own_cron_entry_at_the_daily_hour_unless_set(settings):
    default = crons_of(settings, DAILY_JOBS)
    own = crons_of(replace(settings, job_crons="month-end=0 2 * * *; prune = 30 3 * * 1,4"),
                   DAILY_JOBS)

    assert default == {settings.reminder_cron: list(DAILY_JOBS)}
    assert list(DAILY_JOBS)[3:6] == ["month-end", "write-off", "penalties"]  # in this order
    assert own == {settings.reminder_cron: [n for n in DAILY_JOBS if n not in ("month-end",
                                                                            "prune")],
                   "0 2 * * *": ["month-end"], "30 3 * * 1,4": ["prune"]}
    with pytest.raises(ValueError, match="no job 'monthend'"):
        parse_job_crons("monthend=0 2 * * *")
    with pytest.raises(SettingsError, match=r"TALLY_JOB_CRONS='prune=61 .*': not a cron"):
        Settings.from_env({"TALLY_JOB_CRONS": "prune=61 * * * *", "TALLY_SECRET_KEY": "k"})


async def test_a_job_with_its_own_cron_fires_alone(client, clock, settings):
    calls: list[str] = []

    def job(name):
        async def run(day, now, settings, progress):
            calls.append(name)
            return {}
        return run

    await JobRun.create(job="tiers", run_date=DAY, status="finished", started_at=clock())
    own = replace(settings, job_crons="tiers=* * * * * *")  # every second; reminders daily
    scheduler = Scheduler(own, clock, {REMINDERS: job(REMINDERS), "tiers": job("tiers")})
    scheduler.start()
    try:
        await asyncio.sleep(0)
        await next(iter(scheduler._tasks))  # the start-up firing: both jobs, today done
        await JobRun.filter(job="tiers").delete()  # as if not run: the next second runs it
        for _ in range(150):
            if calls.count("tiers") > 0:
                break
            await asyncio.sleep(0.02)
    finally:
        await scheduler.stop()

    assert calls == [REMINDERS, "tiers"]


async def test_approval_reminders_run_as_a_daily_job(client, clock, settings):
    counts = await approval_reminders(DAY, clock(), settings)
    assert counts == {"due": 0, "reminded": 0}  # nothing pending: the engine ran, found none


async def test_the_cli_runs_one_date_and_prints_what_it_did(client, clock, settings):
    people = await make_people()
    customer = await make_customer("联想", people["li"], "o-lx")
    await make_debt(customer, await make_org(), due=date(2026, 11, 24))
    args = build_parser().parse_args(["jobs", "run", "reminders", "--date", "2026-11-23"])

    shown = io.StringIO()
    outcome = await run_job(settings, args.job, date.fromisoformat(args.date), clock,
                            progress=Bar(file=shown))
    repeat = await run_job(settings, args.job, DAY, clock)
    forced = await run_job(settings, args.job, DAY, clock, force=True)

    assert "debts near a reminder stage: 100%" in shown.getvalue() and "1/1" in shown.getvalue()
    assert job_summary(outcome, 0.5).splitlines() == [
        "reminders 2026-11-23: finished in 0.5 s", "  debts_considered: 1", "  stale: 0",
        "  stages_recorded: 1", "  by_stage: before:1 1", "  messages: dingtalk 1, wechat 1",
        "  customers: 1"]
    assert job_summary(repeat, 0.01) == ("reminders 2026-11-23: skipped in 0.0 s "
                                   "(already finished; --force to run it again)")
    assert forced.status == "finished" and forced.counts["stages_recorded"] == 0
    assert build_parser().parse_args(["jobs", "run", "approval-reminders", "--force"]).force


@pytest.fixture
async def running_service(aiohttp_client, settings):
    """The whole service with the daily jobs on, at 2026-11-23 08:00 (before the cron hour)."""
    clock = Clock(datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))
    app = create_app(replace(settings, jobs_enabled=True), clock=clock)
    test_client = await aiohttp_client(app)
    yield test_client
    await test_client.close()


async def test_the_service_runs_the_daily_jobs_when_it_starts(running_service):
    await JobRun.all().delete()  # rows other tests left; the start-up run may have seen them
    await running_service.server.app[SCHEDULER].fire()

    run = await JobRun.get(job=REMINDERS, run_date=DAY)
    assert run.status == "finished" and "stages_recorded" in run.counts
    assert run.started_at == datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
