"""用信: orders paid in cash and credit, shipments making debts, returns, and their reversals,
as the ERP pushes them (each idempotent by its document number).

- Order: the credit part is frozen at once over the customer's lines in the org, in use order
  (annual > project > temporary, a project line only for its project), within the org's budget
  and the enterprise total of the order's year.
- Cancel (开单反审核, only while nothing is shipped) and close (关单) unfreeze what is frozen.
- Shipment: cash first; its credit part moves frozen → used on the order's lines in order and
  makes one debt, due on ship date + term (the own term of the line it draws most on, else the
  business type's, else the default).
- Shipment reversal (出库反审核): only while nothing is repaid on its debt and no return is
  active; the debt is marked reversed, the credit goes back to frozen on the order (which can
  ship again; on a closed order it is released).
- Return (退货, partial too): the goods came back, so the return comes off the debt's
  outstanding amount first, restoring the lines' used amount (revolving and one-shot alike —
  the one-shot rule is about repayment, not about goods that were never kept); what the debt no
  longer owes (already repaid) is the cash part, refunded by the ERP. Return reversal
  (退货反审核) puts it back on the debt and the lines: the ERP has already booked it, so a line
  (or budget) without room is taken past its limit and the over-use alerted, never refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.common_errors import AMOUNT_NOT_POSITIVE, BAD_AMOUNT, BAD_FIELD, STAFF_NOT_FOUND
from domain.credit import rules
from domain.credit.alerts import alert_overuse
from domain.credit.errors import (
    BAD_NUMBER,
    BAD_SPLIT,
    CASH_CUSTOMER_NO_CREDIT,
    CONCURRENT_CHANGE,
    DEBT_REPAID,
    ORDER_CANCELLED,
    ORDER_CLOSED,
    ORDER_CREDIT_MISMATCH,
    ORDER_EXISTS,
    ORDER_HAS_SHIPMENTS,
    ORDER_NOT_FOUND,
    ORDER_NOT_OPEN,
    ORG_DISABLED,
    ORG_NOT_FOUND,
    RETURN_BEFORE_SHIPMENT,
    RETURN_EXCEEDS_SHIPMENT,
    RETURN_EXISTS,
    RETURN_NOT_FOUND,
    SHIP_BEFORE_ORDER,
    SHIPMENT_EXISTS,
    SHIPMENT_HAS_RETURNS,
    SHIPMENT_NOT_FOUND,
    SHIPMENT_REVERSED,
)
from domain.credit.ledger import change_base, check_balanced
from domain.credit.lines import (
    DEDUCT,
    FREEZE,
    RESTORE,
    UNFREEZE,
    UNSHIP,
    USE,
    LockedLines,
    Ref,
    as_rule,
    check_enterprise,
    ledger_id,
    lock_ledger,
    save,
)
from domain.credit.models import (
    CreditLedger,
    CreditLine,
    CreditOrder,
    Debt,
    DebtPart,
    GoodsReturn,
    OrderCredit,
    SalesOrg,
    Shipment,
)
from domain.credit.orgs import load_terms
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.documents.day_close import ensure_open
from domain.money import ZERO, fmt, yuan
from domain.org.models import Staff

OPEN, SHIPPED, CLOSED, CANCELLED = "open", "shipped", "closed", "cancelled"
ACTIVE, REVERSED = "active", "reversed"
DEBT_OPEN, DEBT_PAID, DEBT_RETURNED, DEBT_REVERSED = "open", "paid", "returned", "reversed"
CASH_SETTLEMENT = "cash"  # Customer.settlement_mode of a 现结 customer (seed 003)
ORDER_STATUS_LABELS = {OPEN: "未完成", SHIPPED: "已发完", CLOSED: "已关单", CANCELLED: "已反审核"}


def _check_number(number: str, what: str) -> str:
    number = (number or "").strip()
    if not number or len(number) > 64:
        raise BAD_NUMBER(f"{what}单号不能为空且不超过64个字符")
    return number


# --- orders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewOrder:
    number: str
    customer_code: str
    org_code: str
    order_date: date
    amount: Decimal
    cash: Decimal
    credit: Decimal
    business_type: str = ""
    project: str | None = None
    salesperson: str | None = None  # DingTalk user id; the customer's salesperson if none

    def check(self) -> None:
        _check_number(self.number, "订单")
        if self.amount <= 0 or self.cash < 0 or self.credit < 0:
            raise BAD_AMOUNT("订单金额必须大于0，现金和授信金额不能为负")
        if self.cash + self.credit != self.amount:
            raise BAD_SPLIT(f"订单金额{yuan(self.amount)}必须等于现金{yuan(self.cash)}"
                            f"加授信{yuan(self.credit)}")
        if len(self.business_type) > 32 or len(self.project or "") > 100:
            raise BAD_FIELD("业务类型不超过32个字符，项目不超过100个字符")


def _same_order(order: CreditOrder, customer_id: int, org_id: int, o: NewOrder) -> bool:
    return (order.customer_id, order.org_id, order.order_date, order.amount, order.cash,
            order.credit, order.business_type, order.project) == (
        customer_id, org_id, o.order_date, o.amount, o.cash, o.credit, o.business_type,
        o.project)


async def create_order(o: NewOrder, actor: str, now: datetime) -> tuple[CreditOrder, bool]:
    """Record an order and freeze its credit part; returns (order, created). The same order
    pushed again is returned as it is; a different one under the same number is a conflict."""
    o.check()
    customer = await Customer.get_or_none(code=o.customer_code, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户编号 {o.customer_code} 不存在")
    org = await SalesOrg.get_or_none(code=o.org_code)
    if org is None:
        raise ORG_NOT_FOUND(f"销区编号 {o.org_code} 不存在")
    salesperson_id = customer.salesperson_id
    if o.salesperson:
        staff = await Staff.get_or_none(dingtalk_userid=o.salesperson)
        if staff is None:
            raise STAFF_NOT_FOUND(f"业务员 {o.salesperson} 不存在")
        salesperson_id = staff.id
    existing = await CreditOrder.get_or_none(number=o.number.strip())
    if existing is not None:
        return _replayed_order(existing, customer.id, org.id, o), False
    if not org.enabled:
        raise ORG_DISABLED(f"销区 {org.name} 已禁用，不能用信开单")
    _check_settlement(customer, o)
    try:
        async with in_transaction():
            order = await CreditOrder.create(
                number=o.number.strip(), customer_id=customer.id, org_id=org.id,
                salesperson_id=salesperson_id, business_type=o.business_type,
                project=o.project or None, order_date=o.order_date, amount=o.amount,
                cash=o.cash, credit=o.credit, cash_left=o.cash, credit_left=o.credit,
                created_at=now)
            if o.credit > 0:
                await _freeze_credit(order, Ref("order", order.number, actor, now))
    except IntegrityError:  # the same number pushed twice at once
        existing = await CreditOrder.get_or_none(number=o.number.strip())
        if existing is None:
            raise
        return _replayed_order(existing, customer.id, org.id, o), False
    return order, True


def _check_settlement(customer: Customer, o: NewOrder) -> None:
    """Seed 003 A: a 现结 customer's order needs its cash first, so it takes no credit."""
    if customer.settlement_mode == CASH_SETTLEMENT and o.credit > 0:
        raise CASH_CUSTOMER_NO_CREDIT(f"客户 {customer.name} 为现结客户，订单须先付现款，不能用信"
                                      f"{yuan(o.credit)}", credit=fmt(o.credit))


