"""Credit lines, orgs, terms, payments and repayments: finance's side, its refusals, and who
may see what."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from domain.credit import line_lifecycle
from domain.credit.models import CreditReceipt, Debt, Repayment
from domain.errors import Conflict, Invalid, NotFound
from domain.system.models import AuditLog
from tests.conftest import SHANGHAI
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

NOW = datetime(2021, 3, 1, 10, 0, tzinfo=SHANGHAI)


# --- orgs, budget, terms ---------------------------------------------------------------------


async def test_an_org_is_created_then_renamed_rebudgeted_and_disabled(client, admin):
    created = await call(client, "PUT", "/orgs/YXG", admin, {"name": "亚股", "budget": w(10)},
                         status=201)
    assert (created["code"], created["budget"], created["enabled"]) == ("YXG", w(10), True)
    changed = await call(client, "PUT", "/orgs/YXG", admin, {"name": "亚细亚股份",
                                                             "budget": w(20), "enabled": False})
    assert (changed["name"], changed["budget"], changed["enabled"]) == (
        "亚细亚股份", w(20), False)
    assert (await call(client, "GET", "/orgs", admin))["items"] == [changed]


@pytest.mark.parametrize("body,status,code", [
    ({}, 400, "missing_field"),
    ({"name": " ", "budget": w(1)}, 400, "bad_org_name"),
    ({"name": "亚股", "budget": "-1.00"}, 400, "bad_amount"),
    ({"name": "亚股", "budget": "1.001"}, 400, "bad_amount"),
    ({"name": "亚股", "enabled": "yes"}, 400, "bad_field"),
])
async def test_a_bad_org_is_refused(client, admin, body, status, code):
    await refused(client, "PUT", "/orgs/YXG", admin, body, status=status, code=code)


async def test_an_org_budget_cannot_drop_below_what_is_used(client, admin, erp):
    ids = await setup(client, admin, budget=w(100))
    await grant(client, admin, ids, "annual", w(100))
    await order(client, erp, "SO-1", w(60))
    error = await refused(client, "PUT", "/orgs/YXY", admin, {"budget": w(50)},
                          code="budget_below_use")
    assert "¥600,000.00" in error["message"]
    await call(client, "PUT", "/orgs/YXY", admin, {"budget": w(60)})


async def test_terms_default_to_90_days_and_can_be_set_and_removed(client, admin):
    assert await call(client, "GET", "/terms", admin) == {"default": 90, "business_types": {}}
    await call(client, "PUT", "/terms", admin, {"default": 45,
                                               "business_types": {"整装": 60, "零售": 30}})
    after = await call(client, "PUT", "/terms", admin, {"business_types": {"零售": None}})
    assert after == {"default": 45, "business_types": {"整装": 60}}


@pytest.mark.parametrize("body,code", [
    ({"default": 0}, "bad_term_days"), ({"default": 366}, "bad_term_days"),
    ({"default": "90"}, "bad_term_days"), ({"business_types": {"整装": 400}}, "bad_term_days"),
    ({"business_types": {" ": 30}}, "bad_business_type"), ({"business_types": []}, "bad_field"),
])
async def test_bad_terms_are_refused(client, admin, body, code):
    await refused(client, "PUT", "/terms", admin, body, status=400, code=code)
    assert await call(client, "GET", "/terms", admin) == {"default": 90, "business_types": {}}


async def test_a_bad_budget_year_or_total_is_refused(client, admin):
    await refused(client, "PUT", "/budget/1999", admin, {"total": w(1)}, status=400,
                  code="bad_year")
    await refused(client, "PUT", "/budget/2021", admin, {"total": "-1.00"}, status=400,
                  code="bad_amount")
    await refused(client, "PUT", "/budget/2021", admin, {}, status=400, code="missing_field")


# --- lines -----------------------------------------------------------------------------------


@pytest.mark.parametrize("change,status,code", [
    ({"type": "weekly"}, 400, "bad_credit_type"),
    ({"limit": "0.00"}, 400, "amount_not_positive"),
    ({"type": "project"}, 400, "project_required"),
    ({"valid_from": "2022-01-01"}, 400, "bad_validity"),
    ({"term_days": 400}, 400, "bad_term_days"),
    ({"type": "direct_use"}, 400, "parent_required"),
    ({"parent_id": 1}, 400, "parent_not_allowed"),
    ({"org_id": 99999}, 400, "org_not_found"),
    ({"customer_id": 99999}, 404, "customer_not_found"),
    ({"customer_id": "1"}, 400, "bad_field"),
])
async def test_a_bad_grant_is_refused(client, admin, change, status, code):
    ids = await setup(client, admin)
    body = {"customer_id": ids["c1"], "org_id": ids["org"], "type": "annual", "limit": w(10),
            "valid_from": "2021-01-01", "valid_to": "2021-12-31", **change}
    await refused(client, "POST", "/accounts", admin, body, status=status, code=code)
    assert (await call(client, "GET", "/accounts", admin))["items"] == []


async def test_only_admins_grant_directly(client, admin, finance, erp):
    ids = await setup(client, admin)
    for headers in (finance, erp):
        await refused(client, "POST", "/accounts", headers, {"customer_id": ids["c1"]},
                      status=403, code="role_forbidden")


async def test_an_admins_direct_grant_of_a_temporary_line_follows_the_application_rule(
        client, admin):
    """Seed 002: a temporary line only when nothing else is available — granted directly too,
    unless the admin overrides it explicitly, with a reason that goes into the audit trail."""
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", w(50), valid_from="2026-01-01",
                valid_to="2026-12-31")  # in force on the clock's day, 2026-11-23
    temporary = {"customer_id": ids["c1"], "org_id": ids["org"], "type": "temporary",
                 "limit": w(20), "valid_from": "2026-11-01", "valid_to": "2026-12-31"}

    error = await refused(client, "POST", "/accounts", admin, temporary,
                          code="temporary_not_allowed")
    assert "¥500,000.00" in error["message"] and "override_reason" in error["message"]
    await refused(client, "POST", "/accounts", admin, {**temporary, "override_reason": " "},
                  status=400, code="bad_field")
    assert [a["type"] for a in (await call(client, "GET", "/accounts", admin))["items"]] == [
        "annual"]
    assert not await AuditLog.exists(entity="credit_account")

    granted = await call(client, "POST", "/accounts", admin,
                         {**temporary, "override_reason": "年度额度调整审批中，先发临时额度"},
                         status=201)
    [log] = await AuditLog.filter(entity="credit_account", entity_id=str(granted["id"]))
    assert (log.action, log.actor) == ("grant_override", "staff:test admin")
    assert log.detail == {"rule": "temporary_not_allowed", "type": "temporary",
                          "limit": w(20), "available": w(50), "number": granted["number"],
                          "reason": "年度额度调整审批中，先发临时额度"}


async def test_a_stopped_line_serves_no_order_until_started_again(client, admin, erp):
    ids = await setup(client, admin)
    line = await grant(client, admin, ids, "annual", w(10), valid_to="2099-12-31")
    stopped = await call(client, "POST", f"/accounts/{line['id']}/status", admin,
                         {"status": "frozen"})
    assert (stopped["status"], stopped["status_label"]) == ("frozen", "停用")
    await refused(client, "POST", "/orders", erp, {
        "number": "SO-1", "customer_code": "C001", "org_code": "YXY",
        "order_date": "2021-01-10", "amount": w(1), "credit": w(1)}, code="credit_insufficient")
    await call(client, "POST", f"/accounts/{line['id']}/status", admin, {"status": "active"})
    await order(client, erp, "SO-1", w(1))
    detail = await call(client, "GET", f"/accounts/{line['id']}", admin)
    assert [o["op"] for o in detail["operations"]] == ["grant", "status", "status", "freeze"]


async def test_a_line_expires_only_after_its_validity_and_a_closed_one_stays_closed(
        client, admin, erp, clock):
    ids = await setup(client, admin)
    current = await grant(client, admin, ids, "annual", w(10), valid_to="2099-12-31")
    await refused(client, "POST", f"/accounts/{current['id']}/status", admin,
                  {"status": "expired"}, code="not_expired")
    old = await grant(client, admin, ids, "annual", w(10))  # valid to 2021-12-31
    expired = await call(client, "POST", f"/accounts/{old['id']}/status", admin,
                         {"status": "expired"})
    assert expired["status"] == "expired"
    await refused(client, "POST", f"/accounts/{old['id']}/status", admin,
                  {"status": "active"}, code="account_expired")
    await order(client, erp, "SO-1", w(1), order_date="2026-11-20")
    await refused(client, "POST", f"/accounts/{current['id']}/status", admin,
                  {"status": "closed"}, code="account_has_frozen")
    await call(client, "POST", "/orders/SO-1/close", erp)
    await call(client, "POST", f"/accounts/{current['id']}/status", admin, {"status": "closed"})
    await refused(client, "POST", f"/accounts/{current['id']}/status", admin,
                  {"status": "active"}, code="account_closed")
    await refused(client, "POST", f"/accounts/{current['id']}/status", admin,
                  {"status": "gone"}, status=400, code="bad_status")


async def test_a_limit_changes_but_never_below_what_is_taken(client, admin, erp):
    ids = await setup(client, admin)
    line = await grant(client, admin, ids, "annual", w(10))
    await order(client, erp, "SO-1", w(6))
    raised = await call(client, "POST", f"/accounts/{line['id']}/limit", admin,
                        {"limit": w(20)})
    assert (raised["limit"], await available(client, admin, line["id"])) == (w(20), w(14))
    await refused(client, "POST", f"/accounts/{line['id']}/limit", admin, {"limit": w(5)},
                  code="limit_below_use")
    await refused(client, "POST", f"/accounts/{line['id']}/limit", admin, {"limit": "0"},
                  status=400, code="amount_not_positive")
    detail = await call(client, "GET", f"/accounts/{line['id']}", admin)
    assert (detail["operations"][-1]["op"], detail["operations"][-1]["amount"],
            detail["operations"][-1]["limit_after"]) == ("limit", w(10), w(20))
    await assert_books_hold()


async def test_a_direct_use_line_is_carved_out_of_the_upstream_direct_line(client, admin,
                                                                           erp):
    ids = await setup(client, admin)
    direct = await grant(client, admin, ids, "direct", w(100), valid_to="2099-12-31")
    await refused(client, "POST", "/accounts", admin, {
        "customer_id": ids["c2"], "org_id": ids["org"], "type": "direct_use", "limit": w(101),
        "parent_id": direct["id"]}, code="credit_insufficient")
    annual = await grant(client, admin, ids, "annual", w(10), customer="c2")
    await refused(client, "POST", "/accounts", admin, {
        "customer_id": ids["c1"], "org_id": ids["org"], "type": "direct_use", "limit": w(1),
        "parent_id": annual["id"]}, status=400, code="parent_not_direct")
    await refused(client, "POST", "/accounts", admin, {
        "customer_id": ids["c1"], "org_id": ids["org"], "type": "direct_use", "limit": w(1),
        "parent_id": direct["id"]}, status=400, code="parent_same_customer")
    child = await grant(client, admin, ids, "direct_use", w(40), customer="c2",
                        parent_id=direct["id"])
    assert await available(client, admin, direct["id"]) == w(60)
    await order(client, erp, "SO-1", w(45), customer="C002")  # annual 10w, then direct-use 35w
    await ship(client, erp, "CK-1", "SO-1", w(45))
    await call(client, "POST", f"/accounts/{child['id']}/status", admin, {"status": "closed"})
    assert await available(client, admin, direct["id"]) == w(65)
    await assert_books_hold()


async def test_check_application_refuses_what_may_not_start(client, admin):
    ids = await setup(client, admin)
    await call(client, "PUT", "/orgs/OFF", admin, {"name": "停用销区", "enabled": False},
               status=201)
    off = (await call(client, "GET", "/orgs", admin))["items"][0]
    args = {"customer_id": ids["c1"], "org_id": ids["org"], "type": "annual",
            "amount": Decimal(w(10)), "project": None, "on": NOW.date()}
    await line_lifecycle.check_application(**args)
    for change, error, code in [
        ({"org_id": off["id"]}, Conflict, "org_disabled"),
        ({"org_id": 99999}, Invalid, "org_not_found"),
        ({"type": "monthly"}, Invalid, "bad_credit_type"),
        ({"amount": Decimal("0")}, Invalid, "amount_not_positive"),
        ({"type": "project"}, Invalid, "project_required"),
        ({"customer_id": 99999}, NotFound, "customer_not_found"),
    ]:
        with pytest.raises(error) as refusal:
            await line_lifecycle.check_application(**{**args, **change})
        assert refusal.value.code == code


# --- debts: term change ----------------------------------------------------------------------


async def test_a_debts_term_is_changed_from_its_debt_date(client, admin, erp):
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", w(10))
    await order(client, erp, "SO-1", w(10))
    shipped = await ship(client, erp, "CK-1", "SO-1", w(10))
    debt = await line_lifecycle.set_debt_term(debt_id=shipped["debt"]["id"], term_days=365,
                                        actor="staff:财务", now=NOW)
    assert (debt.term_days, debt.due_date.isoformat()) == (365, "2022-01-15")
    for days in (0, 366):
        with pytest.raises(Invalid):
            await line_lifecycle.set_debt_term(debt_id=debt.id, term_days=days, actor="x", now=NOW)
    with pytest.raises(NotFound):
        await line_lifecycle.set_debt_term(debt_id=99999, term_days=30, actor="x", now=NOW)
    await call(client, "POST", "/returns", erp, {
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-20",
        "amount": w(10)}, status=201)
    with pytest.raises(Conflict):
        await line_lifecycle.set_debt_term(debt_id=debt.id, term_days=30, actor="x", now=NOW)


# --- payments and repayments -----------------------------------------------------------------


@pytest.fixture
async def two_debts(client, admin, erp):
    """A 10w debt due 2021-04-10 and a 20w one due 2021-04-15 on one annual line."""
    ids = await setup(client, admin)
    line = await grant(client, admin, ids, "annual", w(100))
    await order(client, erp, "SO-1", w(30))
    await ship(client, erp, "CK-2", "SO-1", w(20), day="2021-01-15")
    await ship(client, erp, "CK-1", "SO-1", w(10), day="2021-01-10")
    return {**ids, "line": line["id"]}


async def test_a_payment_splits_into_deposit_repayment_and_remainder(client, admin, finance,
                                                                     two_debts):
    paid = await call(client, "POST", "/payments", finance, {
        "customer_id": two_debts["c1"], "number": "SK-1", "amount": w(50),
        "received_on": "2021-02-01", "deposit": w(5), "payer": "联想"}, status=201)
    assert (paid["deposit"], paid["repayment"], paid["remainder"]) == (w(5), w(30), w(15))
    ledger = await call(client, "GET", f"/customers/{two_debts['c1']}/ledger", admin)
    assert (ledger["base_debt"], ledger["repayment_balance"], ledger["deposit"],
            ledger["unapplied"], ledger["debts"]) == (w(0), w(0), w(5), w(15), [])
    assert await available(client, admin, two_debts["line"]) == w(100)
    await assert_books_hold()


async def test_a_payment_pays_the_oldest_due_debt_first(client, admin, finance, two_debts):
    await call(client, "POST", "/payments", finance, {
        "customer_id": two_debts["c1"], "number": "SK-1", "amount": w(15),
        "received_on": "2021-02-01"}, status=201)
    debts = (await call(client, "GET", f"/debts?customer_id={two_debts['c1']}", admin))["items"]
    assert [(d["due_date"], d["status"], d["outstanding"]) for d in debts] == [
        ("2021-04-10", "paid", w(0)), ("2021-04-15", "open", w(15))]
    assert [d["stage"] for d in debts if d["status"] == "open"] == ["overdue"]  # on 2026-11-23
    assert await available(client, admin, two_debts["line"]) == w(85)
    await assert_books_hold()


async def test_finance_allocates_by_hand_within_the_balance_and_the_debt(client, admin,
                                                                         finance, two_debts):
    await call(client, "POST", "/payments", finance, {
        "customer_id": two_debts["c1"], "number": "SK-1", "amount": w(12),
        "received_on": "2021-02-01", "allocate": False}, status=201)
    later = await Debt.get(due_date="2021-04-15")
    earlier = await Debt.get(due_date="2021-04-10")
    await refused(client, "POST", "/repayments", finance, {
        "customer_id": two_debts["c1"], "parts": [{"debt_id": later.id, "amount": w(13)}]},
        code="repayment_exceeds_balance")
    await refused(client, "POST", "/repayments", finance, {
        "customer_id": two_debts["c1"], "parts": [{"debt_id": earlier.id, "amount": w(11)}]},
        code="repayment_exceeds_outstanding")
    await refused(client, "POST", "/repayments", finance, {
        "customer_id": two_debts["c1"], "parts": [{"debt_id": 99999, "amount": w(1)}]},
        status=404, code="debt_not_found")
    await refused(client, "POST", "/repayments", finance, {
        "customer_id": two_debts["c1"], "parts": [{"debt_id": later.id, "amount": w(1)},
                                                  {"debt_id": later.id, "amount": w(1)}]},
        status=400, code="duplicate_debt")
    await refused(client, "POST", "/repayments", finance, {
        "customer_id": two_debts["c1"], "parts": [{"debt_id": later.id, "amount": "0"}]},
        status=400, code="amount_not_positive")
    paid = await call(client, "POST", "/repayments", finance, {
        "customer_id": two_debts["c1"], "parts": [{"debt_id": later.id, "amount": w(12)}]},
        status=201)
    assert paid["items"][0]["manual"] is True
    assert (await Debt.get(id=later.id)).outstanding == Decimal(w(8))
    await refused(client, "POST", "/repayments", finance, {"customer_id": two_debts["c1"]},
                  code="repayment_balance_empty")
    await assert_books_hold()


async def test_a_payment_is_idempotent_by_number(client, admin, finance, two_debts):
    body = {"customer_id": two_debts["c1"], "number": "SK-1", "amount": w(5),
            "received_on": "2021-02-01"}
    first = await call(client, "POST", "/payments", admin, body, status=201)
    again = await call(client, "POST", "/payments", finance, body, status=201)
    assert again["id"] == first["id"]
    await refused(client, "POST", "/payments", finance, {**body, "amount": w(6)},
                  code="payment_exists")
    assert await CreditReceipt.all().count() == 1 and await Repayment.all().count() == 1
    await assert_books_hold()


@pytest.mark.parametrize("change,status,code", [
    ({"amount": "0"}, 400, "amount_not_positive"),
    ({"deposit": "-1.00"}, 400, "bad_split"),
    ({"deposit": w(3), "repayment": w(3)}, 400, "bad_split"),
    ({"repayment": w(5), "amount": w(50)}, 201, None),
    ({"repayment": w(31), "amount": w(50)}, 409, "repayment_exceeds_debt"),
    ({"number": ""}, 400, "bad_number"),
    ({"customer_id": 99999}, 404, "customer_not_found"),
    ({"received_on": "02/01/2021"}, 400, "bad_date"),
    ({"allocate": "no"}, 400, "bad_field"),
])
async def test_a_bad_payment_is_refused_and_books_nothing(client, admin, finance, two_debts,
                                                          change, status, code):
    body = {"customer_id": two_debts["c1"], "number": "SK-1", "amount": w(5),
            "received_on": "2021-02-01", **change}
    if code is None:
        paid = await call(client, "POST", "/payments", finance, body, status=status)
        assert (paid["repayment"], paid["remainder"]) == (w(5), w(45))
        return
    await refused(client, "POST", "/payments", finance, body, status=status, code=code)
    assert await CreditReceipt.all().count() == 0
    await assert_books_hold()


async def test_a_payment_with_no_debt_is_all_remainder(client, admin, finance):
    ids = await setup(client, admin)
    paid = await call(client, "POST", "/payments", finance, {
        "customer_id": ids["c2"], "number": "SK-1", "amount": w(5),
        "received_on": "2021-02-01"}, status=201)
    assert (paid["repayment"], paid["remainder"]) == (w(0), w(5))


# --- who sees what ---------------------------------------------------------------------------


async def test_sales_see_only_their_own_customers_lines_and_debts(client, admin, erp,
                                                                  make_key, two_debts):
    other = await grant(client, admin, two_debts, "annual", w(1), customer="c2")
    li = await sales_key(make_key, "sales-li")  # C001's salesperson
    wang = await sales_key(make_key, "sales-wang")
    mine = await call(client, "GET", "/accounts", li)
    assert [a["customer_id"] for a in mine["items"]] == [two_debts["c1"]]
    assert len((await call(client, "GET", "/debts", li))["items"]) == 2
    assert (await call(client, "GET", "/debts", wang))["items"] == []
    await call(client, "GET", f"/accounts/{other['id']}", wang)
    await refused(client, "GET", f"/accounts/{other['id']}", li, status=404)
    await refused(client, "GET", f"/customers/{two_debts['c1']}/ledger", wang, status=404)
    await refused(client, "GET", "/orders/SO-1", wang, status=404)
    await call(client, "GET", "/orders/SO-1", li)
    for method, path in (("POST", "/payments"), ("POST", "/repayments"),
                         ("PUT", "/terms"), ("PUT", "/orgs/X")):
        await refused(client, method, path, li, {}, status=403, code="role_forbidden")
    await refused(client, "GET", "/debts?status=late", admin, status=400, code="bad_status")
