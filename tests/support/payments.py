"""Shared set-up of the payments-pool tests: staff (the salesperson and the holders of the
write-off's two role nodes), customers with invoice info through the ingest API, products and
bills, and callers of the back-office API."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.approvals.models import ApprovalTask
from domain.billing.models import Bill, Product, UsageAccount
from domain.customers.models import Customer
from tests.conftest import SHANGHAI
from tests.support import API, INGEST, call, post_ok
from tests.support.approvals import org_chart

__all__ = ["API", "call"]  # re-exported: the payments tests import them from here
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
_codes = itertools.count(1)

STAFF = [
    {"userid": "mgr-zhao", "name": "赵经理"},
    {"userid": "sales-wang", "name": "王业务", "manager_userid": "mgr-zhao"},
    {"userid": "sales-li", "name": "李业务", "manager_userid": "mgr-zhao"},
    {"userid": "div-qian", "name": "钱总", "roles": ["销售事业部总"]},
    {"userid": "hq-sun", "name": "孙财务", "roles": ["财务(总部)", "财务部PFC"]},
]
CUSTOMERS = [
    {"code": "C001", "name": "上海明辉商贸有限公司", "salesperson": "sales-wang",
     "invoice": {"company": "上海明辉（集团）有限公司", "tax_id": "91310000MA1",
                 "address": "上海市", "phone": "021-1234", "bank": "工商银行", "account": "6222"}},
    {"code": "C002", "name": "联想", "salesperson": "sales-li",
     "invoice": {"company": "联想（北京）有限公司", "tax_id": "91110000X"}},
    {"code": "C003", "name": "无人跟进公司"},
]


@pytest.fixture
async def world(client, admin, finance, make_key):
    """The org chart, three customers, keys for finance and each staff member."""
    staff = await org_chart(client, admin, STAFF, {})
    result = await post_ok(client, f"{INGEST}/customers", admin, {"items": CUSTOMERS})
    assert result["rejected"] == []
    customers = {c.code: c for c in await Customer.all()}
    keys = {u: await make_key("sales", s.id) for u, s in staff.items()}
    return {"staff": staff, "customers": customers, "keys": keys, "finance": finance,
            "admin": admin}


async def make_product(customer: Customer, name: str = "行业短信", term: int = 1) -> Product:
    return await Product.create(code=f"P{next(_codes):05d}", customer=customer, name=name,
                                payment_term_months=term, created_at=NOW)


async def make_bill(customer: Customer, period: str, amount: str, *, product=None,
                    bill_date: str | None = None, due_date: str | None = None,
                    interest_free: bool = False) -> Bill:
    """A bill as month-end billing leaves it (these rows stand for billed products until the
    billing job's own factory is shared): period's month, billed on the next month's first
    day, due a month later."""
    period_day = date.fromisoformat(period + "-01" if len(period) == 7 else period)
    billed = date.fromisoformat(bill_date) if bill_date else _next_month(period_day)
    product = product or await make_product(customer)
    if interest_free:  # its product's one account on the no-interest list
        await UsageAccount.create(product=product, account=f"{product.code}-free",
                                  interest_free=True, created_at=NOW)
    return await Bill.create(
        customer=customer, product=product, period=period_day, quantity=1000,
        price_type="uniform", amount=Decimal(amount), bill_date=billed,
        due_date=date.fromisoformat(due_date) if due_date else _next_month(billed),
        created_at=NOW)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def pay(reference: str, payer: str, amount: str, received_on: str = "2026-11-20") -> dict:
    return {"reference": reference, "payer_name": payer, "amount": amount,
            "received_on": received_on}


async def import_rows(client, world, rows, status=200, query=""):
    return await call(client, "POST", f"/pool-payments{query}", world["finance"],
                      {"items": rows}, status)


async def payment(client, world, payment_id: int) -> dict:
    return await call(client, "GET", f"/pool-payments/{payment_id}", world["finance"])


async def pending_task(flow_id: int) -> ApprovalTask:
    return await ApprovalTask.filter(flow_id=flow_id, status="pending").order_by("-id").first()


async def act(client, world, flow_id: int, userid: str, action: str = "approve",
              comment: str = "确认", status: int = 200) -> dict:
    """``userid`` acts on their pending task of the flow."""
    task = await pending_task(flow_id)
    assert task is not None and task.approver_id == world["staff"][userid].id
    return await call(client, "POST", f"/approvals/{flow_id}/tasks/{task.id}/{action}",
                      world["keys"][userid], {"comment": comment}, status)