def _replayed_order(existing: CreditOrder, customer_id: int, org_id: int, o: NewOrder):
    if not _same_order(existing, customer_id, org_id, o):
        raise ORDER_EXISTS(f"订单 {existing.number} 已存在，且内容不同",
                           number=existing.number)
    return existing


async def _freeze_credit(order: CreditOrder, ref: Ref) -> None:
    year = order.order_date.year
    ids = await CreditLine.filter(customer_id=order.customer_id,
                                  org_id=order.org_id).values_list("id", flat=True)
    locked = await LockedLines.lock(ids, [year])
    allocation = rules.allocate_credit(
        [as_rule(line) for line in locked.lines.values()], order.credit, order.order_date,
        order.project)
    org = locked.orgs[order.org_id]
    rules.check_org_budget(org.budget, org.used + org.frozen, order.credit)
    if locked.budgets[year] is not None:
        check_enterprise(locked.budgets[year], order.credit)
    for position, (line_id, take) in enumerate(allocation):
        await locked.move(line_id, FREEZE, take, ref, year, frozen=take)
        await OrderCredit.create(order_id=order.id, account_id=line_id, position=position,
                                 amount=take, frozen=take)


async def _lock_order(number: str) -> CreditOrder:
    order = await CreditOrder.filter(number=number).select_for_update(no_key=True).first()
    if order is None:
        raise ORDER_NOT_FOUND(f"订单 {number} 不存在")
    return order


