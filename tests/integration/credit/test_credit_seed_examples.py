"""Each worked example of seed 002's glossary and rule tables, through the back-office API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.credit import line_lifecycle
from domain.errors import Conflict
from tests.support import INGEST, post_ok
from tests.support.credit import (
    assert_books_hold,
    available,
    call,
    grant,
    order,
    refused,
    setup,
    ship,
    w,
)

ZHENGZHUANG = {"default": 90, "business_types": {"整装": 60, "零售": 30}}


async def test_use_order_annual_before_project_before_temporary(client, admin, erp):
    """额度使用优先级: annual 50w + project A 30w; order 30w under A → 20w / 30w; order 40w
    → 0 / 10w; temporary 20w granted, order 20w under A → 0 / 0 / temporary 10w."""
    ids = await setup(client, admin)
    annual = await grant(client, admin, ids, "annual", w(50))
    project = await grant(client, admin, ids, "project", w(30), project="A")

    await order(client, erp, "SO-1", w(30), project="A")
    assert await available(client, admin, annual["id"]) == w(20)
    assert await available(client, admin, project["id"]) == w(30)

    await order(client, erp, "SO-2", w(40), project="A")
    assert await available(client, admin, annual["id"]) == w(0)
    assert await available(client, admin, project["id"]) == w(10)

    # nothing is left for an order outside project A, so a temporary line may be applied for
    await line_lifecycle.check_application(customer_id=ids["c1"], org_id=ids["org"],
                                     type="temporary", amount=Decimal(w(20)), project=None,
                                     on=date(2021, 1, 10))
    temporary = await grant(client, admin, ids, "temporary", w(20))
    placed = await order(client, erp, "SO-3", w(20), project="A")
    assert await available(client, admin, annual["id"]) == w(0)
    assert await available(client, admin, project["id"]) == w(0)
    assert await available(client, admin, temporary["id"]) == w(10)
    assert [(c["account_id"], c["frozen"]) for c in placed["credits"]] == [
        (project["id"], w(10)), (temporary["id"], w(10))]
    await assert_books_hold()


async def test_a_temporary_line_may_not_be_applied_for_while_another_is_available(
        client, admin):
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", w(50))
    with pytest.raises(Conflict) as refusal:
        await line_lifecycle.check_application(customer_id=ids["c1"], org_id=ids["org"],
                                         type="temporary", amount=Decimal(w(20)), project=None,
                                         on=date(2021, 1, 10))
    assert refusal.value.code == "temporary_not_allowed"
    assert "¥500,000.00" in refusal.value.message


async def test_order_credit_is_refused_naming_what_is_short(client, admin, erp):
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", w(50))
    await grant(client, admin, ids, "project", w(30), project="A")
    error = await refused(client, "POST", "/orders", erp, {
        "number": "SO-9", "customer_code": "C001", "org_code": "YXY",
        "order_date": "2021-01-10", "amount": w(90), "credit": w(90), "project": "A"},
        code="credit_insufficient")
    assert "缺¥100,000.00" in error["message"]
    assert "年度授信¥500,000.00" in error["message"]
    assert error["detail"]["shortfall"] == w(10)
    # without the project only the annual line serves
    error = await refused(client, "POST", "/orders", erp, {
        "number": "SO-9", "customer_code": "C001", "org_code": "YXY",
        "order_date": "2021-01-10", "amount": w(60), "credit": w(60)},
        code="credit_insufficient")
    assert error["detail"]["available"] == w(50)
    await assert_books_hold()


async def test_debts_follow_shipments_cash_first_with_the_business_type_term(
        client, admin, erp):
    """欠款生成规则: 整装 60 days; order 100w = cash 20w + credit 80w on 2021-01-10; ship 50w on
    2021-01-15 → debt 30w due 2021-03-16; ship 50w on 2021-01-20 → debt 50w due 2021-03-21."""
    ids = await setup(client, admin, terms=ZHENGZHUANG)
    await grant(client, admin, ids, "annual", w(100))
    await order(client, erp, "SO-100", w(80), cash=w(20), business_type="整装")
    first = await ship(client, erp, "CK-1", "SO-100", w(50), day="2021-01-15")
    second = await ship(client, erp, "CK-2", "SO-100", w(50), day="2021-01-20")
    assert (first["cash"], first["credit"]) == (w(20), w(30))
    assert (first["debt"]["amount"], first["debt"]["debt_date"], first["debt"]["due_date"],
            first["debt"]["term_days"]) == (w(30), "2021-01-15", "2021-03-16", 60)
    assert (second["cash"], second["credit"]) == (w(0), w(50))
    assert (second["debt"]["amount"], second["debt"]["due_date"]) == (w(50), "2021-03-21")
    placed = await call(client, "GET", "/orders/SO-100", admin)
    assert placed["status"] == "shipped" and placed["credit_left"] == w(0)
    ledger = await call(client, "GET", f"/customers/{ids['c1']}/ledger", admin)
    assert (ledger["base_debt"], ledger["outstanding"], ledger["balanced"]) == (
        w(80), w(80), True)
    await assert_books_hold()


async def test_a_mixed_order_makes_one_debt_record_per_shipment(client, admin, erp):
    """借款记录 / 应收优先使用现金: order 50w = cash 20w + credit 30w; ship 30w → debt 10w;
    ship 20w → debt 20w; two debt records."""
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", w(50))
    await order(client, erp, "SO-50", w(30), cash=w(20))
    first = await ship(client, erp, "CK-1", "SO-50", w(30))
    second = await ship(client, erp, "CK-2", "SO-50", w(20), day="2021-01-16")
    assert first["debt"]["amount"] == w(10) and second["debt"]["amount"] == w(20)
    debts = await call(client, "GET", f"/debts?customer_id={ids['c1']}", admin)
    assert [d["amount"] for d in debts["items"]] == [w(10), w(20)]
    assert debts["items"][0]["due_date"] == "2021-04-15"  # default term 90 days
    await assert_books_hold()


@pytest.mark.parametrize("type,after_repaying", [("annual", w(50)), ("temporary", w(0))])
async def test_a_revolving_line_comes_back_on_repayment_a_one_shot_line_does_not(
        client, admin, erp, type, after_repaying):
    """固定额度 / 临时额度: 100w; order 80w → 20w left; order 20w → 0; repay 50w → 50w (固定)
    or 0 (临时, 额度不能恢复)."""
    ids = await setup(client, admin)
    line = await grant(client, admin, ids, type, w(100))
    await order(client, erp, "SO-1", w(80))
    assert await available(client, admin, line["id"]) == w(20)
    await order(client, erp, "SO-2", w(20))
    assert await available(client, admin, line["id"]) == w(0)
    await ship(client, erp, "CK-1", "SO-1", w(80))
    await ship(client, erp, "CK-2", "SO-2", w(20))
    payment = await call(client, "POST", "/payments", admin, {  # receipts are finance's
        "customer_id": ids["c1"], "number": "SK-1", "amount": w(50),
        "received_on": "2021-02-01"}, status=201)
    assert payment["repayment"] == w(50)
    assert await available(client, admin, line["id"]) == after_repaying
    detail = await call(client, "GET", f"/accounts/{line['id']}", admin)
    ops = [(o["op"], o["amount"]) for o in detail["operations"]]
    assert ops[:5] == [("grant", w(100)), ("freeze", w(80)), ("freeze", w(20)),
                       ("use", w(80)), ("use", w(20))]
    if type == "annual":
        assert ops[5:] == [("return", w(50))]
        assert detail["operations"][-1]["available_after"] == w(50)
    else:
        assert ops[5:] == []
    await assert_books_hold()


async def test_money_received_goes_through_the_repayment_account(client, admin, erp,
                                                                 finance):
    """还款账户: base account −2000, 1500 received → base −500; the 1500 goes into the
    repayment account; outstanding credit debt − repayment balance = base debt throughout."""
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", "5000.00")
    await order(client, erp, "SO-1", "2000.00")
    await ship(client, erp, "CK-1", "SO-1", "2000.00")
    ledger = await call(client, "GET", f"/customers/{ids['c1']}/ledger", admin)
    assert (ledger["base_debt"], ledger["repayment_balance"]) == ("2000.00", "0.00")

    await call(client, "POST", "/payments", finance, {
        "customer_id": ids["c1"], "number": "SK-1", "amount": "1500.00",
        "received_on": "2021-02-01", "allocate": False}, status=201)
    ledger = await call(client, "GET", f"/customers/{ids['c1']}/ledger", admin)
    assert (ledger["base_debt"], ledger["repayment_balance"], ledger["outstanding"],
            ledger["balanced"]) == ("500.00", "1500.00", "2000.00", True)
    await assert_books_hold()

    paid = await call(client, "POST", "/repayments", finance, {"customer_id": ids["c1"]},
                      status=201)
    assert [r["amount"] for r in paid["items"]] == ["1500.00"]
    ledger = await call(client, "GET", f"/customers/{ids['c1']}/ledger", admin)
    assert (ledger["base_debt"], ledger["repayment_balance"], ledger["outstanding"]) == (
        "500.00", "0.00", "500.00")
    await assert_books_hold()


async def test_terms_by_business_type_default_and_a_project_line_of_its_own(
        client, admin, erp):
    """账期规则: 整装 60, 零售 30, default 90; a project line granted with 120 days."""
    ids = await setup(client, admin, terms=ZHENGZHUANG)
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "C003", "name": "三号客户", "salesperson": "sales-li"}]})
    terms = await call(client, "GET", "/terms", admin)
    assert terms == {"default": 90, "business_types": {"整装": 60, "零售": 30}}
    await grant(client, admin, ids, "annual", w(100))
    await grant(client, admin, ids, "annual", w(100), customer="c2")
    await grant(client, admin, ids, "project", w(100), project="P-120", term_days=120)
    cases = [("A", "C001", "整装", None, 60), ("B", "C002", "零售", None, 30),
             ("D", "C001", "", None, 90), ("C", "C001", "", "P-120", 120)]
    for name, customer, business_type, project, term in cases:
        extra = {"business_type": business_type}
        if project:
            extra["project"] = project
        credit = w(170) if project else w(10)  # annual 80w left: mostly the project line
        await order(client, erp, f"SO-{name}", credit, customer=customer, **extra)
        shipped = await ship(client, erp, f"CK-{name}", f"SO-{name}", credit)
        assert shipped["debt"]["term_days"] == term, name
    await assert_books_hold()


async def test_an_org_budget_caps_use_though_lines_granted_exceed_it(client, admin, erp):
    """额度分配规则 scaled down 100×: budget 100w, five dealers granted 50w each (250w in
    all); once use reaches 100w no further credit order passes, whatever a dealer has left."""
    ids = await setup(client, admin, budget=w(100))
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": f"C00{i}", "name": f"经销商{i}", "salesperson": "sales-li"} for i in (3, 4, 5)]})
    customers = {c["code"]: c["id"] for c in (await (await client.get(
        "/api/backoffice/v1/customers", headers=admin)).json())["items"]}
    for code in ("C001", "C002", "C003", "C004", "C005"):
        ids[code] = customers[code]
        await grant(client, admin, ids, "annual", w(50), customer=code)
    await order(client, erp, "SO-1", w(50), customer="C001")
    await order(client, erp, "SO-2", w(30), customer="C002")
    await order(client, erp, "SO-3", w(20), customer="C003")
    error = await refused(client, "POST", "/orders", erp, {
        "number": "SO-4", "customer_code": "C004", "org_code": "YXY",
        "order_date": "2021-01-10", "amount": w(1), "credit": w(1)}, code="org_budget_exceeded")
    assert "剩余¥0.00" in error["message"]
    orgs = await call(client, "GET", "/orgs", admin)
    assert (orgs["items"][0]["frozen"], orgs["items"][0]["left"]) == (w(100), w(0))
    # closing an order frees the budget for the others
    await call(client, "POST", "/orders/SO-3/close", erp)
    await order(client, erp, "SO-4", w(20), customer="C004")
    await assert_books_hold()


async def test_the_enterprise_annual_total_caps_all_orgs(client, admin, erp):
    ids = await setup(client, admin)
    await call(client, "PUT", "/budget/2021", admin, {"total": w(60)})
    await grant(client, admin, ids, "annual", w(100))
    await order(client, erp, "SO-1", w(50))
    error = await refused(client, "POST", "/orders", erp, {
        "number": "SO-2", "customer_code": "C001", "org_code": "YXY",
        "order_date": "2021-01-10", "amount": w(20), "credit": w(20)},
        code="enterprise_budget_exceeded")
    assert "企业2021年度授信总额" in error["message"]
    await order(client, erp, "SO-2", w(10))
    orgs = await call(client, "GET", "/orgs", admin)
    assert orgs["budgets"] == [{"year": 2021, "total": w(60), "used": w(0), "frozen": w(60),
                                "left": w(0)}]
    await refused(client, "PUT", "/budget/2021", admin, {"total": w(50)},
                  code="budget_below_use")
