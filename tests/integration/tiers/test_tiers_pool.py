"""The public pool and its claim (申请客户流程) through the back-office API: a claim takes the
customer out of the pool at once and runs 直接上级 → 业务部门总监; approved, the customer is the
claimant's as intent; rejected or withdrawn, it is back in the pool; of two racing claims one
wins and the other gets a 409."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from domain.approvals.models import ApprovalFlow
from domain.customers.models import Customer
from domain.tiers.models import TierChange
from jobs.tiers import run_tiers
from tests.support.approvals import call
from tests.support.tiers import make_tier_world


@pytest.fixture
async def tier_world(client, admin, erp, make_key):
    return await make_tier_world(client, admin, erp, make_key)


async def to_pool(*customers: Customer) -> None:
    await Customer.filter(id__in=[c.id for c in customers]).update(
        tier="pool", tier_since=date(2026, 8, 1), salesperson_id=None)


async def pool_ids(client, headers) -> list[int]:
    return [c["id"] for c in (await call(client, "GET", "/tiers/pool", headers))["items"]]


async def claim(client, world, customer: Customer, who: str = "sales-wang", status: int = 201,
                reason: str = "客户有新需求，我来跟进"):
    return await call(client, "POST", f"/tiers/pool/{customer.id}/claim", world["keys"][who],
                      {"reason": reason}, status)


async def act(client, world, flow: dict, who: str, action: str, comment: str = "") -> dict:
    task = next(t for t in flow["tasks"] if t["status"] == "pending"
                and t["approver_id"] == world["staff"][who].id)
    return await call(client, "POST", f"/approvals/{flow['id']}/tasks/{task['id']}/{action}",
                      world["keys"][who], {"comment": comment})


async def test_an_approved_claim_makes_the_customer_the_claimants_intent_customer(
        client, tier_world, clock):
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    assert await pool_ids(client, world["keys"]["sales-wang"]) == [lenovo.id]
    flow = await claim(client, world, lenovo)
    assert (flow["kind"], flow["kind_label"], flow["title"]) == (
        "pool_claim", "申请客户", "申请客户：联想")
    assert [n["name"] for n in flow["nodes"]] == ["直接上级", "业务部门总监"]
    assert [n["approvers"] for n in flow["nodes"]] == [["赵经理"], ["钱总监"]]
    assert {"label": "申请理由", "value": "客户有新需求，我来跟进"} in flow["summary"]
    # Out of the pool while the claim is pending.
    assert await pool_ids(client, world["admin"]) == []
    assert (await Customer.get(id=lenovo.id)).claimed_by_id == world["staff"]["sales-wang"].id
    flow = await act(client, world, flow, "mgr-zhao", "approve")
    assert flow["status"] == "pending" and flow["current_node_name"] == "业务部门总监"
    flow = await act(client, world, flow, "dir-qian", "approve", "同意")
    assert flow["status"] == "approved"
    customer = await Customer.get(id=lenovo.id)
    assert (customer.tier, customer.tier_since, customer.salesperson_id, customer.claimed_by_id) \
        == ("intent", clock().date(), world["staff"]["sales-wang"].id, None)
    change = await TierChange.get(customer_id=lenovo.id)
    assert (change.rule, change.from_tier, change.to_tier, change.salesperson_id) == (
        "pool_claim", "pool", "intent", world["staff"]["sales-wang"].id)
    body = await call(client, "GET", f"/customers/{lenovo.id}/tier", world["keys"]["sales-wang"])
    assert body["tier"] == "intent" and body["history"][0]["rule"] == "pool_claim"


async def test_a_rejected_claim_puts_the_customer_back_in_the_pool(client, tier_world):
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    flow = await claim(client, world, lenovo)
    flow = await act(client, world, flow, "mgr-zhao", "reject", "客户已由他人跟进")
    assert flow["status"] == "rejected"
    assert (await Customer.get(id=lenovo.id)).claimed_by_id is None
    assert await pool_ids(client, world["admin"]) == [lenovo.id]
    tier = await call(client, "GET", f"/customers/{lenovo.id}/tier", world["admin"])
    assert (tier["tier"], tier["claimed_by"], tier["salesperson_id"]) == ("pool", None, None)
    # Anyone may claim it again — the claimant who was refused, too.
    again = await claim(client, world, lenovo, "sales-li")
    assert again["status"] == "pending"
    assert (await Customer.get(id=lenovo.id)).claimed_by_id == world["staff"]["sales-li"].id


async def test_a_withdrawn_claim_puts_the_customer_back_at_once(
        client, tier_world, clock, settings):
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    flow = await claim(client, world, lenovo)
    await call(client, "POST", f"/approvals/{flow['id']}/withdraw", world["keys"]["sales-wang"],
               {"comment": "客户暂不需要"})
    assert (await Customer.get(id=lenovo.id)).claimed_by_id is None
    assert await pool_ids(client, world["admin"]) == [lenovo.id]
    await run_tiers(clock().date(), clock(), settings)
    assert (await Customer.get(id=lenovo.id)).claimed_by_id is None


async def test_a_returned_claim_keeps_the_customer_out_and_is_sent_again_by_claiming(
        client, tier_world, clock, settings):
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    flow = await claim(client, world, lenovo)
    flow = await act(client, world, flow, "mgr-zhao", "return", "理由写清楚些")
    assert flow["status"] == "returned"
    assert await pool_ids(client, world["admin"]) == []
    await run_tiers(clock().date(), clock(), settings)  # the daily job leaves a live claim be
    assert (await Customer.get(id=lenovo.id)).claimed_by_id == world["staff"]["sales-wang"].id
    await claim(client, world, lenovo, "sales-li", status=409)
    # Claiming again sends the returned claim again, with the new reason.
    again = await claim(client, world, lenovo, reason="客户下月要上新项目")
    assert (again["id"], again["status"]) == (flow["id"], "pending")
    assert {"label": "申请理由", "value": "客户下月要上新项目"} in again["summary"]
    assert await pool_ids(client, world["admin"]) == []


async def test_a_second_claim_while_one_is_pending_is_a_conflict(client, tier_world):
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    await claim(client, world, lenovo)
    body = await claim(client, world, lenovo, "sales-li", status=409)
    assert body["error"]["code"] == "customer_claimed"
    assert await ApprovalFlow.filter(kind="pool_claim").count() == 1


async def test_two_racing_claims_one_wins_the_other_gets_409(client, tier_world):
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    replies = await asyncio.gather(*(
        client.post(f"/api/backoffice/v1/tiers/pool/{lenovo.id}/claim",
                    json={"reason": "我先来"}, headers=world["keys"][who])
        for who in ("sales-wang", "sales-li")))
    assert sorted(r.status for r in replies) == [201, 409]
    winner = next(r for r in replies if r.status == 201)
    flow = await winner.json()
    customer = await Customer.get(id=lenovo.id)
    assert customer.claimed_by_id == flow["initiator_id"]
    assert await ApprovalFlow.filter(kind="pool_claim").count() == 1


async def test_a_customer_outside_the_pool_cannot_be_claimed(client, tier_world):
    world = tier_world
    body = await claim(client, world, world["customers"]["C002"], "sales-li", status=409)
    assert body["error"]["code"] == "not_in_pool"
    await call(client, "POST", "/tiers/pool/999999/claim", world["keys"]["sales-li"],
               {"reason": "x"}, 404)


async def test_a_claim_needs_a_reason(client, tier_world):
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    body = await claim(client, world, lenovo, reason="  ", status=400)
    assert body["error"]["code"] == "missing_field"
    assert (await Customer.get(id=lenovo.id)).claimed_by_id is None


async def test_a_claim_nobody_can_approve_is_refused_and_leaves_the_customer_in_the_pool(
        client, tier_world, make_key):
    """王业务's manager is there but 钱总监 is not: the flow cannot start, the claim is undone."""
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    await call(client, "PUT", "/departments/华东销售部", world["admin"], {"head": None})
    body = await claim(client, world, lenovo, status=400)
    assert body["error"]["code"] == "approver_unresolved"
    assert (await Customer.get(id=lenovo.id)).claimed_by_id is None
    assert await pool_ids(client, world["admin"]) == [lenovo.id]


