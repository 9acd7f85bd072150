"""The ERP's order life: cancel, close, shipments, returns and their reversals, each putting
credit back or taking it again as seed 002 says; idempotent pushes; every refusal."""

from __future__ import annotations

import pytest

from domain.credit.models import CreditOperation, Debt
from domain.notices.models import OutboxMessage
from tests.support.credit import (
    assert_books_hold,
    available,
    call,
    grant,
    order,
    refused,
    sales_key,
    setup,
    ship,
    w,
)


@pytest.fixture
async def line(client, admin, erp):
    ids = await setup(client, admin)
    account = await grant(client, admin, ids, "annual", w(100))
    return {**ids, "line": account["id"]}


async def _ledger(client, admin, line):
    return await call(client, "GET", f"/customers/{line['c1']}/ledger", admin)


async def test_cancel_unfreezes_the_whole_credit(client, admin, erp, line):
    await order(client, erp, "SO-1", w(60), cash=w(10))
    assert await available(client, admin, line["line"]) == w(40)
    cancelled = await call(client, "POST", "/orders/SO-1/cancel", erp)
    assert cancelled["status"] == "cancelled" and cancelled["credits"][0]["frozen"] == w(0)
    assert await available(client, admin, line["line"]) == w(100)
    again = await call(client, "POST", "/orders/SO-1/cancel", erp)  # a no-op
    assert again["status"] == "cancelled"
    await refused(client, "POST", "/orders/SO-1/close", erp, code="order_cancelled")
    await refused(client, "POST", "/shipments", erp, {
        "number": "CK-1", "order_number": "SO-1", "ship_date": "2021-01-15",
        "amount": w(1)}, code="order_not_open")
    await assert_books_hold()


async def test_cancel_is_refused_once_something_shipped(client, admin, erp, line):
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(10))
    error = await refused(client, "POST", "/orders/SO-1/cancel", erp,
                          code="order_has_shipments")
    assert "出库反审核" in error["message"]


async def test_close_releases_only_the_unshipped_part(client, admin, erp, line):
    await order(client, erp, "SO-1", w(60), cash=w(20))
    await ship(client, erp, "CK-1", "SO-1", w(50))  # 20w cash + 30w credit
    closed = await call(client, "POST", "/orders/SO-1/close", erp)
    assert (closed["status"], closed["credit_left"]) == ("closed", w(0))
    account = await call(client, "GET", f"/accounts/{line['line']}?on=2021-02-01", admin)
    assert (account["used"], account["frozen"], account["available"]) == (w(30), w(0), w(70))
    assert account["operations"][-1]["op"] == "unfreeze"
    assert account["operations"][-1]["amount"] == w(30)
    await refused(client, "POST", "/orders/SO-1/cancel", erp, code="order_closed")
    await refused(client, "POST", "/shipments", erp, {
        "number": "CK-2", "order_number": "SO-1", "ship_date": "2021-01-15",
        "amount": w(1)}, code="order_not_open")
    await assert_books_hold()


async def test_shipment_reversal_withdraws_the_debt_and_the_order_can_ship_again(
        client, admin, erp, line):
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(60))
    assert (await _ledger(client, admin, line))["base_debt"] == w(60)
    reversed_ = await call(client, "POST", "/shipments/CK-1/reverse", erp)
    assert reversed_["status"] == "reversed" and reversed_["debt"]["status"] == "reversed"
    placed = await call(client, "GET", "/orders/SO-1", admin)
    assert (placed["status"], placed["credit_left"], placed["credits"][0]["frozen"]) == (
        "open", w(60), w(60))
    account = await call(client, "GET", f"/accounts/{line['line']}", admin)
    assert (account["used"], account["frozen"]) == (w(0), w(60))
    ledger = await _ledger(client, admin, line)
    assert (ledger["base_debt"], ledger["debts"]) == (w(0), [])
    await call(client, "POST", "/shipments/CK-1/reverse", erp)  # again: a no-op
    await ship(client, erp, "CK-2", "SO-1", w(60))
    assert (await _ledger(client, admin, line))["base_debt"] == w(60)
    await assert_books_hold()


async def test_shipment_reversal_on_a_closed_order_releases_the_credit(
        client, admin, erp, line):
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(40))
    await call(client, "POST", "/orders/SO-1/close", erp)
    await call(client, "POST", "/shipments/CK-1/reverse", erp)
    assert await available(client, admin, line["line"]) == w(100)
    assert (await call(client, "GET", "/orders/SO-1", admin))["status"] == "closed"
    await assert_books_hold()


