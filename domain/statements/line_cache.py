"""Statement lines never change once written (a statement is a snapshot), so the lines of
recently viewed statements are kept in memory and a page view costs one query, not three."""

from __future__ import annotations

from collections import OrderedDict

from domain.models import StatementLine
from domain.statements.views import line_view


class LineCache:
    def __init__(self, capacity: int = 5000) -> None:
        self._capacity = capacity
        self._lines: OrderedDict[int, list[dict]] = OrderedDict()

    async def lines(self, statement_id: int) -> list[dict]:
        """The line views of a statement, oldest document first (callers must not mutate them)."""
        cached = self._lines.get(statement_id)
        if cached is not None:
            self._lines.move_to_end(statement_id)
            return cached
        rows = await StatementLine.filter(statement_id=statement_id).order_by("position")
        views = [line_view(row) for row in rows]
        self._lines[statement_id] = views
        if len(self._lines) > self._capacity:
            self._lines.popitem(last=False)
        return views
