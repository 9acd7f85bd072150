"""/metrics in Prometheus text format, after real requests, a delivery through the service's own
outbox worker (one failure retried, then given up, and the managers' alert sent) and a job run:
latency by canonical route (no share token in sight), outbox rows by channel and status,
deliveries by outcome, job runs and durations, and the DingTalk stream's state."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from domain.customers.models import Contact
from domain.notices.models import OutboxMessage
from httpcommon.keys import STREAM
from jobs.schedule import APPROVAL_REMINDERS, run_job
from tally.app import create_app
from tests.support import make_statement, seed
from tests.support.delivery import TEMPLATE, fresh_delivery_settings
from tests.support.dingtalk import wait_connected


@pytest.fixture
def settings(settings, fake_wechat, fake_dingtalk):
    """The service's own outbox worker on, two attempts a notice."""
    return fresh_delivery_settings(settings, fake_wechat, fake_dingtalk, delivery_worker=True,
                                   delivery_max_attempts=2)


async def samples(client) -> dict[tuple[str, frozenset], float]:
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    text = await resp.text()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict, name: str, **labels) -> float | None:
    return found.get((name, frozenset(labels.items())))


async def statuses_become(expected: set[tuple[str, str]], clock) -> None:
    """Wait for the worker until the outbox rows' (kind, status) are ``expected``, moving the
    clock past retry backoffs."""
    async with asyncio.timeout(15):
        while {(r.kind, r.status) for r in await OutboxMessage.all()} != expected:
            clock.advance(minutes=1)
            await asyncio.sleep(0.1)


async def test_metrics_after_requests_a_delivery_and_a_job(client, admin, clock, settings,
                                                           fake_wechat):
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid="o-chen")
    fake_wechat.fail_next(2, status=503, path=TEMPLATE)
    await make_statement(client, admin, customers["C001"]["id"])
    issued = await OutboxMessage.get(kind="statement_issued")
    token = issued.payload["url"].rsplit("/", 1)[1]
    assert (await client.get(f"/s/{token}")).status == 200
    await statuses_become({("statement_issued", "dead"), ("delivery_dead", "sent")}, clock)
    await run_job(settings, APPROVAL_REMINDERS, clock().date(), clock)

    found = await samples(client)

    assert token not in repr(found)
    latency = "tally_http_request_duration_seconds_count"
    assert value(found, latency, route="/s/{token}", method="GET", status="200") == 1
    assert value(found, latency, route="/api/backoffice/v1/statements", method="POST",
                 status="201") == 1
    deliveries = "tally_outbox_deliveries_total"
    assert value(found, deliveries, channel="wechat", outcome="retried") == 1
    assert value(found, deliveries, channel="wechat", outcome="dead") == 1
    assert value(found, deliveries, channel="dingtalk_group", outcome="sent") == 1
    assert value(found, "tally_outbox_rows", channel="wechat", status="dead") == 1
    assert value(found, "tally_outbox_rows", channel="dingtalk_group", status="sent") == 1
    assert value(found, "tally_job_runs", job=APPROVAL_REMINDERS, status="finished") == 1
    assert value(found, "tally_job_last_duration_seconds", job=APPROVAL_REMINDERS) == 0
    assert value(found, "tally_database_up") == 1
    assert value(found, "tally_dingtalk_stream_connected") is None  # the stream is off


async def test_metrics_show_whether_the_dingtalk_stream_is_connected(aiohttp_client, settings,
                                                                     fake):
    away = replace(settings, dingtalk_stream=True, dingtalk_openapi_base="http://127.0.0.1:9")
    client = await aiohttp_client(create_app(away))
    assert value(await samples(client), "tally_dingtalk_stream_connected") == 0
    await client.close()

    client = await aiohttp_client(create_app(
        replace(settings, dingtalk_stream=True, dingtalk_openapi_base=fake.base_url)))
    await wait_connected(client.server.app[STREAM])
    assert value(await samples(client), "tally_dingtalk_stream_connected") == 1


async def test_every_metric_the_production_guide_alerts_on_is_exported(aiohttp_client, settings):
    """The guide's alert rules name metrics the service really exports (a renamed metric would
    silently never fire)."""
    guide = (Path(__file__).parents[3] / "docs" / "production.md").read_text()
    named = set(re.findall(r"\b(tally_[a-z_]+?)(?:_bucket|_total|_count|_sum)?\b[{\[)]", guide))
    client = await aiohttp_client(create_app(replace(
        settings, dingtalk_stream=True, dingtalk_openapi_base="http://127.0.0.1:9")))
    await client.get("/healthz")
    await client.get("/metrics")
    text = await (await client.get("/metrics")).text()
    exported = {family.name for family in text_string_to_metric_families(text)}
    assert named and named <= exported, named - exported
