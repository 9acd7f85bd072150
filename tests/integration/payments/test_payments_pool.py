"""The payments pool through the back-office API: import (idempotent by reference), matching by
name or invoice company, the automatic write-off with its flow (two nodes auto-passed, the
salesperson confirms once), the seed's three refusals, reject releasing the reservation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.approvals.models import ApprovalAction, ApprovalFlow
from domain.customers.models import Customer
from domain.documents.models import Document
from domain.errors import Conflict
from domain.notices.models import OutboxMessage
from domain.payments import writeoffs
from domain.payments.models import PoolPayment, WriteOff
from jobs.write_off import run_write_off
from tests.support import payments as support
from tests.support.payments import (
    NOW,
    act,
    import_rows,
    make_bill,
    pay,
    payment,
)

world = support.world  # fixture


async def _bills(world, code="C001"):
    customer = world["customers"][code]
    product = None
    bills = []
    for period, amount in (("2026-08", "300.00"), ("2026-09", "500.00"), ("2026-10", "400.00")):
        bills.append(await make_bill(customer, period, amount, product=product))
    return bills


async def test_a_matched_payment_writes_off_oldest_bills_and_the_salesperson_confirms_once(
        client, world):
    sep, oct_, nov = await _bills(world)
    result = await import_rows(client, world, [pay("BK-1", "上海明辉商贸有限公司", "900.00")])
    assert (result["created"], result["rejected"]) == (1, [])
    row = result["payments"][0]
    assert (row["customer_id"], row["matched_by"], row["status"]) == (
        world["customers"]["C001"].id, "name", "matched")
    assert (row["reserved"], row["available"], row["note"]) == ("800.00", "100.00", "")

    write_off = await WriteOff.get(payment_id=row["id"])
    assert write_off.automatic and write_off.amount == Decimal("800.00")
    flow = await ApprovalFlow.get(id=write_off.flow_id)
    assert (flow.kind, flow.status, flow.current_node) == ("write_off", "pending", 2)
    assert [n["auto_passed"] for n in flow.nodes] == [True, True, False]
    autos = await ApprovalAction.filter(flow_id=flow.id, action="auto").values_list(
        "comment", flat=True)
    assert autos == ["满足条件: auto_write_off 等于 1"] * 2
    card = await OutboxMessage.get(kind="approval_task")
    assert card.recipient_id == str(world["staff"]["sales-wang"].id)
    assert ("销售确认", "3/3") == (card.payload["node"], card.payload["step"])

    done = await act(client, world, flow.id, "sales-wang")
    assert done["status"] == "approved" and done["result"]["document"] == f"WO-{write_off.id}"
    await sep.refresh_from_db()
    await oct_.refresh_from_db()
    await nov.refresh_from_db()
    assert [(b.status, b.paid) for b in (sep, oct_, nov)] == [
        ("paid", Decimal("300.00")), ("paid", Decimal("500.00")), ("unpaid", Decimal("0.00"))]
    after = await payment(client, world, row["id"])
    assert (after["status"], after["remaining"], after["reserved"]) == ("partly", "100.00",
                                                                        "0.00")
    assert after["write_offs"][0]["status"] == "done"
    receipt = await Document.get(number=f"WO-{write_off.id}")
    assert (receipt.doc_type, receipt.date, receipt.amount, receipt.owed) == (
        "receipt", date(2026, 11, 20), Decimal("800.00"), Decimal("-800.00"))


async def test_reimporting_a_reference_is_unchanged_and_a_different_amount_is_a_409_row(
        client, world):
    await import_rows(client, world, [pay("BK-1", "谁也不是", "10.00")])
    again = await import_rows(client, world, [pay("BK-1", "谁也不是", "10.00"),
                                              pay("BK-1", "谁也不是", "11.00"),
                                              pay("BK-2", "谁也不是", "12.00")])
    assert (again["created"], again["unchanged"]) == (1, 1)
    assert [(r["index"], r["status"], r["code"]) for r in again["rejected"]] == [
        (1, 409, "payment_reference_conflict")]
    assert await PoolPayment.all().count() == 2
    changed = await import_rows(client, world, [pay("BK-2", "谁也不是", "99.00")])
    assert changed["rejected"][0]["status"] == 409
    assert (await PoolPayment.get(reference="BK-2")).amount == Decimal("12.00")


async def test_bad_rows_are_reported_and_an_atomic_batch_lands_nothing(client, world):
    rows = [pay("BK-1", "联想", "10.00"), {"reference": "BK-2", "payer_name": "",
                                          "amount": "abc", "received_on": "2026-13-01"},
            pay("BK-3", "联想", "-5")]
    result = await import_rows(client, world, rows)
    assert result["created"] == 1
    assert [(r["index"], r["status"]) for r in result["rejected"]] == [(1, 400), (2, 400)]
    assert len(result["rejected"][0]["errors"]) == 3
    body = await import_rows(client, world, [pay("BK-9", "联想", "1.00"), rows[1]], status=400,
                             query="?atomic=1")
    assert body["error"]["code"] == "batch_rejected"
    assert not await PoolPayment.exists(reference="BK-9")


async def test_the_invoice_company_matches_after_full_width_folding_and_trimming(client, world):
    result = await import_rows(client, world, [pay("BK-1", "　上海明辉(集团)有限公司 ", "1.00")])
    row = result["payments"][0]
    assert (row["customer_id"], row["matched_by"]) == (world["customers"]["C001"].id,
                                                       "invoice_company")
    assert row["payer_key"] == "上海明辉(集团)有限公司"


async def test_no_customer_matched_is_the_first_refusal(client, world):
    await _bills(world)
    row = (await import_rows(client, world, [pay("BK-1", "不认识的公司", "900.00")]))["payments"][0]
    assert (row["status"], row["customer_id"], row["note"]) == (
        "unmatched", None, "到款没有关联到客户名下")
    assert not await WriteOff.exists()


async def test_two_customers_with_the_payer_name_is_no_match(client, world):
    await Customer.create(code="C009", name="联想")
    row = (await import_rows(client, world, [pay("BK-1", "联想", "1.00")]))["payments"][0]
    assert row["customer_id"] is None and "多个客户" in row["note"]


async def test_less_than_the_oldest_bill_is_refused_and_the_salesperson_told(client, world):
    await _bills(world)
    row = (await import_rows(client, world, [pay("BK-1", "上海明辉商贸有限公司",
                                                 "299.99")]))["payments"][0]
    assert (row["status"], row["note"]) == ("matched", "到款金额小于最早未销账单金额")
    assert not await WriteOff.exists()
    notice = await OutboxMessage.get(kind="pool_payment_refused")
    assert notice.recipient_id == str(world["staff"]["sales-wang"].id)
    assert notice.payload["reason"] == "below_oldest_bill"


async def test_a_prepaid_payment_after_the_bill_date_is_refused_a_postpaid_one_is_not(
        client, world):
    customer = world["customers"]["C001"]
    await make_bill(customer, "2026-10", "100.00", bill_date="2026-11-01")
    for mode in ("prepaid", "prepurchase"):
        await Customer.filter(id=customer.id).update(payment_mode=mode)
        row = (await import_rows(client, world, [pay(f"BK-{mode}", "上海明辉商贸有限公司",
                                                     "100.00", "2026-11-02")]))["payments"][0]
        assert row["note"] == "预付费到款时间大于账单时间"
    on_the_day = (await import_rows(client, world, [pay("BK-day", "上海明辉商贸有限公司",
                                                        "100.00", "2026-11-01")]))["payments"][0]
    assert on_the_day["reserved"] == "100.00"
    await WriteOff.all().delete()  # the bill is free again for the postpaid case
    await Customer.filter(id=customer.id).update(payment_mode="postpaid")
    row = (await import_rows(client, world, [pay("BK-post", "上海明辉商贸有限公司", "100.00",
                                                 "2026-11-02")]))["payments"][0]
    assert (row["note"], row["reserved"]) == ("", "100.00")


async def test_a_customer_without_a_salesperson_is_not_written_off(client, world):
    await make_bill(world["customers"]["C003"], "2026-10", "10.00")
    row = (await import_rows(client, world, [pay("BK-1", "无人跟进公司", "10.00")]))["payments"][0]
    assert row["note"] == "客户没有在职业务员，无法发起销账流程"


async def test_a_reject_releases_the_reservation_and_the_payment_returns_to_the_pool(
        client, world, settings):
    sep, *_ = await _bills(world)
    row = (await import_rows(client, world, [pay("BK-1", "上海明辉商贸有限公司",
                                                 "300.00")]))["payments"][0]
    assert row["available"] == "0.00"
    write_off = await WriteOff.get(payment_id=row["id"])
    await act(client, world, write_off.flow_id, "sales-wang", "reject", "不是这张账单")
    back = await payment(client, world, row["id"])
    assert (back["available"], back["reserved"], back["status"]) == ("300.00", "0.00",
                                                                     "matched")
    assert back["write_offs"][0]["status"] == "rejected"
    await sep.refresh_from_db()
    assert sep.status == "unpaid"
    # recorded by the reject itself, not left for the daily job
    assert (await WriteOff.get(id=write_off.id)).status == "rejected"
    assert "驳回" in (await PoolPayment.get(id=row["id"])).note
    counts = await run_write_off(NOW.date(), NOW, settings)
    assert counts["write_offs_retried"] == 0  # a rejected automatic write-off is not redone
    assert (await WriteOff.get(id=write_off.id)).status == "rejected"
    assert "驳回" in (await PoolPayment.get(id=row["id"])).note


async def test_a_pending_write_off_holds_its_bill_against_a_second_payment(client, world):
    await make_bill(world["customers"]["C001"], "2026-10", "100.00")
    await import_rows(client, world, [pay("BK-1", "上海明辉商贸有限公司", "100.00")])
    second = (await import_rows(client, world, [pay("BK-2", "上海明辉商贸有限公司",
                                                    "100.00")]))["payments"][0]
    assert (second["reserved"], second["note"]) == ("0.00", "客户没有未销账单")
    assert await WriteOff.all().count() == 1


async def test_a_write_off_that_cannot_start_leaves_the_payment_with_the_reason(
        client, world, monkeypatch):
    await make_bill(world["customers"]["C001"], "2026-10", "100.00")

    async def refuse(*args, **kwargs):
        raise Conflict("flow_refused", "流程无法发起")

    monkeypatch.setattr(writeoffs.engine, "start", refuse)
    row = (await import_rows(client, world, [pay("BK-1", "上海明辉商贸有限公司",
                                                 "100.00")]))["payments"][0]
    assert (row["status"], row["reserved"]) == ("matched", "0.00")
    assert row["note"] == "自动销账未能发起：流程无法发起"
    assert not await WriteOff.exists()
