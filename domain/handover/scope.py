"""Which documents belong to whose hand-over on which day (seed 001's 数据来源), in one place
for the report, the confirmations and the bot.

A document is in a person's day when they are its salesperson (经办人) and it is dated that day,
or, for sales and returns, when they drove it and delivered it that day (配送单据):
- sales (销售单据): sales-outs not void, returns only once completed (approved), neither red
  reversed nor a red reversal (红冲 / 被红冲);
- receipts (收款单): pending or approved;
- expenses and other income: pending or approved;
- exchanges (兑换货物): whatever their state.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from domain.documents.models import Document, Exchange, Expense, OtherIncome
from domain.documents.rules import APPROVED, RECEIPT, SALES_OUT, SALES_RETURN, VOID
from domain.handover.rules import DOCUMENT, EXCHANGE, EXPENSE, OTHER_INCOME

MODELS = {DOCUMENT: Document, EXPENSE: Expense, OTHER_INCOME: OtherIncome, EXCHANGE: Exchange}

_SALE = Q(doc_type=SALES_OUT) & ~Q(audit_status=VOID)
_RETURN = Q(doc_type=SALES_RETURN, audit_status=APPROVED)
# Seed 001 hands over 正常 documents: a red reversal and what it reverses cancel out.
SALES = (_SALE | _RETURN) & Q(reversal=False)
RECEIPTS = Q(doc_type=RECEIPT) & ~Q(audit_status=VOID)
DELIVERIES = SALES
NOT_VOID = ~Q(audit_status=VOID)


def _people(field: str, staff_ids: Collection[int] | None) -> Q:
    """Everyone's documents (None) or those of the given staff."""
    return Q(**{f"{field}__isnull": False}) if staff_ids is None else Q(
        **{f"{field}__in": list(staff_ids)})


def sales_of(staff_ids: Collection[int] | None, days: Collection[date]) -> QuerySet:
    return Document.filter(SALES, _people("salesperson_id", staff_ids), date__in=list(days))


def receipts_of(staff_ids: Collection[int] | None, days: Collection[date]) -> QuerySet:
    return Document.filter(RECEIPTS, _people("salesperson_id", staff_ids), date__in=list(days))


def own_documents_of(staff_ids: Collection[int] | None, days: Collection[date]) -> QuerySet:
    """``sales_of`` and ``receipts_of`` in one query: their type tells them apart (a receipt is
    never a sale)."""
    return Document.filter(SALES | RECEIPTS, _people("salesperson_id", staff_ids),
                           date__in=list(days))


def deliveries_of(staff_ids: Collection[int] | None, days: Collection[date]) -> QuerySet:
    """The sales and returns a driver delivered on those days (配送单据)."""
    return Document.filter(DELIVERIES, _people("driver_id", staff_ids),
                           delivered_on__in=list(days))


def documents_of(staff_ids: Collection[int] | None, days: Collection[date]) -> QuerySet:
    """Every ERP document in those people's hand-over on those days: sales, receipts and
    deliveries."""
    mine = _people("salesperson_id", staff_ids) & Q(date__in=list(days)) & (SALES | RECEIPTS)
    driven = (_people("driver_id", staff_ids) & Q(delivered_on__in=list(days)) & DELIVERIES)
    return Document.filter(mine | driven)


def others_of(kind: str, staff_ids: Collection[int] | None,
              days: Collection[date]) -> QuerySet:
    """Expenses, other income (not void) or exchanges (all) of those people on those days."""
    query = _people("salesperson_id", staff_ids) & Q(date__in=list(days))
    if kind != EXCHANGE:
        query &= NOT_VOID
    return MODELS[kind].filter(query)


def of_kind(kind: str, staff_ids: Collection[int] | None, days: Collection[date]) -> QuerySet:
    """The hand-over documents of one kind of those people on those days."""
    if kind == DOCUMENT:
        return documents_of(staff_ids, days)
    return others_of(kind, staff_ids, days)
