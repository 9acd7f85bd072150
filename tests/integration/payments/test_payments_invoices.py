"""Invoice requests (账单开票) and billing-term changes (账单周期更改) through the API."""

from __future__ import annotations

from datetime import date

from domain.approvals.models import ApprovalTask
from domain.billing.models import Bill, Product
from domain.payments.models import InvoiceRequest
from tests.support import payments as support
from tests.support.approvals import call
from tests.support.payments import act, make_bill, make_product

world = support.world  # fixture


async def _ask(client, world, body, status=201):
    return await call(client, "POST", "/invoice-requests", world["finance"], body, status)


async def test_a_special_invoice_takes_the_customers_invoice_info_and_must_equal_the_bills(
        client, world):
    customer = world["customers"]["C001"]
    a = await make_bill(customer, "2026-09", "300.00")
    b = await make_bill(customer, "2026-10", "200.50")
    body = {"customer_id": customer.id, "kind": "special", "bill_ids": [a.id, b.id]}
    short = await _ask(client, world, {**body, "amount": "500.00"}, 400)
    assert short["error"]["code"] == "invoice_amount_mismatch"
    assert "¥500.00" in short["error"]["message"] and "¥500.50" in short["error"]["message"]
    made = await _ask(client, world, {**body, "amount": "500.50"})
    assert (made["kind"], made["amount"], made["invoice"]["bank"]) == ("special", "500.50",
                                                                      "工商银行")
    again = await _ask(client, world, {**body, "bill_ids": [b.id], "amount": "200.50"}, 409)
    assert again["error"]["code"] == "bill_already_invoiced"
    await call(client, "POST", f"/invoice-requests/{made['id']}/cancel", world["finance"])
    await _ask(client, world, {**body, "bill_ids": [b.id], "amount": "200.50"})
    listed = await call(client, "GET", f"/invoice-requests?customer_id={customer.id}",
                        world["finance"])
    assert [r["status"] for r in listed["items"]] == ["requested", "cancelled"]


async def test_a_normal_invoice_needs_company_and_tax_id_a_special_one_every_field(client,
                                                                                  world):
    customer = world["customers"]["C002"]  # company and tax id only
    bill = await make_bill(customer, "2026-10", "10.00")
    body = {"customer_id": customer.id, "bill_ids": [bill.id], "amount": "10.00"}
    special = await _ask(client, world, {**body, "kind": "special"}, 400)
    assert special["error"]["code"] == "invoice_fields_missing"
    assert "公司地址" in special["error"]["message"]
    given = {"address": "北京", "phone": "010-1", "bank": "建行", "account": "1"}
    assert (await _ask(client, world, {**body, "kind": "special", "invoice": given}))[
        "invoice"]["company"] == "联想（北京）有限公司"
    bare = world["customers"]["C003"]
    other = await make_bill(bare, "2026-10", "10.00")
    refused = await _ask(client, world, {"customer_id": bare.id, "kind": "normal",
                                         "bill_ids": [other.id], "amount": "10.00"}, 400)
    assert "公司名称" in refused["error"]["message"] and "税务号" in refused["error"]["message"]
    assert (await _ask(client, world, {**body, "kind": "vat"}, 400))["error"]["code"] == \
        "bad_invoice_kind"
    assert (await _ask(client, world, {**body, "kind": "normal", "bill_ids": [other.id]},
                       404))["error"]["code"] == "bill_not_found"
    assert await InvoiceRequest.all().count() == 1


# ----- 账单周期更改 -----


async def _start_term(client, world, form, status=201):
    return await call(client, "POST", "/approvals", world["keys"]["sales-wang"],
                      {"kind": "billing_term_change", "form": form}, status)


async def test_a_billing_term_change_moves_the_products_unpaid_bills_due_dates(client, world):
    customer = world["customers"]["C001"]
    product = await make_product(customer)
    unpaid = await make_bill(customer, "2026-09", "100.00", product=product)
    paid = await make_bill(customer, "2026-08", "100.00", product=product)
    await Bill.filter(id=paid.id).update(status="paid", paid=paid.amount)
    form = {"product_id": product.id, "term_months": 3, "reason": "合同约定季度付款"}
    too_long = await _start_term(client, world, {**form, "term_months": 13}, 400)
    assert too_long["error"]["code"] == "bad_term"
    assert (await _start_term(client, world, {**form, "reason": ""}, 400))["error"]["code"] \
        == "missing_field"
    flow = await _start_term(client, world, form)
    assert flow["title"].endswith("1→3个月")
    await act(client, world, flow["id"], "mgr-zhao")
    done = await act(client, world, flow["id"], "hq-sun")
    assert done["status"] == "approved" and done["result"]["bills_rescheduled"] == 1
    assert (await Product.get(id=product.id)).payment_term_months == 3
    assert (await Bill.get(id=unpaid.id)).due_date == date(2027, 1, 1)  # billed 10-01 + 3
    assert (await Bill.get(id=paid.id)).due_date == paid.due_date
    same = await _start_term(client, world, form, 400)
    assert same["error"]["code"] == "term_unchanged"
    assert await ApprovalTask.filter(status="pending").count() == 0
