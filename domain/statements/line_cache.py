"""Statement lines never change once written (a statement is a snapshot), so the lines of
recently viewed statements are kept in memory and a page view costs one query, not three.
A statement with usage bills (seed 004) costs one more, for how its bills were priced."""

from __future__ import annotations

from collections import OrderedDict

from domain.documents.rules import BILL
from domain.models import Bill, StatementLine
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
        details = await _bill_details(rows)
        views = [line_view(row, details.get(row.document_id)) for row in rows]
        self._lines[statement_id] = views
        if len(self._lines) > self._capacity:
            self._lines.popitem(last=False)
        return views


async def _bill_details(lines: list[StatementLine]) -> dict[int, dict]:
    """The stored pricing detail of the lines' usage bills, by document id."""
    documents = [line.document_id for line in lines if line.doc_type == BILL and line.document_id]
    if not documents:
        return {}
    rows = await Bill.filter(document_id__in=documents, detail__isnull=False).values_list(
        "document_id", "detail")
    return dict(rows)
