"""Matching by hand (finance): a pool payment set against chosen bills through a write-off flow
that every node decides; the refusals; the daily write-off job retrying the pool; and two
write-offs racing for one bill — exactly one wins."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from domain.approvals.models import ApprovalFlow
from domain.billing.models import Bill
from domain.customers.models import Customer
from domain.payments.models import PoolPayment, WriteOff
from jobs.write_off import run_write_off
from tests.support import payments as support
from tests.support.approvals import call
from tests.support.payments import (
    NOW,
    act,
    import_rows,
    make_bill,
    pay,
    payment,
)

world = support.world  # fixture


async def _unmatched(client, world, reference="BK-1", amount="1000.00", payer="某某贸易"):
    return (await import_rows(client, world, [pay(reference, payer, amount)]))["payments"][0]


async def _match(client, world, payment_id, body, status=201):
    return await call(client, "POST", f"/pool-payments/{payment_id}/match", world["finance"],
                      body, status)


async def test_a_manual_match_runs_every_node_and_sets_the_payments_customer(client, world):
    customer = world["customers"]["C001"]
    sep = await make_bill(customer, "2026-09", "300.00")
    oct_ = await make_bill(customer, "2026-10", "500.00")
    row = await _unmatched(client, world)
    write_off = await _match(client, world, row["id"], {
        "customer_id": customer.id, "bills": [{"bill_id": oct_.id},
                                              {"bill_id": sep.id, "amount": "100.00"}]})
    assert (write_off["amount"], write_off["automatic"], write_off["status"]) == (
        "600.00", False, "pending")
    flow = await ApprovalFlow.get(id=write_off["flow_id"])
    assert [n["auto_passed"] for n in flow.nodes] == [False, False, False]
    await act(client, world, flow.id, "div-qian")
    await act(client, world, flow.id, "hq-sun")
    done = await act(client, world, flow.id, "sales-wang")
    assert done["status"] == "approved"
    after = await payment(client, world, row["id"])
    assert (after["customer_id"], after["matched_by"], after["remaining"], after["status"]) == (
        customer.id, "manual", "400.00", "partly")
    await sep.refresh_from_db()
    await oct_.refresh_from_db()
    assert (sep.paid, sep.status, oct_.status) == (Decimal("100.00"), "unpaid", "paid")


async def test_a_withdrawn_write_off_is_rejected_and_frees_its_bill_at_once(client, world):
    customer = world["customers"]["C001"]
    bill = await make_bill(customer, "2026-10", "300.00")
    row = await _unmatched(client, world)
    body = {"customer_id": customer.id, "bills": [{"bill_id": bill.id}]}
    write_off = await _match(client, world, row["id"], body)
    await call(client, "POST", f"/approvals/{write_off['flow_id']}/withdraw",
               world["keys"]["sales-wang"], {"comment": "重新匹配"})
    back = await payment(client, world, row["id"])
    assert (back["reserved"], back["available"]) == ("0.00", "1000.00")
    assert back["write_offs"][0]["status"] == "rejected"
    assert "撤回" in back["note"]
    again = await _match(client, world, row["id"], body)  # the bill is free again
    assert again["status"] == "pending"


async def test_manual_refusals(client, world):
    c1, c2 = world["customers"]["C001"], world["customers"]["C002"]
    bill = await make_bill(c1, "2026-10", "500.00")
    paid = await make_bill(c1, "2026-09", "10.00")
    await Bill.filter(id=paid.id).update(status="paid", paid=Decimal("10.00"))
    other = await make_bill(c2, "2026-10", "5.00")
    row = await _unmatched(client, world, amount="400.00")
    pick = {"customer_id": c1.id, "bills": [{"bill_id": bill.id}]}
    too_much = await _match(client, world, row["id"], pick, 400)
    assert too_much["error"]["code"] == "write_off_exceeds_payment"
    assert (await _match(client, world, row["id"], {"bills": [{"bill_id": bill.id}]}, 400))[
        "error"]["code"] == "customer_required"
    assert (await _match(client, world, row["id"], {"customer_id": c1.id, "bills": [
        {"bill_id": paid.id}]}, 409))["error"]["code"] == "already_paid"
    assert (await _match(client, world, row["id"], {"customer_id": c1.id, "bills": [
        {"bill_id": other.id}]}, 404))["error"]["code"] == "bill_not_found"
    assert (await _match(client, world, row["id"], {"customer_id": c1.id, "bills": [
        {"bill_id": bill.id, "amount": "600.00"}]}, 400))["error"]["code"] == \
        "amount_exceeds_open"
    assert (await _match(client, world, row["id"], {"customer_id": c1.id}, 400))[
        "error"]["code"] == "nothing_to_write_off"
    await _match(client, world, row["id"], {"customer_id": c1.id, "bills": [
        {"bill_id": bill.id, "amount": "400.00"}]})
    second = await _unmatched(client, world, "BK-2", "100.00")
    held = await _match(client, world, second["id"], {"customer_id": c1.id, "bills": [
        {"bill_id": bill.id, "amount": "100.00"}]}, 409)
    assert held["error"]["code"] == "reserved"
    fresh = await make_bill(c1, "2026-11", "1.00")
    assert (await _match(client, world, row["id"], {"customer_id": c1.id, "bills": [
        {"bill_id": fresh.id}]}, 400))["error"]["code"] == \
        "write_off_exceeds_payment"  # all 400.00 of the payment is held
    assert await WriteOff.all().count() == 1


async def test_the_daily_job_matches_payments_whose_customer_was_added_later(client, world,
                                                                            settings):
    row = await _unmatched(client, world, amount="50.00", payer="新客户有限公司")
    customer = await Customer.create(code="C050", name="新客户有限公司",
                                     salesperson=world["staff"]["sales-li"])
    await make_bill(customer, "2026-10", "50.00")
    counts = await run_write_off(NOW.date(), NOW, settings)
    assert (counts["matched"], counts["write_offs_started"]) == (1, 1)
    after = await payment(client, world, row["id"])
    assert (after["customer_id"], after["matched_by"], after["reserved"]) == (
        customer.id, "name", "50.00")
    again = await run_write_off(NOW.date(), NOW, settings)
    assert again["matched"] == 0 and await WriteOff.all().count() == 1


async def test_the_daily_job_writes_money_left_off_against_new_bills(client, world, settings):
    customer = world["customers"]["C002"]
    row = (await import_rows(client, world, [pay("BK-1", "联想", "80.00")]))["payments"][0]
    assert row["note"] == "客户没有未销账单"
    await make_bill(customer, "2026-10", "80.00")
    counts = await run_write_off(NOW.date(), NOW, settings)
    assert counts["write_offs_retried"] == 1
    write_off = await WriteOff.get(payment_id=row["id"])
    await act(client, world, write_off.flow_id, "sales-li")
    assert (await PoolPayment.get(id=row["id"])).status == "written_off"


async def test_two_write_offs_racing_for_one_bill_one_wins(client, world):
    customer = world["customers"]["C001"]
    for round_ in range(3):
        bill = await make_bill(customer, f"2025-{round_ + 1:02d}", "100.00")
        a = await _unmatched(client, world, f"A-{round_}", "100.00")
        b = await _unmatched(client, world, f"B-{round_}", "100.00")
        body = {"customer_id": customer.id, "bills": [{"bill_id": bill.id}]}
        responses = await asyncio.gather(*(
            client.post(f"{support.API}/pool-payments/{p['id']}/match", json=body,
                        headers=world["finance"]) for p in (a, b)))
        results = [(r.status, await r.json()) for r in responses]
        assert sorted(s for s, _ in results) == [201, 409], results
        assert next(body for s, body in results if s == 409)["error"]["code"] == "reserved"
        assert await WriteOff.filter(lines__bill_id=bill.id).count() == 1


async def test_concurrent_imports_never_book_one_bill_twice(client, world):
    await make_bill(world["customers"]["C001"], "2026-10", "100.00")
    responses = await asyncio.gather(*(
        client.post(f"{support.API}/pool-payments", headers=world["finance"],
                    json={"items": [pay(f"BK-{i}", "上海明辉商贸有限公司", "100.00")]})
        for i in range(4)))
    assert [r.status for r in responses] == [200] * 4
    assert await WriteOff.all().count() == 1
    assert await PoolPayment.filter(note="客户没有未销账单").count() == 3
