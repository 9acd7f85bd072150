"""Sharing a customer with more salespeople (seed 003 【共享】): whoever it is shared with may
then see it and work with it, as their own (domain.access).

The ERP's customer push may carry the whole list (``shared_with``, domain.ingest); the back
office adds or removes one salesperson at a time here. Both write the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import get_visible_customer
from domain.actors import Actor
from domain.common_errors import UNKNOWN_STAFF
from domain.customers.errors import SHARE_NOT_FOUND, SHARE_WITH_OWNER
from domain.customers.models import CustomerShare
from domain.org.models import Staff


@dataclass(frozen=True)
class SharedWith:
    staff_id: int
    name: str
    department: str


async def shares_of(actor: Actor, customer_id: int) -> list[SharedWith]:
    """The salespeople a customer the actor may see is shared with, by name."""
    customer = await get_visible_customer(actor, customer_id)
    return await _shares(customer.id)


async def _shares(customer_id: int) -> list[SharedWith]:
    rows = await Staff.filter(shared_customers__customer_id=customer_id).order_by(
        "name", "id").values_list("id", "name", "department")
    return [SharedWith(*row) for row in rows]


async def share_customer(actor: Actor, customer_id: int, staff_id: int,
                         now: datetime) -> list[SharedWith]:
    """Share the customer with an active staff member who is not already its salesperson;
    sharing again changes nothing. Answers who it is shared with now."""
    customer = await get_visible_customer(actor, customer_id)
    staff = await Staff.get_or_none(id=staff_id)
    if staff is None or not staff.active:
        raise UNKNOWN_STAFF(f"员工 {staff_id} 不存在或已停用，不能共享")
    if staff.id == customer.salesperson_id:
        raise SHARE_WITH_OWNER(f"{staff.name} 是该客户的业务员，无需共享", staff_id=staff.id)
    if not await CustomerShare.exists(customer_id=customer.id, staff_id=staff.id):
        try:
            async with in_transaction():  # a savepoint: a concurrent share of the same pair
                await CustomerShare.create(customer_id=customer.id, staff_id=staff.id)
        except IntegrityError:
            pass  # … made it first: shared either way
        else:
            await audit.record(actor, "share", "customer", customer.id, now,
                               staff_id=staff.id, name=staff.name)
    return await _shares(customer.id)


async def unshare_customer(actor: Actor, customer_id: int, staff_id: int,
                           now: datetime) -> list[SharedWith]:
    """Stop sharing the customer with ``staff_id``: they no longer see it (unless it is theirs
    or their team's). Answers who it is shared with now."""
    customer = await get_visible_customer(actor, customer_id)
    if not await CustomerShare.filter(customer_id=customer.id, staff_id=staff_id).delete():
        raise SHARE_NOT_FOUND(f"该客户未与员工 {staff_id} 共享", staff_id=staff_id)
    await audit.record(actor, "unshare", "customer", customer.id, now, staff_id=staff_id)
    return await _shares(customer.id)


async def share_candidates(actor: Actor, customer_id: int) -> list[SharedWith]:
    """Active staff the customer may still be shared with (not its salesperson, not shared)."""
    customer = await get_visible_customer(actor, customer_id)
    taken = set(await CustomerShare.filter(customer_id=customer.id).values_list(
        "staff_id", flat=True))
    if customer.salesperson_id is not None:
        taken.add(customer.salesperson_id)
    query = Staff.filter(active=True)
    if taken:
        query = query.exclude(id__in=sorted(taken))
    rows = await query.order_by("name", "id").values_list("id", "name", "department")
    return [SharedWith(*row) for row in rows]
