"""Customer rules of seed 003: delete only without documents, disable only without receivable."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from domain import audit
from domain.access import get_visible_customer, visible_customer_ids
from domain.actors import Actor
from domain.errors import Conflict, Invalid
from domain.handover.rules import VOID
from domain.models import BindCode, Contact, Customer, Document
from domain.money import ZERO
from domain.statements.rules import signed_amount

# Customers by name as Chinese readers sort them (pinyin), then as written, then by id.
BY_NAME = ("name_sort", "name", "id")
BIND_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed by hand


async def receivable(customer_id: int) -> Decimal:
    rows = await Document.filter(customer_id=customer_id).exclude(audit_status=VOID).values_list(
        "doc_type", "amount")
    return sum((signed_amount(t, Decimal(a)) for t, a in rows), ZERO)


async def list_customers(actor: Actor, *, include_disabled: bool, search: str = "",
                         limit: int = 50, offset: int = 0) -> list[Customer]:
    query = Customer.filter(deleted_at=None)
    visible = await visible_customer_ids(actor)
    if visible is not None:
        query = query.filter(id__in=list(visible))
    if not include_disabled:
        query = query.filter(disabled=False)
    if search:
        query = query.filter(name__icontains=search)
    return await query.order_by(*BY_NAME).offset(offset).limit(limit)


async def delete_customer(actor: Actor, customer_id: int, now: datetime) -> None:
    customer = await get_visible_customer(actor, customer_id)
    count = await Document.filter(customer_id=customer.id).count()
    if count:
        raise Conflict("customer_has_documents",
                       f"客户已有 {count} 张单据，不能删除，可以停用", documents=count)
    customer.deleted_at = now
    customer.code = f"{customer.code}#deleted-{customer.id}"  # frees the ERP code for reuse
    await customer.save(update_fields=["deleted_at", "code"])
    await audit.record(actor, "delete", "customer", customer.id, now, name=customer.name)


async def set_disabled(actor: Actor, customer_id: int, disabled: bool, now: datetime) -> Customer:
    customer = await get_visible_customer(actor, customer_id)
    if disabled and not customer.disabled:
        balance = await receivable(customer.id)
        if balance != 0:
            raise Conflict("customer_has_receivable",
                           f"客户尚有应收 ¥{balance}，不能停用", receivable=str(balance))
    if customer.disabled != disabled:
        customer.disabled = disabled
        await customer.save(update_fields=["disabled"])
        await audit.record(actor, "disable" if disabled else "enable", "customer", customer.id, now)
    return customer


async def issue_bind_code(actor: Actor, customer_id: int, contact_id: int | None,
                          ttl_hours: int, now: datetime) -> BindCode:
    """A one-time code a contact types into the bot or mini-program to bind to this customer."""
    customer = await get_visible_customer(actor, customer_id)
    if contact_id is not None and not await Contact.exists(id=contact_id, customer_id=customer.id):
        raise Invalid("unknown_contact", f"联系人 {contact_id} 不属于该客户")
    code = "".join(secrets.choice(BIND_ALPHABET) for _ in range(8))
    bind = await BindCode.create(
        code=code, customer=customer, contact_id=contact_id, created_at=now,
        expires_at=now + timedelta(hours=ttl_hours),
    )
    await audit.record(actor, "issue", "bind_code", bind.id, now, customer_id=customer.id)
    return bind