async def test_shipment_reversal_is_refused_once_repaid_or_returned(client, admin, erp,
                                                                    finance, line):
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(30))
    await ship(client, erp, "CK-2", "SO-1", w(30))
    await call(client, "POST", "/returns", erp, {
        "number": "TH-1", "shipment_number": "CK-2", "return_date": "2021-01-20",
        "amount": w(5)}, status=201)
    await refused(client, "POST", "/shipments/CK-2/reverse", erp, code="shipment_has_returns")
    await call(client, "POST", "/payments", finance, {
        "customer_id": line["c1"], "number": "SK-1", "amount": w(1),
        "received_on": "2021-02-01"}, status=201)
    error = await refused(client, "POST", "/shipments/CK-1/reverse", erp, code="debt_repaid")
    assert "已还¥10,000.00" in error["message"]
    await assert_books_hold()


async def test_a_partial_return_comes_off_the_debt_and_restores_the_line(
        client, admin, erp, line):
    await order(client, erp, "SO-1", w(30), cash=w(20))
    await ship(client, erp, "CK-1", "SO-1", w(50))  # 20w cash + 30w credit → debt 30w
    back = await call(client, "POST", "/returns", erp, {
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-20",
        "amount": w(10)}, status=201)
    assert (back["credit"], back["cash"]) == (w(10), w(0))
    shipment = (await call(client, "GET", "/orders/SO-1", admin))["shipments"][0]
    assert (shipment["returned"], shipment["debt"]["outstanding"],
            shipment["debt"]["returned"]) == (w(10), w(20), w(10))
    assert await available(client, admin, line["line"]) == w(80)
    assert (await _ledger(client, admin, line))["base_debt"] == w(20)
    # return what is left of the shipment: 20w still owed on the debt, 20w was cash
    rest = await call(client, "POST", "/returns", erp, {
        "number": "TH-2", "shipment_number": "CK-1", "return_date": "2021-01-21",
        "amount": w(40)}, status=201)
    assert (rest["credit"], rest["cash"]) == (w(20), w(20))
    debt = await Debt.get(shipment_id=shipment["id"])
    assert (debt.status, debt.outstanding) == ("returned", 0)
    assert await available(client, admin, line["line"]) == w(100)
    await refused(client, "POST", "/returns", erp, {
        "number": "TH-3", "shipment_number": "CK-1", "return_date": "2021-01-21",
        "amount": "0.01"}, code="return_exceeds_shipment")
    await assert_books_hold()


async def test_a_return_restores_a_one_shot_line_too(client, admin, erp):
    ids = await setup(client, admin)
    temporary = await grant(client, admin, ids, "temporary", w(50))
    await order(client, erp, "SO-1", w(50))
    await ship(client, erp, "CK-1", "SO-1", w(50))
    await call(client, "POST", "/returns", erp, {
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-20",
        "amount": w(20)}, status=201)
    assert await available(client, admin, temporary["id"]) == w(20)
    await assert_books_hold()


async def test_a_return_reversal_deducts_again(client, admin, erp, line):
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(60))
    await call(client, "POST", "/returns", erp, {
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-20",
        "amount": w(20)}, status=201)
    reversed_ = await call(client, "POST", "/returns/TH-1/reverse", erp)
    assert reversed_["status"] == "reversed"
    account = await call(client, "GET", f"/accounts/{line['line']}", admin)
    assert account["used"] == w(60)
    assert [o["op"] for o in account["operations"]][-2:] == ["restore", "deduct"]
    assert (await _ledger(client, admin, line))["base_debt"] == w(60)
    await call(client, "POST", "/returns/TH-1/reverse", erp)  # again: a no-op
    assert not await OutboxMessage.exists(kind="credit_overuse")
    await assert_books_hold()


