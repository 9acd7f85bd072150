"""Finance closes and reopens business days (关账 / 取消关账) through the back-office API: for
chosen people or everyone, idempotently, in the audit trail, listed back; a closed day refuses
receipt audit actions until it is reopened."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from tortoise.transactions import in_transaction

from domain.documents import day_close
from domain.documents.models import DayClose, Document
from domain.errors import Locked
from domain.handover.close import close_days
from domain.system.models import AuditLog
from tests.conftest import DB_KIND
from tests.support.handover import (
    NOW,
    call,
    full_day,
    make_customer,
    make_staff,
    receipt,
    sale,
)

D1, D2, D3 = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


@pytest.fixture
async def people(client):
    return {"li": await make_staff("sales-li", "李业务"),
            "wang": await make_staff("sales-wang", "王业务"),
            "zhou": await make_staff("driver-zhou", "周司机"),
            "gone": await make_staff("sales-gone", "离职员工", active=False)}


async def closed() -> set[tuple[str, date]]:
    rows = await DayClose.all().values_list("staff__dingtalk_userid", "day")
    return set(rows)


async def test_closes_chosen_people_on_chosen_days_once(client, finance, people):
    await full_day(people["li"], D1)
    body = await call(client, "POST", "/handover/close", finance,
                      {"staff": ["sales-li", "driver-zhou"], "dates": ["2026-11-23",
                                                                       "2026-11-24"]})
    assert body == {"closed": 4}
    assert await closed() == {("sales-li", D1), ("sales-li", D2), ("driver-zhou", D1),
                              ("driver-zhou", D2)}
    row = await DayClose.get(staff=people["li"], day=D1)
    assert row.closed_at == NOW and row.closed_by == "staff:test finance"

    again = await call(client, "POST", "/handover/close", finance,
                       {"staff": ["sales-li", "sales-wang"], "dates": ["2026-11-23"]})
    assert again == {"closed": 1}  # closing a closed day is no error, and not counted
    assert len(await closed()) == 5
    assert (await DayClose.get(staff=people["li"], day=D1)).closed_at == NOW


async def test_closing_for_all_covers_every_active_staff_member_documents_or_not(
        client, admin, people):
    await full_day(people["li"], D1)  # only li has documents that day
    body = await call(client, "POST", "/handover/close", admin,
                      {"staff": "all", "dates": ["2026-11-23"]})
    assert body == {"closed": 3}
    assert await closed() == {("sales-li", D1), ("sales-wang", D1), ("driver-zhou", D1)}


async def test_reopens_chosen_people_or_everyone(client, finance, people):
    await call(client, "POST", "/handover/close", finance,
               {"staff": "all", "dates": ["2026-11-23", "2026-11-24", "2026-11-25"]})
    body = await call(client, "POST", "/handover/reopen", finance,
                      {"staff": ["sales-li"], "dates": ["2026-11-23", "2026-11-24"]})
    assert body == {"reopened": 2}
    assert ("sales-li", D1) not in await closed() and ("sales-li", D3) in await closed()
    assert await call(client, "POST", "/handover/reopen", finance,
                      {"staff": ["sales-li"], "dates": ["2026-11-23"]}) == {"reopened": 0}

    body = await call(client, "POST", "/handover/reopen", finance,
                      {"staff": "all", "dates": ["2026-11-23"]})
    assert body == {"reopened": 2}
    assert await closed() == {(u, d) for u in ("sales-li", "sales-wang", "driver-zhou")
                              for d in (D2, D3)} - {("sales-li", D2)}


async def test_every_close_and_reopen_is_in_the_audit_trail(client, finance, people):
    await call(client, "POST", "/handover/close", finance,
               {"staff": ["sales-wang", "sales-li"], "dates": ["2026-11-24", "2026-11-23"]})
    await call(client, "POST", "/handover/reopen", finance,
               {"staff": "all", "dates": ["2026-11-24"]})
    logs = await AuditLog.filter(entity="day_close").order_by("id")
    assert [(log.actor, log.action, log.entity_id) for log in logs] == [
        ("staff:test finance", "close_days", "2026-11-23~2026-11-24"),
        ("staff:test finance", "reopen_days", "2026-11-24~2026-11-24")]
    assert logs[0].detail == {"staff": sorted([people["li"].id, people["wang"].id]),
                              "days": ["2026-11-23", "2026-11-24"], "count": 4}
    assert logs[1].detail == {"staff": "all", "days": ["2026-11-24"], "count": 2}
    assert logs[0].created_at == NOW


async def test_lists_closed_days_in_a_range_by_day_and_name(client, finance, people):
    await call(client, "POST", "/handover/close", finance,
               {"staff": ["sales-wang", "sales-li"], "dates": ["2026-11-24", "2026-11-23"]})
    await call(client, "POST", "/handover/close", finance,
               {"staff": ["sales-li"], "dates": ["2026-11-25"]})
    body = await call(client, "GET", "/handover/closes?date_from=2026-11-23&date_to=2026-11-24",
                      finance)
    assert [(i["day"], i["name"], i["userid"]) for i in body["items"]] == [
        ("2026-11-23", "李业务", "sales-li"), ("2026-11-23", "王业务", "sales-wang"),
        ("2026-11-24", "李业务", "sales-li"), ("2026-11-24", "王业务", "sales-wang")]
    assert body["items"][0]["closed_by"] == "staff:test finance"
    assert body["items"][0]["staff_id"] == people["li"].id
    mine = await call(client, "GET", "/handover/closes?date_from=2026-11-24&date_to=2026-11-30"
                                     "&staff=sales-li", finance)
    assert [i["day"] for i in mine["items"]] == ["2026-11-24", "2026-11-25"]


@pytest.mark.parametrize("query", [
    "", "?date_from=2026-11-01", "?date_from=2026-11-30&date_to=2026-11-01",
    "?date_from=2025-01-01&date_to=2026-11-30", "?date_from=2026-11-01&date_to=11/30",
    "?date_from=2026-11-01&date_to=2026-11-30&staff=ghost"])
async def test_a_bad_listing_is_refused(client, finance, people, query):
    await call(client, "GET", f"/handover/closes{query}", finance, status=400)


async def test_a_closed_day_refuses_receipt_actions_until_reopened(client, finance, people):
    li = people["li"]
    pending = await receipt(li, D1)
    await call(client, "POST", "/handover/close", finance,
               {"staff": ["sales-li"], "dates": ["2026-11-23"]})
    for action in ("audit", "void"):
        body = await call(client, "POST", f"/handover/receipts/{pending.id}/{action}",
                          finance, status=423)
        assert body["error"]["code"] == "day_closed"
        assert "李业务 2026-11-23 已关账" in body["error"]["message"]
    await call(client, "POST", "/handover/reopen", finance,
               {"staff": ["sales-li"], "dates": ["2026-11-23"]})
    body = await call(client, "POST", f"/handover/receipts/{pending.id}/audit", finance)
    assert body["audit_status"] == "approved"


async def test_another_person_s_closed_day_does_not_lock_a_receipt(client, finance, people):
    pending = await receipt(people["li"], D1)
    await call(client, "POST", "/handover/close", finance,
               {"staff": ["sales-wang"], "dates": ["2026-11-23"]})
    await call(client, "POST", "/handover/close", finance,
               {"staff": ["sales-li"], "dates": ["2026-11-24"]})
    body = await call(client, "POST", f"/handover/receipts/{pending.id}/audit", finance)
    assert body["audit_status"] == "approved"


async def test_bad_requests_close_nothing(client, finance, people):
    dates = [date(2026, 10, d).isoformat() for d in range(1, 32)]
    bad_bodies = [
        {"staff": ["sales-li"], "dates": ["2026-11-31"]},
        {"staff": ["sales-li"], "dates": [*dates, "2026-11-01"]},
        {"staff": ["sales-li"], "dates": [20261123]},
        {"staff": ["sales-li", "ghost"], "dates": ["2026-11-23"]},
        {"staff": ["sales-li", 7], "dates": ["2026-11-23"]},
        {"staff": "everyone", "dates": ["2026-11-23"]},
        {"dates": ["2026-11-23"]},
        {"staff": "all"},
    ]
    for path in ("/handover/close", "/handover/reopen"):
        for bad in bad_bodies:
            await call(client, "POST", path, finance, bad, status=400)
    assert await closed() == set()
    assert await AuditLog.filter(entity="day_close").count() == 0
    body = await call(client, "POST", "/handover/close", finance,
                      {"staff": "all", "dates": dates})  # 31 dates is the most, and allowed
    assert body == {"closed": 3 * 31}


@pytest.mark.skipif(DB_KIND != "postgres", reason="the advisory lock is PostgreSQL's")
async def test_a_close_waits_for_a_writer_past_its_check_and_later_writers_see_it(client):
    li = await make_staff("sales-li", "李业务")
    customer = await make_customer(li)
    checked, release = asyncio.Event(), asyncio.Event()

    async def writer():
        async with in_transaction():
            await day_close.ensure_open([(li.id, D1)])
            checked.set()
            await release.wait()
            await sale(li, D1, customer=customer, number="XS-RACE")

    writing = asyncio.create_task(writer())
    await checked.wait()
    closing = asyncio.create_task(close_days([li.id], [D1], by="test", now=NOW))
    await asyncio.sleep(0.3)
    assert not closing.done()  # the writer checked before the close: the close waits
    release.set()
    await writing
    assert await closing == 1
    assert await Document.filter(number="XS-RACE").exists()
    with pytest.raises(Locked):
        async with in_transaction():
            await day_close.ensure_open([(li.id, D1)])
