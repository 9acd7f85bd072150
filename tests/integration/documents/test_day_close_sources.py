"""Day close (关账) against every way documents come in: the ingest API and `tally import` for
documents, expenses, other income and exchanges, and the credit shipments and returns. A new or
changed document of a closed person and day — by its new values or its stored ones, as
salesperson or as driver — refuses the whole batch with 423; an unchanged resend passes; a
refused batch loses nothing, and after reopening the same batch lands."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from tortoise.contrib.test import truncate_all_models

from domain.credit.models import GoodsReturn, Shipment
from domain.documents.models import (
    DayClose,
    Document,
    Exchange,
    Expense,
    OtherIncome,
    ReceiptSettlement,
)
from domain.ingest import ingest_customers, ingest_documents, ingest_staff
from domain.org.models import Staff
from domain.statements.models import Statement, StatementLine
from tests.support import CUSTOMERS, INGEST, STAFF, post_ok
from tests.support.cli import run_orm, run_tally
from tests.support.credit import grant, order, setup, ship, w
from tests.support.handover import NOW, push

ROOT = Path(__file__).resolve().parents[3]
CLOSED, OPEN = "2026-11-23", "2026-11-24"
DRIVER = {"userid": "driver-zhou", "name": "周司机"}
MODELS = (Document, ReceiptSettlement, Expense, OtherIncome, Exchange, Statement,
          StatementLine)


def doc(number, day=CLOSED, type="sales_out", amount="100.00", **extra) -> dict:
    return {"number": number, "type": type, "date": day, "customer_code": "C001",
            "salesperson": "sales-li", "amount": amount, **extra}


def settled_receipt(number, day, amount="100.00") -> dict:
    return doc(number, day, "receipt", amount, settlements=[
        {"number": "XS-OLD", "type": "sales_out", "date": "2026-11-01", "amount": amount}])


async def _base(client, erp) -> None:
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF + [DRIVER]})
    await post_ok(client, f"{INGEST}/customers", erp, {"items": CUSTOMERS})


async def close(userid: str, day: str) -> None:
    staff = await Staff.get(dingtalk_userid=userid)
    await DayClose.create(staff=staff, day=date.fromisoformat(day), closed_at=NOW,
                          closed_by="finance")


async def reopen(userid: str, day: str) -> None:
    await DayClose.filter(staff__dingtalk_userid=userid, day=date.fromisoformat(day)).delete()


async def refused(client, erp, kind, rows, **kw) -> dict:
    error = (await push(client, erp, kind, rows, status=423, **kw))["error"]
    assert error["code"] == "day_closed"
    return error


async def snapshot() -> dict:
    """Every stored row of what a batch could touch, field by field."""
    return {model.__name__: await model.all().order_by("id").values() for model in MODELS}


# ----- documents over HTTP ---------------------------------------------------------------------


async def test_a_new_document_of_a_closed_day_is_refused_naming_the_person_and_day(
        client, erp):
    await _base(client, erp)
    await close("sales-li", CLOSED)
    error = await refused(client, erp, "documents", [doc("XS-9", OPEN), doc("XS-1")])
    assert error["message"] == ("李业务 2026-11-23 已关账，不能新增或修改该日期的单据；"
                                "如需更改请财务先取消关账")
    assert error["detail"]["rows"] == [
        {"index": 1, "number": "XS-1", "staff": "李业务", "day": CLOSED}]
    assert not await Document.exists()


async def test_changing_or_moving_a_document_of_a_closed_day_is_refused(client, erp):
    await _base(client, erp)
    await push(client, erp, "documents", [doc("XS-1"), doc("XS-2")])
    await close("sales-li", CLOSED)
    await refused(client, erp, "documents", [doc("XS-1", amount="101.00")])
    error = await refused(client, erp, "documents", [doc("XS-2", OPEN)])  # moved off the day
    assert error["detail"]["rows"] == [
        {"index": 0, "number": "XS-2", "staff": "李业务", "day": CLOSED}]
    error = await refused(client, erp, "documents", [doc("XS-2", salesperson="sales-wang")])
    assert error["detail"]["rows"][0]["staff"] == "李业务"  # handed to another: still a change
    # Another person's day, or the same person's other day, is open.
    assert (await push(client, erp, "documents", [
        doc("XS-3", salesperson="sales-wang"), doc("XS-4", OPEN)]))["created"] == 2


async def test_an_unchanged_resend_of_a_closed_days_documents_passes(client, erp):
    await _base(client, erp)
    rows = [doc("XS-1", driver="driver-zhou", delivered_on=CLOSED),
            settled_receipt("SK-1", CLOSED)]
    await push(client, erp, "documents", rows)
    await close("sales-li", CLOSED)
    await close("driver-zhou", CLOSED)
    assert await push(client, erp, "documents", rows) == {
        "created": 0, "updated": 0, "unchanged": 2, "rejected": []}


async def test_a_drivers_delivery_on_his_closed_day_is_refused(client, erp):
    await _base(client, erp)
    await push(client, erp, "documents", [doc("XS-1", "2026-11-22")])
    await close("driver-zhou", CLOSED)
    delivered = doc("XS-1", "2026-11-22", driver="driver-zhou", delivered_on=CLOSED)
    error = await refused(client, erp, "documents", [delivered])
    assert "周司机 2026-11-23 已关账" in error["message"]
    assert error["detail"]["rows"] == [
        {"index": 0, "number": "XS-1", "staff": "周司机", "day": CLOSED}]
    # Delivered the next day instead: the salesperson's day and the driver's are open.
    later = doc("XS-1", "2026-11-22", driver="driver-zhou", delivered_on=OPEN)
    assert (await push(client, erp, "documents", [later]))["updated"] == 1
    # Now stored on the driver's open day, taking the delivery back onto the closed one is not.
    await refused(client, erp, "documents", [delivered])


async def test_a_changed_settlement_of_a_closed_days_receipt_is_refused(client, erp):
    await _base(client, erp)
    await push(client, erp, "documents", [settled_receipt("SK-1", CLOSED)])
    await close("sales-li", CLOSED)
    changed = settled_receipt("SK-1", CLOSED)
    changed["settlements"][0]["number"] = "XS-OTHER"
    await refused(client, erp, "documents", [changed])
    assert [s.number for s in await ReceiptSettlement.all()] == ["XS-OLD"]


async def test_a_row_rejected_for_bad_data_does_not_count_against_a_closed_day(client, erp):
    await _base(client, erp)
    await close("sales-li", CLOSED)
    result = await push(client, erp, "documents", [doc("XS-1", customer_code="NOPE"),
                                                   doc("XS-2", OPEN)])
    assert result["created"] == 1 and result["rejected"][0]["key"] == "XS-1"


async def test_a_refused_batch_loses_nothing_and_lands_once_the_day_is_reopened(
        client, erp, admin):
    await _base(client, erp)
    stored = [doc("XS-1", "2026-11-20", amount="500.00"), doc("XS-2", CLOSED),
              settled_receipt("SK-1", "2026-11-21"), doc("XS-3", OPEN)]
    await push(client, erp, "documents", stored)
    await push(client, erp, "expenses", [expense("FY-1", CLOSED)])
    customer_id = (await Document.get(number="XS-1")).customer_id
    await post_ok(client, "/api/backoffice/v1/statements", admin, {
        "customer_id": customer_id, "date_from": "2026-11-01", "date_to": "2026-11-30"},
        status=201)
    await close("sales-li", CLOSED)
    before = await snapshot()
    batch = [
        doc("XS-NEW", "2026-11-19"),  # good: a new row on an open day
        doc("XS-1", "2026-11-20", amount="450.00"),  # good: a change on an open day
        settled_receipt("SK-1", "2026-11-21", "80.00"),  # good: new settlements
        doc("XS-3", OPEN),  # unchanged
        doc("XS-BAD", customer_code="NOPE"),  # bad data
        doc("XS-2", CLOSED, amount="90.00"),  # the closed day
    ]
    error = await refused(client, erp, "documents", batch)
    assert [r["number"] for r in error["detail"]["rows"]] == ["XS-2"]
    await refused(client, erp, "documents", batch[:4] + batch[5:], atomic=True)
    bad = await push(client, erp, "documents", batch, atomic=True, status=400)
    assert bad["error"]["code"] == "batch_rejected"  # bad data is told first
    assert await snapshot() == before
    assert not await Statement.filter(source_changed=True).exists()

    await reopen("sales-li", CLOSED)
    result = await push(client, erp, "documents", batch)
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 3, 1)
    assert [r["key"] for r in result["rejected"]] == ["XS-BAD"]
    assert str((await Document.get(number="XS-2")).amount) == "90.00"
    assert await Statement.filter(source_changed=True).exists()


# ----- expenses, other income, exchanges over HTTP ---------------------------------------------


def expense(number, day, **extra) -> dict:
    return {"number": number, "date": day, "salesperson": "sales-li",
            "items": [{"type": "差旅", "amount": "80.00"}], **extra}


def income(number, day, **extra) -> dict:
    return {"number": number, "date": day, "salesperson": "sales-li", "amount": "30.00",
            **extra}


def exchange(number, day, **extra) -> dict:
    return {"number": number, "date": day, "salesperson": "sales-li",
            "items": [{"product": "A4纸", "quantity": "1", "direction": "out"}], **extra}


@pytest.mark.parametrize("kind,make,model", [
    ("expenses", expense, Expense), ("other_incomes", income, OtherIncome),
    ("exchanges", exchange, Exchange)])
async def test_the_hand_over_kinds_obey_day_close_too(client, erp, kind, make, model):
    await _base(client, erp)
    await push(client, erp, kind, [make("N-1", CLOSED), make("N-2", CLOSED)])
    await close("sales-li", CLOSED)
    before = await snapshot()
    error = await refused(client, erp, kind, [make("N-3", OPEN), make("N-4", CLOSED)])
    assert error["detail"]["rows"] == [
        {"index": 1, "number": "N-4", "staff": "李业务", "day": CLOSED}]
    await refused(client, erp, kind, [make("N-1", CLOSED, remark="改")])
    await refused(client, erp, kind, [make("N-2", OPEN)])
    assert await snapshot() == before
    assert (await push(client, erp, kind, [make("N-1", CLOSED)]))["unchanged"] == 1
    await reopen("sales-li", CLOSED)
    assert (await push(client, erp, kind, [make("N-3", OPEN), make("N-4", CLOSED)]))[
        "created"] == 2
    assert await model.all().count() == 4


# ----- credit shipments and returns ------------------------------------------------------------


async def test_a_shipment_or_return_of_a_closed_day_is_refused(client, admin, erp):
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", w(100))
    await order(client, erp, "SO-1", w(60))  # C001's salesperson: 李业务
    await close("sales-li", "2021-01-15")
    body = await ship(client, erp, "CK-1", "SO-1", w(10), status=423)
    assert body["error"]["code"] == "day_closed"
    assert body["error"]["message"].startswith("李业务 2021-01-15 已关账")
    assert not await Shipment.exists()
    await ship(client, erp, "CK-1", "SO-1", w(10), day="2021-01-16")
    await close("sales-li", "2021-01-20")
    resp = await client.post("/api/backoffice/v1/credit/returns", headers=erp, json={
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-20",
        "amount": w(1)})
    assert resp.status == 423, await resp.json()
    assert "李业务 2021-01-20" in (await resp.json())["error"]["message"]
    resp = await client.post("/api/backoffice/v1/credit/returns", headers=erp, json={
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-21",
        "amount": w(1)})
    assert resp.status == 201, await resp.json()
    # The shipment already in is resent unchanged: not a new document, no refusal.
    await close("sales-li", "2021-01-16")
    await ship(client, erp, "CK-1", "SO-1", w(10), day="2021-01-16", status=200)


async def test_reversing_a_shipment_or_return_of_a_closed_day_is_refused(client, admin, erp):
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", w(100))
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(10), day="2021-01-16")
    resp = await client.post("/api/backoffice/v1/credit/returns", headers=erp, json={
        "number": "TH-1", "shipment_number": "CK-1", "return_date": "2021-01-21",
        "amount": w(1)})
    assert resp.status == 201, await resp.json()
    await close("sales-li", "2021-01-21")
    resp = await client.post("/api/backoffice/v1/credit/returns/TH-1/reverse", headers=erp)
    assert resp.status == 423, await resp.json()
    assert "李业务 2021-01-21" in (await resp.json())["error"]["message"]
    assert (await GoodsReturn.get(number="TH-1")).status == "active"
    await close("sales-li", "2021-01-16")
    resp = await client.post("/api/backoffice/v1/credit/shipments/CK-1/reverse", headers=erp)
    assert resp.status == 423, await resp.json()
    assert (await Shipment.get(number="CK-1")).status == "active"


async def test_a_return_against_an_unknown_shipment_is_still_a_404(client, admin, erp):
    await setup(client, admin)
    resp = await client.post("/api/backoffice/v1/credit/returns", headers=erp, json={
        "number": "TH-9", "shipment_number": "CK-NONE", "return_date": "2021-01-21",
        "amount": w(1)})
    assert resp.status == 404, await resp.json()


# ----- `tally import` --------------------------------------------------------------------------


@pytest.fixture
def seeded(database_url):
    async def setup_rows():
        await truncate_all_models()
        await ingest_staff(STAFF + [DRIVER])
        await ingest_customers(CUSTOMERS)
        await ingest_documents([doc("XS-1")])
        await close("sales-li", CLOSED)

    run_orm(setup_rows, database_url)
    return database_url


def _numbers(url, model=Document, money="amount"):
    async def rows():
        return sorted(await model.all().values_list("number", money))

    return [(n, str(a)) for n, a in run_orm(rows, url)]


def test_tally_import_refuses_a_file_touching_a_closed_day(seeded, tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("单据编号,单据类型,单据日期,客户编号,业务员,金额\n"
                    f"XS-2,销售出库单,{OPEN},C001,sales-li,5.00\n"
                    f"XS-1,销售出库单,{CLOSED},C001,sales-li,99.00\n", encoding="utf-8")
    result = run_tally(seeded, "import", "documents", str(path))
    assert result.returncode == 1
    assert "李业务 2026-11-23 已关账" in result.stderr
    assert "line 3 (XS-1): 李业务 2026-11-23 已关账" in result.stderr
    assert _numbers(seeded) == [("XS-1", "100.00")]
    # The unchanged row resent with a new one of an open day lands.
    path.write_text("单据编号,单据类型,单据日期,客户编号,业务员,金额\n"
                    f"XS-2,销售出库单,{OPEN},C001,sales-li,5.00\n"
                    f"XS-1,销售出库单,{CLOSED},C001,sales-li,100.00\n", encoding="utf-8")
    result = run_tally(seeded, "import", "documents", str(path))
    assert result.returncode == 0, result.stderr
    assert "created 1, updated 0, unchanged 1" in result.stdout
    assert _numbers(seeded) == [("XS-1", "100.00"), ("XS-2", "5.00")]


def test_tally_import_brings_hand_over_fields_and_kinds_from_csv(seeded, tmp_path):
    receipts = tmp_path / "receipts.csv"
    receipts.write_text(
        "单据编号,单据类型,单据日期,客户编号,业务员,金额,审核状态,收款类型,收款优惠,核销明细,"
        "司机,配送日期\n"
        f'SK-1,收款单,{OPEN},C001,sales-li,95.00,待审批,收款,5.00,"[{{""number"": ""XS-1"", '
        f'""type"": ""销售出库单"", ""date"": ""{CLOSED}"", ""amount"": ""100.00""}}]",,\n'
        f"XS-5,销售出库单,{OPEN},C001,sales-li,7.00,已审批,,,,driver-zhou,2026/11/25\n",
        encoding="utf-8")
    result = run_tally(seeded, "import", "documents", str(receipts))
    assert result.returncode == 0, result.stderr

    async def stored():
        receipt = await Document.get(number="SK-1")
        lines = await ReceiptSettlement.filter(receipt=receipt).values_list("number", "amount")
        sale = await Document.get(number="XS-5").prefetch_related("driver")
        return (receipt.audit_status, str(receipt.discount), lines, sale.driver.name,
                sale.delivered_on)

    status, discount, lines, driver, delivered = run_orm(stored, seeded)
    assert (status, discount, [(n, str(a)) for n, a in lines]) == (
        "pending", "5.00", [("XS-1", "100.00")])
    assert (driver, delivered) == ("周司机", date(2026, 11, 25))

    expenses = tmp_path / "expenses.csv"
    expenses.write_text(
        "单据编号,单据日期,业务员,费用明细,支出金额\n"
        f'FY-1,{OPEN},sales-li,"[{{""type"": ""差旅"", ""amount"": ""80.00""}}]",80.00\n'
        f'FY-2,{CLOSED},sales-li,"[{{""type"": ""差旅"", ""amount"": ""10.00""}}]",10.00\n',
        encoding="utf-8")
    result = run_tally(seeded, "import", "expenses", str(expenses))
    assert result.returncode == 1 and "line 3 (FY-2): 李业务 2026-11-23 已关账" in result.stderr
    assert _numbers(seeded, Expense, "total") == []
    expenses.write_text("\n".join(expenses.read_text(encoding="utf-8").splitlines()[:2]) + "\n",
                        encoding="utf-8")
    result = run_tally(seeded, "import", "expenses", str(expenses))
    assert result.returncode == 0, result.stderr
    assert _numbers(seeded, Expense, "total") == [("FY-1", "80.00")]  # the sum of its lines


def test_tally_import_of_exchanges_takes_the_submission_time_from_the_sheet(seeded, tmp_path):
    path = tmp_path / "exchanges.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["单据编号", "单据日期", "业务员", "兑换明细", "提交时间"])
    book.active.append(["DH-1", datetime(2026, 11, 24), "sales-li",
                        '[{"product": "A4纸", "quantity": 2, "direction": "兑出"}]',
                        datetime(2026, 11, 24, 8, 30)])
    book.save(path)
    result = run_tally(seeded, "import", "exchanges", str(path))
    assert result.returncode == 0, result.stderr

    async def stored():
        row = await Exchange.get(number="DH-1")
        return row.date, row.submitted_at.isoformat(), row.items

    assert run_orm(stored, seeded) == (date(2026, 11, 24), "2026-11-24T08:30:00+08:00", [
        {"product": "A4纸", "unit": "", "quantity": "2", "direction": "out"}])