async def cancel_order(number: str, actor: str, now: datetime) -> CreditOrder:
    """开单反审核: only an order with nothing shipped; its whole credit is unfrozen."""
    async with in_transaction():
        order = await _lock_order(number)
        if order.status == CANCELLED:
            return order
        if order.status == CLOSED:
            raise ORDER_CLOSED(f"订单 {number} 已关单，不能反审核")
        if await Shipment.filter(order_id=order.id, status=ACTIVE).exists():
            raise ORDER_HAS_SHIPMENTS(f"订单 {number} 已有发货，请先出库反审核或关单")
        await _release(order, Ref("order", number, actor, now))
        await save(order, status=CANCELLED, cash_left=ZERO, credit_left=ZERO, updated_at=now)
    return order


async def close_order(number: str, actor: str, now: datetime) -> CreditOrder:
    """关单: the unshipped part is given up and its credit unfrozen."""
    async with in_transaction():
        order = await _lock_order(number)
        if order.status == CLOSED:
            return order
        if order.status == CANCELLED:
            raise ORDER_CANCELLED(f"订单 {number} 已反审核，不能关单")
        await _release(order, Ref("order", number, actor, now))
        await save(order, status=CLOSED, cash_left=ZERO, credit_left=ZERO, updated_at=now)
    return order


async def _release(order: CreditOrder, ref: Ref) -> None:
    credits = await OrderCredit.filter(order_id=order.id, frozen__gt=0).order_by("position")
    if not credits:
        return
    year = order.order_date.year
    locked = await LockedLines.lock((c.account_id for c in credits), [year])
    for credit in credits:
        await locked.move(credit.account_id, UNFREEZE, credit.frozen, ref, year,
                          frozen=-credit.frozen)
        await OrderCredit.filter(id=credit.id).update(frozen=ZERO)


# --- shipments -------------------------------------------------------------------------------


async def ship(*, number: str, order_number: str, ship_date: date, amount: Decimal,
               actor: str, now: datetime) -> tuple[Shipment, bool]:
    """发货: cash first; the credit part becomes used and one debt. Returns (shipment, created)."""
    number = _check_number(number, "发货")
    if amount <= 0:
        raise AMOUNT_NOT_POSITIVE("发货金额必须大于0", amount=fmt(amount))
    order = await CreditOrder.get_or_none(number=order_number)
    if order is None:
        raise ORDER_NOT_FOUND(f"订单 {order_number} 不存在")
    existing = await Shipment.get_or_none(number=number)
    if existing is not None:
        return _replayed_shipment(existing, order, ship_date, amount), False
    if ship_date < order.order_date:
        raise SHIP_BEFORE_ORDER(f"发货日期 {ship_date} 早于订单日期 {order.order_date}")
    await ledger_id(order.customer_id)
    try:
        async with in_transaction():
            ledger = await lock_ledger(order.customer_id)
            order = await _lock_order(order_number)
            await _ensure_day_open(order.salesperson_id, ship_date, number)
            if order.status != OPEN:
                raise ORDER_NOT_OPEN(f"订单 {order_number} "
                                     f"{ORDER_STATUS_LABELS[order.status]}，不能发货")
            split = rules.split_shipment(order.cash_left, order.credit_left, amount)
            shipment = await Shipment.create(
                number=number, order_id=order.id, ship_date=ship_date, amount=amount,
                cash=split.cash, credit=split.credit, created_at=now)
            done = split.cash_left + split.credit_left == 0
            await save(order, cash_left=split.cash_left, credit_left=split.credit_left,
                       status=SHIPPED if done else OPEN, updated_at=now)
            if split.credit > 0:
                await _make_debt(order, shipment, ledger, Ref("shipment", number, actor, now))
            await check_balanced(ledger)
    except IntegrityError:
        existing = await Shipment.get_or_none(number=number)
        if existing is None:
            raise
        return _replayed_shipment(existing, order, ship_date, amount), False
    return shipment, True


