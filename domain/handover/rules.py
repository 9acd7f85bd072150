"""Pure hand-over rules: document states, seed 001's receipt categories and expense columns,
and the closed-day message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.errors import Conflict, Locked
from domain.money import ZERO

# Audit states of every hand-over document, with the ERP's words for them.
PENDING, APPROVED, VOID = "pending", "approved", "void"
AUDIT_LABELS = {PENDING: "待审批", APPROVED: "已审批", VOID: "作废"}
AUDIT_ALIASES = {**{s: s for s in AUDIT_LABELS}, **{v: k for k, v in AUDIT_LABELS.items()},
                 "审核": APPROVED, "已审核": APPROVED, "待审核": PENDING, "正常": APPROVED,
                 "已完成": APPROVED}

# What a receipt is for. A sale receipt settles documents; the others are money in advance.
SALE, PREPAYMENT, DEPOSIT = "sale", "prepayment", "deposit"
RECEIPT_KIND_LABELS = {SALE: "收款", PREPAYMENT: "预收款", DEPOSIT: "订金"}
RECEIPT_KIND_ALIASES = {**{k: k for k in RECEIPT_KIND_LABELS},
                        **{v: k for k, v in RECEIPT_KIND_LABELS.items()}, "收订金": DEPOSIT,
                        "普通收款": SALE}

# The kinds of hand-over document finance confirms, as the API names them.
DOCUMENT, EXPENSE, OTHER_INCOME, EXCHANGE = "document", "expense", "other_income", "exchange"
KINDS = (DOCUMENT, EXPENSE, OTHER_INCOME, EXCHANGE)
KIND_LABELS = {DOCUMENT: "单据", EXPENSE: "费用单", OTHER_INCOME: "其他收入单",
               EXCHANGE: "兑换货物"}
# 资金单据: confirming one also audits it when the 交款交账参数 is on.
FUND_KINDS = (EXPENSE, OTHER_INCOME)  # and receipts, which are documents of type receipt


@dataclass(frozen=True)
class Settled:
    """One settlement line of a receipt, as the split needs it."""

    doc_date: date
    amount: Decimal  # 核销金额, the discount included
    prepaid: Decimal = ZERO  # the part paid from the prepaid balance (使用预收)


@dataclass(frozen=True)
class ReceiptSplit:
    """Seed 001's four kinds of money in; they add up to 收款金额 + 收款优惠 − 转入预收."""

    same_day: Decimal = ZERO  # 收当日货款
    history: Decimal = ZERO  # 收历史欠款
    prepayment: Decimal = ZERO  # 预收款
    deposit: Decimal = ZERO  # 收订金

    def __add__(self, other: ReceiptSplit) -> ReceiptSplit:
        return ReceiptSplit(self.same_day + other.same_day, self.history + other.history,
                            self.prepayment + other.prepayment, self.deposit + other.deposit)

    @property
    def total(self) -> Decimal:
        return self.same_day + self.history + self.prepayment + self.deposit


def split_receipt(kind: str, receipt_date: date, amount: Decimal, discount: Decimal,
                  settled: Iterable[Settled]) -> ReceiptSplit:
    """A receipt's money by seed 001's kinds: settlements of documents dated the receipt's day
    are 收当日货款, of other days 收历史欠款, both without what the prepaid balance paid."""
    if kind == PREPAYMENT:
        return ReceiptSplit(prepayment=amount + discount)
    if kind == DEPOSIT:
        return ReceiptSplit(deposit=amount + discount)
    same_day = history = ZERO
    for line in settled:
        cash = line.amount - line.prepaid
        if line.doc_date == receipt_date:
            same_day += cash
        else:
            history += cash
    return ReceiptSplit(same_day=same_day, history=history)


def receipt_problems(kind: str, amount: Decimal, discount: Decimal, to_prepaid: Decimal,
                     settled: Iterable[Settled]) -> list[str]:
    """Why a receipt's figures do not add up, in the words of the ERP screen; [] when they do."""
    lines = list(settled)
    problems = []
    if any(line.prepaid > line.amount for line in lines):
        problems.append("settlements: 使用预收不能超过核销金额")
    if kind != SALE:
        if lines or to_prepaid:
            problems.append(f"{RECEIPT_KIND_LABELS[kind]}不能核销单据或转入预收")
        return problems
    cash = sum((line.amount - line.prepaid for line in lines), ZERO)
    if cash + to_prepaid != amount + discount:
        problems.append(
            f"核销金额(不含使用预收) {cash} + 转入预收 {to_prepaid} 应等于 收款金额 {amount} + "
            f"收款优惠 {discount}")
    return problems


def expense_unsettled(total: Decimal, paid: Decimal, settled: Decimal) -> Decimal:
    """未核销金额 = 总金额 − 支出金额 − 收款核销金额: what an on-account expense may still
    take off the receivable."""
    return total - paid - settled


def day_closed_error(closed: Iterable[tuple[str, date]], **detail) -> Locked:
    """The 423 for documents dated closed days, naming each person and day."""
    days = sorted(set(closed), key=lambda pair: (pair[1], pair[0]))
    named = "、".join(f"{name} {day.isoformat()}" for name, day in days)
    return Locked(
        "day_closed", f"{named} 已关账，不能新增或修改该日期的单据；如需更改请财务先取消关账",
        closed=[{"staff": name, "day": day.isoformat()} for name, day in days], **detail,
    )


CONFIRM, UNCONFIRM = "confirm", "unconfirm"


def receipt_audit_change(number: str, old: str, new: str, *, confirmed: bool,
                         confirm_audits: bool) -> str | None:
    """What an audit-state change of a receipt does to its hand-over confirmation (seed 001,
    交款交账参数): with the setting on, auditing confirms and un-auditing or voiding
    unconfirms; with it off, a confirmed receipt cannot be un-audited or voided (409)."""
    if old == new:
        return None
    if new == APPROVED:
        return CONFIRM if confirm_audits and not confirmed else None
    if not confirmed:
        return None
    if confirm_audits:
        return UNCONFIRM
    verb = "作废" if new == VOID else "反审核"
    raise Conflict("receipt_confirmed",
                   f"收款单 {number} 已对账确认，不能{verb}；请财务先取消确认",
                   number=number, audit_status=old)
