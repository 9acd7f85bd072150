"""Customer rules of seed 003: delete only without documents, disable only without receivable."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from tortoise.connection import get_connection
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import get_visible_customer, visible_customer_ids
from domain.actors import Actor
from domain.customer_tree import would_cycle
from domain.customers.errors import (
    BIND_CODE_EXPIRED,
    BIND_CODE_USED,
    CUSTOMER_CYCLE,
    CUSTOMER_HAS_DOCUMENTS,
    CUSTOMER_HAS_RECEIVABLE,
    UNKNOWN_CONTACT,
    UNKNOWN_PARENT,
)
from domain.customers.models import BindCode, Contact, Customer
from domain.documents.models import Document
from domain.documents.rules import INCREASING, VOID, signed_amount
from domain.money import ZERO
from domain.sql import is_postgres, select_in

# Customers by name as Chinese readers sort them (pinyin), then as written, then by id.
BY_NAME = ("name_sort", "name", "id")
BIND_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed by hand


async def receivable(customer_id: int) -> Decimal:
    rows = await Document.filter(customer_id=customer_id).exclude(audit_status=VOID).values_list(
        "doc_type", "amount")
    return sum((signed_amount(t, Decimal(a)) for t, a in rows), ZERO)


async def _ancestry(query) -> dict[int, tuple[str, int | None]]:
    """The customers ``query`` selects and all their ancestors: id → (code, parent id)."""
    found: dict[int, tuple[str, int | None]] = {}
    rows = await query.values_list("id", "code", "parent_id")
    while rows:
        found.update({id_: (code, parent) for id_, code, parent in rows})
        missing = {parent for _, _, parent in rows if parent and parent not in found}
        rows = await Customer.filter(id__in=missing).values_list("id", "code", "parent_id") \
            if missing else []
    return found


async def tree_by_code(codes) -> dict[str, str | None]:
    """The stored customers of ``codes`` and their ancestors: code → parent code."""
    found = await _ancestry(Customer.filter(code__in=[c for c in codes if c], deleted_at=None))
    return {code: found[parent][0] if parent else None for code, parent in found.values()}


async def set_parent(actor: Actor, customer_id: int, parent_id: int | None,
                     now: datetime) -> Customer:
    """Hang a customer under another (集团, seed 003) or at the top; never under itself or one
    of its own descendants."""
    async with in_transaction():
        customer = await get_visible_customer(actor, customer_id)
        if parent_id is not None:
            # Locking both rows (in id order) serialises two updates that would cross.
            await Customer.filter(id__in=sorted({customer.id, parent_id})).select_for_update() \
                .order_by("id").values_list("id", flat=True)
            if not await Customer.exists(id=parent_id, deleted_at=None):
                raise UNKNOWN_PARENT(f"上级客户 {parent_id} 不存在")
            tree = {id_: parent for id_, (_, parent) in
                    (await _ancestry(Customer.filter(id=parent_id))).items()}
            if would_cycle(tree, customer.id, parent_id):
                raise CUSTOMER_CYCLE("上级客户不能是该客户自己或它的下级客户",
                                     parent_id=parent_id)
        if customer.parent_id != parent_id:
            customer.parent_id = parent_id
            await customer.save(update_fields=["parent_id", "updated_at"])
            await audit.record(actor, "set_parent", "customer", customer.id, now,
                               parent_id=parent_id)
    return customer


async def receivables(customer_ids: list[int]) -> dict[int, Decimal]:
    """Each customer's receivable, as ``receivable`` computes it, in one grouped query per
    few thousand customers (exact: NUMERIC on PostgreSQL, integer cents on SQLite)."""
    connection = get_connection("default")
    increasing = ", ".join(f"'{t}'" for t in INCREASING)
    cents = "amount" if is_postgres(connection) else "CAST(ROUND(amount * 100) AS INTEGER)"
    rows = await select_in(
        connection,
        f"SELECT customer_id, SUM(CASE WHEN doc_type IN ({increasing}) THEN {cents} "
        f"ELSE -{cents} END) FROM document WHERE audit_status <> {{0}} "
        "AND customer_id IN ({in}) GROUP BY customer_id",
        [VOID], sorted(set(customer_ids)))
    scale = Decimal(1) if is_postgres(connection) else Decimal(100)
    found = {customer_id: (Decimal(total) / scale).quantize(Decimal("0.01"))
             for customer_id, total in rows}
    return {customer_id: found.get(customer_id, ZERO) for customer_id in set(customer_ids)}


async def group_summary(actor: Actor, customer_id: int) -> dict:
    """Seed 003 case B: a parent's own receivable, each subsidiary's (all levels below it, the
    ones the actor may see) and the totals; each subsidiary keeps its own statements."""
    customer = await get_visible_customer(actor, customer_id)
    below = await _descendants(customer.id)
    visible = await visible_customer_ids(actor)
    if visible is not None:
        below = [c for c in below if c.id in visible]
    balances = await receivables([customer.id, *(c.id for c in below)])
    subsidiaries = [{"id": c.id, "code": c.code, "name": c.name, "parent_id": c.parent_id,
                     "receivable": balances[c.id]} for c in below]
    total = sum((s["receivable"] for s in subsidiaries), ZERO)
    return {"customer": {"id": customer.id, "code": customer.code, "name": customer.name,
                         "receivable": balances[customer.id]},
            "subsidiaries": subsidiaries, "subsidiaries_total": total,
            "group_total": balances[customer.id] + total}


async def _descendants(customer_id: int) -> list[Customer]:
    """Every customer below this one, level by level, ordered by code."""
    found: dict[int, Customer] = {}
    level = [customer_id]
    while level:
        children = await Customer.filter(parent_id__in=level, deleted_at=None)
        children = [c for c in children if c.id not in found and c.id != customer_id]
        found.update({c.id: c for c in children})
        level = [c.id for c in children]
    return sorted(found.values(), key=lambda c: c.code)


async def list_customers(actor: Actor, *, include_disabled: bool, search: str = "",
                         limit: int = 50, offset: int = 0) -> list[Customer]:
    query = Customer.filter(deleted_at=None)
    visible = await visible_customer_ids(actor)
    if visible is not None:
        query = query.filter(id__in=list(visible))
    if not include_disabled:
        query = query.filter(disabled=False)
    if search:  # a clerk types either the name or the ERP's code
        query = query.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return await query.order_by(*BY_NAME).offset(offset).limit(limit)


async def delete_customer(actor: Actor, customer_id: int, now: datetime) -> None:
    customer = await get_visible_customer(actor, customer_id)
    count = await Document.filter(customer_id=customer.id).count()
    if count:
        raise CUSTOMER_HAS_DOCUMENTS(
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
            raise CUSTOMER_HAS_RECEIVABLE(
                f"客户尚有应收 ¥{balance}，不能停用", receivable=str(balance))
    if customer.disabled != disabled:
        customer.disabled = disabled
        await customer.save(update_fields=["disabled"])
        await audit.record(actor, "disable" if disabled else "enable", "customer", customer.id, now)
    return customer


def check_live(bind: BindCode, now: datetime) -> None:
    """Refuse a bind code that was used (409) or has expired (400)."""
    if bind.used_at is not None:
        raise BIND_CODE_USED("绑定码已被使用，请向业务员索取新的绑定码")
    if bind.expires_at <= now:
        raise BIND_CODE_EXPIRED("绑定码已过期，请向业务员索取新的绑定码")


async def issue_bind_code(actor: Actor, customer_id: int, contact_id: int | None,
                          ttl_hours: int, now: datetime) -> BindCode:
    """A one-time code a contact types into the bot or mini-program to bind to this customer."""
    customer = await get_visible_customer(actor, customer_id)
    if contact_id is not None and not await Contact.exists(id=contact_id, customer_id=customer.id):
        raise UNKNOWN_CONTACT(f"联系人 {contact_id} 不属于该客户")
    code = "".join(secrets.choice(BIND_ALPHABET) for _ in range(8))
    bind = await BindCode.create(
        code=code, customer=customer, contact_id=contact_id, created_at=now,
        expires_at=now + timedelta(hours=ttl_hours),
    )
    await audit.record(actor, "issue", "bind_code", bind.id, now, customer_id=customer.id)
    return bind
