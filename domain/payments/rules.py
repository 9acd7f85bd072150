"""Pure rules of the payments pool (SPEC 6–7, seed 004): payer names normalised for matching,
which customer a payer is, what an automatic write-off takes and why it refuses, penalty
months and amounts, invoice requests and billing terms. Plain values in, decisions out."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.common_errors import BAD_TERM
from domain.dates import add_months
from domain.money import CENT, ZERO, yuan
from domain.payments.errors import (
    BAD_INVOICE_KIND,
    BAD_SETTING,
    INVOICE_AMOUNT_MISMATCH,
    INVOICE_FIELDS_MISSING,
    NOTHING_TO_WRITE_OFF,
    WRITE_OFF_EXCEEDS_PAYMENT,
)

# ----- matching a payer to a customer ---------------------------------------------------------

BY_NAME, BY_INVOICE_COMPANY, MANUAL = "name", "invoice_company", "manual"

# Why a payment was not written off automatically (seed 004, question 4, and our own two).
NO_CUSTOMER, BELOW_OLDEST_BILL, PREPAID_AFTER_BILL = (
    "no_customer", "below_oldest_bill", "prepaid_after_bill")
AMBIGUOUS, NOTHING_OPEN, NO_SALESPERSON = "ambiguous", "nothing_open", "no_salesperson"
REFUSALS = {
    NO_CUSTOMER: "到款没有关联到客户名下",
    BELOW_OLDEST_BILL: "到款金额小于最早未销账单金额",
    PREPAID_AFTER_BILL: "预付费到款时间大于账单时间",
    AMBIGUOUS: "到款名称对应多个客户，请人工匹配",
    NOTHING_OPEN: "客户没有未销账单",
    NO_SALESPERSON: "客户没有在职业务员，无法发起销账流程",
}
PREPAID_MODES = frozenset({"prepaid", "prepurchase"})


def payer_key(name: str) -> str:
    """A name as matching compares it: NFKC (full-width letters, digits and brackets become
    half-width), trimmed, inner whitespace collapsed to one space, case-folded."""
    text = unicodedata.normalize("NFKC", name or "")
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Match:
    customer_id: int | None
    matched_by: str  # name | invoice_company | "" when unmatched
    refusal: str | None = None  # no_customer | ambiguous

    @property
    def note(self) -> str:
        return REFUSALS[self.refusal] if self.refusal else ""


def match_payer(key: str, by_name: Mapping[str, Sequence[int]],
                by_company: Mapping[str, Sequence[int]]) -> Match:
    """The customer whose normalised name is ``key``, else whose invoice company is; two
    customers for the name (or, failing the name, for the company) is no match."""
    for index, matched_by in ((by_name, BY_NAME), (by_company, BY_INVOICE_COMPANY)):
        ids = sorted(set(index.get(key, ())))
        if len(ids) == 1:
            return Match(ids[0], matched_by)
        if len(ids) > 1:
            return Match(None, "", AMBIGUOUS)
    return Match(None, "", NO_CUSTOMER)


# ----- the automatic write-off ----------------------------------------------------------------


@dataclass(frozen=True)
class OpenBill:
    """An unpaid bill as the write-off sees it: what is left to pay and not held by a
    pending write-off."""

    id: int
    period: date
    bill_date: date
    open: Decimal


@dataclass(frozen=True)
class OpenPenalty:
    id: int
    accrued_on: date
    open: Decimal


@dataclass(frozen=True)
class Plan:
    bills: tuple[tuple[int, Decimal], ...] = ()
    penalties: tuple[tuple[int, Decimal], ...] = ()
    refusal: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((a for _, a in self.bills + self.penalties), ZERO)

    @property
    def note(self) -> str:
        return REFUSALS[self.refusal] if self.refusal else ""


def plan_auto_write_off(available: Decimal, received_on: date, payment_mode: str,
                        bills: Sequence[OpenBill], penalties: Sequence[OpenPenalty]) -> Plan:
    """Oldest bill first (by period, then id): take each bill the money left fully covers,
    stop at the first it does not — or, for a prepaid / pre-purchase customer, at the first
    bill dated before the payment arrived. Penalties (oldest first) only once every open
    bill is taken. Nothing taken is a refusal naming the first stop."""
    left = available
    taken: list[tuple[int, Decimal]] = []
    ordered = sorted((b for b in bills if b.open > 0), key=lambda b: (b.period, b.id))
    for bill in ordered:
        stop = _bill_stop(bill, left, received_on, payment_mode)
        if stop:
            return Plan(tuple(taken), (), None if taken else stop)
        taken.append((bill.id, bill.open))
        left -= bill.open
    fines = []
    for penalty in sorted((p for p in penalties if p.open > 0),
                          key=lambda p: (p.accrued_on, p.id)):
        if penalty.open > left:
            break
        fines.append((penalty.id, penalty.open))
        left -= penalty.open
    if not taken and not fines:  # no open bill; penalties, if any, too big
        owed = any(p.open > 0 for p in penalties)
        return Plan(refusal=BELOW_OLDEST_BILL if owed else NOTHING_OPEN)
    return Plan(tuple(taken), tuple(fines))


def _bill_stop(bill: OpenBill, left: Decimal, received_on: date, mode: str) -> str | None:
    if mode in PREPAID_MODES and received_on > bill.bill_date:
        return PREPAID_AFTER_BILL
    if left < bill.open:
        return BELOW_OLDEST_BILL
    return None


def check_manual_total(total: Decimal, available: Decimal) -> None:
    if total <= 0:
        raise NOTHING_TO_WRITE_OFF("请至少选择一张账单或一笔罚息")
    if total > available:
        raise WRITE_OFF_EXCEEDS_PAYMENT(f"销账合计{yuan(total)}超过到款可用余额{yuan(available)}",
                                        total=str(total), available=str(available))


# ----- payment terms and penalty interest -----------------------------------------------------

MIN_TERM_MONTHS, MAX_TERM_MONTHS = 1, 12


def check_term_months(value: object) -> int:
    """A billing term (账单周期) in whole months, 1 to 12 (seed 004: 最多不超过12个月)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BAD_TERM("新账单周期必须是整数（月）", field="term_months")
    if not MIN_TERM_MONTHS <= value <= MAX_TERM_MONTHS:
        raise BAD_TERM(f"新账单周期必须在 {MIN_TERM_MONTHS} 到 {MAX_TERM_MONTHS} "
                       f"个月之间，不能是 {value}", field="term_months")
    return value


