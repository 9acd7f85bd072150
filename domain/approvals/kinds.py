"""What each flow kind does besides its nodes: parse its form, check it at start (and say
which customer it is about), and take effect on final approval — inside the transaction of
that approval, so an effect that says no (a Conflict) leaves the flow pending.

``KINDS`` is filled at composition (``tally.registries``), not at import: the credit kinds are
declared here (``CREDIT_KINDS``), the others beside their own use cases
(``domain.payments.flow_kinds``, ``domain.tiers.claim_kind``), which import this module and
are imported by no part of the engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.approvals import forms
from domain.approvals.flows import (
    CREDIT_APPLICATION,
    CREDIT_TERM_CHANGE,
    RECEIPT_CLAIM,
    REPAYMENT_APPROVAL,
)
from domain.approvals.models import ApprovalFlow
from domain.credit import line_lifecycle, repayment
from domain.credit.errors import (
    DEBT_NOT_FOUND,
    DEBT_NOT_OPEN,
    PAYMENT_EXISTS,
    REPAYMENT_EXCEEDS_DEBT,
)
from domain.credit.models import CreditLedger, CreditReceipt, Debt
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.errors import Conflict
from domain.events.catalogue import CreditDecided, EventType, customer_ref, staff_ref
from domain.events.publish import NewEvent, publish
from domain.money import ZERO, fmt, yuan
from domain.org.models import Staff
from domain.tiers.errors import CLAIM_IN_PROGRESS

LIVE = ("pending", "returned")  # flow statuses before archiving (engine: PENDING, RETURNED)


@dataclass(frozen=True)
class Hold:
    """Something a live flow keeps for itself (``key``, unique among flows) and what a second
    flow on it is told (``refusal(live_flow_id)``)."""

    key: str
    refusal: Callable[[int], Conflict]


@dataclass(frozen=True)
class Subject:
    """What a started flow is about: its customer and a title for lists and cards."""

    customer_id: int | None
    title: str
    form: dict  # the parsed form, with anything the check added for display
    hold: Hold | None = None


@dataclass(frozen=True)
class FlowKind:
    kind: str
    parse: Callable[[Mapping[str, Any], date], dict]
    check: Callable[[dict, datetime], Awaitable[Subject]]
    effect: Callable[[ApprovalFlow, str, datetime], Awaitable[dict]]
    summary: Callable[[Mapping[str, Any]], forms.Summary]
    # Called, inside the same transaction, when the flow ends without taking effect (rejected
    # or withdrawn): a kind that holds something while pending lets it go here.
    on_end: Callable[[ApprovalFlow, datetime], Awaitable[None]] | None = None
    # Called, inside the same transaction, when the flow is approved (after its effect) or
    # rejected, with the deciding action: a kind the ERP hears of publishes its event here.
    on_decided: Callable[[ApprovalFlow, Any, datetime], Awaitable[None]] | None = None


KINDS: dict[str, FlowKind] = {}


def register_kind(kind: FlowKind) -> None:
    KINDS[kind.kind] = kind


async def _customer(customer_id: int) -> Customer:
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    return customer


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# ----- 授信申请 -----


async def _check_credit_application(form: dict, now: datetime) -> Subject:
    customer = await _customer(form["customer_id"])
    await line_lifecycle.check_application(
        customer_id=customer.id, org_id=form["org_id"], type=form["type"],
        amount=Decimal(form["amount"]), project=form["project"], on=now.date())
    title = f"授信申请：{customer.name} {yuan(Decimal(form['amount']))}"
    return Subject(customer.id, title, form)


async def _grant(flow: ApprovalFlow, actor: str, now: datetime) -> dict:
    form = flow.form
    line = await line_lifecycle.grant_line(
        customer_id=form["customer_id"], org_id=form["org_id"], type=form["type"],
        limit=Decimal(form["amount"]), valid_from=_day(form.get("valid_from")),
        valid_to=_day(form.get("valid_to")), project=form.get("project"),
        term_days=form.get("term_days"), parent_id=form.get("parent_id"), actor=actor, now=now)
    return {"credit_account_id": line.id, "credit_account_number": line.number}


# ----- 账期更改 -----


async def _check_term_change(form: dict, now: datetime) -> Subject:
    debt = await Debt.get_or_none(id=form["debt_id"])
    if debt is None:
        raise DEBT_NOT_FOUND(f"欠款 {form['debt_id']} 不存在")
    if debt.status != "open":
        raise DEBT_NOT_OPEN(f"欠款 #{debt.id} 已结清或已撤销，不能更改账期")
    customer = await _customer(debt.customer_id)
    shown = {**form, "old_term_days": debt.term_days, "outstanding": str(debt.outstanding),
             "due_date": debt.due_date.isoformat()}
    title = f"账期更改：{customer.name} 欠款#{debt.id} {debt.term_days}→{form['term_days']}天"
    return Subject(customer.id, title, shown)


async def _set_term(flow: ApprovalFlow, actor: str, now: datetime) -> dict:
    debt = await line_lifecycle.set_debt_term(debt_id=flow.form["debt_id"],
                                            term_days=flow.form["term_days"], actor=actor, now=now)
    return {"debt_id": debt.id, "due_date": debt.due_date.isoformat()}


# ----- 款项认领 -----


async def _check_claim(form: dict, now: datetime) -> Subject:
    """A receipt not yet booked, whose repayment part the base account still owes once the
    other live claims of the customer are counted: both checked here, not at the last node."""
    customer = await _customer(form["customer_id"])
    number = form["number"]
    if await CreditReceipt.exists(number=number):
        raise PAYMENT_EXISTS(f"收款单 {number} 已经入账")
    await _check_claimable(customer.id, number, Decimal(form["repayment"]))
    title = f"款项认领：{customer.name} {yuan(Decimal(form['amount']))}"
    return Subject(customer.id, title, form, Hold(f"{RECEIPT_CLAIM}:{number}",
                                                  lambda live: _claimed(number, live)))


def _claimed(number: str, live_flow_id: int) -> Conflict:
    return CLAIM_IN_PROGRESS(
        f"收款单 {number} 已有认领审批在进行中（#{live_flow_id}），不能重复认领",
        flow_id=live_flow_id)


async def _check_claimable(customer_id: int, number: str, repayment: Decimal) -> None:
    ledger = await CreditLedger.get_or_none(customer_id=customer_id)
    base_debt = ledger.base_debt if ledger else ZERO
    elsewhere = await _repayment_in_live_claims(customer_id, exclude_number=number)
    if repayment > base_debt - elsewhere:
        held = f"（其中{yuan(elsewhere)}已在其他认领审批中）" if elsewhere else ""
        raise REPAYMENT_EXCEEDS_DEBT(
            f"还款金额{yuan(repayment)}超过基本账户欠款{yuan(base_debt)}{held}",
            base_debt=fmt(base_debt), claimed=fmt(elsewhere),
            repayment=fmt(repayment))


async def _repayment_in_live_claims(customer_id: int, *, exclude_number: str) -> Decimal:
    """What the customer's pending or returned claims mean to repay (a claim resubmitted is
    left out by its receipt number: only one live claim holds a receipt)."""
    forms_ = await ApprovalFlow.filter(
        kind=RECEIPT_CLAIM, customer_id=customer_id, status__in=LIVE).values_list(
        "form", flat=True)
    return sum((Decimal(f["repayment"]) for f in forms_ if f["number"] != exclude_number), ZERO)


async def _receive(flow: ApprovalFlow, actor: str, now: datetime) -> dict:
    form = flow.form
    receipt = await repayment.receive_credit_receipt(
        customer_id=form["customer_id"], number=form["number"], amount=Decimal(form["amount"]),
        received_on=date.fromisoformat(form["received_on"]), deposit=Decimal(form["deposit"]),
        repayment=Decimal(form["repayment"]), payer=form.get("payer") or "", actor=actor,
        now=now)
    return {"payment_id": receipt.id}


# ----- 还款审批 -----


async def _check_repayment(form: dict, now: datetime) -> Subject:
    customer = await _customer(form["customer_id"])
    for part in form["parts"] or []:
        debt = await Debt.get_or_none(id=part["debt_id"])
        if debt is None or debt.customer_id != customer.id:
            raise DEBT_NOT_FOUND(f"客户 {customer.name} 没有欠款 #{part['debt_id']}")
    return Subject(customer.id, f"还款审批：{customer.name}", form)


async def _allocate(flow: ApprovalFlow, actor: str, now: datetime) -> dict:
    parts = flow.form.get("parts")
    repayments = await repayment.allocate_repayments(
        customer_id=flow.form["customer_id"],
        parts=[(p["debt_id"], Decimal(p["amount"])) for p in parts] if parts else None,
        actor=actor, now=now)
    return {"repayments": [{"debt_id": r.debt_id, "amount": str(r.amount)} for r in repayments]}


# ----- the ERP hears of credit decisions -----


async def _publish_decision(flow: ApprovalFlow, action: Any, now: datetime) -> None:
    """``credit.decided``: the form as decided and, when approved, what the approval made."""
    customer = await Customer.get_or_none(id=flow.customer_id) if flow.customer_id else None
    decider = await Staff.get_or_none(id=action.actor_id) if action.actor_id else None
    data: CreditDecided = {
        "flow_id": flow.id, "kind": flow.kind, "decision": flow.status,
        "decided_by": staff_ref(decider) if decider else None, "comment": action.comment,
        "customer": customer_ref(customer) if customer else None,
        "request": {k: v for k, v in flow.form.items() if k != "customer"},
        "result": dict(flow.result or {}) if flow.status == "approved" else {}}
    await publish(NewEvent(EventType.CREDIT_DECIDED,
                           f"{EventType.CREDIT_DECIDED}:{flow.id}:{action.id}", "approval_flow",
                           flow.id, data, flow.customer_id), now)


CREDIT_KINDS = (
    FlowKind(CREDIT_APPLICATION, lambda f, today: forms.parse_credit_application(f),
             _check_credit_application, _grant, forms.credit_application_summary,
             on_decided=_publish_decision),
    FlowKind(CREDIT_TERM_CHANGE, lambda f, today: forms.parse_credit_term_change(f),
             _check_term_change, _set_term, forms.credit_term_change_summary,
             on_decided=_publish_decision),
    FlowKind(RECEIPT_CLAIM, forms.parse_receipt_claim, _check_claim, _receive,
             forms.receipt_claim_summary),
    FlowKind(REPAYMENT_APPROVAL, lambda f, today: forms.parse_repayment_approval(f),
             _check_repayment, _allocate, forms.repayment_approval_summary),
)
