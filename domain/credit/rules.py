"""Pure credit rules of seed 002: lines, use order, org budget, shipments, repayment, status.

No database, no I/O, no clock: dates are passed in and money is `Decimal`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from domain.common_errors import AMOUNT_NOT_POSITIVE
from domain.credit.errors import (
    CREDIT_INSUFFICIENT,
    ORG_BUDGET_EXCEEDED,
    SHIPMENT_EXCEEDS_ORDER,
    UNFREEZE_EXCEEDS_FROZEN,
)
from domain.money import ZERO, fmt, yuan

# --- lines ------------------------------------------------------------------------------------

ANNUAL, PROJECT, DIRECT, DIRECT_USE, TEMPORARY = (
    "annual", "project", "direct", "direct_use", "temporary",
)
LINE_TYPES = (ANNUAL, PROJECT, DIRECT, DIRECT_USE, TEMPORARY)
TYPE_LABELS = {
    ANNUAL: "年度授信", PROJECT: "项目授信", DIRECT: "直签授信", DIRECT_USE: "直签使用授信",
    TEMPORARY: "临时授信",
}
# 固定额度 regains availability on repayment; 临时额度 (project, direct-use, temporary) never does.
REVOLVING_TYPES = frozenset({ANNUAL, DIRECT})
ONE_SHOT_TYPES = frozenset({PROJECT, DIRECT_USE, TEMPORARY})
# 直签使用授信 is carved out of its upstream customer's 直签授信 (seed 002), of no other kind.
PARENT_TYPE = DIRECT

# 额度使用优先级: annual (and direct, filled in as a dealer line) before project (and direct-use)
# before temporary, which is used only when nothing else is left.
USE_RANK = {ANNUAL: 0, DIRECT: 0, PROJECT: 1, DIRECT_USE: 1, TEMPORARY: 2}

ACTIVE = "active"


def is_revolving(line_type: str) -> bool:
    return line_type in REVOLVING_TYPES


# A line's or debt's id: the row id in the service, a name in the seed's worked examples. One
# kind within a call, so tie-breaks by id sort as the database does.
Id = int | str


@dataclass(frozen=True)
class LineState:
    """One credit line. available = limit − used − frozen, inside its validity, when active.

    `project` set means the line may only pay orders of that project (项目授信).
    """

    id: Id
    type: str
    limit: Decimal
    used: Decimal = ZERO
    frozen: Decimal = ZERO
    valid_from: date | None = None
    valid_to: date | None = None
    status: str = ACTIVE
    project: str | None = None

    def is_valid_on(self, on: date) -> bool:
        if self.status != ACTIVE:
            return False
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to

    def available(self, on: date) -> Decimal:
        if not self.is_valid_on(on):
            return ZERO
        return max(self.limit - self.used - self.frozen, ZERO)

    def serves(self, project: str | None) -> bool:
        return self.project is None or self.project == project

    def _check_available(self, amount: Decimal, on: date, verb: str) -> None:
        """Refuse (credit_insufficient) to ``verb`` more than is available ``on``."""
        if amount > self.available(on):
            raise CREDIT_INSUFFICIENT(
                f"{TYPE_LABELS[self.type]}可用额度{yuan(self.available(on))}，不足以{verb}{yuan(amount)}",
                account_id=self.id, available=fmt(self.available(on)), amount=fmt(amount),
                )

    # Seed 002's four operations; each returns the line after it.

    def freeze(self, amount: Decimal, on: date) -> LineState:
        _positive(amount)
        self._check_available(amount, on, "冻结")
        return replace(self, frozen=self.frozen + amount)

    def unfreeze(self, amount: Decimal) -> LineState:
        _positive(amount)
        if amount > self.frozen:
            raise UNFREEZE_EXCEEDS_FROZEN(
                f"解冻金额{yuan(amount)}超过已冻结额度{yuan(self.frozen)}",
                account_id=self.id, frozen=fmt(self.frozen), amount=fmt(amount),
                )
        return replace(self, frozen=self.frozen - amount)

    def use(self, amount: Decimal, on: date, from_frozen: bool = False) -> LineState:
        """Use credit; `from_frozen` turns a reservation into use (the order ships)."""
        _positive(amount)
        if from_frozen:
            return replace(self.unfreeze(amount), used=self.used + amount)
        self._check_available(amount, on, "使用")
        return replace(self, used=self.used + amount)

    def give_back(self, amount: Decimal) -> LineState:
        """归还 after repayment: a revolving line regains it, a one-shot line stays used."""
        _positive(amount)
        restored = min(amount, self.used) if is_revolving(self.type) else ZERO
        return replace(self, used=self.used - restored)


def over_limit(limit: Decimal, used: Decimal, frozen: Decimal) -> Decimal:
    """How far what is taken (used + frozen) is past a limit or budget: 0 within it. Only a
    document the ERP has already booked (退货反审核) may take a line or budget past it."""
    return max(used + frozen - limit, ZERO)


def _positive(amount: Decimal) -> None:
    if amount <= 0:
        raise AMOUNT_NOT_POSITIVE("金额必须大于0", amount=fmt(amount))


# --- use order ---------------------------------------------------------------------------------


def usable_lines(
    lines: Iterable[LineState], on: date, project: str | None = None,
) -> list[LineState]:
    """Accounts that can pay now, in use order: rank, then earliest expiry, then id."""
    usable = [a for a in lines if a.serves(project) and a.available(on) > 0]
    return sorted(usable, key=lambda a: (USE_RANK[a.type], a.valid_to or date.max, a.id))


def allocate_credit(
    lines: Iterable[LineState], amount: Decimal, on: date, project: str | None = None,
) -> list[tuple[Id, Decimal]]:
    """Split `amount` over the lines in use order; refuse, naming the shortfall, if short."""
    _positive(amount)
    ordered = usable_lines(lines, on, project)
    total = sum((a.available(on) for a in ordered), ZERO)
    if total < amount:
        by_type: dict[str, Decimal] = {}
        for line in ordered:
            by_type[line.type] = by_type.get(line.type, ZERO) + line.available(on)
        parts = "，".join(f"{TYPE_LABELS[t]}{yuan(v)}" for t, v in by_type.items()) or "无"
        raise CREDIT_INSUFFICIENT(
            f"授信额度不足：需要{yuan(amount)}，可用{yuan(total)}（{parts}），"
            f"缺{yuan(amount - total)}",
            amount=fmt(amount), available=fmt(total), shortfall=fmt(amount - total),
            available_by_type={t: fmt(v) for t, v in by_type.items()},
            )
    allocation: list[tuple[Id, Decimal]] = []
    left = amount
    for line in ordered:
        if left <= 0:
            break
        take = min(left, line.available(on))
        allocation.append((line.id, take))
        left -= take
    return allocation


def other_credit_available(
    lines: Iterable[LineState], on: date, project: str | None = None,
) -> Decimal:
    """What the lines other than temporary ones can still pay on ``on``."""
    usable = usable_lines(lines, on, project)
    return sum((a.available(on) for a in usable if a.type != TEMPORARY), ZERO)


def may_use_temporary(
    lines: Iterable[LineState], on: date, project: str | None = None,
) -> bool:
    """A temporary line may be applied for (and used) only when nothing else is available."""
    return other_credit_available(lines, on, project) == 0


# --- org budget (额度分配规则) ------------------------------------------------------------------


def org_budget_left(budget: Decimal, used: Decimal) -> Decimal:
    return max(budget - used, ZERO)


def check_org_budget(budget: Decimal, used: Decimal, amount: Decimal) -> None:
    """Lines granted may exceed the org's budget; what customers use together may not."""
    left = org_budget_left(budget, used)
    if amount > left:
        raise ORG_BUDGET_EXCEEDED(
            f"销售组织授信预算{yuan(budget)}已使用{yuan(used)}，剩余{yuan(left)}，"
            f"不足以使用{yuan(amount)}",
            budget=fmt(budget), used=fmt(used), left=fmt(left), amount=fmt(amount),
            )


