"""Repayment (seed 002, 还款账户): money received lowers the base-account debt and flows into the
repayment account, which pays debts oldest due first (or as finance allocates by hand).

Paying a debt pays its parts in line order (the order the credit was taken in, annual first);
the part on a revolving line gives that line its availability back (归还), a one-shot line
stays used.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.common_errors import AMOUNT_NOT_POSITIVE
from domain.credit import rules
from domain.credit.errors import (
    BAD_NUMBER,
    BAD_SPLIT,
    DEBT_NOT_FOUND,
    DUPLICATE_DEBT,
    NO_OPEN_DEBTS,
    NO_PARTS,
    PAYMENT_EXISTS,
    REPAYMENT_BALANCE_EMPTY,
    REPAYMENT_EXCEEDS_BALANCE,
    REPAYMENT_EXCEEDS_DEBT,
    REPAYMENT_EXCEEDS_OUTSTANDING,
)
from domain.credit.ledger import check_balanced, receive, spend
from domain.credit.lines import (
    RETURN,
    LockedLines,
    Ref,
    as_rule,
    ledger_id,
    lock_ledger,
    save,
)
from domain.credit.models import CreditLedger, CreditReceipt, Debt, DebtPart, Repayment, Shipment
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.money import ZERO, fmt, yuan

OPEN, PAID = "open", "paid"


async def _customer(customer_id: int) -> Customer:
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    return customer


def _check_split(amount: Decimal, deposit: Decimal, repayment: Decimal | None) -> None:
    if amount <= 0:
        raise AMOUNT_NOT_POSITIVE("收款金额必须大于0", amount=fmt(amount))
    if deposit < 0 or (repayment is not None and repayment < 0):
        raise BAD_SPLIT("保证金和还款金额不能为负")
    if deposit + (repayment or ZERO) > amount:
        raise BAD_SPLIT(f"保证金{yuan(deposit)}与还款{yuan(repayment or ZERO)}之和"
                        f"超过收款金额{yuan(amount)}")


def _same_receipt(p: CreditReceipt, customer_id, amount, received_on, deposit, repayment) -> bool:
    return (p.customer_id == customer_id and p.amount == amount and p.received_on == received_on
            and p.deposit == deposit and (repayment is None or p.to_base == repayment))


async def receive_credit_receipt(*, customer_id: int, number: str, amount: Decimal,
                                 received_on: date, deposit: Decimal = ZERO,
                                 repayment: Decimal | None = None, payer: str = "", actor: str,
                                 now: datetime, allocate: bool | None = None) -> CreditReceipt:
    """Book a receipt (idempotent by number): deposit → 保证金, repayment part (by default as much
    as the base debt) → repayment account, the rest → unapplied; then, unless told not to, pay
    open debts oldest due first from the repayment account."""
    number = (number or "").strip()
    if not number or len(number) > 64:
        raise BAD_NUMBER("收款单号不能为空且不超过64个字符")
    _check_split(amount, deposit, repayment)
    await _customer(customer_id)
    existing = await CreditReceipt.get_or_none(number=number)
    if existing is not None:
        return _replayed(existing, customer_id, amount, received_on, deposit, repayment)
    await ledger_id(customer_id)
    try:
        async with in_transaction():
            ledger = await lock_ledger(customer_id)
            to_base = (min(amount - deposit, ledger.base_debt) if repayment is None
                       else repayment)
            if to_base > ledger.base_debt:
                raise REPAYMENT_EXCEEDS_DEBT(
                    f"还款金额{yuan(to_base)}超过基本账户欠款{yuan(ledger.base_debt)}",
                    base_debt=fmt(ledger.base_debt), repayment=fmt(to_base))
            remainder = amount - deposit - to_base
            receipt = await CreditReceipt.create(
                number=number, customer_id=customer_id, received_on=received_on, amount=amount,
                to_base=to_base, deposit=deposit, remainder=remainder, payer=payer[:200],
                created_at=now)
            await receive(ledger, repayment=to_base, deposit=deposit,
                          remainder=remainder)
            if allocate is not False and ledger.repayment_balance > 0:
                plan = await _oldest_first(customer_id, ledger.repayment_balance)
                await pay_debts(ledger, plan, receipt.id, False, actor, now)
            await check_balanced(ledger)
    except IntegrityError:  # the same number booked at the same moment by someone else
        existing = await CreditReceipt.get_or_none(number=number)
        if existing is None:
            raise
        return _replayed(existing, customer_id, amount, received_on, deposit, repayment)
    return receipt


def _replayed(existing: CreditReceipt, customer_id, amount, received_on, deposit, repayment):
    if not _same_receipt(existing, customer_id, amount, received_on, deposit, repayment):
        raise PAYMENT_EXISTS(f"收款单 {existing.number} 已入账，且内容不同",
                             number=existing.number)
    return existing


async def allocate_repayments(*, customer_id: int, parts: list[tuple[int, Decimal]] | None,
                              actor: str, now: datetime) -> list[Repayment]:
    """财务人工还款: pay chosen debts (or, with no parts, oldest due first) from the repayment
    account; never more than its balance or a debt's outstanding amount."""
    if parts is not None:
        _check_parts(parts)
    await _customer(customer_id)
    await ledger_id(customer_id)
    async with in_transaction():
        ledger = await lock_ledger(customer_id)
        balance = ledger.repayment_balance
        if balance <= 0:
            raise REPAYMENT_BALANCE_EMPTY("还款账户没有余额可用于还款")
        if parts is None:
            plan = await _oldest_first(customer_id, balance)
            if not plan:
                raise NO_OPEN_DEBTS("客户没有待还的欠款")
        else:
            total = sum((amount for _, amount in parts), ZERO)
            if total > balance:
                raise REPAYMENT_EXCEEDS_BALANCE(
                    f"还款合计{yuan(total)}超过还款账户余额{yuan(balance)}",
                    balance=fmt(balance), amount=fmt(total))
            plan = list(parts)
        repayments = await pay_debts(ledger, plan, None, True, actor, now)
        await check_balanced(ledger)
    return repayments


