"""Publishing events, inside the caller's transaction, so an event exists iff its change
committed: one at a time (``publish``) or many in multi-row ``INSERT``s (``publish_many``, for
the set-based jobs). Each new event also queues one outbox row per configured webhook endpoint
(``Channel.WEBHOOK``); with none configured, no outbox row is written.

The feed pages by id, so ids must become visible in order: on PostgreSQL a publishing
transaction takes an advisory lock until it ends, so a transaction that took an id commits
before the next one takes a higher id (SQLite runs one writer at a time anyway). Publish at the
end of a use case, where the lock is held for the shortest time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.connection import get_connection

from domain.bulk_rows import BulkTable
from domain.events.catalogue import EventType
from domain.events.models import Event
from domain.notices import outbox
from domain.notices.catalogue import Kind, erp_event_key, webhook_recipient
from domain.request_context import current_request_id
from domain.sql import insert_rows, is_postgres

EVENTS = BulkTable(Event)
EVENTS_LOCK = 0x7A11_E7  # the advisory lock key of publishing
MAX_KEY = 200

_endpoints: tuple[str, ...] = ()  # the webhook endpoints' names, set at composition


def set_webhook_endpoints(names: Sequence[str]) -> None:
    """Which webhook endpoints each new event is queued for (``tally`` sets it from the
    settings; empty: none)."""
    global _endpoints
    _endpoints = tuple(names)


def webhook_endpoints() -> tuple[str, ...]:
    return _endpoints


@dataclass(frozen=True)
class NewEvent:
    """An event a use case publishes: its type, a key naming the happening (so publishing it
    again adds nothing), its subject and its payload (the catalogue's TypedDict)."""

    type: EventType
    key: str
    subject_type: str
    subject_id: str | int
    payload: Mapping[str, Any]
    customer_id: int | None = None


def envelope(event_id: int, type_: str, occurred_at: datetime, data: Mapping[str, Any],
             ) -> dict[str, Any]:
    """The event as the ERP gets it, in the feed and in a webhook's body."""
    return {"id": event_id, "type": type_, "occurred_at": occurred_at.isoformat(),
            "data": dict(data)}


async def publish(event: NewEvent, now: datetime) -> int | None:
    """Publish one event; its id, or None when its key was published before."""
    ids = await publish_many([event], now)
    return ids[0] if ids else None


async def publish_many(events: Iterable[NewEvent], now: datetime) -> list[int]:
    """Publish events in multi-row inserts (those whose key exists are skipped) and queue
    their webhook deliveries the same way; the new events' ids."""
    wanted = {e.key[:MAX_KEY]: e for e in events}
    if not wanted:
        return []
    connection = get_connection("default")
    if is_postgres(connection):
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [EVENTS_LOCK])
    request_id = current_request_id()
    rows = EVENTS.rows(_values(key, e, now, request_id) for key, e in wanted.items())
    new = await insert_rows(connection, EVENTS.table, EVENTS.columns, rows,
                            returning=("id", "key"), ignore_conflicts=True)
    published = sorted((int(event_id), wanted[key]) for event_id, key in new)
    if _endpoints and published:
        await outbox.insert(_deliveries(published, now), now, connection)
    return [event_id for event_id, _ in published]


def _values(key: str, event: NewEvent, now: datetime, request_id: str) -> dict[str, Any]:
    return {"type": str(event.type), "key": key, "occurred_at": now,
            "subject_type": event.subject_type, "subject_id": str(event.subject_id),
            "customer_id": event.customer_id, "payload": dict(event.payload),
            "request_id": request_id}


def _deliveries(published: list[tuple[int, NewEvent]], now: datetime,
                ) -> Iterable[outbox.NewNotice]:
    for event_id, event in published:
        body = envelope(event_id, event.type, now, event.payload)
        for name in _endpoints:
            to = webhook_recipient(name)
            yield outbox.NewNotice(Kind.ERP_EVENT, to, body, erp_event_key(event_id, to))
