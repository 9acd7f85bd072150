"""Every event type the ERP can hear of, declared once: its name (dotted, past tense), what it
means and its payload (the ``data`` of the feed's item and of the webhook's body).

Payloads carry Tally's ids and the ERP's own numbers where Tally has them (customer code,
document numbers), amounts as decimal strings ("1234.50"), dates as ISO ``YYYY-MM-DD`` and
times as ISO 8601 with their offset. The OpenAPI document is generated from these TypedDicts
(``httpcommon.openapi``), so what is declared here is what the ERP is promised.

Adding an event: an ``EventType`` member, its payload ``TypedDict`` and its ``EventSpec`` in
``CATALOGUE``; the use case calls ``domain.events.publish`` inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from typing_extensions import TypedDict  # pydantic reads these for the OpenAPI schemas


class EventType(StrEnum):
    RECEIPT_RECORDED = "receipt.recorded"
    EXPENSE_RECORDED = "expense.recorded"
    STATEMENT_ANSWERED = "statement.answered"
    PAYMENT_WRITTEN_OFF = "payment.written_off"
    PENALTY_CHARGED = "penalty.charged"
    CREDIT_DECIDED = "credit.decided"
    CREDIT_LINE_CHANGED = "credit.line_changed"
    DAY_CLOSED = "day.closed"
    DAY_REOPENED = "day.reopened"


# ----- parts several payloads share -------------------------------------------------------------


class EventCustomer(TypedDict):
    """A customer: Tally's id, the ERP's customer code, the name."""

    id: int
    code: str
    name: str


class EventStaff(TypedDict):
    """A staff member: Tally's id, the DingTalk userid (the ERP's employee link), the name."""

    id: int
    dingtalk_userid: str
    name: str


# ----- payloads ----------------------------------------------------------------------------------


class ReceiptRecorded(TypedDict):
    """A salesperson recorded money collected (收款单) in DingTalk: pending until finance audits
    it at the hand-over."""

    document_id: int
    number: str  # DT-SK-<yyyymmdd>-<seq>, the document number in Tally
    receipt_kind: str  # sale | prepaid | deposit
    receipt_kind_label: str  # 收款 / 预收款 / 订金
    date: str
    amount: str
    audit_status: str  # pending
    customer: EventCustomer
    salesperson: EventStaff


class ExpenseRecorded(TypedDict):
    """A salesperson recorded an expense (费用单) in DingTalk: pending until audited."""

    expense_id: int
    number: str  # DT-FY-<yyyymmdd>-<seq>
    expense_type: str
    date: str
    amount: str
    audit_status: str
    salesperson: EventStaff


class StatementAnswered(TypedDict):
    """A customer answered a statement (对账单): 符合 (matched) or 不符合 (mismatched)."""

    statement_id: int
    customer: EventCustomer
    date_from: str
    date_to: str
    closing: str  # 期末余额
    owed_total: str
    answer: str  # matched | mismatched
    description: str  # the customer's words (required for mismatched)
    answered_by: str
    answered_at: str
    via: str  # h5 | mp


class WrittenOffBill(TypedDict):
    bill_id: int
    period: str  # YYYY-MM
    amount: str


class WrittenOffPenalty(TypedDict):
    penalty_id: int
    bill_id: int
    month_index: int
    amount: str


class PoolPaymentRef(TypedDict):
    id: int
    reference: str  # the bank's or the ERP's reference of the money received
    payer_name: str
    amount: str
    received_on: str
    remaining: str  # what is left on it after this write-off


class PaymentWrittenOff(TypedDict):
    """A payment was set against bills and penalty interest (销账), its approval done."""

    write_off_id: int
    automatic: bool
    amount: str
    customer: EventCustomer
    payment: PoolPaymentRef
    receipt_number: str  # WO-<id>: the receipt document booked for statements
    bills: list[WrittenOffBill]
    penalties: list[WrittenOffPenalty]


class PenaltyCharged(TypedDict):
    """Penalty interest (罚息) for one started overdue month of a bill."""

    penalty_id: int
    bill_id: int
    customer: EventCustomer
    month_index: int  # 1 = the first month past the due date
    accrued_on: str
    base: str  # what the bill still owed
    rate: str  # the monthly rate, e.g. "0.005"
    amount: str


class CreditDecided(TypedDict):
    """A credit application (授信申请) or payment-term change (账期更改) was approved or
    rejected. ``request`` is the form as approved; ``result`` what the approval made
    (credit_account_id and credit_account_number, or debt_id and due_date), empty if rejected."""

    flow_id: int
    kind: str  # credit_application | payment_term_change
    decision: str  # approved | rejected
    decided_by: EventStaff | None  # None when the last node passed by itself
    comment: str
    customer: EventCustomer | None
    request: dict[str, Any]
    result: dict[str, Any]


class CreditLineState(TypedDict):
    """A credit account (授信账户) after the change."""

    id: int
    number: str  # CA<yyyymmdd><hex>
    type: str  # annual | temporary | project | direct | direct_use …
    limit: str
    used: str
    frozen: str
    status: str  # active | frozen | expired | closed
    valid_from: str | None
    valid_to: str | None
    project: str | None
    term_days: int | None
    parent_id: int | None


class CreditLineChanged(TypedDict):
    """A credit line was granted (after its approval, or directly by an admin), its limit
    changed, or its status changed (停用 / 启用 / 过期 / 关闭)."""

    change: str  # granted | limit_changed | status_changed
    operation_id: int  # the credit ledger's operation
    by: str
    customer: EventCustomer
    org_code: str  # the sales org (销区)
    line: CreditLineState


class DayClosed(TypedDict):
    """Business days closed (关账) or reopened for these staff: no more documents for them on
    those days (or again allowed)."""

    days: list[str]
    all_staff: bool  # every active staff member at that moment
    staff: list[EventStaff]
    count: int  # (person, day) pairs whose state changed
    by: str


# ----- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    summary: str  # one line for the OpenAPI document
    payload: type  # its TypedDict


CATALOGUE: dict[EventType, EventSpec] = {
    EventType.RECEIPT_RECORDED: EventSpec(
        "A receipt recorded by a salesperson in DingTalk", ReceiptRecorded),
    EventType.EXPENSE_RECORDED: EventSpec(
        "An expense recorded by a salesperson in DingTalk", ExpenseRecorded),
    EventType.STATEMENT_ANSWERED: EventSpec(
        "A customer answered a statement (matched / mismatched)", StatementAnswered),
    EventType.PAYMENT_WRITTEN_OFF: EventSpec(
        "A payment written off against bills and penalties", PaymentWrittenOff),
    EventType.PENALTY_CHARGED: EventSpec(
        "Penalty interest charged for an overdue month of a bill", PenaltyCharged),
    EventType.CREDIT_DECIDED: EventSpec(
        "A credit application or payment-term change approved or rejected", CreditDecided),
    EventType.CREDIT_LINE_CHANGED: EventSpec(
        "A credit line granted, its limit or its status changed", CreditLineChanged),
    EventType.DAY_CLOSED: EventSpec("Business days closed for staff", DayClosed),
    EventType.DAY_REOPENED: EventSpec("Business days reopened for staff", DayClosed),
}


def customer_ref(customer: Any) -> EventCustomer:
    """A customer row as payloads name it."""
    return {"id": customer.id, "code": customer.code, "name": customer.name}


def staff_ref(staff: Any) -> EventStaff:
    """A staff row as payloads name it."""
    return {"id": staff.id, "dingtalk_userid": staff.dingtalk_userid or "", "name": staff.name}