async def test_a_return_reversal_without_room_owes_the_debt_again_and_alerts_the_overuse(
        client, admin, erp, line, fake, deliver):
    """The ERP has already reversed the return: Tally records the debt again, like the ERP,
    even past the line's limit — and tells the salesperson and the managers."""
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(60))
    await call(client, "POST", "/returns", erp, {
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-20",
        "amount": w(20)}, status=201)
    await order(client, erp, "SO-2", w(60))  # the room the return made is taken again

    reversed_ = await call(client, "POST", "/returns/TH-1/reverse", erp)

    assert reversed_["status"] == "reversed"
    shipment = (await call(client, "GET", "/orders/SO-1", admin))["shipments"][0]
    assert (shipment["returned"], shipment["debt"]["outstanding"]) == (w(0), w(60))
    assert (await _ledger(client, admin, line))["base_debt"] == w(60)
    account = await call(client, "GET", f"/accounts/{line['line']}", admin)
    assert (account["limit"], account["used"], account["frozen"], account["available"],
            account["over_limit"]) == (w(100), w(60), w(60), w(0), w(20))
    last = account["operations"][-1]
    assert (last["op"], last["amount"], last["used_after"]) == ("deduct", w(20), w(60))
    alerts = await OutboxMessage.filter(kind="credit_overuse").order_by("id")
    assert [(m.channel, m.recipient_name) for m in alerts] == [
        ("dingtalk", "李业务"), ("dingtalk_group", "管理群")]
    payload = alerts[0].payload
    assert (payload["customer"], payload["document"], payload["order"]) == (
        "联想", "TH-1", "SO-1")
    assert [(x["account_id"], x["limit"], x["taken"], x["over"]) for x in payload["lines"]] == [
        (line["line"], w(100), w(120), w(20))]
    await assert_books_hold()

    await deliver()
    [seller] = [s["param"] for s in fake.sent if s["kind"] == "batch"]
    assert seller["title"] == "授信超额占用：联想"
    assert "退货反审核 TH-1（发货单 CK-1，订单 SO-1），重新扣减授信¥200,000.00" in seller["text"]
    assert "额度¥1,000,000.00，已占用¥1,200,000.00，超出¥200,000.00" in seller["text"]
    [group] = [s["payload"]["text"]["content"] for s in fake.sent if s["kind"] == "group"]
    assert group.startswith("【授信超额占用】联想") and "超出¥200,000.00" in group


async def test_a_return_after_part_repayment_takes_only_what_is_owed_off_the_debt(
        client, admin, erp, finance, line):
    await order(client, erp, "SO-1", w(30))
    await ship(client, erp, "CK-1", "SO-1", w(30))
    await call(client, "POST", "/payments", finance, {
        "customer_id": line["c1"], "number": "SK-1", "amount": w(25),
        "received_on": "2021-02-01"}, status=201)
    back = await call(client, "POST", "/returns", erp, {
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-02-02",
        "amount": w(10)}, status=201)
    assert (back["credit"], back["cash"]) == (w(5), w(5))
    debt = (await call(client, "GET", f"/debts?customer_id={line['c1']}", admin))["items"][0]
    assert (debt["status"], debt["outstanding"], debt["repaid"]) == ("paid", w(0), w(25))
    assert await available(client, admin, line["line"]) == w(100)
    await call(client, "POST", "/returns/TH-1/reverse", erp)
    debt = (await call(client, "GET", f"/debts?customer_id={line['c1']}", admin))["items"][0]
    assert (debt["status"], debt["outstanding"]) == ("open", w(5))
    await assert_books_hold()


async def test_the_same_push_twice_is_one_document_and_a_different_one_conflicts(
        client, admin, erp, line):
    first = await order(client, erp, "SO-1", w(60))
    again = await order(client, erp, "SO-1", w(60), status=200)
    assert again["id"] == first["id"]
    await refused(client, "POST", "/orders", erp, {
        "number": "SO-1", "customer_code": "C001", "org_code": "YXY",
        "order_date": "2021-01-10", "amount": w(61), "credit": w(61)}, code="order_exists")
    await ship(client, erp, "CK-1", "SO-1", w(10))
    await ship(client, erp, "CK-1", "SO-1", w(10), status=200)
    await refused(client, "POST", "/shipments", erp, {
        "number": "CK-1", "order_number": "SO-1", "ship_date": "2021-01-15",
        "amount": w(11)}, code="shipment_exists")
    body = {"number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-20",
            "amount": w(1)}
    await call(client, "POST", "/returns", erp, body, status=201)
    await call(client, "POST", "/returns", erp, body, status=200)
    await refused(client, "POST", "/returns", erp, {**body, "amount": w(2)},
                  code="return_exists")
    assert await available(client, admin, line["line"]) == w(41)
    assert await CreditOperation.filter(op="freeze").count() == 1
    await assert_books_hold()


