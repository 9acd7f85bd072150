"""Reading tiers: a customer's tier with its history, and the public pool."""

from __future__ import annotations

from datetime import date

from domain.customers.models import Customer
from domain.org.models import Staff
from domain.tiers.models import TierChange
from domain.tiers.public_pool import claim_flow
from domain.tiers.rules import PUBLIC_POOL, RULE_LABELS, TIER_LABELS, profile_filled

MAX_HISTORY = 500


def since(customer: Customer) -> date:
    """The day the customer entered its tier (its creation day when never moved)."""
    return customer.tier_since or customer.created_at.date()


async def tier_view(customer: Customer) -> dict:
    """The tier, since when, who claims it (and by which flow) and its tier changes, newest
    first."""
    changes = await TierChange.filter(customer_id=customer.id).order_by(
        "-day", "-id").limit(MAX_HISTORY)
    claimant = customer.claimed_by_id
    claim = await claim_flow(customer.id, claimant) if claimant else None
    names = await _names({c.salesperson_id for c in changes} | {customer.salesperson_id})
    return {
        "customer_id": customer.id, "code": customer.code, "name": customer.name,
        "tier": customer.tier, "tier_label": TIER_LABELS.get(customer.tier, customer.tier),
        "tier_since": since(customer), "salesperson_id": customer.salesperson_id,
        "salesperson": names.get(customer.salesperson_id, ""),
        "claimed_by": claimant,
        "claim_flow_id": claim.id if claim else None,
        "profile_filled": profile_filled(customer.profile),
        "history": [change_view(c, names) for c in changes],
    }


def change_view(change: TierChange, names: dict[int, str]) -> dict:
    return {
        "id": change.id, "rule": change.rule, "rule_label": RULE_LABELS.get(change.rule, ""),
        "from_tier": change.from_tier, "to_tier": change.to_tier,
        "move": change.from_tier != change.to_tier, "day": change.day, "month": change.month,
        "salesperson_id": change.salesperson_id,
        "salesperson": names.get(change.salesperson_id, ""),
    }


async def list_public_pool(*, q: str = "", limit: int = 50, offset: int = 0) -> list[dict]:
    """The pool's customers that nobody is claiming, longest in the pool first."""
    query = Customer.filter(tier=PUBLIC_POOL, claimed_by_id=None, deleted_at=None)
    if q:
        query = query.filter(name__icontains=q)
    customers = await query.order_by("tier_since", "id").offset(offset).limit(limit)
    return [{"id": c.id, "code": c.code, "name": c.name, "tier_since": since(c),
             "profile_filled": profile_filled(c.profile)} for c in customers]


async def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(await Staff.filter(id__in=ids).values_list("id", "name")) if ids else {}