async def _ensure_day_open(salesperson_id: int | None, day: date, number: str) -> None:
    """A shipment or return, new or reversed (反审核), is the order's salesperson's document of
    that day: refused (423) once the day is closed (关账)."""
    await ensure_open([(salesperson_id, day)], number=number)


def _replayed_shipment(existing: Shipment, order: CreditOrder, ship_date: date, amount):
    if (existing.order_id, existing.ship_date, existing.amount) != (order.id, ship_date, amount):
        raise SHIPMENT_EXISTS(f"发货单 {existing.number} 已存在，且内容不同",
                              number=existing.number)
    return existing


async def _make_debt(order: CreditOrder, shipment: Shipment, ledger: CreditLedger,
                     ref: Ref) -> Debt:
    year = order.order_date.year
    credits = await OrderCredit.filter(order_id=order.id, frozen__gt=0).order_by("position")
    locked = await LockedLines.lock((c.account_id for c in credits), [year])
    taken: list[tuple[int, Decimal]] = []
    left = shipment.credit
    for credit in credits:
        take = min(left, credit.frozen)
        if take <= 0:
            break
        left -= take
        await locked.move(credit.account_id, USE, take, ref, year, used=take, frozen=-take)
        await OrderCredit.filter(id=credit.id).update(frozen=credit.frozen - take,
                                                      used=credit.used + take)
        taken.append((credit.account_id, take))
    if left > 0:  # the order's frozen credit and credit_left disagree: never commit that
        raise ORDER_CREDIT_MISMATCH(f"订单 {order.number} 冻结的授信不足以发货")
    term = await _term_days(order, locked, taken)
    customer = await Customer.get(id=order.customer_id)
    debt = await Debt.create(
        shipment_id=shipment.id, customer_id=order.customer_id, org_id=order.org_id,
        salesperson_id=order.salesperson_id or customer.salesperson_id,
        business_type=order.business_type, debt_date=shipment.ship_date, term_days=term,
        due_date=rules.due_date(shipment.ship_date, term), amount=shipment.credit,
        outstanding=shipment.credit, created_at=ref.now)
    for position, (account_id, amount) in enumerate(taken):
        await DebtPart.create(debt_id=debt.id, account_id=account_id, position=position,
                              amount=amount)
    await change_base(ledger, shipment.credit)
    return debt


async def _term_days(order: CreditOrder, locked: LockedLines, taken) -> int:
    """The own term of the line the shipment draws most on (a project's 120 days), else the
    business type's, else the default."""
    main_line = max(taken, key=lambda part: part[1])[0]
    terms = await load_terms()
    return terms.days(order.business_type, locked.lines[main_line].term_days)


async def _lock_shipment(number: str) -> tuple[CreditOrder, Shipment, Debt | None]:
    """Lock (after the ledger) the shipment's order and debt; returns them and the shipment."""
    found = await Shipment.get_or_none(number=number)
    if found is None:
        raise SHIPMENT_NOT_FOUND(f"发货单 {number} 不存在")
    order = await CreditOrder.filter(id=found.order_id).select_for_update(no_key=True).get()
    shipment = await Shipment.get(id=found.id)
    debt = await Debt.filter(shipment_id=shipment.id).exclude(
        status=DEBT_REVERSED).select_for_update(no_key=True).first()
    return order, shipment, debt


async def _customer_of_shipment(number: str) -> int:
    row = await Shipment.filter(number=number).values_list("order__customer_id", flat=True)
    if not row:
        raise SHIPMENT_NOT_FOUND(f"发货单 {number} 不存在")
    return row[0]