async def test_a_pool_claim_cannot_be_started_around_the_pool(client, tier_world):
    """POST /approvals with kind pool_claim: only a claimant holding the customer may."""
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    body = await call(client, "POST", "/approvals", world["keys"]["sales-wang"], {
        "kind": "pool_claim", "form": {"customer_id": lenovo.id,
                                       "claimant_id": world["staff"]["sales-wang"].id,
                                       "reason": "绕过公共池"}}, 409)
    assert body["error"]["code"] == "claim_not_held"


async def test_a_second_claim_flow_cannot_be_started_beside_a_pending_one(client, tier_world):
    """The claimant holds the customer, but a second 申请客户 through POST /approvals is refused
    while the first is pending."""
    world, lenovo = tier_world, tier_world["customers"]["C001"]
    await to_pool(lenovo)
    await claim(client, world, lenovo)
    body = await call(client, "POST", "/approvals", world["keys"]["sales-wang"], {
        "kind": "pool_claim", "form": {"customer_id": lenovo.id,
                                       "claimant_id": world["staff"]["sales-wang"].id,
                                       "reason": "再来一次"}}, 409)
    assert body["error"]["code"] == "claim_in_progress"
    assert await ApprovalFlow.filter(kind="pool_claim", customer_id=lenovo.id).count() == 1
