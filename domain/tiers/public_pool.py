"""The public pool (公共池) and its claim (申请客户流程, seed 004): any salesperson may claim a
pool customer with a reason; the claim runs the ``pool_claim`` approval (直接上级 → 业务部门总监).

While a claim is pending (or returned to its initiator) the customer is out of the pool:
``Customer.claimed_by`` is set in the same transaction that starts the flow, by
``UPDATE … WHERE tier = 'pool' AND claimed_by IS NULL`` — of two racing claims one sets it, the
other gets a 409. Approved: the customer becomes the claimant's, tier intent from that day
(a ``pool_claim`` tier change). Rejected or withdrawn: the kind's ``on_end`` clears
``claimed_by`` in that transaction and the customer is back in the pool. So ``claimed_by`` is
the truth of who claims a customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tortoise.transactions import in_transaction

from domain.approvals import engine
from domain.approvals.flows import POOL_CLAIM, FlowDef
from domain.approvals.models import ApprovalFlow
from domain.customers.models import Customer
from domain.tiers.claim_kind import clean_reason, public_pool_customer
from domain.tiers.errors import CUSTOMER_CLAIMED
from domain.tiers.rules import PUBLIC_POOL


async def claim_flow(customer_id: int, claimant_id: int) -> ApprovalFlow | None:
    """The claimant's latest claim of the customer: while they hold it, the live one."""
    return await ApprovalFlow.filter(kind=POOL_CLAIM, customer_id=customer_id,
                                     initiator_id=claimant_id).order_by("-id").first()


async def claim(customer_id: int, staff_id: int | None, reason, now: datetime, *,
                definitions: Mapping[str, FlowDef] | None = None) -> ApprovalFlow:
    """A salesperson claims a pool customer: take it out of the pool and start the claim
    approval, both or neither. Their own claim returned to them is sent again instead, with
    this reason (the engine's resubmit would refuse a salesperson a customer not yet theirs)."""
    reason = clean_reason(reason)
    async with in_transaction():
        customer = await public_pool_customer(customer_id)
        form = {"customer_id": customer.id, "claimant_id": staff_id, "reason": reason}
        if staff_id is not None and customer.claimed_by_id == staff_id:
            held = await claim_flow(customer.id, staff_id)
            if held is not None and held.status == engine.RETURNED:
                return await engine.resubmit(held.id, staff_id, form, now,
                                             definitions=definitions)
        taken = await Customer.filter(id=customer.id, tier=PUBLIC_POOL, claimed_by_id=None,
                                      deleted_at=None).update(claimed_by_id=staff_id)
        if not taken:
            raise CUSTOMER_CLAIMED(f"客户 {customer.name} 已有人申请，审批中")
        return await engine.start(POOL_CLAIM, staff_id, form, now, definitions=definitions)
