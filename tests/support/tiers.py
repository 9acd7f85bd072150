"""Shared set-up of the tier tests: 王业务 and 李业务 under 赵经理 in 华东销售部 (headed by
钱总监), three customers, and the ERP's pushes of tier facts."""

from __future__ import annotations

from domain.customers.models import Customer
from tests.support import INGEST, call, post_ok
from tests.support.approvals import SALES_CHAIN, org_chart

STAFF = [*SALES_CHAIN, {"userid": "sales-li", "name": "李业务", "department": "华东销售部",
                        "manager_userid": "mgr-zhao"}]
CUSTOMERS = [{"code": "C001", "name": "联想", "salesperson": "sales-li"},
             {"code": "C002", "name": "明辉商贸", "salesperson": "sales-wang"},
             {"code": "C003", "name": "大汉三通", "salesperson": "sales-wang"}]


async def make_tier_world(client, admin, erp, make_key) -> dict:
    """王业务 and 李业务 report to 赵经理 in 华东销售部, headed by 钱总监; three customers."""
    staff = await org_chart(client, admin, STAFF, {"华东销售部": {"head": "dir-qian"}})
    result = await post_ok(client, f"{INGEST}/customers", admin, {"items": CUSTOMERS})
    assert result["rejected"] == []
    keys = {u: await make_key("sales", s.id) for u, s in staff.items()}
    customers = {c.code: c for c in await Customer.all()}
    return {"staff": staff, "keys": keys, "customers": customers, "erp": erp, "admin": admin}


async def push(client, headers, what: str, items: list[dict], status: int = 200,
               atomic: bool = False) -> dict:
    path = f"/tiers/{what}" + ("?atomic=1" if atomic else "")
    return await call(client, "POST", path, headers, {"items": items}, status)