async def reverse_shipment(number: str, actor: str, now: datetime) -> Shipment:
    """出库反审核: the debt is withdrawn and its credit goes back to the order."""
    customer_id = await _customer_of_shipment(number)
    await ledger_id(customer_id)
    async with in_transaction():
        ledger = await lock_ledger(customer_id)
        order, shipment, debt = await _lock_shipment(number)
        if shipment.status == REVERSED:
            return shipment
        await _ensure_day_open(order.salesperson_id, shipment.ship_date, number)
        if await GoodsReturn.filter(shipment_id=shipment.id, status=ACTIVE).exists():
            raise SHIPMENT_HAS_RETURNS(f"发货单 {number} 有退货，请先退货反审核")
        if debt is not None and debt.repaid > 0:
            raise DEBT_REPAID(f"发货单 {number} 的欠款已还{yuan(debt.repaid)}，"
                              "不能出库反审核", repaid=fmt(debt.repaid))
        reopen = order.status in (OPEN, SHIPPED)
        if debt is not None:
            await _withdraw_debt(order, debt, reopen, Ref("shipment", number, actor, now))
            await change_base(ledger, -debt.amount)
            await save(debt, status=DEBT_REVERSED, outstanding=ZERO, settled_at=now)
        if reopen:
            await save(order, cash_left=order.cash_left + shipment.cash,
                       credit_left=order.credit_left + shipment.credit, status=OPEN,
                       updated_at=now)
        if not await Shipment.filter(id=shipment.id, status=ACTIVE).update(status=REVERSED):
            raise CONCURRENT_CHANGE("数据已被同时修改，请重试")
        shipment.status = REVERSED
        await check_balanced(ledger)
    return shipment


async def _withdraw_debt(order: CreditOrder, debt: Debt, reopen: bool, ref: Ref) -> None:
    year = order.order_date.year
    parts = await DebtPart.filter(debt_id=debt.id).order_by("position")
    locked = await LockedLines.lock((p.account_id for p in parts), [year])
    credits = {c.account_id: c for c in await OrderCredit.filter(order_id=order.id)}
    for part in parts:
        credit = credits[part.account_id]
        await locked.move(part.account_id, UNSHIP, part.amount, ref, year, used=-part.amount,
                          frozen=part.amount)
        frozen = credit.frozen + part.amount
        if not reopen:  # a closed order ships no more: release it at once
            await locked.move(part.account_id, UNFREEZE, part.amount, ref, year,
                              frozen=-part.amount)
            frozen = credit.frozen
        await OrderCredit.filter(id=credit.id).update(frozen=frozen,
                                                      used=credit.used - part.amount)


# --- returns ---------------------------------------------------------------------------------


async def return_goods(*, number: str, shipment_number: str, return_date: date,
                       amount: Decimal, actor: str, now: datetime) -> tuple[GoodsReturn, bool]:
    """退货: comes off the debt's outstanding amount first and restores the lines."""
    number = _check_number(number, "退货")
    if amount <= 0:
        raise AMOUNT_NOT_POSITIVE("退货金额必须大于0", amount=fmt(amount))
    customer_id = await _customer_of_shipment(shipment_number)
    existing = await GoodsReturn.get_or_none(number=number)
    if existing is not None:
        return await _replayed_return(existing, shipment_number, return_date, amount), False
    await ledger_id(customer_id)
    try:
        async with in_transaction():
            ledger = await lock_ledger(customer_id)
            order, shipment, debt = await _lock_shipment(shipment_number)
            await _ensure_day_open(order.salesperson_id, return_date, number)
            if shipment.status != ACTIVE:
                raise SHIPMENT_REVERSED(f"发货单 {shipment_number} 已出库反审核")
            if return_date < shipment.ship_date:
                raise RETURN_BEFORE_SHIPMENT(
                    f"退货日期 {return_date} 早于发货日期 {shipment.ship_date}")
            left = shipment.amount - shipment.returned
            if amount > left:
                raise RETURN_EXCEEDS_SHIPMENT(
                    f"退货金额{yuan(amount)}超过发货单可退金额{yuan(left)}",
                    returnable=fmt(left), amount=fmt(amount))
            credit = min(amount, debt.outstanding) if debt is not None else ZERO
            goods_return = await GoodsReturn.create(
                number=number, shipment_id=shipment.id, return_date=return_date, amount=amount,
                cash=amount - credit, credit=credit, created_at=now)
            await _set_returned(shipment, shipment.returned + amount)
            if credit > 0:
                ref = Ref("return", number, actor, now)
                await _restore(order, debt, credit, ref)
                await change_base(ledger, -credit)
            await check_balanced(ledger)
    except IntegrityError:
        existing = await GoodsReturn.get_or_none(number=number)
        if existing is None:
            raise
        return await _replayed_return(existing, shipment_number, return_date, amount), False
    return goods_return, True


