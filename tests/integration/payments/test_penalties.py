"""The daily penalty-interest job with fixed dates: one charge per started overdue month, never
twice, caught up after missed days, none for interest-free or paid bills, still owed after the
bill is paid, and written off by a pool payment after the bills."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.billing.models import Bill, PenaltyCharge, PenaltyCredit, UsageAccount
from domain.payments.models import WriteOff
from jobs.penalties import run_penalties
from tests.support import payments as support
from tests.support.approvals import call
from tests.support.payments import (
    NOW,
    act,
    import_rows,
    make_bill,
    make_product,
    pay,
)

world = support.world  # fixture


async def _run(settings, day: str) -> dict:
    return await run_penalties(date.fromisoformat(day), NOW, settings)


async def _charges(bill) -> list[tuple]:
    rows = await PenaltyCharge.filter(bill_id=bill.id).order_by("month_index")
    return [(r.month_index, r.accrued_on, r.base, r.amount) for r in rows]


async def test_each_started_overdue_month_is_charged_once(client, world, settings):
    customer = world["customers"]["C001"]
    bill = await make_bill(customer, "2026-08", "1001.00", due_date="2026-10-01")
    assert (await _run(settings, "2026-10-01"))["charges"] == 0  # the due day itself
    counts = await _run(settings, "2026-10-02")
    assert (counts["overdue_bills"], counts["charges"], counts["amount"]) == (1, 1, "5.01")
    assert await _charges(bill) == [(1, date(2026, 10, 2), Decimal("1001.00"),
                                     Decimal("5.01"))]  # 5.005 half-up
    assert (await _run(settings, "2026-10-02"))["charges"] == 0
    assert (await _run(settings, "2026-11-01"))["charges"] == 0
    assert (await _run(settings, "2026-11-02"))["charges"] == 1


async def test_missed_days_are_caught_up_on_what_is_owed_now(client, world, settings):
    bill = await make_bill(world["customers"]["C001"], "2026-05", "200.00",
                           due_date="2026-07-31")
    await Bill.filter(id=bill.id).update(paid=Decimal("100.00"))
    await _run(settings, "2026-10-15")
    assert await _charges(bill) == [
        (1, date(2026, 8, 1), Decimal("100.00"), Decimal("0.50")),
        (2, date(2026, 9, 1), Decimal("100.00"), Decimal("0.50")),   # 08-31 + 1 day
        (3, date(2026, 10, 1), Decimal("100.00"), Decimal("0.50"))]


async def test_interest_free_and_paid_bills_start_no_charges_and_old_ones_stay_owed(
        client, world, settings):
    customer = world["customers"]["C001"]
    free = await make_bill(customer, "2026-08", "100.00", due_date="2026-10-01",
                           interest_free=True)
    owed = await make_bill(customer, "2026-07", "100.00", due_date="2026-10-01")
    await _run(settings, "2026-10-02")
    assert await _charges(free) == []
    await Bill.filter(id=owed.id).update(status="paid", paid=Decimal("100.00"))
    await _run(settings, "2026-12-15")
    assert len(await _charges(owed)) == 1
    listed = await call(client, "GET", f"/customers/{customer.id}/penalties", world["finance"])
    assert (listed["total"], listed["paid"], listed["outstanding"]) == ("0.50", "0.00", "0.50")
    assert listed["items"][0]["month_index"] == 1


async def test_the_no_interest_list_is_read_when_charging_not_when_billing(
        client, world, settings):
    customer = world["customers"]["C001"]
    listed_later = await make_bill(customer, "2026-08", "100.00", due_date="2026-10-01")
    await UsageAccount.create(product_id=listed_later.product_id, account="sms-1",
                              created_at=NOW)
    unlisted_later = await make_bill(customer, "2026-09", "100.00", due_date="2026-10-15")
    await UsageAccount.create(product_id=unlisted_later.product_id, account="mms-1",
                              interest_free=True, created_at=NOW)
    await call(client, "PUT", "/billing/accounts/sms-1", world["admin"],
               {"interest_free": True})
    await call(client, "PUT", "/billing/accounts/mms-1", world["admin"],
               {"interest_free": False})
    assert (await _run(settings, "2026-10-16"))["charges"] == 1
    assert await _charges(listed_later) == []
    assert [c[:2] for c in await _charges(unlisted_later)] == [(1, date(2026, 10, 16))]


async def test_the_rate_comes_from_the_settings(client, world, settings):
    bill = await make_bill(world["customers"]["C001"], "2026-08", "100.00",
                           due_date="2026-10-01")
    await _run(replace(settings, penalty_monthly_rate="0.0125"), "2026-10-02")
    charge = await PenaltyCharge.get(bill_id=bill.id)
    assert (charge.rate, charge.amount) == (Decimal("0.0125"), Decimal("1.25"))


async def test_a_pool_payment_writes_off_penalties_after_the_bills(client, world, settings):
    customer = world["customers"]["C001"]
    bill = await make_bill(customer, "2026-08", "100.00", due_date="2026-10-01")
    await _run(settings, "2026-11-02")  # two months: 0.50 + 0.50
    row = (await import_rows(client, world, [pay("BK-1", "上海明辉商贸有限公司",
                                                 "100.70")]))["payments"][0]
    assert row["reserved"] == "100.50"
    write_off = await WriteOff.get(payment_id=row["id"])
    await act(client, world, write_off.flow_id, "sales-wang")
    await bill.refresh_from_db()
    assert bill.status == "paid"
    listed = await call(client, "GET", f"/customers/{customer.id}/penalties", world["finance"])
    assert (listed["paid"], listed["outstanding"]) == ("0.50", "0.50")
    rest = (await import_rows(client, world, [pay("BK-2", "上海明辉商贸有限公司",
                                                  "0.50")]))["payments"][0]
    assert rest["reserved"] == "0.50"


async def test_a_term_extension_credits_the_penalties_of_months_now_inside_the_term(
        client, world, settings):
    """Seed 004: 账期更改流程通过后，在允许的账期内就都不会进行罚息."""
    customer = world["customers"]["C001"]
    product = await make_product(customer)
    august = await make_bill(customer, "2026-08", "100.00", product=product)  # due 10-01
    september = await make_bill(customer, "2026-09", "100.00", product=product)  # due 11-01
    await _run(settings, "2026-11-02")
    assert [len(await _charges(b)) for b in (august, september)] == [2, 1]
    form = {"product_id": product.id, "term_months": 3, "reason": "合同约定季度付款"}
    flow = await call(client, "POST", "/approvals", world["keys"]["sales-wang"],
                      {"kind": "billing_term_change", "form": form}, 201)
    await act(client, world, flow["id"], "mgr-zhao")
    done = await act(client, world, flow["id"], "hq-sun")
    assert (done["result"]["penalties_credited"], done["result"]["credited"]) == (3, "1.50")
    listed = await call(client, "GET", f"/customers/{customer.id}/penalties", world["finance"])
    assert (listed["total"], listed["credited"], listed["outstanding"]) == (
        "0.00", "1.50", "0.00")
    credit = await PenaltyCredit.filter(penalty__bill_id=august.id).first()
    assert (credit.amount, credit.flow_id, credit.created_by) == (
        Decimal("0.50"), flow["id"], f"approval:{flow['id']}")
    row = (await import_rows(client, world, [pay("BK-1", "上海明辉商贸有限公司",
                                                 "100.00")]))["payments"][0]
    assert row["reserved"] == "100.00"  # the bill alone: nothing else is owed
    write_off = await WriteOff.get(payment_id=row["id"])
    await act(client, world, write_off.flow_id, "sales-wang")  # paid inside the new term
    assert (await Bill.get(id=august.id)).status == "paid"
    assert (await _run(settings, "2026-12-02"))["charges"] == 0  # august now due 12-01, paid
    listed = await call(client, "GET", f"/customers/{customer.id}/penalties", world["finance"])
    assert listed["outstanding"] == "0.00"
    await _run(settings, "2027-01-02")  # september, still unpaid, now due 2027-01-01
    assert [(c[0], c[1], c[3]) for c in await _charges(september)] == [
        (0, date(2026, 11, 2), Decimal("0.00")), (1, date(2027, 1, 2), Decimal("0.50"))]
