"""The daily prune job: idempotency records, handled inbound message ids and job runs (and the
ERP's events) older than their retention go; newer ones, and each job's latest run, stay."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from domain.system.models import IdempotencyRecord, InboundMessage, JobRun
from jobs.schedule import DAILY_JOBS, run_due, run_job

BO = "/api/backoffice/v1"


async def _key_with_idempotency(client, admin, name: str) -> None:
    resp = await client.post(f"{BO}/api-keys", json={"name": name, "role": "finance"},
                             headers={**admin, "Idempotency-Key": name})
    assert resp.status == 201


async def _run(job: str, day: date, status: str = "finished", started=None) -> None:
    await JobRun.create(job=job, run_date=day, status=status, started_at=started,
                        finished_at=started)


async def test_old_records_are_pruned_daily_and_recent_ones_kept(client, admin, clock,
                                                                 settings):
    settings = replace(settings, idempotency_retention_days=7, inbound_retention_days=30,
                       job_run_retention_days=90)
    await _key_with_idempotency(client, admin, "old")
    await InboundMessage.create(source="wechat", message_id="m-old", received_at=clock())
    today = clock().date()
    await _run("reminders", today - timedelta(days=120), started=clock())
    await _run("reminders", today - timedelta(days=1), started=clock())
    await _run("penalties", today - timedelta(days=200), started=clock())  # its latest run
    clock.advance(days=8)
    await _key_with_idempotency(client, admin, "new")
    await InboundMessage.create(source="wechat", message_id="m-new", received_at=clock())

    outcome = await run_job(settings, "prune", clock().date(), clock)

    assert outcome.status == "finished"
    assert outcome.counts == {"idempotency": 1, "inbound_message": 0, "job_run": 1,
                              "event": 0}  # events: tests/integration/events/test_event_feed
    assert await IdempotencyRecord.all().values_list("key", flat=True) == ["new"]
    clock.advance(days=30)
    outcome = await run_job(settings, "prune", clock().date(), clock)
    assert outcome.counts["inbound_message"] == 1
    assert await InboundMessage.all().values_list("message_id", flat=True) == ["m-new"]
    kept = sorted(await JobRun.exclude(job="prune").values_list("job", "run_date"))
    assert kept == [("penalties", today - timedelta(days=200)),
                    ("reminders", today - timedelta(days=1))]


async def test_prune_is_on_the_daily_schedule(client, clock, settings):
    outcomes = await run_due(settings, clock, {"prune": DAILY_JOBS["prune"]})
    assert [(o.job, o.status) for o in outcomes] == [("prune", "finished")]