# --- shipments and terms -----------------------------------------------------------------------

DEFAULT_TERM_DAYS = 90
BUSINESS_TERMS: Mapping[str, int] = {"整装": 60, "零售": 30}


def credit_term_days(
    business_type: str | None,
    terms: Mapping[str, int] = BUSINESS_TERMS,
    default: int = DEFAULT_TERM_DAYS,
    own_term: int | None = None,
) -> int:
    """The term for a debt: the line's own (a project application's), the business type's, or
    the default."""
    if own_term is not None:
        return own_term
    if business_type is not None and business_type in terms:
        return terms[business_type]
    return default


def due_date(ship_date: date, term_days: int) -> date:
    """到期还款日 = 借款日期 (the shipment date) + 账期."""
    return ship_date + timedelta(days=term_days)


@dataclass(frozen=True)
class ShipmentSplit:
    cash: Decimal
    credit: Decimal  # the debt (借款) this shipment creates
    cash_left: Decimal
    credit_left: Decimal


def split_shipment(
    order_cash_left: Decimal, order_credit_left: Decimal, shipment_amount: Decimal,
) -> ShipmentSplit:
    """应收优先使用现金: a shipment's receivable takes the order's cash first, then credit."""
    _positive(shipment_amount)
    if shipment_amount > order_cash_left + order_credit_left:
        raise SHIPMENT_EXCEEDS_ORDER(f"发货金额{yuan(shipment_amount)}超过订单未发货金额"
                                     f"{yuan(order_cash_left + order_credit_left)}",
                                     shipment_amount=fmt(shipment_amount),
                                     order_left=fmt(order_cash_left + order_credit_left),
                                     )
    cash = min(shipment_amount, order_cash_left)
    credit = shipment_amount - cash
    return ShipmentSplit(cash, credit, order_cash_left - cash, order_credit_left - credit)


