"""Writing notices to the outbox, inside the caller's transaction; delivery is elsewhere."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.models import Contact, OutboxMessage, Staff

WECHAT, DINGTALK, DINGTALK_GROUP = "wechat", "dingtalk", "dingtalk_group"


async def enqueue(
    *, channel: str, kind: str, recipient_kind: str, recipient_id: str, recipient_name: str,
    payload: dict, dedupe_key: str, now: datetime,
) -> OutboxMessage | None:
    """Queue one notice unless one with the same dedupe key already exists."""
    if await OutboxMessage.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        # A savepoint: losing a race to a concurrent writer must not spoil the caller's work.
        async with in_transaction():
            return await OutboxMessage.create(
                channel=channel, kind=kind, recipient_kind=recipient_kind,
                recipient_id=recipient_id, recipient_name=recipient_name, payload=payload,
                dedupe_key=dedupe_key, next_attempt_at=now, business_date=now.date(),
                created_at=now,
            )
    except IntegrityError:
        return None


async def to_contact(contact: Contact, kind: str, payload: dict, key: str, now):
    return await enqueue(
        channel=WECHAT, kind=kind, recipient_kind="contact", recipient_id=str(contact.id),
        recipient_name=contact.name, payload=payload, dedupe_key=f"{key}:contact:{contact.id}",
        now=now,
    )


async def to_staff(staff: Staff, kind: str, payload: dict, key: str, now):
    return await enqueue(
        channel=DINGTALK, kind=kind, recipient_kind="staff", recipient_id=str(staff.id),
        recipient_name=staff.name, payload=payload, dedupe_key=f"{key}:staff:{staff.id}",
        now=now,
    )


async def to_managers(kind: str, payload: dict, key: str, now):
    """An alert for managers through the DingTalk group robot."""
    return await enqueue(
        channel=DINGTALK_GROUP, kind=kind, recipient_kind="group", recipient_id="managers",
        recipient_name="管理群", payload=payload, dedupe_key=f"{key}:managers", now=now,
    )
