"""What a month-end statement tells the customer (seed 004): a prepaid customer's balance draws
appear on it so 期末应收 is what is really owed, and each usage bill shows, per account, the
quantity sent, the price type and the unit price (or the tier slices of 阶梯价) — in the JSON
view, on the H5 share page and in the PDF."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlparse

import pytest

from domain.billing.models import Usage
from domain.customers.models import Customer
from domain.notices.models import OutboxMessage
from domain.statements.models import Statement
from tests.conftest import SHANGHAI
from tests.support import API
from tests.support.billing import NOW, TIERS, make_customer, make_product, run

NOV = date(2026, 11, 1)


async def statement_view(client, headers, statement: Statement) -> dict:
    resp = await client.get(f"{API}/statements/{statement.id}", headers=headers)
    assert resp.status == 200
    return await resp.json()


async def test_a_prepaid_statement_shows_the_balance_draw_and_owes_only_the_rest(
        client, settings, finance):
    customer = await make_customer("P1", payment_mode="prepaid",
                                   prepaid_balance=Decimal("1000.00"))
    await make_product(customer, "SMS", accounts=(("a", 26000),))  # 26,000 × 0.05 = 1,300.00
    await run(settings, date(2026, 11, 5))
    statement = await Statement.get(customer=customer)
    assert (statement.increase, statement.receipts, statement.closing, statement.owed_total) \
        == (Decimal("1300.00"), Decimal("1000.00"), Decimal("300.00"), Decimal("300.00"))
    view = await statement_view(client, finance, statement)
    assert [(line["number"], line["type_label"], line["amount"], line["owed"])
            for line in view["lines"]] == [
        ("BILL-202610-SMS", "账单", "1300.00", "300.00"),
        ("DRAW-202610-SMS", "预付余额抵扣", "1000.00", "0.00")]
    assert (view["closing"], view["line_count"]) == ("300.00", 2)
    issued = await OutboxMessage.get(kind="statement_issued")
    assert issued.payload["closing"] == "300.00"
    assert (await Customer.get(id=customer.id)).prepaid_balance == Decimal("0.00")
    # next month opens on what is really owed, not on what the balance already paid
    await Usage.create(account="SMS-a", period=NOV, quantity=2000, updated_at=NOW)
    await run(settings, date(2026, 12, 5), datetime(2026, 12, 5, 2, 0, tzinfo=SHANGHAI))
    december = await Statement.get(customer=customer, date_from=NOV)
    assert (december.opening, december.increase, december.closing) == (
        Decimal("300.00"), Decimal("100.00"), Decimal("400.00"))


async def test_a_postpaid_statement_has_no_draw_lines(client, settings, finance):
    customer = await make_customer("C1")
    await make_product(customer, "SMS", accounts=(("a", 100),))
    await run(settings, date(2026, 11, 5))
    view = await statement_view(client, finance, await Statement.get(customer=customer))
    assert [line["number"] for line in view["lines"]] == ["BILL-202610-SMS"]
    assert (view["receipts"], view["closing"]) == ("0.00", "5.00")


async def billed_with_two_price_types(settings) -> Customer:
    """SMS: stage, accounts a 600 + b 900 = 1,500, all at 0.04 = 60.00; MMS: tiered, one
    account 1,500 = 1,000 × 0.05 + 500 × 0.04 = 70.00."""
    customer = await make_customer("C1")
    await make_product(customer, "SMS", accounts=(("a", 600), ("b", 900)),
                       price=("stage", TIERS))
    await make_product(customer, "MMS", accounts=(("a", 1500),), price=("tiered", TIERS))
    await run(settings, date(2026, 11, 5))
    return customer


async def test_a_bill_line_shows_each_accounts_quantity_and_how_it_was_priced(
        client, settings, finance):
    customer = await billed_with_two_price_types(settings)
    view = await statement_view(client, finance, await Statement.get(customer=customer))
    mms, sms = view["lines"]
    assert sms["detail"] == {
        "price_type": "stage", "price_type_label": "阶段价", "quantity": 1500,
        "unit_price": "0.040000",
        "accounts": [{"account": "SMS-a", "quantity": 600},
                     {"account": "SMS-b", "quantity": 900}],
        "slices": []}
    assert mms["detail"] == {
        "price_type": "tiered", "price_type_label": "阶梯价", "quantity": 1500,
        "unit_price": None,
        "accounts": [{"account": "MMS-a", "quantity": 1500}],
        "slices": [
            {"from": 1, "to": 1000, "quantity": 1000, "price": "0.050000", "amount": "50.00"},
            {"from": 1001, "to": None, "quantity": 500, "price": "0.040000",
             "amount": "20.00"}]}


async def share_path(customer: Customer) -> str:
    issued = await OutboxMessage.get(kind="statement_issued")
    assert issued.payload["customer"] == customer.name
    return urlparse(issued.payload["url"]).path


async def test_the_h5_page_lists_each_accounts_quantity_price_and_tier_slices(
        client, settings):
    customer = await billed_with_two_price_types(settings)
    page = await client.get(await share_path(customer))
    html = await page.text()
    assert page.status == 200
    for expected in ("SMS-a", "600", "SMS-b", "900", "阶段价", "0.040000",
                     "MMS-a", "1,500", "阶梯价", "1-1,000", "1,001 以上", "0.050000", "50.00",
                     "20.00"):
        assert expected in html, expected


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
async def test_the_pdf_lists_each_accounts_quantity_price_and_tier_slices(
        client, settings, tmp_path):
    customer = await billed_with_two_price_types(settings)
    resp = await client.get(f"{await share_path(customer)}/pdf")
    assert resp.status == 200
    path = tmp_path / "statement.pdf"
    path.write_bytes(await resp.read())
    done = await asyncio.to_thread(
        subprocess.run, ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, check=True, timeout=30)
    text = done.stdout.decode()
    for expected in ("SMS-a", "600", "SMS-b", "900", "阶段价", "0.040000",
                     "MMS-a", "1,500", "阶梯价", "1-1,000", "1,001 以上", "0.050000", "50.00",
                     "20.00"):
        assert expected in text, expected
