"""The one writer of outbox rows, inside the caller's transaction; delivery is elsewhere.

A use case asks for a notice by its catalogue kind, recipient, payload and dedupe key
(``domain.notices.catalogue``): one at a time with ``enqueue``, or many at once — the set-based
jobs — with ``save_many`` (the ORM's ``bulk_create``) or ``insert`` (multi-row ``INSERT``s of
plain values, for the month-end run's volume). All three build the row in ``_values``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain.bulk_rows import BulkTable, EncodedJSON
from domain.notices.catalogue import MAX_KEY, MAX_NAME, Kind, Recipient, check_channel
from domain.notices.models import OutboxMessage
from domain.request_context import current_request_id
from domain.sql import insert_rows, is_postgres

OLDEST_DUE_SQLITE = """SELECT (julianday(?) - min(julianday(next_attempt_at))) * 86400 FROM outbox
    WHERE status = 'pending' AND julianday(next_attempt_at) <= julianday(?)"""
OLDEST_DUE_PG = """SELECT EXTRACT(EPOCH FROM ($1::timestamptz - min(next_attempt_at))) FROM outbox
    WHERE status = 'pending' AND next_attempt_at <= $2::timestamptz"""


OUTBOX = BulkTable(OutboxMessage)
PAYLOAD = OutboxMessage._meta.fields_map["payload"]  # the ORM's JSON encoding of payloads


@dataclass(frozen=True)
class NewNotice:
    """A notice a use case asks for: what, to whom, saying what, and its dedupe key."""

    kind: Kind
    to: Recipient
    payload: Mapping[str, Any]
    dedupe_key: str


def _values(notice: NewNotice, now: datetime) -> dict[str, Any]:
    """The columns a new row sets (the rest take the model's defaults): pending, due now, with
    the id of the request that caused it, if any."""
    check_channel(notice.kind, notice.to.channel)
    return {
        "channel": str(notice.to.channel), "kind": str(notice.kind),
        "recipient_kind": notice.to.kind, "recipient_id": notice.to.id,
        "recipient_name": notice.to.name[:MAX_NAME], "payload": notice.payload,
        "dedupe_key": notice.dedupe_key[:MAX_KEY], "next_attempt_at": now,
        "business_date": now.date(), "created_at": now, "request_id": current_request_id(),
    }


async def enqueue(kind: Kind, to: Recipient, payload: Mapping[str, Any], dedupe_key: str,
                  now: datetime) -> OutboxMessage | None:
    """Queue one notice unless one with the same dedupe key already exists."""
    if await OutboxMessage.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        # A savepoint: losing a race to a concurrent writer must not spoil the caller's work.
        async with in_transaction():
            return await OutboxMessage.create(
                **_values(NewNotice(kind, to, payload, dedupe_key), now))
    except IntegrityError:
        return None


async def save_many(notices: Iterable[NewNotice], now: datetime, *, connection=None,
                    batch_size: int | None = None) -> None:
    """Many rows through the ORM's ``bulk_create``; a dedupe key already stored is skipped."""
    rows = [OutboxMessage(**_values(notice, now)) for notice in notices]
    await OutboxMessage.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True,
                                    using_db=connection)


async def insert(notices: Iterable[NewNotice], now: datetime, connection) -> None:
    """Many rows in multi-row ``INSERT … ON CONFLICT DO NOTHING`` statements, shaped by the
    model (``domain.bulk_rows``: its columns, its defaults); a payload object shared by several
    notices is encoded once."""
    encoded: dict[int, tuple[Mapping, EncodedJSON]] = {}  # holding the payload keeps its id

    def values(notice: NewNotice) -> dict[str, Any]:
        if id(notice.payload) not in encoded:
            encoded[id(notice.payload)] = notice.payload, EncodedJSON(
                PAYLOAD.to_db_value(notice.payload, OutboxMessage))
        return {**_values(notice, now), "payload": encoded[id(notice.payload)][1]}

    rows = OUTBOX.rows(values(notice) for notice in notices)
    if rows:
        await insert_rows(connection, OUTBOX.table, OUTBOX.columns, rows, ignore_conflicts=True)


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
