"""The ``pool_claim`` flow kind (申请客户流程): its form, its check at start, its effect on
approval and, rejected or withdrawn, its letting go of the customer. Registered with the
approval engine at composition (``tally.registries``; it imports nothing of the engine); the
claim itself is ``domain.tiers.public_pool.claim``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from domain.approvals.flows import POOL_CLAIM
from domain.approvals.kinds import FlowKind, Subject
from domain.approvals.models import ApprovalFlow
from domain.common_errors import BAD_FIELD, MISSING_FIELD
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.org.models import Staff
from domain.tiers.errors import CLAIM_IN_PROGRESS, CLAIM_LOST, CLAIM_NOT_HELD, NOT_IN_POOL
from domain.tiers.models import TierChange
from domain.tiers.rules import INTENT, PUBLIC_POOL

# The engine's flow statuses (this module loads with the engine's kinds, before the engine).
PENDING, LIVE = "pending", ("pending", "returned")

MAX_REASON = 2000


def clean_reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise MISSING_FIELD("缺少字段 reason（申请理由）", field="reason")
    if len(reason.strip()) > MAX_REASON:
        raise BAD_FIELD(f"申请理由不能超过 {MAX_REASON} 个字", field="reason")
    return reason.strip()


async def public_pool_customer(customer_id: int) -> Customer:
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    if customer.tier != PUBLIC_POOL:
        raise NOT_IN_POOL(f"客户 {customer.name} 不在公共池中")
    return customer


def parse_claim(form: Mapping, today: date) -> dict:
    customer_id, claimant_id = form.get("customer_id"), form.get("claimant_id")
    for name, value in (("customer_id", customer_id), ("claimant_id", claimant_id)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BAD_FIELD(f"{name} 必须是整数", field=name)
    return {"customer_id": customer_id, "claimant_id": claimant_id,
            "reason": clean_reason(form.get("reason"))}


async def check_claim(form: dict) -> tuple[Customer, dict]:
    """A claim flow starts (or is resubmitted) only on a customer its claimant holds; a
    claim is made through ``claim``, which takes the customer out of the pool first."""
    customer = await public_pool_customer(form["customer_id"])
    if customer.claimed_by_id != form["claimant_id"]:
        raise CLAIM_NOT_HELD("请通过公共池申请客户（POST /tiers/pool/{id}/claim）")
    if await _claims(customer.id, form["claimant_id"]).filter(status=PENDING).exists():
        raise CLAIM_IN_PROGRESS(f"客户 {customer.name} 的申请正在审批中")
    return customer, {**form, "customer_name": customer.name, "customer_code": customer.code}


async def take_over(flow: ApprovalFlow, now: datetime) -> dict:
    """Approved: the claimant's customer, tier intent from today, no longer claimed."""
    day = now.date()
    customer_id, claimant = flow.form["customer_id"], flow.initiator_id
    moved = await Customer.filter(id=customer_id, tier=PUBLIC_POOL, claimed_by_id=claimant).update(
        tier=INTENT, tier_since=day, salesperson_id=claimant, claimed_by_id=None)
    if not moved:
        raise CLAIM_LOST("客户已不在公共池，或不是由你申请的")
    await TierChange.bulk_create([TierChange(
        customer_id=customer_id, rule="pool_claim", from_tier=PUBLIC_POOL, to_tier=INTENT,
        salesperson_id=claimant, day=day, month=day.strftime("%Y-%m"), created_at=now)],
        ignore_conflicts=True)
    staff = await Staff.get(id=claimant)
    return {"customer_id": customer_id, "tier": INTENT, "salesperson": staff.name}


async def let_go(flow: ApprovalFlow, now: datetime) -> None:
    """Rejected or withdrawn: the claimant no longer holds the customer, back in the pool."""
    customer_id = flow.form["customer_id"]
    if await _claims(customer_id, flow.initiator_id).exclude(id=flow.id).filter(
            status__in=LIVE).exists():
        return  # another live claim of theirs (started around the pool route) still holds it
    await Customer.filter(id=customer_id, claimed_by_id=flow.initiator_id).update(
        claimed_by_id=None)


def _claims(customer_id: int, claimant_id: int):
    return ApprovalFlow.filter(kind=POOL_CLAIM, customer_id=customer_id,
                               initiator_id=claimant_id)


def claim_summary(form: Mapping) -> list[tuple[str, str]]:
    return [("客户", f"{form.get('customer_name', '')}（{form.get('customer_code', '')}）"),
            ("申请理由", str(form.get("reason", "")))]


async def _check(form: dict, now: datetime) -> Subject:
    customer, shown = await check_claim(form)
    return Subject(customer.id, f"申请客户：{customer.name}", shown)


async def _effect(flow: ApprovalFlow, actor: str, now: datetime) -> dict:
    return await take_over(flow, now)


POOL_CLAIM_KIND = FlowKind(POOL_CLAIM, parse_claim, _check, _effect, claim_summary, on_end=let_go)
