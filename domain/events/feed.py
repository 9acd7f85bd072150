"""The pull feed: events after a cursor, in id order, for ERPs that cannot receive webhooks;
and their retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.events.errors import BAD_CURSOR
from domain.events.models import Event
from domain.events.publish import envelope

MAX_CURSOR = 2**63 - 1  # a BigInt id


@dataclass(frozen=True)
class Page:
    events: list[dict[str, Any]]
    next: int  # the cursor for the next call: the last event's id, else the one given


def parse_cursor(text: str | None) -> int:
    """The cursor from the query (absent: from the start); 400 unless a whole number ≥ 0."""
    if text is None or text == "":
        return 0
    if not text.isascii() or not text.isdigit() or int(text) > MAX_CURSOR:
        raise BAD_CURSOR(f"after={text!r} 不是有效的游标：请传上一页返回的 next（从头读取传 0）",
                         after=text)
    return int(text)


async def events_after(after: int, limit: int) -> Page:
    """Up to ``limit`` events with ids above ``after``, oldest first."""
    rows = await Event.filter(id__gt=after).order_by("id").limit(limit).values_list(
        "id", "type", "occurred_at", "payload")
    events = [envelope(event_id, type_, occurred_at, payload or {})
              for event_id, type_, occurred_at, payload in rows]
    return Page(events, events[-1]["id"] if events else after)


async def prune_events(now: datetime, keep_days: int) -> int:
    """Delete events older than ``keep_days``; how many went."""
    return await Event.filter(occurred_at__lt=now - timedelta(days=keep_days)).delete()
