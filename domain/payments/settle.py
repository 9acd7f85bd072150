"""Stored write-offs: what pending write-offs hold, the locks, and ending a write-off with its
flow — applied on final approval, rejected when the flow is rejected or withdrawn.

A pending write-off reserves its bills, penalties and payment money while its flow is alive
(pending, or returned to the initiator): the reservation is the write-off's own status. The
flow's end is recorded in the same transaction (the kind's effect, or its ``on_end``), so the
payment is back in the pool the moment the flow is rejected or withdrawn.

Lock order, the same everywhere: the write-off (on apply or release), the payment, the bills by
id, the penalties by id. On PostgreSQL the locks are FOR NO KEY UPDATE row locks (as in
domain/credit: inserting write-off lines that refer to a locked bill must not wait on it);
SQLite serialises transactions, and the version compare-and-set on payment and bills turns any
write that slipped past into a Conflict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from domain.approvals.models import ApprovalFlow
from domain.billing.models import Bill, PenaltyCharge
from domain.credit.lines import save
from domain.credit_limit import check_credit_limits
from domain.customers.models import Customer
from domain.documents.models import Document
from domain.documents.rules import RECEIPT
from domain.events.catalogue import EventType, PaymentWrittenOff, customer_ref
from domain.events.publish import NewEvent, publish
from domain.money import ZERO, fmt, yuan
from domain.payments.errors import (
    BILL_CHANGED,
    PAYMENT_NOT_FOUND,
    PAYMENT_SHORT,
    PENALTY_CHANGED,
    WRITE_OFF_NOT_PENDING,
)
from domain.payments.models import PoolPayment, WriteOff, WriteOffBill, WriteOffPenalty
from domain.payments.rules import MANUAL

# write-off status
PENDING, DONE, REJECTED = "pending", "done", "rejected"
# payment status
UNMATCHED, MATCHED, PARTLY, WRITTEN_OFF = "unmatched", "matched", "partly", "written_off"
PAYMENT_STATUS_LABELS = {UNMATCHED: "未匹配", MATCHED: "已匹配", PARTLY: "部分销账",
                         WRITTEN_OFF: "已销账"}
UNPAID, PAID = "unpaid", "paid"
RECEIPT_ACCOUNT = "到款池"


# ----- reservations ---------------------------------------------------------------------------


async def reserved_bills(customer_id: int) -> dict[int, Decimal]:
    """Per bill of the customer, what pending write-offs hold of it."""
    return _sums(await WriteOffBill.filter(
        write_off__status=PENDING, write_off__customer_id=customer_id).values_list(
        "bill_id", "amount"))


async def reserved_penalties(customer_id: int) -> dict[int, Decimal]:
    return _sums(await WriteOffPenalty.filter(
        write_off__status=PENDING, write_off__customer_id=customer_id).values_list(
        "penalty_id", "amount"))


async def reserved_on_payments(payment_ids: Iterable[int]) -> dict[int, Decimal]:
    """Per payment, what pending write-offs hold of its money (payments holding nothing are
    left out)."""
    ids = set(payment_ids)
    return _sums(await WriteOff.filter(status=PENDING, payment_id__in=ids).values_list(
        "payment_id", "amount")) if ids else {}


async def reserved_on_payment(payment_id: int) -> Decimal:
    return (await reserved_on_payments([payment_id])).get(payment_id, ZERO)


def _sums(pairs: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for key, amount in pairs:
        totals[key] += Decimal(amount)
    return dict(totals)


# ----- locks ----------------------------------------------------------------------------------


async def lock_payment(payment_id: int) -> PoolPayment:
    row = await PoolPayment.filter(id=payment_id).select_for_update(no_key=True).first()
    if row is None:
        raise PAYMENT_NOT_FOUND(f"到款 {payment_id} 不存在")
    return row


async def lock_bills(ids: Iterable[int]) -> dict[int, Bill]:
    return await _lock_by_id(Bill, ids)


async def lock_penalties(ids: Iterable[int]) -> dict[int, PenaltyCharge]:
    return await _lock_by_id(PenaltyCharge, ids)


async def _lock_by_id(model, ids: Iterable[int]) -> dict:
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = await model.filter(id__in=ids).order_by("id").select_for_update(no_key=True)
    return {row.id: row for row in rows}


def bill_open(bill: Bill) -> Decimal:
    return bill.amount - bill.paid if bill.status == UNPAID else ZERO


def penalty_open(penalty: PenaltyCharge) -> Decimal:
    return penalty.amount - penalty.paid


# ----- applying (the write-off flow's effect) -------------------------------------------------


async def apply_write_off(flow: ApprovalFlow, actor: str, now: datetime) -> dict:
    """On final approval: pay the bills and penalties, take the money from the payment, and
    book a receipt document (WO-<id>, dated when the money arrived) so statements show it.
    Anything that changed under the write-off refuses (the flow stays where it was)."""
    write_off = await WriteOff.filter(id=flow.form["write_off_id"]).select_for_update(
        no_key=True).first()
    if write_off is None or write_off.status != PENDING or write_off.flow_id != flow.id:
        raise WRITE_OFF_NOT_PENDING("这笔销账已处理或不属于此流程")
    payment = await lock_payment(write_off.payment_id)
    if payment.remaining < write_off.amount:
        raise PAYMENT_SHORT(f"到款余额{yuan(payment.remaining)}不足以销账"
                            f"{yuan(write_off.amount)}")
    await _pay_bills(write_off, now)
    await _pay_penalties(write_off)
    remaining = payment.remaining - write_off.amount
    customer = await Customer.get(id=write_off.customer_id)
    await save(payment, remaining=remaining, status=WRITTEN_OFF if remaining == 0 else PARTLY,
               customer_id=customer.id,
               matched_by=payment.matched_by if payment.customer_id else MANUAL, note="")
    document = await _book_pool_receipt(write_off, customer, payment.received_on)
    await WriteOff.filter(id=write_off.id).update(status=DONE, done_at=now)
    await check_credit_limits([customer.id], now)
    await _publish_written_off(write_off, customer, payment, remaining, document.number, now)
    return {"write_off_id": write_off.id, "amount": fmt(write_off.amount),
            "document": document.number, "payment_remaining": fmt(remaining)}


async def _publish_written_off(write_off: WriteOff, customer: Customer, payment: PoolPayment,
                               remaining: Decimal, receipt_number: str, now: datetime) -> None:
    """The ERP hears of the write-off once it is approved and applied."""
    bills = await WriteOffBill.filter(write_off_id=write_off.id).order_by("bill_id").values(
        "bill_id", "bill__period", "amount")
    penalties = await WriteOffPenalty.filter(write_off_id=write_off.id).order_by(
        "penalty_id").values("penalty_id", "penalty__bill_id", "penalty__month_index", "amount")
    data: PaymentWrittenOff = {
        "write_off_id": write_off.id, "automatic": write_off.automatic,
        "amount": fmt(write_off.amount), "customer": customer_ref(customer),
        "payment": {"id": payment.id, "reference": payment.reference,
                    "payer_name": payment.payer_name, "amount": fmt(payment.amount),
                    "received_on": payment.received_on.isoformat(), "remaining": fmt(remaining)},
        "receipt_number": receipt_number,
        "bills": [{"bill_id": b["bill_id"], "period": b["bill__period"].strftime("%Y-%m"),
                   "amount": fmt(b["amount"])} for b in bills],
        "penalties": [{"penalty_id": p["penalty_id"], "bill_id": p["penalty__bill_id"],
                       "month_index": p["penalty__month_index"], "amount": fmt(p["amount"])}
                      for p in penalties]}
    await publish(NewEvent(EventType.PAYMENT_WRITTEN_OFF,
                           f"{EventType.PAYMENT_WRITTEN_OFF}:{write_off.id}", "write_off",
                           write_off.id, data, customer.id), now)


async def _book_pool_receipt(write_off: WriteOff, customer: Customer,
                             received_on: date) -> Document:
    """The receipt that puts the written-off money on the customer's statements, dated when it
    reached the bank.

    It has no 经办人: bank money settled through the pool was never in a salesperson's hands,
    so it is in nobody's hand-over (seed 001 hands over what a person collected) and no
    person's day — closed or open — changes when a write-off is approved."""
    return await Document.create(
        number=f"WO-{write_off.id}", doc_type=RECEIPT, date=received_on,
        customer_id=customer.id, salesperson_id=None, amount=write_off.amount,
        owed=-write_off.amount, account=RECEIPT_ACCOUNT, status="已销账")


