"""Which customers an actor may see: admins and finance all, sales their own and shared ones,
and a manager (a salesperson with a team) also their team's own and shared ones."""

from __future__ import annotations

from domain.actors import ADMIN, FINANCE, SALES, Actor
from domain.common_errors import ROLE_FORBIDDEN
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer, CustomerShare


def require_role(actor: Actor, *roles: str) -> None:
    if actor.kind != "staff" or actor.role not in roles:
        raise ROLE_FORBIDDEN(f"此操作需要角色: {', '.join(roles)}", role=actor.role)


async def visible_customer_ids(actor: Actor) -> set[int] | None:
    """None means every customer; otherwise the ids this actor may see."""
    if actor.kind == "contact":
        return {actor.customer_id} if actor.customer_id else set()
    if actor.kind == "system" or actor.role in (ADMIN, FINANCE):
        return None
    if actor.role == SALES:
        staff = list(actor.sales_staff_ids)  # two queries however large the team
        own = await Customer.filter(salesperson_id__in=staff).values_list("id", flat=True)
        shared = await CustomerShare.filter(staff_id__in=staff).values_list(
            "customer_id", flat=True
        )
        return set(own) | set(shared)
    raise ROLE_FORBIDDEN("无权查看客户数据", role=actor.role)


def only_customers(query, visible: set[int] | None, customer_id: int | None = None):
    """``query`` narrowed to the ``visible`` customers (None: every one) and, when given, to
    ``customer_id``."""
    if visible is not None:
        query = query.filter(customer_id__in=list(visible))
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    return query


async def can_see_customer(actor: Actor, customer_id: int) -> bool:
    visible = await visible_customer_ids(actor)
    return visible is None or customer_id in visible


async def get_visible_customer(actor: Actor, customer_id: int) -> Customer:
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None or not await can_see_customer(actor, customer_id):
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    return customer