def month_start(due_date: date, k: int) -> date:
    """Overdue month ``k`` (1 = the first) starts the day after due date + (k − 1) months."""
    return add_months(due_date, k - 1) + timedelta(days=1)


def months_started(due_date: date, day: date) -> int:
    """How many overdue months have started by ``day`` (0 up to and on the due date)."""
    if day <= due_date:
        return 0
    k = max(0, (day.year - due_date.year) * 12 + day.month - due_date.month - 1)
    while month_start(due_date, k + 1) <= day:
        k += 1
    return k


def penalty_amount(base: Decimal, rate: Decimal) -> Decimal:
    return (base * rate).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Charge:
    month_index: int
    accrued_on: date
    base: Decimal
    amount: Decimal


def charges_due(due_date: date, outstanding: Decimal, charged_months: int, day: date,
                rate: Decimal) -> list[Charge]:
    """The charges of the months started by ``day`` and not charged yet, each on what is
    owed now (a missed day is caught up: every started month gets its one charge)."""
    if outstanding <= 0:
        return []
    return [Charge(k, month_start(due_date, k), outstanding, penalty_amount(outstanding, rate))
            for k in range(charged_months + 1, months_started(due_date, day) + 1)]


def renumber_months(due_date: date, started: Sequence[date]) -> list[int]:
    """The month index of each charge of a bill (``started``: the days their months began,
    ascending) counted from a new ``due_date`` after a term change: those now inside the term
    0, −1 …, the others 1, 2 … by the day they began, never two charges on one index."""
    inside = sum(1 for day in started if day <= due_date)
    indices, last = list(range(1 - inside, 1)), 0
    for day in started[inside:]:
        last = max(last + 1, months_started(due_date, day))
        indices.append(last)
    return indices


def penalty_credit(amount: Decimal, paid: Decimal, held: Decimal) -> Decimal:
    """What a term change takes back of a charge now inside the term: what is still owed and
    not held by a pending write-off (money paid or held is finance's to settle)."""
    return max(amount - paid - held, ZERO)


def parse_rate(text: str) -> Decimal:
    try:
        rate = Decimal(str(text).strip())
    except ArithmeticError:
        raise BAD_SETTING(f"penalty_monthly_rate 不是数字: {text!r}") from None
    if not rate.is_finite() or rate < 0 or rate >= 1:
        raise BAD_SETTING(f"penalty_monthly_rate 必须在 0 到 1 之间: {text!r}")
    return rate


# ----- invoice requests (账单开票) --------------------------------------------------------------

NORMAL, SPECIAL = "normal", "special"
INVOICE_KINDS = {NORMAL: "增值税普通发票", SPECIAL: "增值税专用发票"}
INVOICE_FIELD_LABELS = {"company": "公司名称", "tax_id": "税务号", "address": "公司地址",
                        "phone": "联系电话", "bank": "开户银行", "account": "银行账号"}
REQUIRED_INVOICE_FIELDS = {NORMAL: ("company", "tax_id"),
                           SPECIAL: tuple(INVOICE_FIELD_LABELS)}


def invoice_fields(kind: str, invoice: Mapping[str, object]) -> dict[str, str]:
    """The invoice fields the kind needs, trimmed; a missing one is refused by name (普票:
    company and tax id, 专票: every field)."""
    if kind not in INVOICE_KINDS:
        raise BAD_INVOICE_KIND(f"发票类型必须是 normal（普票）或 special（专票）: {kind!r}")
    clean = {k: str(invoice.get(k) or "").strip() for k in INVOICE_FIELD_LABELS}
    missing = [k for k in REQUIRED_INVOICE_FIELDS[kind] if not clean[k]]
    if missing:
        names = "、".join(INVOICE_FIELD_LABELS[k] for k in missing)
        raise INVOICE_FIELDS_MISSING(f"{INVOICE_KINDS[kind]}缺少开票信息：{names}",
                                     missing=missing)
    return {k: v for k, v in clean.items() if v}


def check_invoice_amount(amount: Decimal, bill_total: Decimal) -> None:
    """The amount asked for must equal the covered bills' sum exactly (seed 004: 确认账单合计与
    开票合计一致后系统才予以放行)."""
    if amount != bill_total:
        raise INVOICE_AMOUNT_MISMATCH(f"开票金额{yuan(amount)}与账单合计{yuan(bill_total)}不一致",
                                      amount=str(amount), bill_total=str(bill_total))