async def _pay_bills(write_off: WriteOff, now: datetime) -> None:
    lines = await WriteOffBill.filter(write_off_id=write_off.id).order_by("bill_id")
    bills = await lock_bills(line.bill_id for line in lines)
    for line in lines:
        bill = bills[line.bill_id]
        if bill_open(bill) < line.amount:
            raise BILL_CHANGED(f"账单 #{bill.id} 已被销账或金额已变，不能再销"
                               f"{yuan(line.amount)}", bill_id=bill.id)
        paid = bill.paid + line.amount
        await save(bill, paid=paid, status=PAID if paid >= bill.amount else UNPAID)


async def _pay_penalties(write_off: WriteOff) -> None:
    lines = await WriteOffPenalty.filter(write_off_id=write_off.id).order_by("penalty_id")
    penalties = await lock_penalties(line.penalty_id for line in lines)
    for line in lines:
        penalty = penalties[line.penalty_id]
        if penalty_open(penalty) < line.amount:
            raise PENALTY_CHANGED(f"罚息 #{penalty.id} 已被销账", penalty_id=penalty.id)
        await PenaltyCharge.filter(id=penalty.id).update(paid=penalty.paid + line.amount)


async def release_write_off(flow: ApprovalFlow, now: datetime) -> None:
    """The write-off flow was rejected or withdrawn (inside that transaction): the write-off is
    rejected, which frees its bills, penalties and payment money, and the payment says so."""
    write_off = await WriteOff.filter(id=flow.form["write_off_id"]).select_for_update(
        no_key=True).first()
    if write_off is None or write_off.status != PENDING or write_off.flow_id != flow.id:
        return
    payment = await lock_payment(write_off.payment_id)
    await WriteOff.filter(id=write_off.id).update(status=REJECTED, done_at=now)
    await save(payment, note="销账流程已驳回或撤回，到款退回到款池，等待人工匹配")
