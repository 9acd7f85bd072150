"""Each use case publishes its event for the ERP in its own transaction, read back through the
pull feed (``GET /events``): receipts and expenses recorded through the DingTalk bot (the fake
stream), a customer's answer on the H5 page, day closes and reopens by finance; a refused
change publishes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.events.models import Event
from domain.handover import entry
from domain.notices.models import OutboxMessage
from tests.support import handover as hs
from tests.support import shared_statement
from tests.support.dingtalk import ask

FEED = "/api/backoffice/v1/events"


async def feed(client, headers, after: int | str = 0, limit: int = 100) -> dict:
    resp = await client.get(FEED, params={"after": str(after), "limit": str(limit)},
                            headers=headers)
    body = await resp.json()
    assert resp.status == 200, body
    return body


@pytest.fixture
async def people(client):
    li = await hs.make_staff("sales-li", "李业务")
    return {"li": li, "lenovo": await hs.make_customer(li, "联想", code="C-LX")}


async def test_a_receipt_recorded_in_dingtalk_is_an_event_with_its_numbers(
        client, erp, fake, stream, people):
    await ask(fake, stream, "sales-li", "收款 联想 1200")

    [event] = (await feed(client, erp))["events"]
    assert event["type"] == "receipt.recorded"
    assert event["occurred_at"] == "2026-11-23T10:00:00+08:00"
    li = people["li"]
    assert event["data"] == {
        "document_id": event["data"]["document_id"], "number": "DT-SK-20261123-0001",
        "receipt_kind": "sale", "receipt_kind_label": "收款", "date": "2026-11-23",
        "amount": "1200.00", "audit_status": "pending",
        "customer": {"id": people["lenovo"].id, "code": "C-LX", "name": "联想"},
        "salesperson": {"id": li.id, "dingtalk_userid": "sales-li", "name": "李业务"}}
    row = await Event.get(id=event["id"])
    assert (row.subject_type, row.customer_id) == ("document", people["lenovo"].id)


async def test_an_expense_recorded_in_dingtalk_is_an_event(client, erp, fake, stream, people):
    await ask(fake, stream, "sales-li", "费用 差旅 80.5")

    [event] = (await feed(client, erp))["events"]
    assert event["type"] == "expense.recorded"
    data = event["data"]
    assert (data["number"], data["expense_type"], data["amount"], data["audit_status"]) == (
        "DT-FY-20261123-0001", "差旅", "80.50", "pending")


async def test_a_receipt_refused_on_a_closed_day_publishes_nothing(
        client, finance, erp, fake, stream, people):
    await hs.call(client, "POST", "/handover/close", finance,
                  {"staff": ["sales-li"], "dates": ["2026-11-23"]})
    [closed] = (await feed(client, erp))["events"]

    reply = await ask(fake, stream, "sales-li", "收款 联想 1200")

    assert "关账" in reply["content"]
    assert (await feed(client, erp, after=closed["id"]))["events"] == []


async def test_the_same_message_twice_publishes_once(client, erp, people):
    for _ in range(2):
        await entry.record_receipt(people["li"].id, people["lenovo"].id, Decimal("90"),
                                   day=hs.DAY, now=hs.NOW, key="msg-1")
    assert [e["type"] for e in (await feed(client, erp))["events"]] == ["receipt.recorded"]


async def test_a_customers_answer_is_an_event_once(client, admin, erp):
    statement, path = await shared_statement(client, admin)
    answer = {"answer": "mismatched", "description": "少了一笔退货"}
    assert (await client.post(f"{path}/answer", json=answer)).status == 200
    assert (await client.post(f"{path}/answer", json=answer)).status == 200  # a repeat

    [event] = (await feed(client, erp))["events"]
    assert event["type"] == "statement.answered"
    data = event["data"]
    assert (data["statement_id"], data["answer"], data["description"], data["via"]) == (
        statement["id"], "mismatched", "少了一笔退货", "h5")
    assert data["customer"]["code"] == "C001"
    assert (data["date_from"], data["date_to"], data["closing"]) == (
        "2021-12-01", "2021-12-22", statement["closing"])


async def test_a_change_of_mind_is_refused_and_publishes_nothing(client, admin, erp):
    _, path = await shared_statement(client, admin)
    await client.post(f"{path}/answer", json={"answer": "matched"})
    refused = await client.post(f"{path}/answer", json={"answer": "mismatched",
                                                        "description": "不对"})
    assert refused.status == 409
    assert [e["data"]["answer"] for e in (await feed(client, erp))["events"]] == ["matched"]


async def test_day_closes_and_reopens_are_events_when_they_change_something(
        client, finance, erp, people):
    await hs.call(client, "POST", "/handover/close", finance,
                  {"staff": ["sales-li"], "dates": ["2026-11-23", "2026-11-24"]})
    await hs.call(client, "POST", "/handover/close", finance,  # already closed: no change
                  {"staff": ["sales-li"], "dates": ["2026-11-23"]})
    await hs.call(client, "POST", "/handover/reopen", finance,
                  {"staff": "all", "dates": ["2026-11-24"]})

    closed, reopened = (await feed(client, erp))["events"]
    li = {"id": people["li"].id, "dingtalk_userid": "sales-li", "name": "李业务"}
    assert (closed["type"], closed["data"]) == ("day.closed", {
        "days": ["2026-11-23", "2026-11-24"], "all_staff": False, "staff": [li], "count": 2,
        "by": "staff:test finance"})
    assert (reopened["type"], reopened["data"]) == ("day.reopened", {
        "days": ["2026-11-24"], "all_staff": True, "staff": [li], "count": 1,
        "by": "staff:test finance"})
    # no webhook configured (these tests' settings): the events queue no deliveries
    assert await OutboxMessage.filter(channel="webhook").count() == 0
