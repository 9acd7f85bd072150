"""The pull feed: pages in id order with ``after`` and ``limit``, refuses a bad cursor with
``bad_cursor``, is open to the ERP, finance and admins only; the OpenAPI document carries a
schema and a webhook per event type; the prune job keeps events ``event_retention_days``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.events.catalogue import EventType
from domain.events.models import Event
from domain.events.publish import NewEvent, publish
from jobs.prune import run_prune
from tests.integration.events.test_events_published import FEED, feed
from tests.support.handover import NOW, make_staff


def _day_closed(n: int) -> NewEvent:
    data = {"days": [f"2026-11-{n:02d}"], "all_staff": True, "staff": [], "count": 1,
            "by": "test"}
    return NewEvent(EventType.DAY_CLOSED, f"test:{n}", "day_close", n, data)


async def test_the_feed_pages_with_after_in_id_order(client, erp):
    for n in range(1, 6):
        await publish(_day_closed(n), NOW)

    first = await feed(client, erp, limit=2)
    second = await feed(client, erp, after=first["next"], limit=2)
    third = await feed(client, erp, after=second["next"], limit=2)
    end = await feed(client, erp, after=third["next"], limit=2)

    pages = [first, second, third]
    days = [e["data"]["days"][0] for page in pages for e in page["events"]]
    assert days == [f"2026-11-{n:02d}" for n in range(1, 6)]
    ids = [e["id"] for page in pages for e in page["events"]]
    assert ids == sorted(ids) and first["next"] == ids[1] and third["next"] == ids[4]
    assert end == {"events": [], "next": third["next"]}  # nothing new: ask again later


async def test_publishing_a_key_again_adds_nothing(client, erp):
    assert await publish(_day_closed(1), NOW) is not None
    assert await publish(_day_closed(1), NOW) is None
    assert len((await feed(client, erp))["events"]) == 1


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", "99999999999999999999", "１"])
async def test_a_bad_cursor_is_refused_clearly(client, erp, after):
    resp = await client.get(FEED, params={"after": after}, headers=erp)
    body = await resp.json()
    assert resp.status == 400
    assert body["error"]["code"] == "bad_cursor"
    assert "next" in body["error"]["message"]


async def test_a_bad_limit_is_a_bad_query(client, erp):
    resp = await client.get(FEED, params={"limit": "0"}, headers=erp)
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "bad_query"


async def test_the_feed_is_for_the_erp_finance_and_admins(client, erp, finance, admin,
                                                          make_key):
    for headers in (erp, finance, admin):
        assert (await client.get(FEED, headers=headers)).status == 200
    li = await make_staff("sales-li", "李业务")
    assert (await client.get(FEED, headers=await make_key("sales", li.id))).status == 403
    assert (await client.get(FEED)).status == 401


async def test_the_document_has_a_schema_and_a_webhook_per_event_type(client):
    document = await (await client.get("/api/backoffice/v1/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for event_type in EventType:
        name = "Event_" + event_type.value.replace(".", "_")
        assert schemas[name]["properties"]["type"]["const"] == event_type.value
        assert "data" in schemas[name]["required"]
        hook = document["webhooks"][event_type.value]["post"]
        assert hook["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{name}"}
        assert {p["name"] for p in hook["parameters"]} >= {
            "X-Tally-Signature", "X-Tally-Delivery", "X-Tally-Timestamp", "X-Tally-Event"}
    answered = schemas["Event_statement_answered"]["properties"]["data"]
    data = schemas[answered["$ref"].rsplit("/", 1)[1]] if "$ref" in answered else answered
    assert {"statement_id", "answer", "customer", "closing"} <= set(data["properties"])
    items = schemas["EventFeed"]["properties"]["events"]["items"]
    assert len(items["oneOf"]) == len(EventType)
    assert items["discriminator"]["propertyName"] == "type"


async def test_the_prune_job_keeps_events_for_their_retention(client, settings):
    await publish(_day_closed(1), NOW - timedelta(days=91))
    await publish(_day_closed(2), NOW - timedelta(days=89))

    counts = await run_prune(date(2026, 11, 23), NOW, replace(settings, event_retention_days=90))

    assert counts["event"] == 1
    assert await Event.all().values_list("key", flat=True) == ["test:2"]
