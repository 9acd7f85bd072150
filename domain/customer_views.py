"""What the back office reads of customers: a page of the customer list with each one's
receivable and salesperson, and one customer with its departments, contacts (how a notice
would reach each) and the salespeople it is shared with. The API and the workbench read these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.access import get_visible_customer, visible_customer_ids
from domain.actors import Actor
from domain.contacts import Reach, reach
from domain.customers.models import Contact, Customer, CustomerDepartment
from domain.customers.service import list_customers, receivable, receivables
from domain.customers.shares import SharedWith, shares_of
from domain.notices.models import MpSubscription
from domain.staff_queries import staff_names


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    receivable: Decimal
    salesperson: str  # the salesperson's name, "" when none


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    phone: str
    bound: bool  # holds a WeChat identity (official account or mini-program)
    bound_at: datetime | None
    reach: Reach


@dataclass(frozen=True)
class Department:
    name: str
    code: str | None


@dataclass(frozen=True)
class CustomerDetail:
    customer: Customer
    receivable: Decimal
    salesperson: str
    parent: Customer | None  # only when the actor may see it too
    has_parent: bool
    departments: list[Department]
    contacts: list[ContactRow]
    shared_with: list[SharedWith]


async def customer_rows(actor: Actor, *, search: str, include_disabled: bool, limit: int,
                        offset: int) -> list[CustomerRow]:
    """A page of the customers the actor may see (``list_customers``), with receivables read
    in one grouped query."""
    found = await list_customers(actor, include_disabled=include_disabled, search=search,
                                 limit=limit, offset=offset)
    balances = await receivables([c.id for c in found]) if found else {}
    names = await staff_names({c.salesperson_id for c in found if c.salesperson_id})
    return [CustomerRow(c, balances[c.id], names.get(c.salesperson_id or 0, ""))
            for c in found]


async def customer_detail(actor: Actor, customer_id: int, *,
                          mp_configured: bool) -> CustomerDetail:
    """One customer the actor may see (else CUSTOMER_NOT_FOUND), as its page shows it."""
    customer = await get_visible_customer(actor, customer_id)
    parent = await _visible_parent(actor, customer)
    names = await staff_names({customer.salesperson_id} if customer.salesperson_id else set())
    departments = [Department(name, code) for name, code in await CustomerDepartment.filter(
        customer_id=customer.id).order_by("id").values_list("name", "code")]
    return CustomerDetail(
        customer=customer, receivable=await receivable(customer.id),
        salesperson=names.get(customer.salesperson_id or 0, ""), parent=parent,
        has_parent=customer.parent_id is not None, departments=departments,
        contacts=await contact_rows(customer.id, mp_configured),
        shared_with=await shares_of(actor, customer.id),
    )


async def _visible_parent(actor: Actor, customer: Customer) -> Customer | None:
    if customer.parent_id is None:
        return None
    visible = await visible_customer_ids(actor)
    if visible is not None and customer.parent_id not in visible:
        return None
    return await Customer.get_or_none(id=customer.parent_id, deleted_at=None)


async def contact_rows(customer_id: int, mp_configured: bool) -> list[ContactRow]:
    """The customer's contacts, each with how a customer notice would reach it now."""
    contacts = await Contact.filter(customer_id=customer_id).order_by("id")
    consents: dict[int, int] = {}
    if contacts:
        for contact_id, remaining in await MpSubscription.filter(
                contact_id__in=[c.id for c in contacts], remaining__gt=0).values_list(
                "contact_id", "remaining"):
            consents[contact_id] = consents.get(contact_id, 0) + remaining
    return [ContactRow(c.id, c.name, c.phone, bool(c.openid or c.mp_openid), c.bound_at,
                       reach(c, consents.get(c.id, 0), mp_configured)) for c in contacts]
