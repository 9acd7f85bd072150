"""Writing notices to the outbox, inside the caller's transaction; delivery is elsewhere."""

from __future__ import annotations

from datetime import datetime

from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain.models import Contact, OutboxMessage, Staff
from domain.request_context import current_request_id
from domain.sql import is_postgres

WECHAT, DINGTALK, DINGTALK_GROUP = "wechat", "dingtalk", "dingtalk_group"
OLDEST_DUE_SQLITE = """SELECT (julianday(?) - min(julianday(next_attempt_at))) * 86400 FROM outbox
    WHERE status = 'pending' AND julianday(next_attempt_at) <= julianday(?)"""
OLDEST_DUE_PG = """SELECT EXTRACT(EPOCH FROM ($1::timestamptz - min(next_attempt_at))) FROM outbox
    WHERE status = 'pending' AND next_attempt_at <= $2::timestamptz"""


async def enqueue(
    *, channel: str, kind: str, recipient_kind: str, recipient_id: str, recipient_name: str,
    payload: dict, dedupe_key: str, now: datetime,
) -> OutboxMessage | None:
    """Queue one notice unless one with the same dedupe key already exists; it carries the id
    of the request that caused it, if any."""
    if await OutboxMessage.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        # A savepoint: losing a race to a concurrent writer must not spoil the caller's work.
        async with in_transaction():
            return await OutboxMessage.create(
                channel=channel, kind=kind, recipient_kind=recipient_kind,
                recipient_id=recipient_id, recipient_name=recipient_name, payload=payload,
                dedupe_key=dedupe_key, next_attempt_at=now, business_date=now.date(),
                created_at=now, request_id=current_request_id(),
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


async def counts_by_channel_and_status() -> dict[tuple[str, str], int]:
    """How many rows each (channel, status) holds."""
    rows = await OutboxMessage.all().group_by("channel", "status").annotate(
        count=Count("id")).values_list("channel", "status", "count")
    return {(channel, status): count for channel, status, count in rows}


async def oldest_due_pending_age(now: datetime) -> float | None:
    """Seconds since the longest-waiting due pending row became due (None if none is due)."""
    connection = get_connection("default")
    if is_postgres(connection):
        sql = OLDEST_DUE_PG
    else:  # SQLite keeps datetimes as text with their offset: compare through julianday()
        sql = OLDEST_DUE_SQLITE
    _, rows = await connection.execute_query(sql, [now, now])
    age = rows[0][0] if rows else None
    return None if age is None else float(age)
