"""Shared steps of the credit tests (no tests here): an org, lines, orders, shipments and the
checks that the books hold, all through the back-office API."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from domain.credit import rules
from domain.credit.models import CreditLedger, CreditLine, CreditOperation, Debt, SalesOrg
from domain.money import ZERO
from domain.notices.catalogue import Kind
from domain.notices.models import OutboxMessage
from tests.support import API, seed
from tests.support import call as api_call

CREDIT = f"{API}/credit"
WAN = Decimal(10_000)


def w(amount) -> str:
    """万 → an amount string: w(50) == '500000.00'."""
    return f"{Decimal(str(amount)) * WAN:.2f}"


# The one back-office caller, below the credit prefix.
call = partial(api_call, base=CREDIT)


async def refused(client, method, path, headers, json=None, status=409, code=None):
    body = await call(client, method, path, headers, json, status)
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


async def setup(client, admin, budget="100000000.00", terms=None) -> dict:
    """Customers C001 (联想, sales-li) and C002, org YXY; returns ids by name."""
    customers = await seed(client, admin)
    org = await call(client, "PUT", "/orgs/YXY", admin, {"name": "亚细亚陶瓷", "budget": budget},
                     status=201)
    if terms:
        await call(client, "PUT", "/terms", admin, terms)
    return {"c1": customers["C001"]["id"], "c2": customers["C002"]["id"], "org": org["id"]}


async def grant(client, admin, ids, type, limit, customer="c1", **extra) -> dict:
    body = {"customer_id": ids[customer], "org_id": ids["org"], "type": type, "limit": limit,
            "valid_from": "2021-01-01", "valid_to": "2021-12-31", **extra}
    return await call(client, "POST", "/accounts", admin, body, status=201)


async def order(client, erp, number, credit, cash="0.00", customer="C001", status=201,
                **extra):
    amount = f"{Decimal(cash) + Decimal(credit):.2f}"
    body = {"number": number, "customer_code": customer, "org_code": "YXY",
            "order_date": "2021-01-10", "amount": amount, "cash": cash, "credit": credit,
            **extra}
    return await call(client, "POST", "/orders", erp, body, status=status)


async def ship(client, erp, number, order_number, amount, day="2021-01-15", status=201):
    body = {"number": number, "order_number": order_number, "ship_date": day,
            "amount": amount}
    return await call(client, "POST", "/shipments", erp, body, status=status)


async def available(client, headers, account_id, on="2021-06-01") -> str:
    return (await call(client, "GET", f"/accounts/{account_id}?on={on}", headers))["available"]


async def assert_books_hold() -> None:
    """Seed 002's invariants on every customer, line and org, and each line's last operation
    matching the line."""
    for ledger in await CreditLedger.all():
        debts = await Debt.filter(customer_id=ledger.customer_id, status="open")
        outstanding = sum((d.outstanding for d in debts), ZERO)
        assert rules.ledger_gap(outstanding, ledger.repayment_balance, ledger.base_debt) == 0, (
            ledger.customer_id, outstanding, ledger.repayment_balance, ledger.base_debt)
        assert ledger.base_debt >= 0 and ledger.repayment_balance >= 0
    lines = await CreditLine.all()
    alerted = await _overuse_alerted()
    for line in lines:
        assert 0 <= line.used and 0 <= line.frozen
        assert line.used + line.frozen <= line.limit or line.id in alerted["lines"], line.number
        last = await CreditOperation.filter(account_id=line.id).order_by("-id").first()
        assert (last.limit_after, last.used_after, last.frozen_after) == (
            line.limit, line.used, line.frozen), line.number
    for org in await SalesOrg.all():
        mine = [line for line in lines if line.org_id == org.id]
        assert org.used == sum((line.used for line in mine), ZERO)
        assert org.frozen == sum((line.frozen for line in mine), ZERO)
        assert org.used + org.frozen <= org.budget or org.code in alerted["orgs"], org.code


async def _overuse_alerted() -> dict[str, set]:
    """The lines and orgs an over-use alert named: only these may be past their limit."""
    named: dict[str, set] = {"lines": set(), "orgs": set()}
    for payload in await OutboxMessage.filter(kind=Kind.CREDIT_OVERUSE).values_list("payload",
                                                                               flat=True):
        named["lines"].update(line["account_id"] for line in payload["lines"])
        if payload["org"]:
            named["orgs"].add(payload["org"]["code"])
    return named


async def sales_key(make_key, userid: str) -> dict:
    from domain.org.models import Staff

    return await make_key("sales", (await Staff.get(dingtalk_userid=userid)).id)
