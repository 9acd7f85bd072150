"""The public pool (公共池) and its claim (申请客户流程, seed 004): any salesperson may claim a
pool customer with a reason; the claim runs the ``pool_claim`` approval (直接上级 → 业务部门总监).

While a claim is pending (or returned to its initiator) the customer is out of the pool:
``Customer.claimed_by`` is set in the same transaction that starts the flow, by
``UPDATE … WHERE tier = 'pool' AND claimed_by IS NULL`` — of two racing claims one sets it, the
other gets a 409. Approved: the customer becomes the claimant's, tier intent from that day
(a ``pool_claim`` tier change). Rejected or withdrawn: the claim is over and the customer is
back in the pool.

The approval engine calls a kind only on final approval, so a rejected or withdrawn claim
leaves ``claimed_by`` behind until it is released: a claim counts only while its flow is live
(pending or returned) — the pool list, the customer's view and a new claim all go by that, and
a new claim and the daily tiers job clear a stale ``claimed_by``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from domain.approvals import engine
from domain.approvals.flows import POOL_CLAIM, FlowDef
from domain.errors import Conflict
from domain.models import ApprovalFlow, Customer
from domain.tiers.claim_kind import clean_reason, pool_customer
from domain.tiers.rules import POOL

LIVE = (engine.PENDING, engine.RETURNED)


def live_claims(customer_id: int | None = None) -> Subquery:
    """The ids of the customers with a live claim flow (pending or returned)."""
    flows = ApprovalFlow.filter(kind=POOL_CLAIM, status__in=LIVE)
    if customer_id is not None:
        flows = flows.filter(customer_id=customer_id)
    return Subquery(flows.values("customer_id"))


async def live_claim(customer_id: int) -> ApprovalFlow | None:
    return await ApprovalFlow.filter(kind=POOL_CLAIM, status__in=LIVE,
                                     customer_id=customer_id).order_by("-id").first()


async def claim(customer_id: int, staff_id: int | None, reason, now: datetime, *,
                definitions: Mapping[str, FlowDef] | None = None) -> ApprovalFlow:
    """A salesperson claims a pool customer: take it out of the pool and start the claim
    approval, both or neither. Their own claim returned to them is sent again instead, with
    this reason (the engine's resubmit would refuse a salesperson a customer not yet theirs)."""
    reason = clean_reason(reason)
    async with in_transaction():
        customer = await pool_customer(customer_id)
        form = {"customer_id": customer.id, "claimant_id": staff_id, "reason": reason}
        returned = await _returned_to(customer, staff_id)
        if returned is not None:
            return await engine.resubmit(returned.id, staff_id, form, now,
                                         definitions=definitions)
        await _release_stale(customer)
        taken = await Customer.filter(id=customer.id, tier=POOL, claimed_by_id=None,
                                      deleted_at=None).update(claimed_by_id=staff_id)
        if not taken:
            raise Conflict("customer_claimed", f"客户 {customer.name} 已有人申请，审批中")
        return await engine.start(POOL_CLAIM, staff_id, form, now, definitions=definitions)


async def _returned_to(customer: Customer, staff_id: int | None) -> ApprovalFlow | None:
    """The claimant's own claim of the customer, returned to them (to send again)."""
    if staff_id is None or customer.claimed_by_id != staff_id:
        return None
    flow = await live_claim(customer.id)
    return flow if flow and flow.status == engine.RETURNED and flow.initiator_id == staff_id \
        else None


async def _release_stale(customer: Customer) -> None:
    """Clear a claim whose flow is over (rejected or withdrawn); only that claimant's, and
    only while no flow of theirs is live, so a claim made meanwhile stays."""
    if customer.claimed_by_id is None or await live_claim(customer.id):
        return
    await Customer.filter(id=customer.id, claimed_by_id=customer.claimed_by_id).exclude(
        id__in=live_claims(customer.id)).update(claimed_by_id=None)


async def release_stale_claims() -> int:
    """Clear every claim whose flow is over (the daily job's sweep); how many."""
    stale = await Customer.filter(claimed_by_id__not_isnull=True).exclude(
        id__in=live_claims()).values_list("id", "claimed_by_id")
    released = 0
    for customer_id, staff_id in stale:  # few: one per claim rejected or withdrawn since
        released += await Customer.filter(id=customer_id, claimed_by_id=staff_id).exclude(
            id__in=live_claims(customer_id)).update(claimed_by_id=None)
    return released
