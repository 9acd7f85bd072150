"""Pure document rules: the document types and how each moves the receivable, the audit states
with the ERP's words for them, a receipt's kinds and settlements, the closed-day refusal, and
what an audit change does to a receipt's confirmation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.documents.errors import DAY_CLOSED, RECEIPT_CONFIRMED
from domain.errors import Conflict, Locked
from domain.money import ZERO

SALES_OUT, SALES_RETURN, RECEIPT = "sales_out", "sales_return", "receipt"
DOC_TYPES = (SALES_OUT, SALES_RETURN, RECEIPT)  # what the ERP sends and a statement may pick
# A month-end usage bill (seed 004), written by domain.billing, never by the ERP; it adds to
# the receivable like a sales-out. What a prepaid customer's balance paid of a bill is a draw:
# it takes the receivable down like a receipt, so 期末应收 is what is really owed.
BILL, PREPAID_DRAW = "bill", "prepaid_draw"
DOC_TYPE_LABELS = {SALES_OUT: "销售出库单", SALES_RETURN: "销售退货单", RECEIPT: "收款单",
                   BILL: "账单", PREPAID_DRAW: "预付余额抵扣"}
INCREASING = (SALES_OUT, BILL)
PAYING = (RECEIPT, PREPAID_DRAW)  # what 本期收款 counts


def signed_amount(doc_type: str, amount: Decimal) -> Decimal:
    """How a document moves the receivable: sales-out and bills add, returns and receipts take
    away."""
    return amount if doc_type in INCREASING else -amount


# Audit states of every ERP and hand-over document, with the ERP's words for them.
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


@dataclass(frozen=True)
class Settled:
    """One settlement line of a receipt, as the checks and the hand-over's split need it."""

    doc_date: date
    amount: Decimal  # 核销金额, the discount included
    prepaid: Decimal = ZERO  # the part paid from the prepaid balance (使用预收)


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


def day_closed_error(closed: Iterable[tuple[str, date]], **detail: object) -> Locked:
    """The 423 for documents dated closed days, naming each person and day."""
    days = sorted(set(closed), key=lambda pair: (pair[1], pair[0]))
    named = "、".join(f"{name} {day.isoformat()}" for name, day in days)
    return DAY_CLOSED(
        f"{named} 已关账，不能新增或修改该日期的单据；如需更改请财务先取消关账",
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
    if confirmation_holds(new, confirmed=confirmed, confirm_audits=confirm_audits):
        raise receipt_confirmed_error(number, old, new)
    if new == APPROVED:
        return CONFIRM if confirm_audits and not confirmed else None
    return UNCONFIRM if confirmed and confirm_audits else None


def confirmation_holds(new: str, *, confirmed: bool, confirm_audits: bool) -> bool:
    """Whether the receipt's hand-over confirmation refuses the change to ``new``: with the
    交款交账参数 off, a confirmed receipt cannot be un-audited or voided."""
    return confirmed and not confirm_audits and new != APPROVED


def receipt_confirmed_error(number: str, old: str, new: str) -> Conflict:
    """The 409 for un-auditing or voiding a confirmed receipt."""
    verb = "作废" if new == VOID else "反审核"
    return RECEIPT_CONFIRMED(f"收款单 {number} 已对账确认，不能{verb}；请财务先取消确认",
                             number=number, audit_status=old)
