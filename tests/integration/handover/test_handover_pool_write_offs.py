"""Pool write-offs (销账, seed 004) and the daily hand-over (seed 001): bank money settled through
the payments pool is nobody's cash to hand over. The write-off's receipt settles the customer's
bills and shows on statements, but it is in no salesperson's day, so it neither changes a closed
day nor breaks seed 001's identity 收当日货款 + 收历史欠款 + 预收款 + 收订金 = 收款金额 + 收款优惠
− 转入预收, which a generated scenario checks for every person and day."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from domain.customers.models import Customer
from domain.documents.models import Document, ReceiptSettlement
from domain.handover.entry import record_receipt
from domain.org.models import Staff
from domain.payments.models import WriteOff
from tests.support import payments as support
from tests.support.handover import receipt, sale, sales_return
from tests.support.payments import NOW, act, call, import_rows, make_bill, pay

world = support.world  # fixture

DAYS = [date(2026, 11, 16) + timedelta(days=n) for n in range(5)]  # Mon 16 … Fri 20
SPLIT = ("same_day", "history", "prepayment", "deposit")


async def day_report(client, world, userid: str, day: date) -> dict:
    return await call(client, "GET", f"/handover/days/{userid}/{day.isoformat()}",
                      world["finance"])


def assert_identity(report: dict) -> None:
    """Seed 001's identity, receipt by receipt and for the day's totals."""
    where = (report["staff"]["userid"], report["day"])
    for row in report["sections"]["receipts"]:
        split = sum(Decimal(row[name]) for name in SPLIT)
        assert split == Decimal(row["amount"]) + Decimal(row["discount"]) - Decimal(
            row["to_prepaid"]), (*where, row["number"])
    summary = report["summary"]
    split = sum(Decimal(summary[name]) for name in SPLIT)
    assert split == Decimal(summary["receipts_amount"]) + Decimal(summary["discount"]) - Decimal(
        summary["to_prepaid"]), where


async def write_off_approved(client, world, reference: str, payer: str, amount: str,
                             received_on: date) -> WriteOff:
    """Import a pool payment; its automatic write-off is confirmed by the salesperson."""
    row = (await import_rows(client, world, [pay(reference, payer, amount,
                                                 received_on.isoformat())]))["payments"][0]
    write_off = await WriteOff.get(payment_id=row["id"])
    customer = await Customer.get(id=write_off.customer_id)
    seller = await Staff.get(id=customer.salesperson_id)
    done = await act(client, world, write_off.flow_id, seller.dingtalk_userid)
    assert done["status"] == "approved", done
    return write_off


async def test_a_write_off_on_a_closed_day_leaves_the_salespersons_day_as_it_was(client, world):
    """The issue's repro: 王业务's 2026-11-20 is closed, then bank money received that day for
    his customer is written off. His closed day does not change; the bills are paid and the
    customer's receivable goes down by the receipt, which has no 经办人."""
    wang, customer = world["staff"]["sales-wang"], world["customers"]["C001"]
    received = DAYS[-1]
    sold = await sale(wang, received, "300.00", customer=customer)
    await receipt(wang, received, "300.00", settles=[sold])
    bill = await make_bill(customer, "2026-10", "800.00")
    await call(client, "POST", "/handover/close", world["finance"],
               {"staff": ["sales-wang"], "dates": [received.isoformat()]})
    before = await day_report(client, world, "sales-wang", received)
    receivable = (await call(client, "GET", f"/customers/{customer.id}",
                             world["finance"]))["receivable"]

    write_off = await write_off_approved(client, world, "BK-1", customer.name, "800.00",
                                         received)

    after = await day_report(client, world, "sales-wang", received)
    assert after == before and after["closed"]
    assert [r["amount"] for r in after["sections"]["receipts"]] == ["300.00"]
    assert_identity(after)
    await bill.refresh_from_db()
    assert (bill.status, bill.paid) == ("paid", Decimal("800.00"))
    booked = await Document.get(number=f"WO-{write_off.id}")
    assert (booked.doc_type, booked.date, booked.owed, booked.salesperson_id) == (
        "receipt", received, Decimal("-800.00"), None)
    now = (await call(client, "GET", f"/customers/{customer.id}", world["finance"]))["receivable"]
    assert Decimal(receivable) - Decimal(now) == Decimal("800.00")


async def test_no_ones_day_carries_pool_money(client, world):
    """Finance's 'confirm everyone's day' and the employee list never see a write-off's
    receipt: nobody is asked to hand it over."""
    customer = world["customers"]["C002"]
    await make_bill(customer, "2026-10", "500.00")
    await write_off_approved(client, world, "BK-1", customer.name, "500.00", DAYS[0])

    day = DAYS[0].isoformat()
    listed = await call(client, "GET", f"/handover/days?date={day}", world["finance"])
    assert listed["items"] == []
    confirmed = await call(client, "POST", "/handover/confirm", world["finance"],
                           {"staff": "all", "dates": [day]})
    assert confirmed["confirmed"] == 0
    assert (await Document.get(number__startswith="WO-")).confirmed_at is None


