"""The statement as every edge shows it: one plain dict (amounts stay Decimal)."""

from __future__ import annotations

from domain.models import Customer, Statement, StatementLine
from domain.statements import rules


def statement_summary(statement: Statement, customer: Customer | None = None) -> dict:
    view = {
        "id": statement.id,
        "customer_id": statement.customer_id,
        "date_from": statement.date_from,
        "date_to": statement.date_to,
        "opening": statement.opening,
        "increase": statement.increase,
        "receipts": statement.receipts,
        "closing": statement.closing,
        "line_count": statement.line_count,
        "owed_total": statement.owed_total,
        "received_amount": statement.received_amount,
        "status": statement.status,
        "status_label": rules.STATUS_LABELS[statement.status],
        "source_changed": statement.source_changed,
        "created_at": statement.created_at,
        "answered_at": statement.answered_at,
    }
    if customer is not None:
        view["customer"] = {"id": customer.id, "code": customer.code, "name": customer.name}
    return view


def staff_extras(statement: Statement) -> dict:
    """For staff only: who answered (a person, or 通过分享链接 with time and device), and how
    often and when the customer opened the statement (counted outside the version, so a
    customer's cached view would show it stale)."""
    return {
        "answered_by": statement.answered_by,
        "view_count": statement.view_count,
        "first_viewed_at": statement.first_viewed_at,
        "last_viewed_at": statement.last_viewed_at,
    }


def line_view(line: StatementLine) -> dict:
    return {
        "number": line.number,
        "type": line.doc_type,
        "type_label": rules.DOC_TYPE_LABELS[line.doc_type],
        "date": line.date,
        "amount": line.amount,
        "owed": line.owed,
        "account": line.account,
    }


def statement_view(statement: Statement, customer: Customer, lines: list[dict]) -> dict:
    """The whole statement; `lines` are line views (see `line_view` and `LineCache`)."""
    view = statement_summary(statement, customer)
    view["lines"] = lines
    return view
