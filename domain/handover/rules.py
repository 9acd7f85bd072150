"""Pure hand-over rules: the kinds of hand-over document finance confirms, the span of days one
listing covers, which audit actions a receipt offers, seed 001's receipt categories and the
expense columns. Document types, audit states and the closed-day refusal are the document's
(``domain.documents.rules``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.documents.rules import (
    APPROVED,
    DEPOSIT,
    PENDING,
    PREPAYMENT,
    VOID,
    Settled,
    confirmation_holds,
)
from domain.handover.errors import BAD_DATE_RANGE
from domain.money import ZERO

# The kinds of hand-over document finance confirms, as the API names them.
DOCUMENT, EXPENSE, OTHER_INCOME, EXCHANGE = "document", "expense", "other_income", "exchange"
KINDS = (DOCUMENT, EXPENSE, OTHER_INCOME, EXCHANGE)
KIND_LABELS = {DOCUMENT: "单据", EXPENSE: "费用单", OTHER_INCOME: "其他收入单",
               EXCHANGE: "兑换货物"}
# 资金单据: confirming one also audits it when the 交款交账参数 is on.
FUND_KINDS = (EXPENSE, OTHER_INCOME)  # and receipts, which are documents of type receipt
# How much one listing or one bulk action may cover (the API and the workbench alike).
MAX_DAYS = 31
MAX_ITEMS = 5000


def day_span(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, at most MAX_DAYS of them (400 otherwise)."""
    if last < first:
        raise BAD_DATE_RANGE("结束日期不能早于开始日期")
    if (last - first).days >= MAX_DAYS:
        raise BAD_DATE_RANGE(f"日期范围不能超过 {MAX_DAYS} 天")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# ----- a receipt's audit actions (审核 / 反审核 / 作废) -------------------------------------------

# Each action and the audit state it leads to.
RECEIPT_ACTIONS = {"audit": APPROVED, "unaudit": PENDING, "void": VOID}
RECEIPT_ACTION_LABELS = {"audit": "审核", "unaudit": "反审核", "void": "作废"}
# Why an action is refused: the receipt is void (final), its day is closed, or its hand-over
# confirmation holds it (交款交账参数 off).
VOIDED, CLOSED, CONFIRMED = "void", "closed", "confirmed"


def receipt_refusal(action: str, audit_status: str, *, confirmed: bool, confirm_audits: bool,
                    closed: bool) -> str | None:
    """Why ``action`` may not be done to a receipt now (VOIDED, CLOSED or CONFIRMED, in that
    order), or None; an action that changes nothing is never refused."""
    new = RECEIPT_ACTIONS[action]
    if new == audit_status:
        return None
    if audit_status == VOID:
        return VOIDED
    if closed:
        return CLOSED
    if confirmation_holds(new, confirmed=confirmed, confirm_audits=confirm_audits):
        return CONFIRMED
    return None


def receipt_actions(audit_status: str, *, confirmed: bool, confirm_audits: bool,
                    closed: bool) -> list[str]:
    """The audit actions a receipt offers now: those that change it and are not refused."""
    return [action for action, new in RECEIPT_ACTIONS.items()
            if new != audit_status and receipt_refusal(
                action, audit_status, confirmed=confirmed, confirm_audits=confirm_audits,
                closed=closed) is None]


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


def expense_unsettled(total: Decimal, paid: Decimal, settled: Decimal) -> Decimal:
    """未核销金额 = 总金额 − 支出金额 − 收款核销金额: what an on-account expense may still
    take off the receivable."""
    return total - paid - settled
