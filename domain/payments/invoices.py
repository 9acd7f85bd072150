"""账单开票 (seed 004, 3.2): an invoice asked for bills of one customer. 普票 needs the company name
and tax id, 专票 every invoice field (from the customer's invoice info, or given with the
request); the amount must equal the bills' sum exactly; a bill already on a live request
(not cancelled) cannot be asked for again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.money import ZERO, fmt
from domain.payments import rules, settle
from domain.payments.errors import (
    BILL_ALREADY_INVOICED,
    BILL_NOT_FOUND,
    DUPLICATE_BILL,
    INVOICE_REQUEST_CANCELLED,
    INVOICE_REQUEST_NOT_FOUND,
    NO_BILLS,
)
from domain.payments.models import InvoiceRequest, InvoiceRequestBill

REQUESTED, CANCELLED = "requested", "cancelled"
STATUS_LABELS = {REQUESTED: "已申请", CANCELLED: "已取消"}


async def request_invoice(*, customer_id: int, kind: str, amount: Decimal,
                          bill_ids: Sequence[int], invoice: Mapping | None, actor: str,
                          now: datetime) -> InvoiceRequest:
    if not bill_ids:
        raise NO_BILLS("请选择要开票的账单")
    if len(set(bill_ids)) != len(bill_ids):
        raise DUPLICATE_BILL("同一账单只能选择一次")
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    fields = rules.invoice_fields(kind, {**(customer.invoice or {}), **(invoice or {})})
    async with in_transaction():
        bills = await settle.lock_bills(bill_ids)
        for bill_id in bill_ids:
            if bill_id not in bills or bills[bill_id].customer_id != customer.id:
                raise BILL_NOT_FOUND(f"客户 {customer.name} 没有账单 #{bill_id}")
        rules.check_invoice_amount(amount, sum((b.amount for b in bills.values()), ZERO))
        await _refuse_invoiced(bill_ids)
        request = await InvoiceRequest.create(
            customer_id=customer.id, kind=kind, amount=amount, invoice=fields,
            created_by=actor[:100], created_at=now)
        await InvoiceRequestBill.bulk_create([
            InvoiceRequestBill(request_id=request.id, bill_id=b.id, amount=b.amount)
            for b in bills.values()])
    return request


async def _refuse_invoiced(bill_ids: Sequence[int]) -> None:
    taken = await InvoiceRequestBill.filter(
        bill_id__in=bill_ids, request__status=REQUESTED).values_list("bill_id", "request_id")
    if taken:
        names = "、".join(f"#{b}（开票申请 #{r}）" for b, r in sorted(taken))
        raise BILL_ALREADY_INVOICED(f"账单已在开票申请中：{names}",
                                    bills=sorted({b for b, _ in taken}))


async def cancel_invoice_request(request_id: int) -> InvoiceRequest:
    request = await InvoiceRequest.get_or_none(id=request_id)
    if request is None:
        raise INVOICE_REQUEST_NOT_FOUND(f"开票申请 {request_id} 不存在")
    if not await InvoiceRequest.filter(id=request.id, status=REQUESTED).update(status=CANCELLED):
        raise INVOICE_REQUEST_CANCELLED(f"开票申请 #{request.id} 已取消")
    request.status = CANCELLED
    return request


async def invoice_request_view(request: InvoiceRequest) -> dict:
    return (await _views([request]))[0]


async def list_invoice_requests(*, customer_id: int | None, limit: int,
                                offset: int) -> list[dict]:
    query = InvoiceRequest.all()
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    return await _views(await query.order_by("-id").offset(offset).limit(limit))


async def _views(requests: Sequence[InvoiceRequest]) -> list[dict]:
    """The requests with their bills, the bills of all of them read in one query."""
    lines: dict[int, list[dict]] = defaultdict(list)
    for x in await InvoiceRequestBill.filter(
            request_id__in=[r.id for r in requests]).order_by("bill_id"):
        lines[x.request_id].append({"bill_id": x.bill_id, "amount": fmt(x.amount)})
    return [{"id": r.id, "customer_id": r.customer_id, "kind": r.kind,
             "kind_label": rules.INVOICE_KINDS[r.kind], "amount": fmt(r.amount),
             "invoice": r.invoice, "status": r.status, "status_label": STATUS_LABELS[r.status],
             "created_by": r.created_by, "created_at": r.created_at, "bills": lines[r.id]}
            for r in requests]
