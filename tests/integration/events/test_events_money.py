"""Money events: a write-off publishes ``payment.written_off`` when its flow is approved (not
when it starts, nor when it is withdrawn); the penalty job publishes one ``penalty.charged``
per new charge, in bulk, and nothing on a re-run."""

from __future__ import annotations

from datetime import date

from domain.approvals.models import ApprovalFlow
from domain.events.models import Event
from jobs.penalties import run_penalties
from tests.integration.events.test_events_published import feed
from tests.support import payments as support
from tests.support.approvals import call
from tests.support.payments import NOW, act, import_rows, make_bill, pay

world = support.world  # fixture


async def _match(client, world, customer, bill, amount=None):
    [row] = (await import_rows(client, world, [pay("BK-1", "某某贸易", "1000.00")]))["payments"]
    picked = {"bill_id": bill.id, **({"amount": amount} if amount else {})}
    return row, await call(client, "POST", f"/pool-payments/{row['id']}/match",
                           world["finance"], {"customer_id": customer.id, "bills": [picked]},
                           201)


async def test_a_write_off_is_an_event_once_its_flow_is_approved(client, world, erp):
    customer = world["customers"]["C001"]
    bill = await make_bill(customer, "2026-10", "600.00")
    row, write_off = await _match(client, world, customer, bill)
    flow = await ApprovalFlow.get(id=write_off["flow_id"])
    await act(client, world, flow.id, "div-qian")
    await act(client, world, flow.id, "hq-sun")
    assert await Event.all().count() == 0  # pending: the ERP hears nothing yet

    await act(client, world, flow.id, "sales-wang")

    [event] = (await feed(client, erp))["events"]
    assert event["type"] == "payment.written_off"
    assert event["data"] == {
        "write_off_id": write_off["id"], "automatic": False, "amount": "600.00",
        "customer": {"id": customer.id, "code": customer.code, "name": customer.name},
        "payment": {"id": row["id"], "reference": "BK-1", "payer_name": "某某贸易",
                    "amount": "1000.00", "received_on": "2026-11-20", "remaining": "400.00"},
        "receipt_number": f"WO-{write_off['id']}",
        "bills": [{"bill_id": bill.id, "period": "2026-10", "amount": "600.00"}],
        "penalties": []}


async def test_a_withdrawn_write_off_publishes_nothing(client, world):
    customer = world["customers"]["C001"]
    bill = await make_bill(customer, "2026-10", "300.00")
    _, write_off = await _match(client, world, customer, bill)
    await call(client, "POST", f"/approvals/{write_off['flow_id']}/withdraw",
               world["keys"]["sales-wang"], {"comment": "重新匹配"})
    assert await Event.all().count() == 0


async def test_the_penalty_job_publishes_each_new_charge_once(client, world, settings, erp):
    customer = world["customers"]["C001"]
    first = await make_bill(customer, "2026-08", "1001.00", due_date="2026-10-01")
    second = await make_bill(customer, "2026-07", "200.00", due_date="2026-09-01")

    await run_penalties(date(2026, 10, 2), NOW, settings)
    await run_penalties(date(2026, 10, 2), NOW, settings)  # a re-run charges nothing new

    events = (await feed(client, erp))["events"]
    assert {e["type"] for e in events} == {"penalty.charged"}
    charged = sorted((e["data"]["bill_id"], e["data"]["month_index"], e["data"]["accrued_on"],
                      e["data"]["base"], e["data"]["amount"]) for e in events)
    assert charged == sorted([(first.id, 1, "2026-10-02", "1001.00", "5.01"),
                              (second.id, 1, "2026-09-02", "200.00", "1.00"),
                              (second.id, 2, "2026-10-02", "200.00", "1.00")])
    assert events[0]["data"]["customer"]["code"] == customer.code
    assert all(e["data"]["rate"] == "0.005" for e in events)
