"""Seed 003's flags that govern money: 可预存 (recharges), 现结 (no credit orders) and the credit
limit (crossing it alerts the salesperson, once per crossing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.senders import MARKDOWN_NOTICES
from domain.billing.models import Recharge
from domain.credit.models import CreditOrder
from domain.customers.models import Customer
from domain.documents.models import Document
from domain.notices.models import OutboxMessage
from domain.org.models import Staff
from tests.support import CUSTOMERS, INGEST, STAFF, post_ok
from tests.support.billing import make_customer, make_product, run
from tests.support.credit import call, grant, order, refused, setup, w

API = "/api/backoffice/v1"


async def _customers(client, headers, **values) -> None:
    rows = [{**CUSTOMERS[0], **values}, CUSTOMERS[1]]
    await post_ok(client, f"{INGEST}/staff", headers, {"items": STAFF})
    await post_ok(client, f"{INGEST}/customers", headers, {"items": rows})


# ----- 可预存 -------------------------------------------------------------------------------------


async def test_a_customer_that_may_not_prepay_cannot_be_recharged(client, admin, finance):
    await _customers(client, admin, can_prepay="否")
    customer = await Customer.get(code="C001")
    resp = await client.put(f"{API}/billing/customers/{customer.id}/payment-mode",
                            json={"payment_mode": "prepaid"}, headers=finance)
    assert resp.status == 200
    resp = await client.post(f"{API}/billing/customers/{customer.id}/recharges", json={
        "reference": "R1", "amount": "500.00", "recharged_on": "2026-11-01"}, headers=finance)
    error = (await resp.json())["error"]
    assert resp.status == 409 and error["code"] == "prepay_not_allowed"
    assert not await Recharge.exists()
    assert (await Customer.get(id=customer.id)).prepaid_balance == Decimal("0.00")

    await _customers(client, admin, can_prepay="是")
    resp = await client.post(f"{API}/billing/customers/{customer.id}/recharges", json={
        "reference": "R1", "amount": "500.00", "recharged_on": "2026-11-01"}, headers=finance)
    assert resp.status == 201 and (await resp.json())["balance"] == "500.00"


async def test_a_customer_no_longer_allowed_to_prepay_may_still_be_refunded(
        client, admin, finance):
    await _customers(client, admin, can_prepay=True)
    customer = await Customer.get(code="C001")
    await client.put(f"{API}/billing/customers/{customer.id}/payment-mode",
                     json={"payment_mode": "prepaid"}, headers=finance)
    await post_ok(client, f"{API}/billing/customers/{customer.id}/recharges", finance, {
        "reference": "R1", "amount": "500.00", "recharged_on": "2026-11-01"}, status=201)
    await _customers(client, admin, can_prepay=False)
    refund = await post_ok(client, f"{API}/billing/customers/{customer.id}/recharges", finance, {
        "reference": "R2", "amount": "-500.00", "recharged_on": "2026-11-02"}, status=201)
    assert refund["balance"] == "0.00"


# ----- 现结 ---------------------------------------------------------------------------------------


async def test_a_cash_customer_cannot_take_a_credit_order_but_may_order_against_cash(
        client, admin, erp):
    ids = await setup(client, admin)
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {**CUSTOMERS[0], "settlement_mode": "现结"}]})
    line = await grant(client, admin, ids, "annual", w(100))
    error = await refused(client, "POST", "/orders", erp, {
        "number": "SO-1", "customer_code": "C001", "org_code": "YXY",
        "order_date": "2021-01-10", "amount": w(30), "cash": w(10), "credit": w(20)},
        code="cash_customer_no_credit")
    assert "现结" in error["message"]
    assert not await CreditOrder.exists()
    assert (await call(client, "GET", f"/accounts/{line['id']}?on=2021-06-01",
                       admin))["available"] == w(100)
    paid = await order(client, erp, "SO-2", "0.00", cash=w(30))
    assert paid["credit"] == "0.00" and paid["status"] == "open"


# ----- credit limit -----------------------------------------------------------------------------


def _sale(number: str, amount: str, type_: str = "sales_out") -> dict:
    return {"number": number, "type": type_, "date": "2021-12-01", "customer_code": "C001",
            "amount": amount}


async def _alerts() -> list[tuple[str, str, str]]:
    rows = await OutboxMessage.filter(kind="credit_limit_exceeded").order_by("id")
    return [(m.channel, m.recipient_name, m.payload["receivable"]) for m in rows]


async def test_crossing_the_credit_limit_alerts_the_salesperson_once_per_crossing(
        client, erp):
    await _customers(client, erp, credit_limit="1000.00")
    ingest = f"{INGEST}/documents"
    await post_ok(client, ingest, erp, {"items": [_sale("XS-1", "800.00")]})
    assert await _alerts() == []
    await post_ok(client, ingest, erp, {"items": [_sale("XS-2", "300.00")]})
    assert await _alerts() == [("dingtalk", "李业务", "1100.00")]
    message = await OutboxMessage.get(kind="credit_limit_exceeded")
    assert message.payload["credit_limit"] == "1000.00"
    assert message.payload["over_by"] == "100.00"
    assert message.recipient_id == str((await Staff.get(dingtalk_userid="sales-li")).id)
    title, text = MARKDOWN_NOTICES[message.kind](message.payload)
    assert title == "超出信用额度：联想"
    assert "信用额度：¥1,000.00" in text and "当前应收：¥1,100.00（超出 ¥100.00）" in text

    await post_ok(client, ingest, erp, {"items": [_sale("XS-3", "50.00")]})  # still above
    assert len(await _alerts()) == 1
    await post_ok(client, ingest, erp, {"items": [_sale("SK-1", "250.00", "receipt")]})
    assert len(await _alerts()) == 1  # back within (900.00): nothing said, but re-armed
    await post_ok(client, ingest, erp, {"items": [_sale("XS-4", "200.00")]})
    assert await _alerts() == [("dingtalk", "李业务", "1100.00"),
                               ("dingtalk", "李业务", "1100.00")]


async def test_a_limit_lowered_below_the_receivable_is_a_crossing_too(client, erp):
    await _customers(client, erp, credit_limit="5000.00")
    await post_ok(client, f"{INGEST}/documents", erp, {"items": [_sale("XS-1", "1200.00")]})
    await _customers(client, erp, credit_limit="1000.00")
    await _customers(client, erp, credit_limit="900.00")
    assert await _alerts() == [("dingtalk", "李业务", "1200.00")]


async def test_exactly_at_the_limit_is_within_it_and_a_batch_is_judged_by_where_it_ends(
        client, erp):
    await _customers(client, erp, credit_limit="1000.00")
    await post_ok(client, f"{INGEST}/documents", erp, {"items": [
        _sale("XS-1", "1200.00"), _sale("SK-1", "200.00", "receipt")]})
    assert await _alerts() == []


async def test_voiding_a_receipt_can_cross_the_limit(client, erp, finance):
    await _customers(client, erp, credit_limit="1000.00")
    await post_ok(client, f"{INGEST}/documents", erp, {"items": [
        _sale("XS-1", "1200.00"), _sale("SK-1", "300.00", "receipt")]})
    assert await _alerts() == []
    receipt_id = (await Document.get(number="SK-1")).id
    await post_ok(client, f"{API}/handover/receipts/{receipt_id}/void", finance)
    assert await _alerts() == [("dingtalk", "李业务", "1200.00")]


async def test_a_month_end_bill_that_takes_the_receivable_over_the_limit_alerts(
        client, settings):
    salesperson = await Staff.create(dingtalk_userid="sales-li", name="李业务")
    customer = await make_customer("C1", salesperson=salesperson, credit_limit=Decimal("50.00"))
    await make_product(customer, "SMS", accounts=(("a", 1200),))  # 1200 × 0.05 = 60.00
    await run(settings, date(2026, 11, 5))
    assert await _alerts() == [("dingtalk", "李业务", "60.00")]
