"""What a month-end statement tells the customer (seed 004): a prepaid customer's balance draws
appear on it so 期末应收 is what is really owed, and each usage bill shows, per account, the
quantity sent, the price type and the unit price (or the tier slices of 阶梯价) — in the JSON
view, on the H5 share page and in the PDF."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from domain.models import Customer, OutboxMessage, Statement, Usage
from tests.conftest import SHANGHAI
from tests.integration.test_billing_run import API, NOW, make_customer, make_product, run

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
