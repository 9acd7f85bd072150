"""Read-side helpers for a customer contact (the WeChat bot): who they are, their latest
statements with a working share link, and their balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from domain.actors import Actor
from domain.customers import receivable
from domain.models import Contact, Customer, ShareLink, Statement
from domain.sharing import sign_share_token
from domain.statements import rules
from domain.statements import service as statements
from domain.statements.service import ShareSettings

# A link that would die within this long is not handed out again: a fresh one is made instead.
MIN_LINK_LIFE = timedelta(days=1)


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
    return [SharedStatement(s, await share_url(actor, s, share, now)) for s in found]


async def share_url(actor: Actor, statement: Statement, share: ShareSettings, now) -> str:
    """The URL of a live share link of the statement, or of a new one (the domain's 分享)."""
    link = await _live_link(statement.id, now)
    if link is not None:
        return share.url(sign_share_token(share.secret, link.nonce, link.expires_at))
    _, token = await statements.share_statement(actor, statement.id, share, now)
    return share.url(token)


async def _live_link(statement_id: int, now: datetime) -> ShareLink | None:
    return await ShareLink.filter(
        statement_id=statement_id, revoked_at=None, expires_at__gt=now + MIN_LINK_LIFE
    ).order_by("-expires_at", "-id").first()


async def balance(customer_id: int, limit: int = 5) -> Balance:
    """The receivable and the unconfirmed statements (whose 期末应收 is what is due for now)."""
    unconfirmed = await Statement.filter(
        customer_id=customer_id, deleted_at=None, status=rules.UNCONFIRMED
    ).order_by("-created_at", "-id").limit(limit)
    return Balance(await receivable(customer_id), list(unconfirmed))