async def _replayed_return(existing: GoodsReturn, shipment_number: str, return_date: date,
                           amount: Decimal) -> GoodsReturn:
    shipment = await Shipment.get(id=existing.shipment_id)
    if (shipment.number, existing.return_date, existing.amount) != (
            shipment_number, return_date, amount):
        raise RETURN_EXISTS(f"退货单 {existing.number} 已存在，且内容不同",
                            number=existing.number)
    return existing


async def _set_returned(shipment: Shipment, returned: Decimal) -> None:
    if not await Shipment.filter(id=shipment.id, returned=shipment.returned).update(
            returned=returned):
        raise CONCURRENT_CHANGE("数据已被同时修改，请重试")
    shipment.returned = returned


async def _restore(order: CreditOrder, debt: Debt, amount: Decimal, ref: Ref) -> None:
    year = order.order_date.year
    parts = await DebtPart.filter(debt_id=debt.id).order_by("position")
    locked = await LockedLines.lock((p.account_id for p in parts), [year])
    takes = rules.take_in_turn(amount, map(rules.part_left, parts))
    for part, take in zip(parts, takes, strict=True):
        if take <= 0:
            continue
        await locked.move(part.account_id, RESTORE, take, ref, year, used=-take)
        await DebtPart.filter(id=part.id).update(returned=part.returned + take)
    outstanding = debt.outstanding - amount
    status = DEBT_OPEN if outstanding > 0 else DEBT_PAID if debt.repaid > 0 else DEBT_RETURNED
    await save(debt, returned=debt.returned + amount, outstanding=outstanding, status=status,
               settled_at=None if outstanding > 0 else ref.now)


async def reverse_return(number: str, actor: str, now: datetime) -> GoodsReturn:
    """退货反审核: the return's credit part is owed and used again."""
    found = await GoodsReturn.get_or_none(number=number)
    if found is None:
        raise RETURN_NOT_FOUND(f"退货单 {number} 不存在")
    shipment_number = (await Shipment.get(id=found.shipment_id)).number
    customer_id = await _customer_of_shipment(shipment_number)
    await ledger_id(customer_id)
    async with in_transaction():
        ledger = await lock_ledger(customer_id)
        order, shipment, debt = await _lock_shipment(shipment_number)
        goods_return = await GoodsReturn.get(id=found.id)
        if goods_return.status == REVERSED:
            return goods_return
        await _ensure_day_open(order.salesperson_id, goods_return.return_date, number)
        if goods_return.credit > 0:
            ref = Ref("return", number, actor, now)
            locked = await _deduct(order, debt, goods_return.credit, ref)
            await change_base(ledger, goods_return.credit)
            await alert_overuse(locked, customer_id=customer_id,
                                salesperson_id=debt.salesperson_id, now=now, facts={
                                    "document": number, "shipment": shipment_number,
                                    "order": order.number,
                                    "amount": fmt(goods_return.credit)})
        await _set_returned(shipment, shipment.returned - goods_return.amount)
        if not await GoodsReturn.filter(id=goods_return.id, status=ACTIVE).update(
                status=REVERSED):
            raise CONCURRENT_CHANGE("数据已被同时修改，请重试")
        goods_return.status = REVERSED
        await check_balanced(ledger)
    return goods_return


async def _deduct(order: CreditOrder, debt: Debt, amount: Decimal, ref: Ref) -> LockedLines:
    """Owe and use again what a return gave back. The ERP has already reversed the return, so a
    line without room is taken past its limit (recorded, alerted by the caller), not refused."""
    year = order.order_date.year
    parts = await DebtPart.filter(debt_id=debt.id).order_by("-position")
    locked = await LockedLines.lock((p.account_id for p in parts), [year])
    left = amount
    for part in parts:
        take = min(left, part.returned)
        if take <= 0:
            continue
        left -= take
        await locked.move(part.account_id, DEDUCT, take, ref, year, used=take, overdraw=True)
        await DebtPart.filter(id=part.id).update(returned=part.returned - take)
    await save(debt, returned=debt.returned - amount, outstanding=debt.outstanding + amount,
               status=DEBT_OPEN, settled_at=None)
    return locked
