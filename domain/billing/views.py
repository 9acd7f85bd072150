"""How a statement shows its usage bills: each bill's pricing detail, with its price type's
label, by the bill's document (the statement's line cache is given ``bill_details``)."""

from __future__ import annotations

from domain.billing.models import Bill
from domain.billing.pricing import PRICE_TYPE_LABELS


async def bill_details(document_ids: list[int]) -> dict[int, dict]:
    """The stored pricing detail of the bills of these documents, by document id."""
    rows = await Bill.filter(document_id__in=document_ids, detail__isnull=False).values_list(
        "document_id", "detail")
    return {document_id: usage_detail(detail) for document_id, detail in rows}


def usage_detail(detail: dict) -> dict:
    """A bill's stored breakdown (assess.Priced.detail) with its price type's label: each
    account's quantity, and the unit price (统一价, 阶段价) or the slices (阶梯价)."""
    return {**detail, "price_type_label": PRICE_TYPE_LABELS.get(detail["price_type"], "")}
