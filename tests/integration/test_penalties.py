"""The daily penalty-interest job with fixed dates: one charge per started overdue month, never
twice, caught up after missed days, none for interest-free or paid bills, still owed after the
bill is paid, and written off by a pool payment after the bills."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.models import Bill, PenaltyCharge, WriteOff
from jobs.penalties import run_penalties
from tests.integration import payments_support as support
from tests.integration.approval_support import call
from tests.integration.payments_support import NOW, act, import_rows, make_bill, pay

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
