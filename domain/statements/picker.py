"""The document picker: a customer's ERP documents of a period, each marked with its audit
state and whether a statement may take it now."""

from __future__ import annotations

from datetime import date

from domain.access import get_visible_customer
from domain.actors import Actor
from domain.documents.models import Document
from domain.documents.rules import AUDIT_LABELS, DOC_TYPE_LABELS
from domain.statements.rules import check_period
from domain.statements.settings import counted_audit_states


async def documents_to_pick(
    actor: Actor, customer_id: int, *, date_from: date | None, date_to: date | None,
    doc_type: str | None, limit: int,
) -> list[dict]:
    check_period(date_from, date_to)
    customer = await get_visible_customer(actor, customer_id)
    query = Document.filter(customer_id=customer.id)
    if date_from:
        query = query.filter(date__gte=date_from)
    if date_to:
        query = query.filter(date__lte=date_to)
    if doc_type:
        query = query.filter(doc_type=doc_type)
    documents = await query.order_by("date", "number").limit(limit)
    counted = await counted_audit_states()
    return [_pickable(d, d.audit_status in counted) for d in documents]


def _pickable(d: Document, pickable: bool) -> dict:
    return {
        "number": d.number, "type": d.doc_type, "type_label": DOC_TYPE_LABELS[d.doc_type],
        "date": d.date, "amount": d.amount, "owed": d.owed, "account": d.account,
        "status": d.status, "version": d.version, "audit_status": d.audit_status,
        "audit_label": AUDIT_LABELS.get(d.audit_status, d.audit_status), "pickable": pickable,
    }
