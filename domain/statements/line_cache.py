"""Statement lines never change once written (a statement is a snapshot), so the lines of
recently viewed statements are kept in memory and a page view costs one query, not three.
A statement with usage bills (seed 004) costs one more, for how its bills were priced: the
composition passes in billing's ``bill_details`` (statements do not import billing, which
issues statements)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable

from domain.documents.rules import BILL
from domain.statements.models import StatementLine
from domain.statements.views import line_view

BillDetails = Callable[[list[int]], Awaitable[dict[int, dict]]]


async def no_bill_details(document_ids: list[int]) -> dict[int, dict]:
    return {}


class LineCache:
    def __init__(self, capacity: int = 5000, bill_details: BillDetails = no_bill_details,
                 ) -> None:
        self._capacity = capacity
        self._bill_details = bill_details
        self._lines: OrderedDict[int, list[dict]] = OrderedDict()

    async def lines(self, statement_id: int) -> list[dict]:
        """The line views of a statement, oldest document first (callers must not mutate them)."""
        cached = self._lines.get(statement_id)
        if cached is not None:
            self._lines.move_to_end(statement_id)
            return cached
        rows = await StatementLine.filter(statement_id=statement_id).order_by("position")
        details = await self._details(rows)
        views = [line_view(row, details.get(row.document_id)) for row in rows]
        self._lines[statement_id] = views
        if len(self._lines) > self._capacity:
            self._lines.popitem(last=False)
        return views

    async def _details(self, lines: list[StatementLine]) -> dict[int, dict]:
        """The pricing detail of the lines' usage bills, by document id."""
        documents = [line.document_id for line in lines
                     if line.doc_type == BILL and line.document_id]
        return await self._bill_details(documents) if documents else {}