def _check_parts(parts: list[tuple[int, Decimal]]) -> None:
    if not parts:
        raise NO_PARTS("请至少指定一笔欠款")
    ids = [debt_id for debt_id, _ in parts]
    if len(set(ids)) != len(ids):
        raise DUPLICATE_DEBT("同一笔欠款只能出现一次")
    for debt_id, amount in parts:
        if amount <= 0:
            raise AMOUNT_NOT_POSITIVE(f"欠款 #{debt_id} 的还款金额必须大于0")


async def _oldest_first(customer_id: int, amount: Decimal) -> list[tuple[int, Decimal]]:
    debts = await Debt.filter(customer_id=customer_id, status=OPEN)
    if not debts:
        return []
    allocation = rules.allocate_repayment(
        (rules.Debt(d.id, d.debt_date, d.due_date, d.outstanding) for d in debts), amount)
    return allocation.parts


async def order_years(shipment_ids: Iterable[int]) -> dict[int, int]:
    """The budget year (the order's year) of each shipment, for moving the enterprise budget."""
    rows = await Shipment.filter(id__in=set(shipment_ids)).values_list(
        "id", "order__order_date")
    return {shipment_id: order_date.year for shipment_id, order_date in rows}


async def pay_debts(ledger: CreditLedger, plan: list[tuple[int, Decimal]],
                    receipt_id: int | None, manual: bool, actor: str,
                    now: datetime) -> list[Repayment]:
    """Pay each (debt, amount) from the repayment account; the caller holds the ledger lock.
    ``receipt_id`` is the credit receipt that paid in (None for a manual allocation)."""
    debts = {d.id: d for d in await Debt.filter(id__in=[i for i, _ in plan]).order_by(
        "id").select_for_update(no_key=True)}
    for debt_id, amount in plan:
        debt = debts.get(debt_id)
        if debt is None or debt.customer_id != ledger.customer_id:
            raise DEBT_NOT_FOUND(f"客户没有欠款 #{debt_id}")
        if debt.status != OPEN or amount > debt.outstanding:
            raise REPAYMENT_EXCEEDS_OUTSTANDING(
                f"欠款 #{debt_id} 待还{yuan(debt.outstanding)}，不能还{yuan(amount)}",
                debt_id=debt_id, outstanding=fmt(debt.outstanding))
    parts = await DebtPart.filter(debt_id__in=list(debts)).order_by("debt_id", "position")
    years = await order_years(d.shipment_id for d in debts.values())
    locked = await LockedLines.lock((p.account_id for p in parts), years.values())
    repayments = []
    for debt_id, amount in plan:
        debt = debts[debt_id]
        ref = Ref("debt", str(debt.id), actor, now)
        mine = [p for p in parts if p.debt_id == debt_id]
        await _pay_parts(locked, mine, amount, ref, years[debt.shipment_id])
        outstanding = debt.outstanding - amount
        await save(debt, repaid=debt.repaid + amount, outstanding=outstanding,
                            status=PAID if outstanding == 0 else OPEN,
                            settled_at=now if outstanding == 0 else None)
        await spend(ledger, amount)
        repayments.append(await Repayment.create(
            debt_id=debt.id, payment_id=receipt_id, amount=amount, manual=manual, actor=actor,
            created_at=now))
    return repayments


async def _pay_parts(locked: LockedLines, parts: list[DebtPart], amount: Decimal, ref: Ref,
                     year: int) -> None:
    pays = rules.take_in_turn(amount, map(rules.part_left, parts))
    for part, pay in zip(parts, pays, strict=True):
        if pay <= 0:
            continue
        part.repaid += pay
        await DebtPart.filter(id=part.id).update(repaid=part.repaid)
        line = locked.lines[part.account_id]
        restored = rules.credit_restored([as_rule(line)], {line.id: pay}).get(line.id)
        if restored:
            await locked.move(line.id, RETURN, restored, ref, year, used=-restored)