# --- repayment ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Debt:
    id: Id
    debt_date: date
    due_date: date
    outstanding: Decimal
    line_id: Id | None = None


@dataclass(frozen=True)
class RepaymentAllocation:
    parts: list[tuple[Id, Decimal]]
    leftover: Decimal


def repayment_order(debts: Iterable[Debt]) -> list[Debt]:
    """Oldest due first; ties by debt date, then id. Settled debts are left out."""
    return sorted(
        (d for d in debts if d.outstanding > 0), key=lambda d: (d.due_date, d.debt_date, d.id),
    )


class DebtPartAmounts(Protocol):
    """What part_left reads of a debt's part on one credit line (the model row fits)."""

    amount: Decimal
    returned: Decimal
    repaid: Decimal


def part_left(part: DebtPartAmounts) -> Decimal:
    """What a debt's part on one credit line still owes (neither returned nor repaid)."""
    return part.amount - part.returned - part.repaid


def take_in_turn(amount: Decimal, lefts: Iterable[Decimal]) -> list[Decimal]:
    """What ``amount`` takes from each of ``lefts`` in turn, each up to what it has left."""
    takes = []
    for left in lefts:
        take = max(ZERO, min(amount, left))
        takes.append(take)
        amount -= take
    return takes


def allocate_repayment(debts: Iterable[Debt], amount: Decimal) -> RepaymentAllocation:
    """Pay debts oldest due first, the last one partly if need be; return what is left over."""
    _positive(amount)
    ordered = repayment_order(debts)
    takes = take_in_turn(amount, (d.outstanding for d in ordered))
    parts = [(debt.id, take) for debt, take in zip(ordered, takes, strict=True) if take > 0]
    return RepaymentAllocation(parts, amount - sum(takes, ZERO))


def credit_restored(
    lines: Iterable[LineState], repaid: Mapping[Id, Decimal],
) -> dict[Id, Decimal]:
    """Availability each line regains from `repaid` (line id → amount repaid on it):
    the amount on a revolving line, capped at what it has used; nothing on a one-shot line."""
    restored: dict[Id, Decimal] = {}
    for line in lines:
        amount = repaid.get(line.id, ZERO)
        if amount > 0:
            restored[line.id] = (
                min(amount, line.used) if is_revolving(line.type) else ZERO
            )
    return restored


# --- debt status -------------------------------------------------------------------------------

NORMAL, DUE_SOON, OVERDUE, PAID = "normal", "due_soon", "overdue", "paid"
DEBT_STATUS_LABELS = {NORMAL: "正常", DUE_SOON: "即将到期", OVERDUE: "逾期", PAID: "已还清"}
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class DebtStatus:
    status: str
    days_to_due: int  # negative once past due
    days_overdue: int


def debt_status(
    due: date, on: date, outstanding: Decimal | None = None, soon_days: int = DUE_SOON_DAYS,
) -> DebtStatus:
    """Status on a date: overdue from the day after the due date (the due day is the last day
    to pay), due soon within `soon_days` of it, else normal; paid once nothing is outstanding."""
    days_to_due = (due - on).days
    if outstanding is not None and outstanding <= 0:
        return DebtStatus(PAID, days_to_due, 0)
    if days_to_due < 0:
        return DebtStatus(OVERDUE, days_to_due, -days_to_due)
    if days_to_due <= soon_days:
        return DebtStatus(DUE_SOON, days_to_due, 0)
    return DebtStatus(NORMAL, days_to_due, 0)


# --- customer ledger (还款账户) ------------------------------------------------------------------


def ledger_gap(outstanding: Decimal, repayment_balance: Decimal, base_debt: Decimal) -> Decimal:
    """How far a customer's books are from seed 002's invariant (0 when they hold).

    The seed writes it in the ERP's signed balances (a debt is negative): 授信总欠款 (−) +
    还款账户余额 (+) = 基本账户欠款 (−), e.g. −2000 + 1500 = −500. With debts as positive
    amounts, as stored here: outstanding credit debt − repayment balance = base-account debt.
    """
    return (outstanding - repayment_balance) - base_debt
