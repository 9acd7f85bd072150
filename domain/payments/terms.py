"""账单周期更改 (seed 004, V17): a product's payment term in months, 1 by default and at most 12,
changed through an approval. On approval the product's unpaid bills fall due the new number
of months after their bill date (penalties already charged stay)."""

from __future__ import annotations

from datetime import datetime

from domain.dates import add_months
from domain.errors import Invalid, NotFound
from domain.models import ApprovalFlow, Bill, Customer, Product
from domain.payments.rules import check_term_months
from domain.payments.settle import lock_bills

MAX_REASON = 2000


def parse_term_change(form, today) -> dict:
    product_id = form.get("product_id")
    if isinstance(product_id, bool) or not isinstance(product_id, int):
        raise Invalid("bad_field", "product_id 必须是整数", field="product_id")
    reason = str(form.get("reason") or "").strip()
    if not reason:
        raise Invalid("missing_field", "备注（reason）必填", field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid("bad_field", f"备注不能超过 {MAX_REASON} 个字", field="reason")
    return {"product_id": product_id, "term_months": check_term_months(form.get("term_months")),
            "reason": reason}


async def product_and_customer(product_id: int) -> tuple[Product, Customer]:
    product = await Product.get_or_none(id=product_id)
    customer = await Customer.get_or_none(id=product.customer_id, deleted_at=None) \
        if product else None
    if product is None or customer is None:
        raise NotFound("product_not_found", f"产品 {product_id} 不存在")
    return product, customer


async def describe_term_change(form: dict) -> tuple[int, str, dict]:
    """(customer id, title, the form with what the cards show) for a started change."""
    product, customer = await product_and_customer(form["product_id"])
    if product.payment_term_months == form["term_months"]:
        raise Invalid("term_unchanged", f"产品「{product.name}」的账单周期已是 "
                      f"{product.payment_term_months} 个月", field="term_months")
    title = (f"账单周期更改：{customer.name} {product.name} "
             f"{product.payment_term_months}→{form['term_months']}个月")
    shown = {**form, "product": product.name, "customer": customer.name,
             "old_term_months": product.payment_term_months}
    return customer.id, title, shown


async def apply_term_change(flow: ApprovalFlow, actor: str, now: datetime) -> dict:
    months = flow.form["term_months"]
    product, _ = await product_and_customer(flow.form["product_id"])
    await Product.filter(id=product.id).update(payment_term_months=months)
    # Locked (and read again) like every other bill writer, so no write-off's version is lost.
    ids = await Bill.filter(product_id=product.id, status="unpaid").values_list("id", flat=True)
    bills = [b for b in (await lock_bills(ids)).values() if b.status == "unpaid"]
    for bill in bills:
        bill.due_date = add_months(bill.bill_date, months)
        bill.version += 1
    if bills:
        await Bill.bulk_update(bills, fields=["due_date", "version"])
    return {"product_id": product.id, "term_months": months, "bills_rescheduled": len(bills)}