async def _scenario(rng: random.Random, people: list[Staff], customers: dict) -> None:
    """Each salesperson, each day: sales and a return, sale receipts settling that day's and
    earlier documents (with discount, 使用预收 and 转入预收), a prepayment, a deposit and a
    receipt recorded from DingTalk."""
    earlier: dict[int, list[Document]] = {p.id: [] for p in people}
    for day in DAYS:
        for person in people:
            customer = customers[person.id]
            today = [await sale(person, day, f"{rng.randint(2, 40) * 25}.00", customer=customer)
                     for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.5:
                await sales_return(person, day, f"{rng.randint(1, 4) * 5}.00", customer=customer)
            picks = today[: rng.randint(1, len(today))] + earlier[person.id][-rng.randint(0, 2):]
            await _sale_receipt(rng, person, day, customer, picks)
            if rng.random() < 0.6:
                await receipt(person, day, f"{rng.randint(1, 20) * 50}.00", customer=customer,
                              kind="prepayment", discount=Decimal(rng.choice(("0.00", "5.00"))))
            if rng.random() < 0.4:
                await receipt(person, day, f"{rng.randint(1, 5) * 100}.00", customer=customer,
                              kind="deposit", audit_status="approved")
            if rng.random() < 0.5:  # recorded in DingTalk: waits as 转入预收 until applied
                await record_receipt(person.id, customer.id, Decimal(rng.randint(1, 9) * 10),
                                     day=day, now=NOW)
            earlier[person.id] += today


async def _sale_receipt(rng: random.Random, person: Staff, day: date, customer: Customer,
                        settles: list[Document]) -> Document:
    """A sale receipt whose settlements (less 使用预收) plus 转入预收 are its amount plus
    discount, as the ERP sends them."""
    discount = Decimal(rng.choice(("0.00", "2.50", "10.00")))
    to_prepaid = Decimal(rng.choice(("0.00", "0.00", "30.00")))
    lines = [(doc, doc.amount, Decimal(rng.choice(("0.00", "0.00", "20.00"))))
             for doc in settles]
    cash = sum((amount - prepaid for _, amount, prepaid in lines), Decimal(0))
    row = await receipt(person, day, str(cash + to_prepaid - discount), customer=customer,
                        discount=discount, to_prepaid=to_prepaid)
    for position, (doc, amount, prepaid) in enumerate(lines, 1):
        await ReceiptSettlement.create(receipt=row, position=position, number=doc.number,
                                       doc_type=doc.doc_type, doc_date=doc.date, amount=amount,
                                       prepaid=prepaid)
    return row


async def test_the_identity_holds_for_every_person_and_day_with_pool_write_offs(client, world):
    rng = random.Random(20261120)
    wang, li = world["staff"]["sales-wang"], world["staff"]["sales-li"]
    c1, c2 = world["customers"]["C001"], world["customers"]["C002"]
    await _scenario(rng, [wang, li], {wang.id: c1, li.id: c2})
    # Eleven bills of 300–500 each: every payment of 600 below pays one or two of them.
    for customer in (c1, c2):
        for period in ["2025-12", *(f"2026-{month:02d}" for month in range(1, 11))]:
            await make_bill(customer, period, f"{rng.randint(3, 5) * 100}.00")
    # 李业务 closes Wednesday before any pool money is written off.
    await call(client, "POST", "/handover/close", world["finance"],
               {"staff": ["sales-li"], "dates": [DAYS[2].isoformat()]})
    closed_before = await day_report(client, world, "sales-li", DAYS[2])

    # Pool money lands on every day for both customers (auto: oldest bills first) …
    for n, day in enumerate(DAYS):
        for customer in (c1, c2):
            await write_off_approved(client, world, f"BK-{customer.code}-{n}", customer.name,
                                     "600.00", day)
    # … and one payment finance matches by hand (every node decides).
    row = (await import_rows(client, world, [pay("BK-HAND", "某某贸易", "1500.00",
                                                 DAYS[2].isoformat())]))["payments"][0]
    unpaid = await c2.bills.filter(status="unpaid").order_by("period").first()
    matched = await call(client, "POST", f"/pool-payments/{row['id']}/match", world["finance"],
                         {"customer_id": c2.id, "bills": [{"bill_id": unpaid.id}]}, 201)
    for userid in ("div-qian", "hq-sun", "sales-li"):
        await act(client, world, matched["flow_id"], userid)

    written = await WriteOff.filter(status="done").count()
    assert written == 2 * len(DAYS) + 1
    assert await day_report(client, world, "sales-li", DAYS[2]) == closed_before
    for userid in world["staff"]:
        for day in DAYS:
            report = await day_report(client, world, userid, day)
            assert_identity(report)
            assert not any(r["number"].startswith("WO-")
                           for r in report["sections"]["receipts"])
    assert await Document.filter(number__startswith="WO-", salesperson_id=None).count() == written
