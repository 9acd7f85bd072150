"""Read-side helpers for a customer contact (the WeChat bot): who they are, their latest
statements with a working share link, and their balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.actors import Actor
from domain.customers.models import Contact, Customer
from domain.customers.service import receivable
from domain.statements import rules
from domain.statements import service as statements
from domain.statements.models import Statement
from domain.statements.service import ShareSettings


@dataclass(frozen=True)
class SharedStatement:
    statement: Statement
    url: str


@dataclass(frozen=True)
class Balance:
    receivable: Decimal
    unconfirmed: list[Statement]  # newest first: what the customer still has to confirm


async def contact_by_openid(openid: str) -> Contact | None:
    """The contact an official-account follower is, if any."""
    return await Contact.get_or_none(openid=openid)


async def customer_name(customer_id: int) -> str:
    customer = await Customer.get_or_none(id=customer_id)
    return customer.name if customer is not None else ""


async def latest_statements(
    actor: Actor, share: ShareSettings, now: datetime, limit: int = 3
) -> list[SharedStatement]:
    """The actor's newest statements, each with a share link that still works."""
    found = await statements.list_statements(actor, limit=limit)
    return [SharedStatement(s, await statements.live_share_url(actor, s.id, share, now))
            for s in found]


async def balance(customer_id: int, limit: int = 5) -> Balance:
    """The receivable and the unconfirmed statements (whose 期末应收 is what is due for now)."""
    unconfirmed = await Statement.filter(
        customer_id=customer_id, deleted_at=None, status=rules.UNCONFIRMED
    ).order_by("-created_at", "-id").limit(limit)
    return Balance(await receivable(customer_id), list(unconfirmed))
