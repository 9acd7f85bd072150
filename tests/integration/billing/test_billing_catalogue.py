"""The billing catalogue, usage and recharges through the back-office API: strict validation
(400, nothing written), conflicts (409), and the rules stated in the API docs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.billing.models import Bill, PriceAdjustment, Product, Recharge, Usage
from domain.customers.models import Customer
from tests.conftest import SHANGHAI

API = "/api/backoffice/v1"
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)


async def make_customer(code: str = "C1", name: str = "上海某某信息有限公司", **values) -> Customer:
    return await Customer.create(code=code, name=name, **values)


async def post(client, path, headers, body, status):
    resp = await client.post(f"{API}{path}", json=body, headers=headers)
    data = await resp.json()
    assert resp.status == status, data
    return data


@pytest.fixture
async def product(client, erp):
    customer = await make_customer()
    return await post(client, "/billing/products", erp,
                      {"customer_id": customer.id, "code": "SMS1", "name": "行业短信"}, 201)


async def test_a_product_gets_accounts_and_a_default_one_month_term(client, erp, product):
    assert product["payment_term_months"] == 1
    account = await post(client, f"/billing/products/{product['id']}/accounts", erp,
                         {"account": "acc-1"}, 201)
    assert account["interest_free"] is False
    resp = await client.put(f"{API}/billing/accounts/acc-1", json={"interest_free": True},
                            headers=erp)
    assert (await resp.json())["interest_free"] is True
    await post(client, f"/billing/products/{product['id']}/accounts", erp,
               {"account": "acc-1"}, 409)
    await post(client, "/billing/products", erp,
               {"customer_id": product["customer_id"], "code": "SMS1", "name": "x"}, 409)
    listed = await (await client.get(f"{API}/billing/products", headers=erp)).json()
    assert [a["account"] for a in listed["items"][0]["accounts"]] == ["acc-1"]


@pytest.mark.parametrize("body", [
    {"code": "SMS 2", "name": "x"},
    {"code": "SMS2", "name": ""},
    {"code": "SMS2", "name": "x", "payment_term_months": 13},
    {"code": "SMS2", "name": "x", "payment_term_months": 0},
    {"code": "SMS2", "name": "x", "payment_term_months": "2"},
])
async def test_bad_products_are_refused(client, erp, product, body):
    await post(client, "/billing/products", erp,
               {"customer_id": product["customer_id"], **body}, 400)
    assert await Product.all().count() == 1


async def test_a_price_table_is_stored_with_six_decimals(client, erp, product):
    price = await post(client, f"/billing/products/{product['id']}/prices", erp, {
        "effective_from": "2026-10-15", "price_type": "tiered",
        "tiers": [{"up_to": 10000, "price": "0.035"}, {"up_to": None, "price": "0.030001"}]},
        201)
    assert price["tiers"] == [{"up_to": 10000, "price": "0.035000"},
                              {"up_to": None, "price": "0.030001"}]
    await post(client, f"/billing/products/{product['id']}/prices", erp, {
        "effective_from": "2026-10-15", "price_type": "uniform",
        "tiers": [{"up_to": None, "price": "0.03"}]}, 409)


@pytest.mark.parametrize(("price_type", "tiers"), [
    ("uniform", [{"up_to": None, "price": "0.0350001"}]),            # 7 decimals
    ("uniform", [{"up_to": 10, "price": "0.1"}, {"up_to": None, "price": "0.1"}]),
    ("stage", [{"up_to": 10, "price": "0.1"}, {"up_to": 10, "price": "0.1"},
               {"up_to": None, "price": "0.1"}]),
    ("stage", [{"up_to": 10, "price": "0.1"}]),                      # last up_to not null
    ("tiered", [{"up_to": None, "price": "-1"}]),
    ("tiered", []),
    ("volume", [{"up_to": None, "price": "0.1"}]),
])
async def test_malformed_price_tables_are_refused_and_nothing_is_written(
        client, erp, product, price_type, tiers):
    error = await post(client, f"/billing/products/{product['id']}/prices", erp, {
        "effective_from": "2026-10-01", "price_type": price_type, "tiers": tiers}, 400)
    assert error["error"]["code"] == "bad_price_table"
    assert "调价表格式错误" in error["error"]["message"]
    assert await PriceAdjustment.all().count() == 0


async def test_usage_is_upserted_per_account_and_period(client, erp):
    rows = [{"account": "acc-1", "period": "2026-10", "quantity": 100},
            {"account": "acc-2", "period": "2026-10", "quantity": "5"}]
    assert (await post(client, "/billing/usage", erp, {"items": rows}, 200))["created"] == 2
    rows[0]["quantity"] = 150
    result = await post(client, "/billing/usage", erp, {"items": rows}, 200)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    usage = await Usage.get(account="acc-1")
    assert (usage.period, usage.quantity) == (date(2026, 10, 1), 150)


async def test_a_usage_batch_with_a_bad_row_writes_nothing(client, erp):
    rows = [{"account": "acc-1", "period": "2026-10", "quantity": 100},
            {"account": "acc-2", "period": "2026-13", "quantity": 1},
            {"account": "acc-3", "period": "2026-10", "quantity": -1},
            {"account": "acc-1", "period": "2026-10", "quantity": 7}]
    error = await post(client, "/billing/usage", erp, {"items": rows}, 400)
    assert [r["index"] for r in error["error"]["detail"]["rejected"]] == [1, 2, 3]
    assert await Usage.all().count() == 0


async def test_usage_of_a_billed_period_is_refused_with_409(client, erp, product):
    await post(client, f"/billing/products/{product['id']}/accounts", erp,
               {"account": "acc-1"}, 201)
    await Bill.create(customer_id=product["customer_id"], product_id=product["id"],
                      period=date(2026, 10, 1), quantity=1, price_type="uniform",
                      amount=Decimal("1.00"), bill_date=date(2026, 11, 1),
                      due_date=date(2026, 12, 1), created_at=NOW)
    rows = [{"account": "acc-1", "period": "2026-11", "quantity": 1},
            {"account": "acc-1", "period": "2026-10", "quantity": 9}]
    error = await post(client, "/billing/usage", erp, {"items": rows}, 409)
    assert error["error"]["code"] == "usage_period_billed"
    assert [r["index"] for r in error["error"]["detail"]["rejected"]] == [1]
    assert await Usage.all().count() == 0


async def test_recharges_and_their_refusals(client, erp, finance):
    prepaid = await make_customer("P1", "预付客户", can_prepay=True)
    prepurchase = await make_customer("P2", "预购客户", can_prepay=True)
    postpaid = await make_customer("P3", "后付客户", can_prepay=True)
    for customer, mode in ((prepaid, "prepaid"), (prepurchase, "prepurchase")):
        resp = await client.put(f"{API}/billing/customers/{customer.id}/payment-mode",
                                json={"payment_mode": mode}, headers=finance)
        assert resp.status == 200
    body = {"reference": "R1", "amount": "500.00", "recharged_on": "2026-11-01"}
    assert (await post(client, f"/billing/customers/{prepaid.id}/recharges", finance, body,
                       201))["balance"] == "500.00"
    await post(client, f"/billing/customers/{prepaid.id}/recharges", finance, body, 409)
    refund = {"reference": "R2", "amount": "-200.00", "recharged_on": "2026-11-02"}
    assert (await post(client, f"/billing/customers/{prepaid.id}/recharges", finance, refund,
                       201))["balance"] == "300.00"
    too_much = {"reference": "R3", "amount": "-300.01", "recharged_on": "2026-11-02"}
    error = await post(client, f"/billing/customers/{prepaid.id}/recharges", finance,
                       too_much, 409)
    assert error["error"]["code"] == "refund_exceeds_balance"
    await post(client, f"/billing/customers/{prepurchase.id}/recharges", finance,
               {"reference": "R4", "amount": "100", "recharged_on": "2026-11-01"}, 201)
    error = await post(client, f"/billing/customers/{prepurchase.id}/recharges", finance,
                       {"reference": "R5", "amount": "-1", "recharged_on": "2026-11-01"}, 409)
    assert error["error"]["code"] == "not_refundable"
    error = await post(client, f"/billing/customers/{postpaid.id}/recharges", finance,
                       {"reference": "R6", "amount": "1", "recharged_on": "2026-11-01"}, 409)
    assert error["error"]["code"] == "not_prepaid"
    await post(client, f"/billing/customers/{prepaid.id}/recharges", finance,
               {"reference": "R7", "amount": "1.001", "recharged_on": "2026-11-01"}, 400)
    assert await Recharge.all().count() == 3
    assert (await Customer.get(id=prepaid.id)).prepaid_balance == Decimal("300.00")
    assert (await Customer.get(id=prepurchase.id)).prepaid_balance == Decimal("100.00")


async def test_catalogue_writes_need_an_erp_or_admin_key(client, finance, product):
    await post(client, f"/billing/products/{product['id']}/accounts", finance,
               {"account": "acc-9"}, 403)
