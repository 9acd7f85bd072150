"""账单周期更改 (seed 004, V17): a product's payment term in months, 1 by default and at most 12,
changed through an approval. On approval the product's unpaid bills fall due the new number
of months after their bill date, and — 在允许的账期内就都不会进行罚息 — the penalties charged
for their months now inside the term are credited (an audited ``PenaltyCredit``)."""

from __future__ import annotations

from datetime import datetime

from domain.approvals.models import ApprovalFlow
from domain.billing.errors import PRODUCT_NOT_FOUND
from domain.billing.models import Bill, PenaltyCharge, PenaltyCredit, Product
from domain.common_errors import BAD_FIELD, MISSING_FIELD
from domain.customers.models import Customer
from domain.dates import add_months
from domain.money import ZERO, fmt
from domain.payments import rules
from domain.payments.errors import TERM_UNCHANGED
from domain.payments.rules import check_term_months
from domain.payments.settle import lock_bills, lock_penalties, reserved_penalties

MAX_REASON = 2000


def parse_term_change(form, today) -> dict:
    product_id = form.get("product_id")
    if isinstance(product_id, bool) or not isinstance(product_id, int):
        raise BAD_FIELD("product_id 必须是整数", field="product_id")
    reason = str(form.get("reason") or "").strip()
    if not reason:
        raise MISSING_FIELD("备注（reason）必填", field="reason")
    if len(reason) > MAX_REASON:
        raise BAD_FIELD(f"备注不能超过 {MAX_REASON} 个字", field="reason")
    return {"product_id": product_id, "term_months": check_term_months(form.get("term_months")),
            "reason": reason}


async def product_and_customer(product_id: int) -> tuple[Product, Customer]:
    product = await Product.get_or_none(id=product_id)
    customer = await Customer.get_or_none(id=product.customer_id, deleted_at=None) \
        if product else None
    if product is None or customer is None:
        raise PRODUCT_NOT_FOUND(f"产品 {product_id} 不存在")
    return product, customer


async def describe_term_change(form: dict) -> tuple[int, str, dict]:
    """(customer id, title, the form with what the cards show) for a started change."""
    product, customer = await product_and_customer(form["product_id"])
    if product.payment_term_months == form["term_months"]:
        raise TERM_UNCHANGED(f"产品「{product.name}」的账单周期已是 "
                             f"{product.payment_term_months} 个月", field="term_months")
    title = (f"账单周期更改：{customer.name} {product.name} "
             f"{product.payment_term_months}→{form['term_months']}个月")
    shown = {**form, "product": product.name, "customer": customer.name,
             "old_term_months": product.payment_term_months}
    return customer.id, title, shown


async def apply_term_change(flow: ApprovalFlow, actor: str, now: datetime) -> dict:
    months = flow.form["term_months"]
    product, customer = await product_and_customer(flow.form["product_id"])
    await Product.filter(id=product.id).update(payment_term_months=months)
    # Locked (and read again) like every other bill writer, so no write-off's version is lost.
    ids = await Bill.filter(product_id=product.id, status="unpaid").values_list("id", flat=True)
    bills = [b for b in (await lock_bills(ids)).values() if b.status == "unpaid"]
    for bill in bills:
        bill.due_date = add_months(bill.bill_date, months)
        bill.version += 1
    if bills:
        await Bill.bulk_update(bills, fields=["due_date", "version"])
    credits = await _credit_penalties(bills, customer.id, flow, actor, now)
    return {"product_id": product.id, "term_months": months, "bills_rescheduled": len(bills),
            "penalties_credited": len(credits),
            "credited": fmt(sum((c.amount for c in credits), ZERO))}


async def _credit_penalties(bills: list[Bill], customer_id: int, flow: ApprovalFlow,
                            actor: str, now: datetime) -> list[PenaltyCredit]:
    """Renumber the bills' charges from their new due dates and credit those now inside the
    term (what is owed and not held by a pending write-off)."""
    due = {bill.id: bill.due_date for bill in bills}
    ids = await PenaltyCharge.filter(bill_id__in=list(due)).values_list("id", flat=True) \
        if due else []
    charges = sorted((await lock_penalties(ids)).values(),
                     key=lambda c: (c.bill_id, c.accrued_on))
    if not charges:
        return []
    held = await reserved_penalties(customer_id)
    for temporary, charge in enumerate(charges, start=1):  # no index is ever held twice
        charge.month_index = -1000 - temporary
    await PenaltyCharge.bulk_update(charges, fields=["month_index"])
    credits = []
    for bill_id, due_date in due.items():
        mine = [c for c in charges if c.bill_id == bill_id]
        for charge, index in zip(mine, rules.renumber_months(
                due_date, [c.accrued_on for c in mine]), strict=True):
            charge.month_index = index
            credit = rules.penalty_credit(charge.amount, charge.paid,
                                          held.get(charge.id, ZERO)) if index <= 0 else ZERO
            if credit > 0:
                charge.amount -= credit
                credits.append(_credit(charge, credit, flow, actor, now))
    await PenaltyCharge.bulk_update(charges, fields=["month_index", "amount"])
    await PenaltyCredit.bulk_create(credits)
    return credits


def _credit(charge: PenaltyCharge, amount, flow: ApprovalFlow, actor: str,
            now: datetime) -> PenaltyCredit:
    return PenaltyCredit(
        penalty_id=charge.id, amount=amount, flow_id=flow.id, created_by=actor, created_at=now,
        reason=f"账单周期更改为 {flow.form['term_months']} 个月：{charge.accrued_on} 起的"
               "逾期月已在账期内")
