"""Counts statement views in memory and writes them in batches, so a page view is not a write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.sql import execute_many
from domain.statements.models import Statement

# One statement per flush for all counted statements: thousands of views a second stay cheap.
_FLUSH_SQL = (
    "UPDATE statement SET view_count = view_count + {0}, last_viewed_at = {1},"
    " first_viewed_at = COALESCE(first_viewed_at, {2}) WHERE id = {3}"
)


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
        field = Statement._meta.fields_map["last_viewed_at"]
        rows = [
            [views.count, field.to_db_value(views.last, Statement),
             field.to_db_value(views.first, Statement), statement_id]
            for statement_id, views in pending.items()
        ]
        await execute_many(_FLUSH_SQL, rows)
        return len(rows)
