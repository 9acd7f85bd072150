"""Reading the payments pool: payments with what is reserved and available, their write-offs,
and a customer's penalty charges with what is paid and still owed. Finance and admins see
every payment; a salesperson the unmatched ones (to find their customers' money) and those of
the customers they can see."""

from __future__ import annotations

from decimal import Decimal

from tortoise.expressions import Q

from domain.access import can_see_customer, visible_customer_ids
from domain.actors import Actor
from domain.approvals.models import ApprovalFlow
from domain.billing.models import PenaltyCharge, PenaltyCredit
from domain.common_errors import BAD_STATUS
from domain.money import ZERO, fmt
from domain.payments import settle
from domain.payments.errors import PAYMENT_NOT_FOUND
from domain.payments.models import PoolPayment, WriteOff, WriteOffBill, WriteOffPenalty

WRITE_OFF_STATUS_LABELS = {settle.PENDING: "审批中", settle.DONE: "已销账",
                           settle.REJECTED: "已驳回"}


async def visible_payment(actor: Actor, payment_id: int) -> PoolPayment:
    payment = await PoolPayment.get_or_none(id=payment_id)
    if payment is None or (payment.customer_id is not None
                           and not await can_see_customer(actor, payment.customer_id)):
        raise PAYMENT_NOT_FOUND(f"到款 {payment_id} 不存在")
    return payment


async def payment_views(payments: list[PoolPayment]) -> list[dict]:
    """The views of many payments, their reservations read in one query."""
    reserved = await settle.reserved_on_payments(p.id for p in payments)
    return [_view(p, reserved.get(p.id, ZERO)) for p in payments]


async def payment_view(payment: PoolPayment, *, with_write_offs: bool = False) -> dict:
    view = _view(payment, await settle.reserved_on_payment(payment.id))
    if with_write_offs:
        view["write_offs"] = [await write_off_view(w) for w in await WriteOff.filter(
            payment_id=payment.id).order_by("id")]
    return view


def _view(payment: PoolPayment, reserved: Decimal) -> dict:
    return {"id": payment.id, "reference": payment.reference, "payer_name": payment.payer_name,
            "payer_key": payment.payer_key, "amount": fmt(payment.amount),
            "remaining": fmt(payment.remaining), "reserved": fmt(reserved),
            "available": fmt(payment.remaining - reserved),
            "received_on": payment.received_on, "customer_id": payment.customer_id,
            "matched_by": payment.matched_by, "status": payment.status,
            "status_label": settle.PAYMENT_STATUS_LABELS.get(payment.status, payment.status),
            "note": payment.note, "imported_by": payment.imported_by,
            "created_at": payment.created_at}


async def write_off_view(write_off: WriteOff) -> dict:
    flow = await ApprovalFlow.get_or_none(id=write_off.flow_id) if write_off.flow_id else None
    status = write_off.status
    bills = await WriteOffBill.filter(write_off_id=write_off.id).order_by("bill_id")
    fines = await WriteOffPenalty.filter(write_off_id=write_off.id).order_by("penalty_id")
    return {"id": write_off.id, "payment_id": write_off.payment_id,
            "customer_id": write_off.customer_id, "automatic": write_off.automatic,
            "amount": fmt(write_off.amount), "status": status,
            "status_label": WRITE_OFF_STATUS_LABELS[status], "flow_id": write_off.flow_id,
            "flow_status": flow.status if flow else None,
            "document": f"WO-{write_off.id}" if status == settle.DONE else None,
            "bills": [{"bill_id": b.bill_id, "amount": fmt(b.amount)} for b in bills],
            "penalties": [{"penalty_id": p.penalty_id, "amount": fmt(p.amount)} for p in fines],
            "created_at": write_off.created_at, "done_at": write_off.done_at}


async def list_payments(actor: Actor, *, status: str | None, customer_id: int | None,
                        limit: int, offset: int) -> list[dict]:
    query = PoolPayment.all()
    visible = await visible_customer_ids(actor)
    if visible is not None:
        query = query.filter(Q(customer_id=None) | Q(customer_id__in=visible))
    if status:
        if status not in settle.PAYMENT_STATUS_LABELS:
            raise BAD_STATUS(f"未知到款状态: {status}")
        query = query.filter(status=status)
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    return await payment_views(
        await query.order_by("-received_on", "-id").offset(offset).limit(limit))


async def customer_penalties(customer_id: int) -> dict:
    """Every penalty charge of the customer, oldest first, with the totals (罚息 stays owed
    after the bill is paid: a receivable of its own). ``amount`` is net of ``credited``
    (taken back by a term change)."""
    charges = await PenaltyCharge.filter(customer_id=customer_id).order_by(
        "accrued_on", "bill_id", "month_index")
    credited = _sums(await PenaltyCredit.filter(penalty__customer_id=customer_id).values_list(
        "penalty_id", "amount"))
    items = [{"id": c.id, "bill_id": c.bill_id, "month_index": c.month_index,
              "accrued_on": c.accrued_on, "base": fmt(c.base), "rate": str(c.rate),
              "amount": fmt(c.amount), "credited": fmt(credited.get(c.id, ZERO)),
              "paid": fmt(c.paid), "outstanding": fmt(c.amount - c.paid)}
             for c in charges]
    total = sum((c.amount for c in charges), ZERO)
    paid = sum((c.paid for c in charges), ZERO)
    return {"customer_id": customer_id, "items": items, "total": fmt(total),
            "credited": fmt(sum(credited.values(), ZERO)), "paid": fmt(paid),
            "outstanding": fmt(Decimal(total) - paid)}


def _sums(rows) -> dict[int, Decimal]:
    sums: dict[int, Decimal] = {}
    for key, amount in rows:
        sums[key] = sums.get(key, ZERO) + Decimal(amount)
    return sums
