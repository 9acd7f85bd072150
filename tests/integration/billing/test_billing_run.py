"""The month-end billing run with fixed dates: bills, their documents and one consolidated
statement per customer issued to its contacts (and answerable through the share link); the
billing exceptions of seed 004's question 5 with the salesperson's DingTalk notice; re-runs
that never bill twice; a fixed exception billed once on a supplementary statement; prepaid
draws; billing a period on demand (点击生成账单)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlparse

from domain.billing.models import (
    Bill,
    BillingException,
    PriceAdjustment,
    Usage,
    UsageAccount,
)
from domain.customers.models import Customer
from domain.documents.models import Document
from domain.notices.models import OutboxMessage
from domain.org.models import Staff
from domain.statements.models import Statement, StatementLine
from tests.conftest import SHANGHAI
from tests.support import API
from tests.support.billing import NOW, OCT, TIERS, make_customer, make_product, run


async def test_a_customer_is_billed_on_its_statement_day_on_one_statement(client, settings):
    customer = await make_customer("C1")
    await make_product(customer, "SMS", accounts=(("a", 600), ("b", 900)),
                       price=("stage", TIERS), term=3)
    await make_product(customer, "MMS", accounts=(("a", 1500),), price=("tiered", TIERS),
                       interest_free=True)
    await make_customer("C2", statement_day=6)  # not today
    counts = await run(settings, date(2026, 11, 5))
    assert (counts["customers_due"], counts["bills"], counts["statements"]) == (1, 2, 1)
    bills = {b.product_id: b for b in await Bill.all().prefetch_related("product")}
    sms, mms = sorted(bills.values(), key=lambda b: b.product.code, reverse=True)
    # stage: 1,500 reaches the second tier, all at 0.04; tiered: 1000 × 0.05 + 500 × 0.04
    assert (sms.quantity, sms.amount, sms.price_type) == (1500, Decimal("60.00"), "stage")
    assert (mms.amount, mms.price_type) == (Decimal("70.00"), "tiered")
    assert (sms.bill_date, sms.due_date) == (date(2026, 11, 5), date(2027, 2, 5))
    assert (mms.due_date, mms.status) == (date(2026, 12, 5), "unpaid")
    document = await Document.get(number="BILL-202610-SMS")
    assert (document.doc_type, document.date, document.amount, document.owed) == (
        "bill", date(2026, 10, 31), Decimal("60.00"), Decimal("60.00"))
    statement = await Statement.get(customer=customer)
    assert (statement.date_from, statement.date_to) == (OCT, date(2026, 10, 31))
    assert (statement.increase, statement.closing, statement.line_count) == (
        Decimal("130.00"), Decimal("130.00"), 2)
    assert sms.statement_id == mms.statement_id == statement.id
    lines = await StatementLine.filter(statement=statement).order_by("position")
    assert [line.number for line in lines] == ["BILL-202610-MMS", "BILL-202610-SMS"]
    issued = await OutboxMessage.get(kind="statement_issued")
    assert issued.payload["statement_id"] == statement.id
    assert issued.payload["closing"] == "130.00"


async def test_the_billed_statement_is_shared_and_answered_like_any_other(client, settings):
    customer = await make_customer("C1")
    await make_product(customer, "SMS", accounts=(("a", 100),))
    await run(settings, date(2026, 11, 5))
    issued = await OutboxMessage.get(kind="statement_issued")
    path = urlparse(issued.payload["url"]).path
    page = await client.get(path)
    assert page.status == 200 and "账单" in await page.text()
    answer = await client.post(f"{path}/answer", json={"answer": "matched"})
    assert answer.status == 200 and (await answer.json())["status"] == "matched"
    assert (await Statement.get(customer=customer)).status == "matched"


async def test_a_rerun_never_bills_twice(client, settings):
    customer = await make_customer("C1")
    await make_product(customer, "SMS", accounts=(("a", 100),))
    await run(settings, date(2026, 11, 5))
    again = await run(settings, date(2026, 11, 5))
    assert (again["bills"], again["already_billed"]) == (0, 1)
    assert again["statements"] == 0
    assert await Bill.all().count() == 1 and await Statement.all().count() == 1
    assert await OutboxMessage.filter(kind="statement_issued").count() == 1


async def test_a_statement_day_past_the_months_end_bills_on_its_last_day(client, settings):
    customer = await make_customer("C31", statement_day=31)
    await make_product(customer, "SMS", accounts=(("a", 10),))
    assert (await run(settings, date(2026, 11, 29))).get("bills", 0) == 0
    assert (await run(settings, date(2026, 11, 30)))["bills"] == 1
    assert (await Bill.get()).bill_date == date(2026, 11, 30)


async def test_a_mid_month_adjustment_prices_that_whole_month(client, settings):
    customer = await make_customer("C1")
    product = await make_product(customer, "SMS", accounts=(("a", 100),))
    await PriceAdjustment.create(product=product, effective_from=date(2026, 10, 20),
                                 price_type="uniform",
                                 tiers=[{"up_to": None, "price": "0.1"}], created_at=NOW)
    await PriceAdjustment.create(product=product, effective_from=date(2026, 11, 1),
                                 price_type="uniform",
                                 tiers=[{"up_to": None, "price": "9"}], created_at=NOW)
    await run(settings, date(2026, 11, 5))
    assert (await Bill.get()).amount == Decimal("10.00")


async def test_each_exception_reason_is_recorded_and_the_salesperson_told_once(client,
                                                                            settings):
    li = await Staff.create(name="李业务", dingtalk_userid="sales-li")
    customer = await make_customer("C1", salesperson=li)
    await make_product(customer, "OK", accounts=(("a", 100),))
    await make_product(customer, "NOPRICE", price=None, accounts=(("a", 100),))
    await make_product(customer, "BADTABLE", accounts=(("a", 100),),
                       price=("stage", [{"up_to": 10, "price": "0.1"}]))  # legacy, no ceiling
    await make_product(customer, "NOUSE", accounts=(("a", 0), ("b", None)))
    await make_product(customer, "NOACC", accounts=())
    await Usage.create(account="stray-1", period=OCT, quantity=42, updated_at=NOW)
    counts = await run(settings, date(2026, 11, 5))
    assert counts["bills"] == 1
    found = {(e.product_id and (await e.product).code or e.account): e.reason
             for e in await BillingException.all()}
    assert found == {"NOPRICE": "no_price", "BADTABLE": "bad_price_table",
                     "NOUSE": "no_usage", "NOACC": "unknown_account",
                     "stray-1": "unknown_account"}
    notice = await OutboxMessage.get(kind="billing_exceptions")
    assert (notice.recipient_id, notice.channel) == (str(li.id), "dingtalk")
    assert notice.payload["count"] == 4
    assert {i["reason_label"] for i in notice.payload["items"]} == {
        "产品当月没有调价", "调价表格式错误", "产品该月没有发送量", "产品账号填写错误"}
    again = await run(settings, date(2026, 11, 5))
    assert not any(k.startswith("exception_") and v for k, v in again.items())
    assert await OutboxMessage.filter(kind="billing_exceptions").count() == 1
    listed = await client.get(f"{API}/billing/exceptions?status=open&period=2026-10",
                              headers=await _admin(client))
    assert len((await listed.json())["items"]) == 5


async def _admin(client) -> dict:
    from domain.apikeys import create_api_key
    _, key = await create_api_key("t", "admin", None)
    return {"Authorization": f"Bearer {key}"}


async def test_a_fixed_exception_is_billed_once_on_a_supplementary_statement(client,
                                                                             settings):
    customer = await make_customer("C1")
    await make_product(customer, "OK", accounts=(("a", 100),))
    late = await make_product(customer, "LATE", price=None, accounts=(("a", 200),))
    await run(settings, date(2026, 11, 5))
    await PriceAdjustment.create(product=late, effective_from=date(2026, 10, 1),
                                 price_type="uniform", tiers=[{"up_to": None, "price": "0.5"}],
                                 created_at=NOW)
    later = datetime(2026, 11, 6, 2, 0, tzinfo=SHANGHAI)
    counts = await run(settings, date(2026, 11, 6), later)
    assert (counts["retried_billed"], counts["supplementary_statements"]) == (1, 1)
    assert counts["exceptions_resolved"] == 1
    exception = await BillingException.get(product=late)
    assert (exception.status, exception.resolved_at) == ("resolved", later)
    bill = await Bill.get(product=late)
    assert (bill.amount, bill.bill_date, bill.due_date) == (
        Decimal("100.00"), date(2026, 11, 6), date(2026, 12, 6))
    supplementary = await Statement.get(id=bill.statement_id)
    assert (supplementary.date_from, supplementary.line_count) == (OCT, 1)
    assert supplementary.closing == Decimal("100.00")  # its own bill only, opening 0
    assert await Statement.filter(customer=customer).count() == 2
    again = await run(settings, date(2026, 11, 7), later)
    assert again.get("bills", 0) == 0 and await Bill.all().count() == 2


async def test_prepaid_customers_pay_bills_from_their_balance(client, settings):
    customer = await make_customer("P1", payment_mode="prepaid",
                                   prepaid_balance=Decimal("8.00"))
    await make_product(customer, "A", accounts=(("a", 100),))   # 5.00
    await make_product(customer, "B", accounts=(("a", 100),))   # 5.00
    await run(settings, date(2026, 11, 5))
    a, b = await Bill.all().order_by("product_id")
    assert (a.paid, a.status) == (Decimal("5.00"), "paid")
    assert (b.paid, b.status) == (Decimal("3.00"), "unpaid")
    assert (await Document.get(number="BILL-202610-B")).owed == Decimal("2.00")
    assert (await Customer.get(id=customer.id)).prepaid_balance == Decimal("0.00")


async def test_billing_a_period_on_demand_uses_the_same_path(client, settings, finance):
    customer = await make_customer("C9", statement_day=25)
    await make_product(customer, "SMS", accounts=(("a", 100),))
    url = f"{API}/billing/customers/{customer.id}/bill"
    resp = await client.post(url, json={"period": "2026-10"}, headers=finance)
    body = await resp.json()
    assert resp.status == 201, body
    assert [b["amount"] for b in body["bills"]] == ["5.00"]
    assert len(body["statement_ids"]) == 1
    again = await client.post(url, json={"period": "2026-10"}, headers=finance)
    assert again.status == 200 and (await again.json())["bills"] == []
    for bad in ("2026-11", "2026-1", None):
        assert (await client.post(url, json={"period": bad}, headers=finance)).status == 400
    assert (await run(settings, date(2026, 11, 25))).get("bills", 0) == 0
    assert await Bill.all().count() == 1


async def test_usage_of_an_account_added_to_a_product_already_billed_stays_an_open_exception(
        client, settings):
    li = await Staff.create(name="李业务", dingtalk_userid="sales-li")
    customer = await make_customer("C1", salesperson=li)
    product = await make_product(customer, "SMS", accounts=(("a", 100),))
    await Usage.create(account="stray-1", period=OCT, quantity=42, updated_at=NOW)
    counts = await run(settings, date(2026, 11, 5))
    assert counts["exception_unknown_account"] == 1
    await UsageAccount.create(product=product, account="stray-1", created_at=NOW)
    later = datetime(2026, 11, 6, 2, 0, tzinfo=SHANGHAI)
    for day in (6, 7):  # told once
        again = await run(settings, date(2026, 11, day), later)
        assert again["exceptions_resolved"] == 0 and again.get("bills", 0) == 0
    exception = await BillingException.get(account="stray-1")
    assert (exception.status, exception.reason, exception.product_id) == (
        "open", "account_after_bill", product.id)
    assert "42" in exception.detail and "BILL-202610-SMS" in exception.detail
    notice = await OutboxMessage.get(kind="billing_exceptions")
    assert notice.recipient_id == str(li.id)
    assert [(i["product"], i["reason_label"]) for i in notice.payload["items"]] == [
        ("SMS", "账号在产品出账后才加入，发送量未计费")]
    assert await Bill.all().count() == 1


async def test_usage_of_an_unknown_account_is_billed_once_a_product_not_billed_has_it(
        client, settings):
    await Usage.create(account="stray-1", period=date(2026, 9, 1), quantity=42,
                       updated_at=NOW)
    assert (await run(settings, date(2026, 10, 5)))["exception_unknown_account"] == 1
    customer = await make_customer("C9", statement_day=25)
    product = await make_product(customer, "NEW", accounts=())
    await UsageAccount.create(product=product, account="stray-1", created_at=NOW)
    later = datetime(2026, 11, 6, 2, 0, tzinfo=SHANGHAI)
    counts = await run(settings, date(2026, 11, 6), later)
    assert (counts["retried_billed"], counts["supplementary_statements"]) == (1, 1)
    bill = await Bill.get(product=product)
    assert (bill.period, bill.quantity, bill.amount) == (date(2026, 9, 1), 42, Decimal("2.10"))
    exception = await BillingException.get(account="stray-1")
    assert (exception.status, exception.resolved_at) == ("resolved", later)
    assert (await run(settings, date(2026, 11, 7), later)).get("bills", 0) == 0


async def test_a_second_batch_of_exceptions_on_the_same_day_reaches_the_salesperson(
        client, settings, finance, clock):
    li = await Staff.create(name="李业务", dingtalk_userid="sales-li")
    monthly = await make_customer("C1", salesperson=li)
    await make_product(monthly, "NOPRICE", price=None, accounts=(("a", 100),))
    by_hand = await make_customer("C9", statement_day=25, salesperson=li)
    await make_product(by_hand, "NOUSE", accounts=(("a", 0),))
    await run(settings, date(2026, 11, 5))
    clock.current = NOW.replace(hour=15)  # the same day: 生成账单 by hand
    url = f"{API}/billing/customers/{by_hand.id}/bill"
    for _ in range(2):  # the second time finds nothing new to tell
        resp = await client.post(url, json={"period": "2026-10"}, headers=finance)
        assert resp.status == 200, await resp.json()
    notices = await OutboxMessage.filter(kind="billing_exceptions").order_by("id")
    assert [[i["product"] for i in n.payload["items"]] for n in notices] == [
        ["NOPRICE"], ["NOUSE"]]
    assert {n.recipient_id for n in notices} == {str(li.id)}



async def test_simultaneous_bill_requests_for_one_customer_bill_once_and_never_fail(
    client, finance
):
    customer = await make_customer("C9", statement_day=25)
    await make_product(customer, "SMS", accounts=(("a", 100),))
    await make_product(customer, "MMS", price=None)  # an exception, recorded once too
    url = f"{API}/billing/customers/{customer.id}/bill"
    responses = await asyncio.gather(*(
        client.post(url, json={"period": "2026-10"}, headers=finance) for _ in range(4)))
    bodies = [await r.json() for r in responses]
    assert sorted(r.status for r in responses) == [200, 200, 200, 201], bodies
    billed = next(b for r, b in zip(responses, bodies, strict=True) if r.status == 201)
    assert [b["amount"] for b in billed["bills"]] == ["5.00"]
    for body in bodies:
        assert [e["reason"] for e in body["open_exceptions"]] == ["no_price"]
    assert await Bill.all().count() == 1
    assert await Statement.all().count() == 1
    assert await BillingException.all().count() == 1
