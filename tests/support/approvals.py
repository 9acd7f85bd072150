"""Shared set-up of the approval tests: the org chart they start from (staff with their
managers and roles, departments with heads), the 报销 test kind, seed 002's credit approvers,
and a caller of the back-office API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.approvals.flows import DEPARTMENT_HEAD, FLOWS, MANAGER, FlowDef, Node
from domain.approvals.kinds import KINDS, FlowKind, Subject, register_kind
from domain.credit.orgs import put_org
from domain.errors import Conflict
from domain.org.models import Staff
from tests.support import API, INGEST, call, post_ok

__all__ = ["API", "call"]  # re-exported: the approval tests import them from here

# 王业务 → 赵经理 → 钱总监, in 华东销售部 below 销售中心 (钱总监 heads one of them).
SALES_CHAIN = [
    {"userid": "dir-qian", "name": "钱总监", "department": "销售中心"},
    {"userid": "mgr-zhao", "name": "赵经理", "department": "华东销售部",
     "manager_userid": "dir-qian"},
    {"userid": "sales-wang", "name": "王业务", "department": "华东销售部",
     "manager_userid": "mgr-zhao"},
]


async def org_chart(client, admin, staff: list[dict], departments: dict[str, dict]) -> dict:
    """Ingest ``staff`` and set each department's head / parent; the staff by userid."""
    result = await post_ok(client, f"{INGEST}/staff", admin, {"items": staff})
    assert result["rejected"] == []
    for name, body in departments.items():
        await call(client, "PUT", f"/departments/{name}", admin, body)
    return {s.dingtalk_userid: s for s in await Staff.all()}


# ----- the engine's tests: a test kind (报销) whose effect only records that it ran -----

KIND = "test_expense"
STAFF = [
    *SALES_CHAIN,
    {"userid": "fin-sun", "name": "孙出纳", "roles": ["出纳"]},
    {"userid": "fin-zhou", "name": "周会计", "roles": ["会计"]},
    {"userid": "fin-wu", "name": "吴会计", "roles": ["会计", "出纳"]},
    {"userid": "lone-ma", "name": "马独立", "department": "无头部门",
     "manager_userid": "mgr-zhao"},
]
NODES = (Node("直接上级", MANAGER), Node("部门总监", DEPARTMENT_HEAD),
         Node("财务核对", "any_of:出纳,会计"))


@pytest.fixture
def expense():
    """Registers the 报销 test kind; yields the effects it ran. ``refuse`` in the form makes
    the effect say no, as a credit check would."""
    ran = []

    async def check(form, now):
        return Subject(None, f"报销 {form.get('amount')}", dict(form))

    async def effect(flow, actor, now):
        if flow.form.get("refuse"):
            raise Conflict("budget_short", "预算不足，不能报销")
        ran.append((flow.id, actor, now))
        return {"paid": flow.form.get("amount")}

    register_kind(FlowKind(KIND, lambda form, today: dict(form), check, effect,
                           lambda form: [("金额", str(form.get("amount")))]))
    FLOWS[KIND] = FlowDef(KIND, "报销", NODES)
    yield ran
    KINDS.pop(KIND)
    FLOWS.pop(KIND)


@pytest.fixture
async def people(client, admin):
    """钱总监 heads 销售中心, 华东销售部 has no head of its own, 无头部门 none at all."""
    return await org_chart(client, admin, STAFF, {
        "销售中心": {"head": "dir-qian"}, "华东销售部": {"parent": "销售中心"}, "无头部门": {}})


# ----- the credit flows: seed 002's approvers -----

CREDIT_STAFF = [
    *SALES_CHAIN,
    {"userid": "sales-li", "name": "李业务", "department": "华东销售部",
     "manager_userid": "mgr-zhao"},
    {"userid": "gm-he", "name": "何总", "roles": ["营销中心总经理"]},
    {"userid": "pfc-lin", "name": "林PFC", "roles": ["财务部PFC"]},
]
CUSTOMERS = [{"code": "C001", "name": "联想", "salesperson": "sales-li"},
             {"code": "C002", "name": "明辉商贸", "salesperson": "sales-wang"}]
CREDIT_APPROVERS = ("mgr-zhao", "dir-qian", "gm-he", "pfc-lin")


@pytest.fixture
async def world(client, admin, make_key, clock):
    """Seed 002's approvers (direct manager, department head 钱总监, 营销中心总经理, 财务部PFC),
    two customers and the sales org 亚细亚陶瓷 with a budget of 1亿."""
    staff = await org_chart(client, admin, CREDIT_STAFF, {"华东销售部": {"head": "dir-qian"}})
    result = await post_ok(client, f"{INGEST}/customers", admin, {"items": CUSTOMERS})
    assert result["rejected"] == []
    org, _ = await put_org(code="YXY", name="亚细亚陶瓷", budget=Decimal("100000000"),
                           enabled=True, now=clock())
    keys = {u: await make_key("sales", s.id) for u, s in staff.items()}
    customers = {c["code"]: c["id"] for c in (await call(client, "GET", "/customers", admin))[
        "items"]}
    return {"org": org, "staff": staff, "keys": keys, "customers": customers}


async def start(client, world, kind, form, who="sales-li", status=201):
    """Start a flow through the API as ``who``."""
    return await call(client, "POST", "/approvals", world["keys"][who],
                      {"kind": kind, "form": form}, status)


def annual(world, **changes):
    return {"customer_id": world["customers"]["C001"], "org_id": world["org"].id,
            "type": "annual", "amount": "500000", "valid_from": "2026-01-01",
            "valid_to": "2026-12-31", **changes}
