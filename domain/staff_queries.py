"""What staff ask the DingTalk bot: who they are, their customers, balances, open tasks.

(The DingTalk edge's two small writes live in ``domain.inbound`` — an inbound message id
remembered once — and ``domain.cards`` — an interactive card closed once.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.access import get_visible_customer, visible_customer_ids
from domain.actors import FINANCE, SALES, Actor
from domain.cards import OPEN
from domain.customers import service as customer_rules
from domain.customers.models import Customer
from domain.notices.catalogue import Kind, statement_issued_prefix
from domain.notices.models import CardInstance, OutboxMessage
from domain.org.models import Department, Staff, StaffRole
from domain.org.team import Member, Unit, team_below
from domain.statements.models import Statement


async def staff_by_dingtalk_id(userid: str | None) -> Staff | None:
    """The active staff member behind a DingTalk user id, if any."""
    if not userid:
        return None
    return await Staff.get_or_none(dingtalk_userid=userid, active=True)


async def org_actor(staff: Staff, finance_role: str | None = None) -> Actor:
    """A staff member acting from DingTalk, by their place in the org: holding the finance
    role (a StaffRole name, e.g. 财务) they see every customer; otherwise their own and shared
    customers and, when people are below them, their team's."""
    if finance_role and await StaffRole.exists(staff_id=staff.id, role=finance_role):
        return Actor(kind="staff", name=staff.name, role=FINANCE, staff_id=staff.id)
    return Actor(kind="staff", name=staff.name, role=SALES, staff_id=staff.id,
                 team=await team_of(staff.id))


async def staff_names(ids) -> dict[int, str]:
    """Staff names by id, in one query (ids that are None are left out)."""
    wanted = {i for i in ids if i}
    return dict(await Staff.filter(id__in=wanted).values_list("id", "name")) if wanted else {}


async def team_of(staff_id: int) -> frozenset[int]:
    """The staff below ``staff_id`` (``domain.org.team.team_below``), people who left too (their
    customers still need someone); the whole org is read in two queries, and only for someone
    who has reports or heads a department."""
    if not (await Staff.exists(manager_id=staff_id)
            or await Department.exists(head_id=staff_id)):
        return frozenset()
    members = [Member(*row) for row in await Staff.all().values_list(
        "id", "manager_id", "department")]
    units = [Unit(*row) for row in await Department.all().values_list(
        "id", "name", "parent_id", "head_id")]
    return team_below(staff_id, members, units)


async def find_visible_customers(actor: Actor, name: str, limit: int = 10) -> list[Customer]:
    """Customers whose name contains ``name`` that ``actor`` may see; an exact name first."""
    name = name.strip()
    if not name:
        return []
    query = Customer.filter(deleted_at=None, name__icontains=name)
    visible = await visible_customer_ids(actor)
    if visible is not None:
        query = query.filter(id__in=list(visible))
    found = await query.order_by(*customer_rules.BY_NAME).limit(limit)
    return sorted(found, key=lambda c: c.name != name)


def pick_customer(matches: list[Customer], name: str) -> Customer | None:
    """The one customer meant by ``name``: the exact match, else the only match."""
    exact = [c for c in matches if c.name == name.strip()]
    if len(exact) == 1:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class CustomerOverview:
    customer: Customer
    receivable: Decimal
    latest_statement: Statement | None


async def customer_overview(actor: Actor, customer_id: int) -> CustomerOverview:
    """Balance (receivable) and the latest statement of a customer ``actor`` may see."""
    customer = await get_visible_customer(actor, customer_id)
    latest = await Statement.filter(customer_id=customer.id, deleted_at=None).order_by(
        "-created_at", "-id"
    ).first()
    return CustomerOverview(customer, await customer_rules.receivable(customer.id), latest)


def month_so_far(today: date) -> tuple[date, date]:
    """The default statement range: the first of this month up to today."""
    return today.replace(day=1), today


async def contacts_notified(statement_id: int) -> int:
    """How many contacts a statement was issued to (its queued STATEMENT_ISSUED notices)."""
    return await OutboxMessage.filter(
        kind=Kind.STATEMENT_ISSUED, dedupe_key__startswith=statement_issued_prefix(statement_id)
    ).count()


async def open_cards(staff_id: int, limit: int = 20) -> list[CardInstance]:
    """The staff member's pending tasks: interactive cards not yet acted on, oldest first."""
    return await CardInstance.filter(staff_id=staff_id, status=OPEN).order_by(
        "created_at", "id"
    ).limit(limit)
