"""Counts statement views in memory and writes them in batches, so a page view is not a write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain.models import Statement


@dataclass
class _Views:
    count: int
    first: datetime
    last: datetime


class ViewCounter:
    def __init__(self) -> None:
        self._pending: dict[int, _Views] = {}

    def record(self, statement_id: int, now: datetime) -> None:
        views = self._pending.get(statement_id)
        if views is None:
            self._pending[statement_id] = _Views(1, now, now)
        else:
            views.count += 1
            views.last = max(views.last, now)

    async def flush(self) -> int:
        """Write what was counted since the last flush; returns how many statements changed."""
        pending, self._pending = self._pending, {}
        if not pending:
            return 0
        async with in_transaction():
            for statement_id, views in pending.items():
                await Statement.filter(id=statement_id).update(
                    view_count=F("view_count") + views.count, last_viewed_at=views.last
                )
                await Statement.filter(id=statement_id, first_viewed_at=None).update(
                    first_viewed_at=views.first
                )
        return len(pending)
