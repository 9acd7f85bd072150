"""Prepaid (预付) and pre-purchase (预购) customers (seed 004, 销售充值流程): recharges put money
on the balance usage bills draw on; a prepaid balance may be refunded (a negative recharge, at
most the balance), a pre-purchase one may not (不可退回)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.billing.errors import (
    BAD_PAYMENT_MODE,
    BAD_REFERENCE,
    BALANCE_NOT_ZERO,
    NOT_PREPAID,
    NOT_REFUNDABLE,
    PREPAY_NOT_ALLOWED,
    RECHARGE_EXISTS,
    REFUND_EXCEEDS_BALANCE,
)
from domain.billing.models import Recharge
from domain.common_errors import BAD_AMOUNT
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.money import ZERO

POSTPAID, PREPAID, PREPURCHASE = "postpaid", "prepaid", "prepurchase"
PAYMENT_MODES = (POSTPAID, PREPAID, PREPURCHASE)


def draw(balance: Decimal, amounts: list[Decimal]) -> tuple[list[Decimal], Decimal]:
    """What each bill, in order, takes from the balance, and the balance left."""
    paid = []
    for amount in amounts:
        take = min(max(balance, ZERO), amount)
        paid.append(take)
        balance -= take
    return paid, balance


async def set_payment_mode(customer_id: int, mode: str) -> Customer:
    if mode not in PAYMENT_MODES:
        raise BAD_PAYMENT_MODE(f"付费方式必须是 {'/'.join(PAYMENT_MODES)}")
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    if customer.payment_mode != mode and customer.prepaid_balance != 0:
        raise BALANCE_NOT_ZERO("预付余额不为 0 时不能更改付费方式")
    customer.payment_mode = mode
    await customer.save(update_fields=["payment_mode", "updated_at"])
    return customer


async def recharge(*, customer_id: int, reference: str, amount: Decimal, on: date,
                   actor: str, now: datetime) -> tuple[Recharge, Decimal]:
    """Record a recharge (or, negative, a refund); returns it and the balance after it."""
    if amount == 0:
        raise BAD_AMOUNT("充值金额不能为 0")
    if not reference or len(reference) > 64:
        raise BAD_REFERENCE("reference 必填，最多 64 个字符")
    async with in_transaction():
        customer = await Customer.filter(id=customer_id, deleted_at=None) \
            .select_for_update().first()
        if customer is None:
            raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
        _check(customer, amount)
        if await Recharge.filter(reference=reference).exists():
            raise RECHARGE_EXISTS(f"充值单 {reference} 已存在")
        try:
            record = await Recharge.create(reference=reference, customer=customer,
                                           amount=amount, recharged_on=on, created_by=actor,
                                           created_at=now)
        except IntegrityError:
            raise RECHARGE_EXISTS(f"充值单 {reference} 已存在") from None
        balance = customer.prepaid_balance + amount
        await Customer.filter(id=customer.id).update(prepaid_balance=balance)
    return record, balance


def _check(customer: Customer, amount: Decimal) -> None:
    if customer.payment_mode == POSTPAID:
        raise NOT_PREPAID("后付费客户不能充值，请先设为预付或预购")
    if amount > 0 and not customer.can_prepay:
        # Seed 003 B (可预存) governs recharging; a refund of money already in stays possible.
        raise PREPAY_NOT_ALLOWED(f"客户 {customer.name} 未勾选可预存，不能预充值")
    if amount > 0:
        return
    if customer.payment_mode == PREPURCHASE:
        raise NOT_REFUNDABLE("预购客户的余额不可退回")
    if -amount > customer.prepaid_balance:
        raise REFUND_EXCEEDS_BALANCE(f"退款 {-amount} 超过预付余额 {customer.prepaid_balance}")
