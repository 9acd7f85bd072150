"""Starting write-offs (销账): automatically for a matched payment, or by hand (a person picks the
customer and the bills). Either way the payment money, bills and penalties are reserved and the
write-off flow starts with the customer's salesperson as its initiator: automatic ones pass the
first two nodes (自动销账 = 1) and leave the salesperson one confirmation, manual ones go
through every node."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from domain.approvals import engine
from domain.approvals.flows import WRITE_OFF
from domain.billing.models import Bill, PenaltyCharge
from domain.common_errors import AMOUNT_NOT_POSITIVE
from domain.credit.lines import save
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.errors import DomainError, ErrorCode
from domain.money import ZERO, fmt, yuan
from domain.notices import outbox
from domain.notices.catalogue import (
    Kind,
    PoolPaymentRefused,
    pool_payment_refused_key,
    staff_recipient,
)
from domain.org.models import Staff
from domain.payments import rules, settle
from domain.payments.errors import (
    ALREADY_PAID,
    AMOUNT_EXCEEDS_OPEN,
    BILL_NOT_FOUND,
    CUSTOMER_REQUIRED,
    DUPLICATE_ITEM,
    NO_SALESPERSON,
    PAYMENT_MATCHED_ELSEWHERE,
    PAYMENT_WRITTEN_OFF,
    PENALTY_NOT_FOUND,
    RESERVED,
)
from domain.payments.models import PoolPayment, WriteOff, WriteOffBill, WriteOffPenalty
from domain.payments.rules import OpenBill, OpenPenalty

# Refusals the salesperson can act on (the customer is theirs): they hear about them.
TOLD_TO_SALESPERSON = (rules.BELOW_OLDEST_BILL, rules.PREPAID_AFTER_BILL)


async def _salesperson(customer: Customer) -> Staff | None:
    if not customer.salesperson_id:
        return None
    return await Staff.get_or_none(id=customer.salesperson_id, active=True)


async def reserve_and_start(payment: PoolPayment, customer: Customer, initiator: Staff,
                            bills: Sequence[tuple[int, Decimal]],
                            penalties: Sequence[tuple[int, Decimal]], *, automatic: bool,
                            now: datetime) -> WriteOff:
    """Inside the caller's transaction, with payment and bills locked: record the write-off
    and its lines (the reservation), bump the versions, start its flow."""
    amount = sum((a for _, a in [*bills, *penalties]), ZERO)
    write_off = await WriteOff.create(payment_id=payment.id, customer_id=customer.id,
                                      automatic=automatic, amount=amount, created_at=now)
    await WriteOffBill.bulk_create([WriteOffBill(write_off_id=write_off.id, bill_id=b, amount=a)
                                    for b, a in bills])
    await WriteOffPenalty.bulk_create([
        WriteOffPenalty(write_off_id=write_off.id, penalty_id=p, amount=a) for p, a in penalties])
    for bill in (await settle.lock_bills(b for b, _ in bills)).values():
        await save(bill)
    await save(payment, note="")
    flow = await engine.start(WRITE_OFF, initiator.id, {"write_off_id": write_off.id}, now)
    write_off.flow_id = flow.id
    await WriteOff.filter(id=write_off.id).update(flow_id=flow.id)
    return write_off


# ----- automatic ------------------------------------------------------------------------------


async def open_items(customer_id: int) -> tuple[list[OpenBill], list[OpenPenalty]]:
    """The customer's unpaid bills and unpaid penalties, locked, less what pending
    write-offs hold."""
    ids = await Bill.filter(customer_id=customer_id, status=settle.UNPAID).values_list(
        "id", flat=True)
    bills = await settle.lock_bills(ids)
    held = await settle.reserved_bills(customer_id)
    open_bills = [OpenBill(b.id, b.period, b.bill_date, settle.bill_open(b) - held.get(b.id, ZERO))
                  for b in bills.values()]
    charges = await PenaltyCharge.filter(customer_id=customer_id).values("id", "amount", "paid")
    owing = [c["id"] for c in charges if Decimal(c["paid"]) < Decimal(c["amount"])]
    penalties = await settle.lock_penalties(owing)
    held_p = await settle.reserved_penalties(customer_id)
    open_penalties = [OpenPenalty(p.id, p.accrued_on,
                                  settle.penalty_open(p) - held_p.get(p.id, ZERO))
                      for p in penalties.values()]
    return open_bills, open_penalties


async def try_auto_write_off(payment: PoolPayment, now: datetime) -> WriteOff | None:
    """For a matched payment (locked by the caller): write off what the seed's rule allows, or
    note on the payment why not. A write-off that cannot start (a Conflict on the way) leaves
    the payment as it was, with the reason as its note."""
    customer = await Customer.get(id=payment.customer_id)
    seller = await _salesperson(customer)
    if seller is None:
        await _note(payment, rules.REFUSALS[rules.NO_SALESPERSON])
        return None
    bills, penalties = await open_items(customer.id)
    available = payment.remaining - await settle.reserved_on_payment(payment.id)
    plan = rules.plan_auto_write_off(available, payment.received_on, customer.payment_mode,
                                     bills, penalties)
    if plan.refusal:
        await _note(payment, plan.note)
        if plan.refusal in TOLD_TO_SALESPERSON:
            await _tell_salesperson(seller, payment, customer, plan, now)
        return None
    try:
        async with in_transaction():  # a savepoint: a refused start undoes only itself
            return await reserve_and_start(payment, customer, seller, plan.bills,
                                           plan.penalties, automatic=True, now=now)
    except DomainError as exc:
        await payment.refresh_from_db()  # the savepoint undid what reserving wrote to it
        await _note(payment, f"自动销账未能发起：{exc.message}")
        return None


async def _note(payment: PoolPayment, note: str) -> None:
    if payment.note != note:
        await save(payment, note=note)


async def _tell_salesperson(seller: Staff, payment: PoolPayment, customer: Customer,
                            plan: rules.Plan, now: datetime) -> None:
    payload: PoolPaymentRefused = {
        "payment_id": payment.id, "reference": payment.reference,
        "payer_name": payment.payer_name, "amount": fmt(payment.amount),
        "received_on": payment.received_on.isoformat(), "customer_id": customer.id,
        "customer": customer.name, "reason": plan.refusal, "note": plan.note}
    to = staff_recipient(seller.id, seller.name)
    await outbox.enqueue(Kind.POOL_PAYMENT_REFUSED, to, payload,
                         pool_payment_refused_key(payment.id, plan.refusal, to), now)


# ----- by hand --------------------------------------------------------------------------------


async def match_by_hand(payment_id: int, *, customer_id: int | None,
                        bills: Sequence[tuple[int, Decimal | None]],
                        penalties: Sequence[tuple[int, Decimal | None]],
                        now: datetime) -> WriteOff:
    """财务/管理员人工匹配: set a pool payment against chosen bills (and penalties) of a
    customer. Each is paid in full unless an amount is given; a bill or penalty held by a
    pending write-off, paid, or of another customer is refused; the sum may not exceed what
    the payment has left. The flow runs every node (自动销账 = 0)."""
    _check_picks(bills, "账单")
    _check_picks(penalties, "罚息")
    async with in_transaction():
        payment = await settle.lock_payment(payment_id)
        customer = await _manual_customer(payment, customer_id)
        seller = await _salesperson(customer)
        if seller is None:
            raise NO_SALESPERSON(rules.REFUSALS[rules.NO_SALESPERSON],
                                 customer_id=customer.id)
        bill_plan = await _picked(customer.id, bills, settle.lock_bills, settle.reserved_bills,
                                  settle.bill_open, "账单", BILL_NOT_FOUND)
        penalty_plan = await _picked(customer.id, penalties, settle.lock_penalties,
                                     settle.reserved_penalties, settle.penalty_open, "罚息",
                                     PENALTY_NOT_FOUND)
        available = payment.remaining - await settle.reserved_on_payment(payment.id)
        rules.check_manual_total(sum((a for _, a in bill_plan + penalty_plan), ZERO), available)
        return await reserve_and_start(payment, customer, seller, bill_plan, penalty_plan,
                                       automatic=False, now=now)


def _check_picks(picks: Sequence[tuple[int, Decimal | None]], what: str) -> None:
    ids = [i for i, _ in picks]
    if len(set(ids)) != len(ids):
        raise DUPLICATE_ITEM(f"同一{what}只能选择一次")
    for item_id, amount in picks:
        if amount is not None and amount <= 0:
            raise AMOUNT_NOT_POSITIVE(f"{what} #{item_id} 的销账金额必须大于0")


async def _manual_customer(payment: PoolPayment, customer_id: int | None) -> Customer:
    if payment.status == settle.WRITTEN_OFF:
        raise PAYMENT_WRITTEN_OFF(f"到款 {payment.reference} 已全部销账")
    if customer_id is None:
        customer_id = payment.customer_id
    if customer_id is None:
        raise CUSTOMER_REQUIRED("未匹配的到款需要指定客户 customer_id")
    if payment.customer_id and payment.customer_id != customer_id \
            and await WriteOff.exists(payment_id=payment.id, status__in=("pending", "done")):
        raise PAYMENT_MATCHED_ELSEWHERE(f"到款 {payment.reference} 已匹配到其他客户并有销账记录")
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    return customer


async def _picked(customer_id: int, picks, lock, reserved, open_of, what: str,
                  not_found: ErrorCode) -> list[tuple[int, Decimal]]:
    """The picked bills (or penalties) of the customer, locked, each with what it pays."""
    rows = await lock(i for i, _ in picks)
    held = await reserved(customer_id)
    plan = []
    for item_id, amount in picks:
        row = rows.get(item_id)
        if row is None or row.customer_id != customer_id:
            raise not_found(f"客户没有{what} #{item_id}")
        plan.append((item_id, _take(item_id, what, open_of(row), held, amount)))
    return plan


def _take(item_id: int, what: str, open_: Decimal, held: dict[int, Decimal],
          amount: Decimal | None) -> Decimal:
    if open_ <= 0:
        raise ALREADY_PAID(f"{what} #{item_id} 已结清", item_id=item_id)
    if held.get(item_id, ZERO) > 0:
        raise RESERVED(f"{what} #{item_id} 正在另一笔销账流程中", item_id=item_id)
    if amount is not None and amount > open_:
        raise AMOUNT_EXCEEDS_OPEN(f"{what} #{item_id} 的销账金额{yuan(amount)}超过未付"
                                  f"{yuan(open_)}", item_id=item_id)
    return open_ if amount is None else amount