async def test_an_idempotency_key_replays_the_first_answer(client, admin, erp, line):
    headers = {**erp, "Idempotency-Key": "k-1"}
    body = {"number": "SO-1", "customer_code": "C001", "org_code": "YXY",
            "order_date": "2021-01-10", "amount": w(10), "credit": w(10)}
    first = await client.post("/api/backoffice/v1/credit/orders", json=body, headers=headers)
    second = await client.post("/api/backoffice/v1/credit/orders", json=body, headers=headers)
    assert (first.status, second.status) == (201, 201)
    assert second.headers.get("Idempotent-Replayed") == "true"


BAD_ORDERS = [
    ({"amount": w(10), "cash": w(1), "credit": w(10)}, 400, "bad_split"),
    ({"amount": w(0), "cash": w(0), "credit": w(0)}, 400, "bad_amount"),
    ({"amount": w(10), "cash": w(-1), "credit": w(11)}, 400, "bad_amount"),
    ({"amount": "十万", "credit": w(10)}, 400, "bad_amount"),
    ({"customer_code": "NOPE"}, 404, "customer_not_found"),
    ({"org_code": "NOPE"}, 400, "org_not_found"),
    ({"salesperson": "nobody"}, 404, "staff_not_found"),
    ({"order_date": "2021-13-01"}, 400, "bad_date"),
    ({"number": ""}, 400, "bad_number"),
]


@pytest.mark.parametrize("change,status,code", BAD_ORDERS)
async def test_a_bad_order_is_refused_and_nothing_is_frozen(client, admin, erp, line, change,
                                                            status, code):
    body = {"number": "SO-1", "customer_code": "C001", "org_code": "YXY",
            "order_date": "2021-01-10", "amount": w(10), "credit": w(10), **change}
    await refused(client, "POST", "/orders", erp, body, status=status, code=code)
    assert await available(client, admin, line["line"]) == w(100)


async def test_orders_on_a_disabled_org_or_an_expired_line_are_refused(client, admin, erp,
                                                                       line):
    late = {"number": "SO-1", "customer_code": "C001", "org_code": "YXY",
            "order_date": "2022-01-10", "amount": w(10), "credit": w(10)}
    await refused(client, "POST", "/orders", erp, late, code="credit_insufficient")
    await call(client, "PUT", "/orgs/YXY", admin, {"enabled": False})
    await refused(client, "POST", "/orders", erp, {**late, "order_date": "2021-01-10"},
                  code="org_disabled")


BAD_SHIPMENTS = [
    ({"order_number": "NOPE"}, 404, "order_not_found"),
    ({"amount": w(0)}, 400, "amount_not_positive"),
    ({"amount": w(61)}, 409, "shipment_exceeds_order"),
    ({"ship_date": "2021-01-09"}, 400, "ship_before_order"),
]


@pytest.mark.parametrize("change,status,code", BAD_SHIPMENTS)
async def test_a_bad_shipment_is_refused(client, admin, erp, line, change, status, code):
    await order(client, erp, "SO-1", w(60))
    body = {"number": "CK-1", "order_number": "SO-1", "ship_date": "2021-01-15",
            "amount": w(10), **change}
    await refused(client, "POST", "/shipments", erp, body, status=status, code=code)
    assert (await call(client, "GET", "/orders/SO-1", admin))["credit_left"] == w(60)


BAD_RETURNS = [
    ({"shipment_number": "NOPE"}, 404, "shipment_not_found"),
    ({"amount": w(0)}, 400, "amount_not_positive"),
    ({"amount": w(11)}, 409, "return_exceeds_shipment"),
    ({"return_date": "2021-01-14"}, 400, "return_before_shipment"),
]


@pytest.mark.parametrize("change,status,code", BAD_RETURNS)
async def test_a_bad_return_is_refused(client, admin, erp, line, change, status, code):
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(10))
    body = {"number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-20",
            "amount": w(5), **change}
    await refused(client, "POST", "/returns", erp, body, status=status, code=code)
    assert await available(client, admin, line["line"]) == w(40)


async def test_unknown_documents_to_act_on_are_404(client, admin, erp, line):
    for path in ("/orders/NOPE/cancel", "/orders/NOPE/close", "/shipments/NOPE/reverse",
                 "/returns/NOPE/reverse"):
        await refused(client, "POST", path, erp, status=404)
    await refused(client, "GET", "/orders/NOPE", admin, status=404)


async def test_only_the_erp_and_admins_push_documents(client, finance, make_key, line):
    sales = await sales_key(make_key, "sales-li")
    for headers in (finance, sales):
        await refused(client, "POST", "/orders", headers, {}, status=403,
                      code="role_forbidden")
